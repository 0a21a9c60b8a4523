import Latent
import MethodConformance

/// A denoising autoencoder (Vincent, Larochelle, Bengio & Manzagol 2008), written outside the
/// library through its public API: ENCODE and DECODE are a mirrored MLP trained to map a
/// corrupted sample x̃ = x + σε, ε ~ N(0, I), back to x by squared error.
struct DenoisingAutoencoder: TrainedMethod, ExampleFit {
    struct Configuration: Codable, Sendable, Equatable, TrainedConfiguration, HyperparameterDeclaring {
        var hidden = [16], codeSize = 2, noise: Float = 0.1
        var training = TrainingConfiguration(epochs: 5, batchSize: 32, learningRate: 0.01, minimumSteps: 400)
        var network: MirroredNetwork { MirroredNetwork(hidden: hidden, codeSize: codeSize, activation: .tanh, loss: .squaredError) }
        static let hyperparameters: [Hyperparameter<Self>] = [
            .init(\.hidden, "hidden", "Hidden widths, mirrored by the decoder.", each: .atLeast(1)), .init(\.codeSize, "codeSize", "The code size.", .atLeast(1)),
            .init(\.noise, "noise", "σ, the corruption's standard deviation.", .atLeast(0)),
        ]
        static var defaults: Self { Self() }
    }

    static let methodName = "denoising-autoencoder"
    let configuration: Configuration
    let encoder: TrainedNetwork, decoder: TrainedNetwork
    let trainingHistory: TrainingHistory?

    var inputSize: Int { encoder.layout.inputWidth }
    var codeSize: Int { configuration.codeSize }
    var stateTensors: [(name: String, tensor: Tensor)] { encoder.namedTensors("encoder") + decoder.namedTensors("decoder") }
    func encodeUnchecked(_ samples: Tensor) -> Tensor { encoder(samples) }
    func decodeUnchecked(_ codes: Tensor) throws -> Tensor { decoder(codes) }

    init(configuration: Configuration, encoder: TrainedNetwork, decoder: TrainedNetwork, trainingHistory: TrainingHistory?) {
        (self.configuration, self.encoder, self.decoder, self.trainingHistory) = (configuration, encoder, decoder, trainingHistory)
    }

    init(configuration: Configuration, state: SafeTensorsFile, file: String) throws {
        let (encoder, decoder) = try configuration.network.load(from: state, method: Self.methodName, file: file)
        self.init(configuration: configuration, encoder: encoder, decoder: decoder, trainingHistory: try TrainingHistory.read(from: state, path: file))
    }

    static func requirements(_ configuration: Configuration) -> DataRequirements { DataRequirements() }

    /// One step: corrupt the batch with the run's generator, reconstruct the clean batch.
    struct Step: TrainingStep {
        let encoder: Network, decoder: Network, noise: Float
        var groups: [ParameterGroup] {
            [ParameterGroup(name: "autoencoder", parameters: encoder.namedParameters(prefix: "encoder") + decoder.namedParameters(prefix: "decoder"))]
        }
        var lossTerms: [String] { ["loss"] }

        func train(_ batch: Tensor, optimizers: [any Optimizer], using generator: inout RandomGenerator) -> [Double] {
            let corrupted = batch + Tensor.randomNormal(batch.shape, standardDeviation: noise, using: &generator)
            optimizers[0].zeroGradients()
            return descend(on: [squaredError(decoder(encoder(Variable(corrupted))), batch)], with: optimizers[0])
        }

        func heldOutLoss(_ samples: Tensor) -> Double { ReconstructionMetrics(samples: samples, reconstructions: decoder(encoder(samples))).ssePerSample }
    }

    static func train<Rows: TrainingRows>(_ data: TrainingData<Rows>, configuration: Configuration, run: TrainingRun,
                                          using generator: inout RandomGenerator) throws -> DenoisingAutoencoder {
        let (encoder, decoder) = try configuration.network.trainable(features: data.features, initializer: .xavier, method: methodName, using: &generator)
        let step = Step(encoder: encoder, decoder: decoder, noise: configuration.noise)
        let record = try Trainer(configuration.training).run(step, samples: data.training, heldOut: data.heldOut, using: &generator, hooks: run.hooks())
        let fitted = try configuration.network.fitted(encoder: encoder, decoder: decoder)
        return DenoisingAutoencoder(configuration: configuration, encoder: fitted.encoder, decoder: fitted.decoder,
                                    trainingHistory: TrainingHistory(stages: [.init(name: "training", loss: "squared error per sample", record: record)]))
    }

    static func exampleFit(_ samples: Tensor, using generator: inout RandomGenerator) throws -> DenoisingAutoencoder {
        try fit(samples, configuration: Configuration(), using: &generator)
    }
}
