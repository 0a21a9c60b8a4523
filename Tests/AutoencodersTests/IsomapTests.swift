import Autoencoders
import DataFormats
import Foundation
import Neighbourhoods
import Testing
import TestSupport
import Tensors

/// Isomap: shortest paths against Floyd–Warshall, an S-curve unrolled (exactly and from
/// landmarks), new samples placed, determinism, and a disconnected graph named.
@Suite struct IsomapTests {
    /// Spearman's ρ of two sequences (no ties expected).
    static func spearman(_ a: [Double], _ b: [Double]) -> Double {
        func ranks(_ v: [Double]) -> [Double] {
            var r = [Double](repeating: 0, count: v.count)
            for (rank, index) in v.indices.sorted(by: { v[$0] < v[$1] }).enumerated() { r[index] = Double(rank) }
            return r
        }
        let (x, y) = (ranks(a), ranks(b)), n = Double(a.count)
        let d2 = zip(x, y).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        return 1 - 6 * d2 / (n * (n * n - 1))
    }

    /// Dijkstra's lengths equal Floyd–Warshall's on a random sparse graph, from any sources, on any thread count.
    @Test func shortestPathsEqualFloydWarshall() {
        var generator = RandomGenerator(seed: 4)
        let n = 60
        var adjacency = [[Int32: Float]](repeating: [:], count: n)
        for _ in 0..<150 {
            let (i, j) = (generator.nextInt(below: n), generator.nextInt(below: n))
            guard i != j else { continue }
            let w = 0.1 + generator.nextUniform()
            adjacency[i][Int32(j)] = w
            adjacency[j][Int32(i)] = w
        }
        var starts = [0], columns: [Int32] = [], weights: [Float] = []
        for row in adjacency { for j in row.keys.sorted() { columns.append(j); weights.append(row[j]!) }; starts.append(columns.count) }
        let graph = WeightedGraph(rowStart: starts, columns: columns, weights: weights)
        var all = [Double](repeating: .infinity, count: n * n)
        for i in 0..<n { all[i * n + i] = 0; for (j, w) in adjacency[i] { all[i * n + Int(j)] = Double(w) } }
        for m in 0..<n { for i in 0..<n { for j in 0..<n where all[i * n + m] + all[m * n + j] < all[i * n + j] { all[i * n + j] = all[i * n + m] + all[m * n + j] } } }
        let sources = [0, 7, 33, 59]
        for threads in [1, 2] {
            let paths = graph.shortestPaths(from: sources, settings: ComputeSettings(threads: threads))
            for (row, s) in sources.enumerated() {
                for j in 0..<n {
                    let (ours, theirs) = (paths[row * n + j], all[s * n + j])
                    #expect(ours == theirs || abs(ours - theirs) < 1e-9, "from \(s) to \(j): \(ours) against \(theirs)")
                }
            }
        }
    }

