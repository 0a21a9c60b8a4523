import Autoencoders
import DataFormats
import Foundation
import Neighbourhoods
import Testing
import TestSupport
import Tensors

/// t-SNE: the perplexity calibration, the interpolated repulsion against the exact sums, blobs
/// kept apart, determinism, placing new samples, and bad input.
@Suite struct TSNETests {
    static func blobs(_ n: Int, centers: Int = 4, dimension: Int = 10, seed: Int = 5) throws -> Dataset {
        try SyntheticManifold.blobs.generate(["n": Double(n), "centers": Double(centers), "dimension": Double(dimension), "seed": Double(seed)]).dataset
    }

    /// The fraction of points whose nearest other code has their label.
    static func nearestLabelAgreement(_ codes: Tensor, labels: [Int]) throws -> Double {
        let graph = try NearestNeighbours.exact(codes, k: 1)
        return Double((0..<codes.rows).filter { labels[Int(graph.neighbours(of: $0).first!)] == labels[$0] }.count) / Double(codes.rows)
    }

    /// Each row's calibrated affinities have entropy log(perplexity), whatever the scale of its distances.
    @Test(arguments: [5.0, 30.0])
    func perplexityCalibrationHitsTheTargetEntropy(perplexity: Double) throws {
        var generator = RandomGenerator(seed: 1)
        let k = Int(3 * perplexity), rows = 50
        let squared = (0..<(rows * k)).map { index in Float(index / k + 1) * (generator.nextUniform() * 40 + 0.1) }
        let p = TSNE.conditionalAffinities(squared: squared, k: k, perplexity: perplexity)
        for i in 0..<rows {
            let row = p[(i * k)..<((i + 1) * k)].map(Double.init)
            let entropy = -row.reduce(0) { $0 + ($1 > 0 ? $1 * log($1) : 0) }
            #expect(abs(row.reduce(0, +) - 1) < 1e-5)
            #expect(abs(entropy - log(perplexity)) < 1e-4, "row \(i): entropy \(entropy), target \(log(perplexity))")
        }
    }

    /// The interpolated repulsion (forces and Z) equals the exact sums within 10⁻³ of their scale,
    /// for codes spread as t-SNE's are early (a small cloud) and late (clusters over tens of units),
    /// and for heavy tails.
    @Test(arguments: [(0.5, 1.0), (2.0, 1.0), (5.0, 1.0), (10.0, 1.0), (20.0, 1.0), (40.0, 1.0), (40.0, 0.5)])
    func interpolatedRepulsionEqualsTheExactSums(spread: Double, dof: Double) throws {
        var generator = RandomGenerator(seed: 2)
        let n = 700
        var y = [Double](repeating: 0, count: 2 * n)
        for i in 0..<n {
            let cluster = Double(i % 5)
            y[2 * i] = spread * (cos(cluster) + 0.2 * generator.nextNormal())
            y[2 * i + 1] = spread * (sin(cluster) + 0.2 * generator.nextNormal())
        }
        let (forces, z) = try TSNE.repulsion(y, dimensions: 2, degreesOfFreedom: dof, method: .exact)
        let (interpolated, interpolatedZ) = try TSNE.repulsion(y, dimensions: 2, degreesOfFreedom: dof, method: .interpolation)
        // Relative to the forces' root mean square: FIt-SNE's grid (3 nodes a box, boxes up to a
        // unit wide) resolves the kernel's peak between sparse points to a few percent; a cloud
        // narrower than its 50 boxes is resolved far better.
        var squaredError = 0.0, squaredForce = 0.0
        for index in 0..<(2 * n) {
            squaredError += (interpolated[index] - forces[index]) * (interpolated[index] - forces[index])
            squaredForce += forces[index] * forces[index]
        }
        let relativeError = (squaredError / squaredForce).squareRoot()
        // Measured: 8e-7, 5e-5, 5e-4, 4e-3, 3e-2, 5e-2 as the cloud widens (Z: 5e-8 … 8e-3).
        let tolerance = spread <= 2 ? 1e-4 : spread <= 10 ? 1e-2 : 6e-2
        #expect(abs(interpolatedZ - z) <= min(tolerance, 1e-2) * z, "Z \(interpolatedZ) against \(z)")
        #expect(relativeError <= tolerance, "force error \(relativeError) of the forces' root mean square")
    }

    /// Well-separated blobs stay apart in the codes (every point's nearest code is of its blob),
    /// with the exact and the interpolated repulsion.
    @Test(arguments: [TSNE.Configuration.Repulsion.exact, .interpolation])
    func blobsStaySeparate(repulsion: TSNE.Configuration.Repulsion) throws {
        let data = try Self.blobs(400)
        var generator = RandomGenerator(seed: 3)
        let model = try TSNE.fit(data.samples, configuration: .init(perplexity: 20, iterations: 300, repulsion: repulsion, decoder: .init(kind: .none)), using: &generator)
        #expect(try Self.nearestLabelAgreement(model.embedding, labels: data.labels!) == 1)
        #expect(model.summary.klDivergence.isFinite && model.summary.klDivergence > 0)
        #expect(model.summary.klCourse.count == (250 + 300) / TSNE.klInterval)
        // New samples of the same blobs land among their blob's codes.
        let fresh = try Self.blobs(40, seed: 5)
        let codes = try model.encode(fresh.samples)
        let graph = try NearestNeighbours.exact(queries: codes, in: model.embedding, k: 1)
        let agreeing = (0..<40).filter { data.labels![Int(graph.neighbours(of: $0).first!)] == fresh.labels![$0] }.count
        #expect(agreeing == 40)
    }

