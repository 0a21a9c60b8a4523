import Foundation
import Latent
import MethodConformance
import Testing
import TestSupport

/// A method written outside the library (``DenoisingAutoencoder``: a configuration, a
/// ``TrainingStep`` and how to build its networks) gets everything the library's own methods
/// have from the one fit and the registry: data in memory or in NPY shards, parts shared by
/// processes, checkpoints that resume bit for bit, model files that ``Methods/load(from:)``
/// reads, sampling through a code density, and the conformance suite.
@Suite struct ExternalMethod {
    init() throws { try Methods.register(DenoisingAutoencoder.self) }

    static let configuration = DenoisingAutoencoder.Configuration(training: TrainingConfiguration(epochs: 4, batchSize: 20, learningRate: 0.01))

    @Test func passesTheConformanceSuite() throws {
        try ConformanceChecks.all(MethodCase(example: DenoisingAutoencoder.self))
        try ConformanceChecks.all(MethodCase(name: "denoising autoencoder, unscaled") { x, g in
            try DenoisingAutoencoder.fit(x, configuration: DenoisingAutoencoder.Configuration(), using: &g)
        })
    }

    /// Its declared ranges are its validation, through the library's default.
    @Test func aHyperparameterOutOfItsDeclaredRangeIsRefused() throws {
        var generator = RandomGenerator(seed: 1)
        var noisy = Self.configuration
        noisy.noise = -0.5
        #expect(throws: AutoencoderError("denoising-autoencoder: `noise` must be at least 0, got -0.5")) {
            try DenoisingAutoencoder.fit(Tensor.randomNormal([40, 3], using: &generator), configuration: noisy, using: &generator)
        }
        noisy.noise = 0.1
        noisy.training.batchSize = 0
        #expect(throws: AutoencoderError("denoising-autoencoder: `batchSize` must be at least 1, got 0")) {
            try DenoisingAutoencoder.fit(Tensor.randomNormal([40, 3], using: &generator), configuration: noisy, using: &generator)
        }
    }

    @Test func registeringAgainIsHarmlessAndANameIsTakenOnce() throws {
        try Methods.register(DenoisingAutoencoder.self)
        #expect(Methods.all.filter { $0.methodName == DenoisingAutoencoder.methodName }.count == 1)
        #expect(throws: AutoencoderError.self) { try Methods.register(Impostor.self) }
    }

    /// From shards, the one fit streams the same method; it learns there as in memory.
    @Test func trainsFromNPYShards() throws {
        let folder = temporaryFolder()
        for part in 0..<3 { try NPY.write(conformanceData.rows((part * 40)..<((part + 1) * 40)), to: "\(folder)/part-\(part).npy") }
        var generator = RandomGenerator(seed: 2)
        let streamed = try DenoisingAutoencoder.fit(StreamedShards(try NPYShards(folder: folder), bufferRows: 64), configuration: Self.configuration,
                                                    using: &generator)
        let meanPredictor = FeatureScaling.columnVariances(conformanceData).reduce(0, +) * Double(conformanceData.rows)
        #expect(try streamed.distortion(conformanceData) < 0.7 * meanPredictor)
        #expect(streamed.trainingHistory?.stages.first?.record.trainLoss.count == Self.configuration.training.epochs)
    }

    /// Batches cut into two parts give the same model on one process and on two, bit for bit.
    @Test func partsGiveTheSameModelOnAnyNumberOfProcesses() throws {
        @Sendable func fit(_ communicator: any Communicator) throws -> [Tensor] {
            var generator = RandomGenerator(seed: 3)
            let context = FitContext(parts: try PartTree(communicator, parts: 2))
            return try DenoisingAutoencoder.fit(conformanceData, configuration: Self.configuration, using: &generator, context: context).stateTensors.map(\.tensor)
        }
        let one = try fit(SingleProcess())
        for process in try ThreadedProcesses(size: 2).run({ try fit($0) }) { #expect(process == one) }
    }

    /// Interrupted inside an epoch, then resumed from its checkpoint: the uninterrupted model.
    @Test func resumesFromACheckpointBitForBit() throws {
        struct Interrupt: Error {}
        var generator = RandomGenerator(seed: 4)
        let uninterrupted = try DenoisingAutoencoder.fit(conformanceData, configuration: Self.configuration, using: &generator)
        let path = temporaryPath("denoising.checkpoint.safetensors")
        generator = RandomGenerator(seed: 4)
        #expect(throws: Interrupt.self) {
            _ = try DenoisingAutoencoder.fit(conformanceData, configuration: Self.configuration, using: &generator,
                                             context: FitContext(checkpoints: CheckpointPolicy(path: path, every: nil)) { p in
                                                 if p.epoch == 2, p.batch == 3 { throw Interrupt() }
                                             })
        }
        #expect(FileManager.default.fileExists(atPath: path))
        generator = RandomGenerator(seed: 4)
        let resumed = try DenoisingAutoencoder.fit(conformanceData, configuration: Self.configuration, using: &generator,
                                                   context: FitContext(checkpoints: CheckpointPolicy(path: path, every: nil, resume: true)))
        #expect(resumed.stateTensors.map(\.tensor) == uninterrupted.stateTensors.map(\.tensor))
        #expect(resumed.trainingHistory?.stages.map(\.record.trainLoss) == uninterrupted.trainingHistory?.stages.map(\.record.trainLoss))
    }

    /// Saved, loaded by name through the registry, and a generator: DECODE of draws from the
    /// density of its codes.
    @Test func loadsByNameAndSamples() throws {
        var generator = RandomGenerator(seed: 5)
        let model = try DenoisingAutoencoder.fit(conformanceData, configuration: Self.configuration, using: &generator)
        let path = temporaryPath("denoising.safetensors")
        try model.save(to: path)
        let loaded = try #require(try Methods.load(from: path) as? DenoisingAutoencoder)
        #expect(try loaded.encode(conformanceData) == model.encode(conformanceData))
        // The library's sampler: a density of its codes, drawn and decoded in one call.
        let (density, _) = try CodeDensity.fit(loaded, samples: conformanceData, using: &generator)
        let generated = try loaded.generate(50, density: density, using: &generator)
        #expect(generated.samples.shape == [50, 6] && generated.samples.scalars.allSatisfy(\.isFinite))
        #expect(try generated.codes.map(loaded.decode) == generated.samples)
    }
}

/// Another method claiming the denoising autoencoder's name.
private struct Impostor: Autoencoder {
    static let methodName = DenoisingAutoencoder.methodName
    let configuration: DenoisingAutoencoder.Configuration
    var inputSize: Int { 1 }
    var codeSize: Int { 1 }
    var stateTensors: [(name: String, tensor: Tensor)] { [] }
    func encodeUnchecked(_ samples: Tensor) -> Tensor { samples }
    func decodeUnchecked(_ codes: Tensor) throws -> Tensor { codes }
    init(configuration: DenoisingAutoencoder.Configuration, state: SafeTensorsFile, file: String) throws { self.configuration = configuration }
}