    /// On an S-curve the codes recover both true coordinates (Spearman's |ρ| > 0.99 for the
    /// matched axes), from every sample, from landmarks and through an ε-graph; training samples
    /// encode to their own codes.
    @Test(arguments: [(nil, nil), (300, nil), (nil, 0.3)] as [(Int?, Double?)])
    func anSCurveIsUnrolled(landmarks: Int?, radius: Double?) throws {
        let (data, truth) = try SyntheticManifold.sCurve.generate(["n": 1_200, "seed": 3])
        var generator = RandomGenerator(seed: 1)
        let model = try Isomap.fit(data.samples, configuration: .init(neighbours: 10, landmarks: landmarks, radius: radius, decoder: .init(kind: .none)),
                                   using: &generator)
        #expect(model.summary.sources == (landmarks ?? 1_200) && model.summary.exactNeighbours)
        let codes = (0..<2).map { c in (0..<1_200).map { Double(model.embedding[$0, c]) } }
        let truths = (0..<2).map { c in (0..<1_200).map { Double(truth[$0, c]) } }
        let straight = abs(Self.spearman(codes[0], truths[0])) + abs(Self.spearman(codes[1], truths[1]))
        let crossed = abs(Self.spearman(codes[0], truths[1])) + abs(Self.spearman(codes[1], truths[0]))
        let pairs = straight >= crossed ? [(0, 0), (1, 1)] : [(0, 1), (1, 0)]
        for (axis, coordinate) in pairs {
            let rho = abs(Self.spearman(codes[axis], truths[coordinate]))
            #expect(rho > 0.99, "code axis \(axis) against true coordinate \(coordinate): ρ = \(rho)")
        }
        let placed = try model.place(data.samples.rows(0..<30))
        let scale = model.embedding.scalars.reduce(Float(0)) { max($0, abs($1)) }
        for i in 0..<30 { for c in 0..<2 { #expect(abs(placed[i, c] - model.embedding[i, c]) < 1e-3 * scale) } }
    }

    /// The ε-graph joins exactly the pairs within ε (against every pair measured directly), and a
    /// radius too small to connect the samples is the disconnected graph's error, advising a larger one.
    @Test func theEpsilonGraphJoinsThePairsWithinTheRadius() throws {
        let points = randomTensor([150, 3], seed: 9)
        let graph = try WeightedGraph(radius: 0.5, samples: points)
        var expected = 0
        for i in 0..<150 {
            for j in 0..<150 where i != j {
                let d = (0..<3).map { Double(points[i, $0] - points[j, $0]) }.map { $0 * $0 }.reduce(0, +).squareRoot()
                if abs(d - 0.5) > 1e-5 { expected += d <= 0.5 ? 1 : 0 }
                let found = graph.columns[graph.rowStart[i]..<graph.rowStart[i + 1]].firstIndex(of: Int32(j))
                if abs(d - 0.5) > 1e-5 { #expect((found != nil) == (d <= 0.5), "pair \(i), \(j) at \(d)") }
                if let found { #expect(abs(Double(graph.weights[found]) - d) < 1e-5) }
            }
        }
        #expect(abs(graph.edgeCount - expected) <= 2)
        var generator = RandomGenerator(seed: 1)
        #expect { try Isomap.fit(points, configuration: .init(radius: 0.05, decoder: .init(kind: .none)), using: &generator) } throws: {
            "\($0)".contains("ε-graph of radius 0.05") && "\($0)".contains("raise `radius`")
        }
    }

    /// The same seed gives the same codes on one thread or two; a batch encodes as its rows one by one.
    @Test func sameSeedAndDataGiveTheSameCodesOnAnyThreadCount() throws {
        let (data, _) = try SyntheticManifold.sCurve.generate(["n": 800, "seed": 5])
        var models: [Isomap] = []
        for threads in [1, 2] {
            var generator = RandomGenerator(seed: 2)
            models.append(try Isomap.fit(data.samples, configuration: .init(landmarks: 200, decoder: .init(kind: .none)), using: &generator, settings: ComputeSettings(threads: threads)))
        }
        #expect(models[0].embedding == models[1].embedding)
        let fresh = try SyntheticManifold.sCurve.generate(["n": 12, "seed": 6]).dataset.samples
        #expect(models[0].encodeUnchecked(fresh) == Tensor.concatenate((0..<12).map { models[0].encodeUnchecked(fresh.rows($0..<($0 + 1))) }))
    }

    /// Separated blobs give a graph of several components: an error that counts and locates them
    /// and says to raise the neighbours; too many neighbours for the data is an error too.
    @Test func aDisconnectedGraphIsAClearError() throws {
        let blobs = try SyntheticManifold.blobs.generate(["n": 90, "centers": 3, "dimension": 5, "seed": 1]).dataset
        var generator = RandomGenerator(seed: 1)
        #expect { try Isomap.fit(blobs.samples, configuration: .init(neighbours: 5, decoder: .init(kind: .none)), using: &generator) } throws: {
            "\($0)".contains("falls into 3 connected components") && "\($0)".contains("30 samples from row 0") && "\($0)".contains("raise `neighbours`")
        }
        #expect { try Isomap.fit(blobs.samples.rows(0..<8), configuration: .init(neighbours: 10, decoder: .init(kind: .none)), using: &generator) } throws: {
            "\($0)".contains("needs at least 11 samples")
        }
    }

    /// Landmark Isomap agrees with full Isomap on a small manifold: each code axis of one is,
    /// up to sign, the other's (Pearson |r| > 0.99); duplicated samples (zero-length edges) embed too.
    @Test func landmarksAgreeWithEverySampleAndDuplicatesEmbed() throws {
        let (data, _) = try SyntheticManifold.sCurve.generate(["n": 900, "seed": 8])
        var generator = RandomGenerator(seed: 3)
        let full = try Isomap.fit(data.samples, configuration: .init(decoder: .init(kind: .none)), using: &generator)
        let landmark = try Isomap.fit(data.samples, configuration: .init(landmarks: 250, decoder: .init(kind: .none)), using: &generator)
        #expect(full.summary.sources == 900 && landmark.summary.sources == 250)
        for c in 0..<2 {
            let a = (0..<900).map { Double(full.embedding[$0, c]) }, b = (0..<900).map { Double(landmark.embedding[$0, c]) }
            let (ma, mb) = (a.reduce(0, +) / 900, b.reduce(0, +) / 900)
            let cov = zip(a, b).reduce(0.0) { $0 + ($1.0 - ma) * ($1.1 - mb) }
            let r = cov / (a.reduce(0.0) { $0 + ($1 - ma) * ($1 - ma) } * b.reduce(0.0) { $0 + ($1 - mb) * ($1 - mb) }).squareRoot()
            #expect(abs(r) > 0.99, "axis \(c): r = \(r)")
        }
        let twice = Tensor.concatenate([data.samples.rows(0..<300), data.samples.rows(0..<300)])
        let doubled = try Isomap.fit(twice, configuration: .init(decoder: .init(kind: .none)), using: &generator)
        #expect(doubled.embedding.scalars.allSatisfy { $0.isFinite })
        // A sample and its duplicate share their code's neighbourhood.
        #expect(abs(doubled.embedding[0, 0] - doubled.embedding[300, 0]) < 1e-3 * doubled.embedding.scalars.reduce(Float(0)) { max($0, abs($1)) })
    }
}
