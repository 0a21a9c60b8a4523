import Autoencoders
import DataFormats
import Foundation
import Neighbourhoods
import Testing
import TestSupport
import Tensors

/// UMAP: blobs kept apart and new samples placed among theirs, components laid out apart,
/// determinism across thread counts, resume, and bad input.
@Suite struct UMAPTests {
    static func blobs(_ n: Int, centers: Int = 4, dimension: Int = 10, seed: Int = 5) throws -> Dataset { try TSNETests.blobs(n, centers: centers, dimension: dimension, seed: seed) }

    /// Well-separated blobs stay apart in the codes (every point's nearest code is of its blob),
    /// from each initialisation, and new samples of the same blobs land among their blob's codes.
    @Test(arguments: UMAP.Configuration.Initialisation.allCases)
    func blobsStaySeparate(initialisation: UMAP.Configuration.Initialisation) throws {
        let data = try Self.blobs(400)
        var generator = RandomGenerator(seed: 3)
        let model = try UMAP.fit(data.samples, configuration: .init(epochs: 200, initialisation: initialisation, decoder: .init(kind: .none)), using: &generator)
        #expect(try TSNETests.nearestLabelAgreement(model.embedding, labels: data.labels!) == 1)
        #expect(model.summary.epochs == 200 && model.summary.exactNeighbours && model.summary.edges > 400 * 7)
        #expect((model.summary.spectralConverged != nil) == (initialisation == .spectral))
        let fresh = try Self.blobs(40, seed: 5)
        let codes = try model.encode(fresh.samples)
        let graph = try NearestNeighbours.exact(queries: codes, in: model.embedding, k: 1)
        let agreeing = (0..<40).filter { data.labels![Int(graph.neighbours(of: $0).first!)] == fresh.labels![$0] }.count
        #expect(agreeing == 40)
        // ENCODE of a training sample lands at (or next to) its own code's neighbourhood: its twin's code starts it.
        let again = try model.encode(data.samples.rows(0..<20))
        let near = try NearestNeighbours.exact(queries: again, in: model.embedding, k: 1)
        #expect((0..<20).filter { data.labels![Int(near.neighbours(of: $0).first!)] == data.labels![$0] }.count == 20)
    }

    /// Blobs whose neighbourhoods never meet give a disconnected graph: each component is laid
    /// out by its own eigenmap, apart from the others, and the blobs stay apart.
    @Test(arguments: [3, 9])
    func disconnectedComponentsAreLaidOutApart(centers: Int) throws {
        let data = try Self.blobs(60 * centers, centers: centers, dimension: 6, seed: 2)
        var generator = RandomGenerator(seed: 4)
        let model = try UMAP.fit(data.samples, configuration: .init(neighbours: 5, epochs: 100, decoder: .init(kind: .none)), using: &generator)
        #expect(model.summary.connectedComponents >= centers)
        #expect(model.summary.spectralConverged == true)
        #expect(try TSNETests.nearestLabelAgreement(model.embedding, labels: data.labels!) == 1)
    }

    /// The same seed gives the same codes, on one thread or two, and so does ENCODE; a batch
    /// encodes as its rows one by one.
    @Test func sameSeedAndDataGiveTheSameCodesOnAnyThreadCount() throws {
        let data = try Self.blobs(1_500)
        var models: [UMAP] = []
        for threads in [1, 2, 1] {
            var generator = RandomGenerator(seed: 9)
            models.append(try UMAP.fit(data.samples, configuration: .init(epochs: 60, decoder: .init(kind: .none)), using: &generator, settings: ComputeSettings(threads: threads)))
        }
        #expect(models[0].embedding == models[1].embedding && models[1].embedding == models[2].embedding)
        let fresh = try Self.blobs(30, seed: 8).samples
        let together = try models[0].place(fresh, settings: ComputeSettings(threads: 2))
        let alone = try Tensor.concatenate((0..<30).map { try models[0].place(fresh.rows($0..<($0 + 1)), settings: ComputeSettings(threads: 1)) })
        #expect(together == alone)
    }

    struct Stop: Error {}

