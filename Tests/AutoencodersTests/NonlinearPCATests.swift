import Autoencoders
import DataFormats
import Foundation
import NeuralNetworks
import Testing
import Tensors
import TestSupport

/// Spearman's rank correlation of two equally long sequences (no ties expected).
func rankCorrelation(_ a: [Float], _ b: [Float]) -> Double {
    func ranks(_ x: [Float]) -> [Double] {
        var r = [Double](repeating: 0, count: x.count)
        for (rank, index) in x.indices.sorted(by: { x[$0] < x[$1] }).enumerated() { r[index] = Double(rank) }
        return r
    }
    let (ra, rb) = (ranks(a), ranks(b))
    let mean = Double(a.count - 1) / 2
    let covariance = zip(ra, rb).reduce(0) { $0 + ($1.0 - mean) * ($1.1 - mean) }
    let variance = ra.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    return covariance / variance
}

@Suite struct KramerNonlinearPCA {
    static let curveConfiguration = NonlinearPCA.Configuration(
        components: 1, mappingWidth: 16, training: .init(epochs: 150, batchSize: 32, learningRate: 1e-2, heldOutFraction: 0))

    /// Kramer's point (1991, section 4): on a noisy curve a one-factor nonlinear PCA reconstructs
    /// far better than PCA-1, and its code orders the points along the curve.
    @Test(arguments: [2, 3])
    func oneFactorFollowsAnOpenCurve(dimension: Int) throws {
        let (data, latent) = try SyntheticManifold.kramerCurve.generate(["n": 400, "dimension": Double(dimension), "noise": 0.03, "seed": 1])
        var generator = RandomGenerator(seed: 2)
        let nlpca = try NonlinearPCA.fit(data.samples, configuration: Self.curveConfiguration, using: &generator)
        let pca = try PCA.fit(data.samples, configuration: .init(components: .count(1)), using: &generator)
        let (nonlinear, linear) = (try nlpca.distortion(data.samples), try pca.distortion(data.samples))
        #expect(nonlinear < 0.25 * linear, "nonlinear PCA \(nonlinear) vs PCA-1 \(linear)")
        let rho = rankCorrelation(try nlpca.encode(data.samples).scalars, latent.scalars)
        #expect(abs(rho) > 0.95, "rank correlation of the code with the curve parameter: \(rho)")
    }

    /// A closed curve has no continuous 1-D code: somewhere two neighbours on the circle get
    /// reconstructions far apart (the code breaks), however well the rest is fitted.
    @Test func aOneDimensionalCodeOfACircleMustBreak() throws {
        let (data, latent) = try SyntheticManifold.circle.generate(["n": 400, "seed": 3])
        var generator = RandomGenerator(seed: 4)
        let model = try NonlinearPCA.fit(data.samples, configuration: Self.curveConfiguration, using: &generator)
        let reconstruction = try model.reconstruct(data.samples)
        let order = latent.scalars.indices.sorted { latent.scalars[$0] < latent.scalars[$1] }
        // Consecutive points around the circle, the last back to the first.
        let jumps = order.indices.map { i -> Float in
            let (a, b) = (order[i], order[(i + 1) % order.count])
            return ((reconstruction.row(a) - reconstruction.row(b)).squared().sum()).squareRoot()
        }
        let typicalGap: Float = 2 * .pi / 400
        #expect(jumps.max()! > 0.5, "largest jump between neighbours: \(jumps.max()!)")
        // Away from the break the reconstruction is continuous: the median jump is small.
        #expect(jumps.sorted()[jumps.count / 2] < 10 * typicalGap)
    }