    /// The same seed gives the same codes, on one thread or two.
    @Test func sameSeedAndDataGiveTheSameCodesOnAnyThreadCount() throws {
        let data = try Self.blobs(1_200)
        var codes: [Tensor] = []
        for threads in [1, 2, 1] {
            var generator = RandomGenerator(seed: 9)
            let settings = ComputeSettings(threads: threads)
            codes.append(try TSNE.fit(data.samples, configuration: .init(perplexity: 15, earlyExaggerationIterations: 60, iterations: 60, decoder: .init(kind: .none)), using: &generator,
                                      settings: settings).embedding)
        }
        #expect(codes[0] == codes[1] && codes[1] == codes[2])
    }

    /// A perplexity the samples cannot hold, too few samples, and the interpolated repulsion in
    /// 3-D are clear errors; duplicate samples (zero distances, every sample the same) embed.
    @Test func badInputIsAClearErrorAndDuplicatesEmbed() throws {
        var generator = RandomGenerator(seed: 4)
        let data = try Self.blobs(60).samples
        #expect { try TSNE.fit(data, configuration: .init(perplexity: 30, decoder: .init(kind: .none)), using: &generator) } throws: {
            "\($0)".contains("perplexity 30.0 needs at least 91 samples") && "\($0)".contains("n/3")
        }
        #expect { try TSNE.fit(try data.rows(0..<1), configuration: .init(perplexity: 1, decoder: .init(kind: .none)), using: &generator) } throws: { "\($0)".contains("[1, 10]") }
        #expect { try TSNE.fit(data, configuration: .init(components: 3, perplexity: 5, repulsion: .interpolation, decoder: .init(kind: .none)), using: &generator) } throws: {
            "\($0)".contains("2-D codes")
        }
        let same = Tensor(repeating: 0.5, shape: [40, 3])
        let model = try TSNE.fit(same, configuration: .init(perplexity: 5, earlyExaggerationIterations: 20, iterations: 20, decoder: .init(kind: .none)), using: &generator)
        let finite = model.embedding.scalars.allSatisfy { $0.isFinite }
        #expect(finite)
        var twice = data.rows(0..<30).scalars
        twice += twice
        let doubled = try TSNE.fit(try Tensor(shape: [60, 10], scalars: twice), configuration: .init(perplexity: 5, earlyExaggerationIterations: 50,
                                                                                                   iterations: 50, decoder: .init(kind: .none)), using: &generator)
        let doubledFinite = doubled.embedding.scalars.allSatisfy { $0.isFinite }
        #expect(doubledFinite)
    }

    struct Stop: Error {}

    /// Stopped inside either phase (a checkpoint written as the progress callback throws) and
    /// resumed, the fit ends where an uninterrupted one does, bit for bit; a checkpoint of other
    /// options is refused.
    @Test(arguments: [60, 170])
    func resumedEqualsUninterrupted(stopAt: Int) throws {
        let data = try Self.blobs(1_100)
        let configuration = TSNE.Configuration(perplexity: 15, earlyExaggerationIterations: 100, iterations: 150, decoder: .init(kind: .none))
        var generator = RandomGenerator(seed: 12)
        let whole = try TSNE.fit(data.samples, configuration: configuration, using: &generator)
        let path = temporaryPath("tsne.checkpoint.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        generator = RandomGenerator(seed: 12)
        #expect(throws: Stop.self) {
            try TSNE.fit(data.samples, configuration: configuration, using: &generator, checkpoints: CheckpointPolicy(path: path, every: 50)) {
                if $0.iteration == stopAt { throw Stop() }
            }
        }
        generator = RandomGenerator(seed: 12)
        var seen: [Int] = []
        let resumed = try TSNE.fit(data.samples, configuration: configuration, using: &generator,
                                   checkpoints: CheckpointPolicy(path: path, every: 50, resume: true)) { seen.append($0.iteration) }
        #expect(seen.first == stopAt + 1 && seen.last == 250)
        #expect(resumed.embedding == whole.embedding && resumed.summary == whole.summary)
        var other = configuration
        other.perplexity = 10
        generator = RandomGenerator(seed: 12)
        #expect { try TSNE.fit(data.samples, configuration: other, using: &generator, checkpoints: CheckpointPolicy(path: path, every: nil, resume: true)) } throws: {
            "\($0)".contains("another configuration")
        }
    }
}