    /// Stopped part-way (a checkpoint written as the progress callback throws) and resumed, the
    /// fit ends where an uninterrupted one does, bit for bit.
    @Test(arguments: [1, 37])
    func resumedEqualsUninterrupted(stopAt: Int) throws {
        let data = try Self.blobs(600)
        let configuration = UMAP.Configuration(epochs: 80, decoder: .init(kind: .none))
        var generator = RandomGenerator(seed: 12)
        let whole = try UMAP.fit(data.samples, configuration: configuration, using: &generator)
        let path = temporaryPath("umap.checkpoint.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        generator = RandomGenerator(seed: 12)
        #expect(throws: Stop.self) {
            try UMAP.fit(data.samples, configuration: configuration, using: &generator, checkpoints: CheckpointPolicy(path: path, every: 10)) {
                if $0.epoch == stopAt { throw Stop() }
            }
        }
        generator = RandomGenerator(seed: 12)
        var seen: [Int] = []
        let resumed = try UMAP.fit(data.samples, configuration: configuration, using: &generator,
                                   checkpoints: CheckpointPolicy(path: path, every: 10, resume: true)) { seen.append($0.epoch) }
        #expect(seen.first == stopAt + 1 && seen.last == 80)
        #expect(resumed.embedding == whole.embedding && resumed.summary == whole.summary)
    }

    /// More neighbours than samples, a single sample, NaN and a minimum distance beyond the
    /// spread are clear errors; duplicate samples (zero distances) embed to finite codes.
    @Test func badInputIsAClearErrorAndDuplicatesEmbed() throws {
        var generator = RandomGenerator(seed: 1)
        let few = try Self.blobs(10).samples
        #expect { try UMAP.fit(few, configuration: .init(decoder: .init(kind: .none)), using: &generator) } throws: { "\($0)".contains("lower `neighbours` to at most 10") }
        #expect { try UMAP.fit(few.rows(0..<1), configuration: .init(neighbours: 2, decoder: .init(kind: .none)), using: &generator) } throws: { "\($0)".contains("2") }
        var broken = few.scalars
        broken[13] = .nan
        #expect { try UMAP.fit(try Tensor(shape: few.shape, scalars: broken), configuration: .init(neighbours: 5, decoder: .init(kind: .none)), using: &generator) } throws: {
            "\($0)".contains("nan at row 1, column 3")
        }
        #expect { try UMAP.fit(few, configuration: .init(neighbours: 5, minimumDistance: 2, spread: 1, decoder: .init(kind: .none)), using: &generator) } throws: {
            "\($0)".contains("minimumDistance")
        }
        let twice = Tensor.concatenate([few, few, few])
        let model = try UMAP.fit(twice, configuration: .init(neighbours: 5, epochs: 50, decoder: .init(kind: .none)), using: &generator)
        #expect(model.embedding.scalars.allSatisfy { $0.isFinite })
        #expect(try model.encode(few).scalars.allSatisfy { $0.isFinite })
    }
}

/// UMAP's curve 1/(1 + a·x^(2b)) fitted to min_dist and spread as umap-learn's `find_ab_params`
/// fits it (its values for the defaults in `Benchmarks/reference/umap_fixture.py`, 0.5.12), and
/// closer to the target than nearby parameters.
@Suite struct UMAPCurveTests {
    @Test func defaultsEqualUMAPLearns() {
        let curve = UMAPCurve(minimumDistance: 0.1, spread: 1)
        #expect(abs(curve.a - 1.57694346027) < 1e-6 && abs(curve.b - 0.895060877852) < 1e-6, "a \(curve.a), b \(curve.b)")
    }

    @Test(arguments: [(0.0, 1.0), (0.5, 1.0), (0.1, 2.0)])
    func theFitIsALeastSquaresMinimum(minimumDistance: Double, spread: Double) {
        let curve = UMAPCurve(minimumDistance: minimumDistance, spread: spread)
        func cost(_ a: Double, _ b: Double) -> Double {
            (0..<300).reduce(0) { total, i in
                let x = 3 * spread * Double(i) / 299
                let y = x < minimumDistance ? 1 : exp(-(x - minimumDistance) / spread)
                let e = 1 / (1 + a * pow(x, 2 * b)) - y
                return total + e * e
            }
        }
        let best = cost(curve.a, curve.b)
        for (da, db) in [(1e-3, 0.0), (-1e-3, 0.0), (0.0, 1e-3), (0.0, -1e-3)] { #expect(cost(curve.a * (1 + da), curve.b * (1 + db)) >= best) }
    }
}