    @Test func sequentialExtractionReducesTheErrorFactorByFactor() throws {
        let (data, _) = try SyntheticManifold.kramerCurve.generate(["n": 300, "dimension": 3, "noise": 0.05, "seed": 5])
        var generator = RandomGenerator(seed: 6)
        let training = TrainingConfiguration(epochs: 60, batchSize: 32, learningRate: 1e-2, heldOutFraction: 0)
        let one = try NonlinearPCA.fit(data.samples, configuration: .init(components: 1, mappingWidth: 12, extraction: .sequential, training: training), using: &generator)
        generator = RandomGenerator(seed: 6)
        let two = try NonlinearPCA.fit(data.samples, configuration: .init(components: 2, mappingWidth: 12, extraction: .sequential, training: training), using: &generator)
        // The first factor is the same network (same seed); the second only removes error.
        #expect(try two.encode(data.samples).columns(0..<1) == one.encode(data.samples))
        #expect(try two.distortion(data.samples) < one.distortion(data.samples))
        #expect(two.records.count == 2)
    }

    /// An interrupted run resumed from its checkpoint ends with the same model, bit for bit.
    @Test(arguments: NonlinearPCA.Configuration.Extraction.allCases)
    func resumingGivesTheUninterruptedResult(extraction: NonlinearPCA.Configuration.Extraction) throws {
        struct Interrupt: Error {}
        let (data, _) = try SyntheticManifold.kramerCurve.generate(["n": 200, "seed": 7])
        let configuration = NonlinearPCA.Configuration(components: 2, mappingWidth: 8, extraction: extraction,
                                                       training: .init(epochs: 5, batchSize: 32, schedule: .defaultCosine, earlyStoppingPatience: 3))
        var generator = RandomGenerator(seed: 8)
        let uninterrupted = try NonlinearPCA.fit(data.samples, configuration: configuration, using: &generator)
        let path = temporaryPath("nlpca.checkpoint.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Stop in the last stage's fourth epoch: the checkpoint holds its second.
        let lastPhase = extraction == .simultaneous ? "" : "factor 2/2"
        generator = RandomGenerator(seed: 8)
        #expect(throws: Interrupt.self) {
            _ = try NonlinearPCA.fit(data.samples, configuration: configuration, using: &generator,
                                     context: FitContext(checkpoints: CheckpointPolicy(path: path, every: 2)) { p in
                                         if p.phase == lastPhase, p.epoch == 4 { throw Interrupt() }
                                     })
        }
        generator = RandomGenerator(seed: 8)
        let resumed = try NonlinearPCA.fit(data.samples, configuration: configuration, using: &generator,
                                           context: FitContext(checkpoints: CheckpointPolicy(path: path, every: 2, resume: true)))
        #expect(resumed.stateTensors.map(\.tensor) == uninterrupted.stateTensors.map(\.tensor))
        // Another configuration cannot resume from it.
        var other = configuration
        other.mappingWidth = 9
        generator = RandomGenerator(seed: 8)
        #expect(throws: AutoencoderError.self) {
            _ = try NonlinearPCA.fit(data.samples, configuration: other, using: &generator,
                                     context: FitContext(checkpoints: CheckpointPolicy(path: path, every: 2, resume: true)))
        }
    }

    @Test func badRequestsAreClearErrors() throws {
        let data = try SyntheticManifold.kramerCurve.generate(["n": 50]).dataset.samples
        var generator = RandomGenerator(seed: 0)
        let cases: [(NonlinearPCA.Configuration, String)] = [
            (.init(components: 3), "1…2"),
            (.init(components: 1, mappingWidth: 0), "`mappingWidth` must be at least 1, got 0"),
            (.init(components: 1, demappingWidth: 0), "`demappingWidth` must be at least 1, got 0"),
            (.init(components: 1, bottleneck: .relu), "linear or sigmoid"),
            (.init(components: 1, training: .init(epochs: 0)), "epochs"),
            (.init(components: 1, training: .init(epochs: 2, heldOutFraction: 0, earlyStoppingPatience: 2)), "held-out"),
        ]
        for (configuration, expected) in cases {
            #expect(errorText { _ = try NonlinearPCA.fit(data, configuration: configuration, using: &generator) }.contains(expected))
        }
        #expect(errorText { _ = try NonlinearPCA.fit(data, configuration: .init(components: 1), using: &generator,
                                                     context: FitContext(checkpoints: CheckpointPolicy(path: temporaryPath("none"), every: 1, resume: true))) }.contains("no checkpoint"))
    }
}
