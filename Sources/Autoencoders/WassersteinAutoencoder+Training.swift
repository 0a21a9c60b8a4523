import DistributionMatching
import NeuralNetworks
import Tensors

extension WassersteinAutoencoder {
    /// One step of WAE training (Tolstikhin et al. 2018, algorithm 2): codes z = Q(x) of the
    /// batch, as many prior draws z̃ ~ N(0, σ²I) from the run's generator (so a resumed run draws
    /// the same), and loss = c(x, G(z)) + λ·D(z, z̃). Terms, means per sample: `loss`,
    /// `reconstruction`, `penalty`.
    struct Step: TrainingStep {
        let configuration: Configuration
        let encoder: Network, decoder: Network
        /// Held-out losses draw their prior samples from a generator of this seed: the same each epoch.
        static let heldOutSeed: UInt64 = 0

        var groups: [ParameterGroup] {
            [ParameterGroup(name: "parameters", parameters: encoder.namedParameters(prefix: "encoder") + decoder.namedParameters(prefix: "decoder"))]
        }

        var lossTerms: [String] { ["loss", "reconstruction", "penalty"] }

        func terms(_ batch: Tensor, using generator: inout RandomGenerator) throws -> (reconstruction: Variable, penalty: Variable) {
            let z = encoder(Variable(batch))
            // The unbiased MMD² divides by n(n − 1): a batch of one sample (the last of an epoch,
            // or a held-out set of one: 5 % of 30) takes the biased estimate, defined for any n.
            let estimator: MaximumMeanDiscrepancy.Estimator = batch.rows < 2 ? .biased : .unbiased
            let prior = Variable(Tensor.randomNormal(z.shape, standardDeviation: configuration.priorVariance.squareRoot(), using: &generator))
            let penalty: Variable = switch configuration.penalty {
            case .mmd:
                try MaximumMeanDiscrepancy.loss(z, prior, kernel: .waeInverseMultiquadric(dimension: configuration.codeSize, priorVariance: Double(configuration.priorVariance)),
                                            estimator: estimator)
            case .sliced:
                try Wasserstein.slicedLoss(z, prior, directions: Wasserstein.unitDirections(configuration.projections, dimension: configuration.codeSize, using: &generator))
            case .sinkhorn:
                try Sinkhorn.loss(z, prior, configuration: .init(epsilon: .absolute(configuration.epsilon), tolerance: 1e-4, maximumIterations: 1000)).value
            }
            return (configuration.loss(decoder(z), batch), penalty)
        }

        func train(_ batch: Tensor, optimizers: [any Optimizer], using generator: inout RandomGenerator) -> [Double] {
            optimizers[0].zeroGradients()
            // A failed Sinkhorn solve (non-finite codes) is a non-finite loss: the trainer stops on it.
            guard let (reconstruction, penalty) = try? terms(batch, using: &generator) else { return [.nan, .nan, .nan] }
            return descend(on: [reconstruction + penalty * configuration.lambda, reconstruction, penalty], with: optimizers[0])
        }

        func heldOutLoss(_ samples: Tensor) -> Double {
            var generator = RandomGenerator(seed: Self.heldOutSeed)
            guard let (reconstruction, penalty) = try? terms(samples, using: &generator) else { return .nan }
            return Double(reconstruction.value.scalar) + Double(configuration.lambda) * Double(penalty.value.scalar)
        }
    }

    /// The networks trained with the configured optimizer, schedule, held-out data, early
    /// stopping and checkpoints, which resume bit for bit
    /// (``TrainedMethod/fit(_:configuration:using:context:)``).
    public static func train<Rows: TrainingRows>(_ data: TrainingData<Rows>, configuration: Configuration, run: TrainingRun,
                                                 using generator: inout RandomGenerator) throws -> WassersteinAutoencoder {
        let (encoder, decoder) = try configuration.network.trainable(features: data.features, initializer: configuration.initializer, method: methodName,
                                                                     using: &generator)
        let step = Step(configuration: configuration, encoder: encoder, decoder: decoder)
        let record = try Trainer(configuration.training).run(step, samples: data.training, heldOut: data.heldOut, using: &generator, hooks: run.hooks())
        let fitted = try configuration.network.fitted(encoder: encoder, decoder: decoder)
        return WassersteinAutoencoder(configuration: configuration, encoder: fitted.encoder, decoder: fitted.decoder, record: record)
    }

    /// The bce loss needs data in [0, 1].
    public static func requirements(_ configuration: Configuration) -> DataRequirements {
        DataRequirements(unitInterval: configuration.loss == .binaryCrossEntropy ? ("the bce loss", "loss: .squaredError") : nil)
    }

    public static func validate(_ configuration: Configuration, features: Int) throws { try configuration.validate(features: features) }
}
