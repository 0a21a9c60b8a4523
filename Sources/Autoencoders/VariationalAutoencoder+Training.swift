import Foundation
import NeuralNetworks
import Tensors

extension VariationalAutoencoder {
    /// One step of the reparametrised ELBO (Kingma & Welling 2014, eq. 10, the SGVB estimator
    /// with L = 1): h = enc(x), μ = W_μh + b_μ, log σ² = W_σh + b_σ, z = μ + σ ⊙ ε with ε ~ N(0, I)
    /// drawn from the run's generator (so a resumed run draws the same noise), and
    ///
    ///     loss = −log p(x | z) + w·KL[N(μ, σ²) ‖ N(0, I)],
    ///
    /// KL = −½ Σⱼ (1 + log σⱼ² − μⱼ² − σⱼ²) (appendix B), w the epoch's KL weight. Terms, means
    /// per sample: `loss`, `reconstruction`, `kl`.
    struct EvidenceLowerBoundStep: TrainingStep {
        let configuration: Configuration
        let encoder: Network, meanHead: Dense, logVarianceHead: Dense, decoder: Network
        /// log σ² of a Gaussian decoder: a parameter when learned, a constant when fixed.
        let outputLogVariance: Variable?
        var klWeight: Float

        /// Held-out −ELBO draws its noise from a generator of this seed: the same each epoch.
        static let heldOutSeed: UInt64 = 0

        var groups: [ParameterGroup] {
            let variance = configuration.likelihood == .learnedGaussian ? outputLogVariance.map { [("output_log_variance", $0)] } ?? [] : []
            return [ParameterGroup(name: "parameters", parameters: encoder.namedParameters(prefix: "encoder") + meanHead.namedParameters(prefix: "mean")
                                   + logVarianceHead.namedParameters(prefix: "log_variance") + decoder.namedParameters(prefix: "decoder") + variance)]
        }

        var lossTerms: [String] { ["loss", "reconstruction", "kl"] }

        mutating func beginEpoch(_ epoch: Int, of epochs: Int) { klWeight = configuration.klWeight(epoch: epoch) }

        /// Reconstruction and KL terms of `batch` as graphs, with ε from `generator`. A
        /// conditional VAE's batch ends in the label columns: the encoder reads them with x, the
        /// decoder reads them beside z, and the reconstruction is of x alone.
        func terms(_ batch: Tensor, using generator: inout RandomGenerator) -> (reconstruction: Variable, kl: Variable) {
            let c = configuration.conditionClasses
            let h = encoder(Variable(batch))
            let (mean, logVariance) = (meanHead(h), logVarianceHead(h))
            let epsilon = Tensor.randomNormal(mean.shape, using: &generator)
            let z = mean + (logVariance * 0.5).exp() * Variable(epsilon)
            let (code, data) = c == 0 ? (z, batch)
                : (Variable.concatenate([z, Variable(batch.columns((batch.columns - c)..<batch.columns))], alongAxis: 1), batch.columns(0..<(batch.columns - c)))
            return (configuration.likelihood.negativeLogLikelihood(decoder(code), data, logVariance: outputLogVariance),
                    gaussianKL(mean: mean, logVariance: logVariance))
        }

        func train(_ batch: Tensor, optimizers: [any Optimizer], using generator: inout RandomGenerator) -> [Double] {
            optimizers[0].zeroGradients()
            let (reconstruction, kl) = terms(batch, using: &generator)
            return descend(on: [reconstruction + kl * klWeight, reconstruction, kl], with: optimizers[0])
        }

        /// The objective at full weight β, reconstruction + β·KL, with one draw per sample from
        /// a fixed generator: comparable from epoch to epoch, warm-up or not.
        func heldOutLoss(_ samples: Tensor) -> Double {
            var generator = RandomGenerator(seed: Self.heldOutSeed)
            let (reconstruction, kl) = terms(samples, using: &generator)
            return Double(reconstruction.value.scalar) + Double(configuration.beta) * Double(kl.value.scalar)
        }

        /// The fitted model of the current parameters.
        func model(record: TrainingRecord?) -> VariationalAutoencoder {
            func snapshot(_ layer: Dense) -> LayerStack.Layer { LayerStack(Sequential([layer])).layers[0] }
            return VariationalAutoencoder(configuration: configuration, encoder: TrainedNetwork(encoder), meanHead: snapshot(meanHead),
                                          logVarianceHead: snapshot(logVarianceHead), decoder: TrainedNetwork(decoder),
                                          outputLogVariance: outputLogVariance?.value, record: record)
        }
    }

    /// Builds the networks and trains them by the reparametrised ELBO with the configured
    /// optimizer, schedule, held-out data, early stopping and checkpoints, which resume bit for
    /// bit: the reparametrisation noise comes from the run's generator
    /// (``TrainedMethod/fit(_:configuration:using:context:)``). The rows of a conditional VAE
    /// are `D + C` wide, the label one-hot last (``conditioned(_:labels:classes:)``).
    public static func train<Rows: TrainingRows>(_ data: TrainingData<Rows>, configuration: Configuration, run: TrainingRun,
                                                 using generator: inout RandomGenerator) throws -> VariationalAutoencoder {
        let features = data.features
        let layouts: (encoder: NetworkLayout, decoder: NetworkLayout)
        do { layouts = try configuration.layouts(features: features) } catch let error as NetworkLayoutError { throw AutoencoderError(error.description) }
        let initializer = configuration.initializer
        let encoder = Network(layouts.encoder, initializer: initializer, using: &generator)
        let last = layouts.encoder.outputWidth
        let meanHead = Dense(inputs: last, outputs: configuration.codeSize, activation: .linear, initializer: initializer, using: &generator)
        let logVarianceHead = Dense(inputs: last, outputs: configuration.codeSize, activation: .linear, initializer: initializer, using: &generator)
        let decoder = Network(layouts.decoder, initializer: initializer, using: &generator)
        let outputLogVariance: Variable? = switch configuration.likelihood {
        case .gaussian: Variable(Tensor(repeating: Float(Foundation.log(Double(configuration.outputVariance))), shape: [1, features]))
        case .learnedGaussian: Variable(.zeros([1, features]), requiresGradient: true)
        case .bernoulli, .continuousBernoulli: nil
        }
        let step = EvidenceLowerBoundStep(configuration: configuration, encoder: encoder, meanHead: meanHead, logVarianceHead: logVarianceHead,
                                          decoder: decoder, outputLogVariance: outputLogVariance, klWeight: configuration.klWeight(epoch: 1))
        let record = try Trainer(configuration.training).run(step, samples: data.training, heldOut: data.heldOut, using: &generator, hooks: run.hooks())
        return step.model(record: record)
    }

    /// A conditional VAE's rows end in the label one-hot; Bernoulli likelihoods need data in [0, 1].
    public static func requirements(_ configuration: Configuration) -> DataRequirements {
        DataRequirements(labelColumns: max(0, configuration.conditionClasses),
                         unitInterval: configuration.likelihood.needsUnitInterval
                             ? ("the \(configuration.likelihood.rawValue) likelihood", "likelihood: .gaussian") : nil)
    }

    public static func validate(_ configuration: Configuration, features: Int) throws { try configuration.validate(features: features) }
}
