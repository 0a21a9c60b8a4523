import DistributionMatching
import NeuralNetworks
import Tensors

extension AdversarialAutoencoder {
    /// One batch of AAE training (Makhzani et al. 2016, §2): three updates, each with its own
    /// optimizer (so Adam's moments of the encoder in the reconstruction and in the generator
    /// phase stay apart, as the paper's two SGD phases do):
    /// 1. reconstruction: encoder and decoder descend on c(x, G(Q(x)));
    /// 2. critic: D descends on its loss, prior draws z̃ ~ p(z) real, codes Q(x) fake (held fixed),
    ///    ``Configuration/criticSteps`` times (the last step's loss is reported);
    /// 3. generator: the encoder descends on the generator loss of its codes.
    /// The batch's rows hold the samples and, with labelled components, the labels one-hot in the
    /// last K columns. Terms, means per sample: `reconstruction` (the objective held-out data and
    /// early stopping follow), `critic`, `generator`.
    struct Step: TrainingStep {
        let configuration: Configuration
        let encoder: Network, decoder: Network
        let critic: Critic
        /// K label columns at the end of each row with labelled components, else 0.
        let labelColumns: Int

        var groups: [ParameterGroup] {
            let encoderParameters = encoder.namedParameters(prefix: "encoder")
            return [ParameterGroup(name: "autoencoder", parameters: encoderParameters + decoder.namedParameters(prefix: "decoder")),
                    ParameterGroup(name: "critic", parameters: critic.namedParameters, learningRateScale: configuration.criticLearningRateScale),
                    ParameterGroup(name: "generator", parameters: encoderParameters, learningRateScale: configuration.generatorLearningRateScale)]
        }

        var lossTerms: [String] { ["reconstruction", "critic", "generator"] }

        /// The samples and, with labelled components, the one-hot labels and component indices.
        func split(_ batch: Tensor) -> (samples: Tensor, oneHot: Tensor?, components: [Int]?) {
            guard labelColumns > 0 else { return (batch, nil, nil) }
            let features = batch.columns - labelColumns
            let oneHot = batch.columns(features..<batch.columns)
            let scalars = oneHot.scalars
            let components = (0..<batch.rows).map { row in
                (0..<labelColumns).first { scalars[row * labelColumns + $0] == 1 } ?? 0
            }
            return (batch.columns(0..<features), oneHot, components)
        }

        /// What the critic sees of codes `z`: the codes, with the labels beside them when labelled.
        func criticInput(_ z: Variable, _ oneHot: Tensor?) -> Variable {
            oneHot.map { Variable.concatenate([z, Variable($0)], alongAxis: 1) } ?? z
        }

        func train(_ batch: Tensor, optimizers: [any Optimizer], using generator: inout RandomGenerator) -> [Double] {
            let (x, oneHot, components) = split(batch)
            optimizers[0].zeroGradients()
            let reconstruction = descend(on: [configuration.loss(decoder(encoder(Variable(x))), x)], with: optimizers[0])[0]
            guard reconstruction.isFinite else { return [reconstruction, .nan, .nan] }

            let codes = encoder(Variable(x)).value
            var criticValue = 0.0
            for _ in 0..<configuration.criticSteps {
                let prior = components.map { configuration.prior.draw(components: $0, dimension: configuration.codeSize, using: &generator) }
                    ?? configuration.prior.draw(count: x.rows, dimension: configuration.codeSize, using: &generator)
                optimizers[1].zeroGradients()
                let criticLoss = configuration.adversarialLoss.criticLoss(
                    critic, real: criticInput(Variable(prior), oneHot), fake: criticInput(Variable(codes), oneHot),
                    penaltyWeight: configuration.gradientPenalty, using: &generator)
                criticValue = descend(on: [criticLoss], with: optimizers[1])[0]
                guard criticValue.isFinite else { break }
            }

            optimizers[2].zeroGradients()
            let generatorLoss = configuration.adversarialLoss.generatorLoss(critic, fake: criticInput(encoder(Variable(x)), oneHot))
            let generatorValue = descend(on: [generatorLoss], with: optimizers[2])[0]
            // A diverging game is as fatal as a diverging reconstruction: the trainer stops on it.
            guard criticValue.isFinite, generatorValue.isFinite else { return [.nan, criticValue, generatorValue] }
            return [reconstruction, criticValue, generatorValue]
        }

        func heldOutLoss(_ samples: Tensor) -> Double {
            let x = split(samples).samples
            return Double(configuration.loss(decoder(encoder(Variable(x))), x).value.scalar)
        }
    }

    /// Fits to `samples` (`n × D`) whose `labels` (one per sample, 0 … k − 1) choose each
    /// sample's component of a mixture prior (``Configuration/labelledComponents``): the rows
    /// the one ``TrainedMethod/fit(_:configuration:using:context:)`` trains on are the samples
    /// with their label one-hot appended.
    public static func fit(_ samples: Tensor, labels: [Int], configuration: Configuration, using generator: inout RandomGenerator,
                           context: FitContext = FitContext()) throws -> AdversarialAutoencoder {
        try validate(configuration, features: samples.columns)
        guard configuration.labelledComponents else {
            throw AutoencoderError("\(methodName): labels shape the prior only with labelled components (a mixture prior, one component per class)")
        }
        let k = configuration.prior.components
        guard samples.rank == 2, labels.count == samples.rows else {
            throw AutoencoderError("\(methodName): labelled components need a label for each sample; got \(labels.count) labels for samples \(samples.shape)")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= k }) {
            throw AutoencoderError("\(methodName): label \(labels[bad]) of sample \(bad) has no component: the prior has \(k) (labels 0 … \(k - 1))")
        }
        return try fit(try VariationalAutoencoder.conditioned(samples, labels: labels, classes: k), configuration: configuration,
                       using: &generator, context: context)
    }

    /// The networks and the critic trained with the configured optimizer, schedule, held-out
    /// data, early stopping (on the held-out reconstruction) and checkpoints, which resume bit
    /// for bit, the critic and its optimizer included. With labelled components the rows end in
    /// the label one-hot (``fit(_:labels:configuration:using:context:)``).
    public static func train<Rows: TrainingRows>(_ data: TrainingData<Rows>, configuration: Configuration, run: TrainingRun,
                                                 using generator: inout RandomGenerator) throws -> AdversarialAutoencoder {
        let (encoder, decoder) = try configuration.network.trainable(features: data.features, initializer: configuration.initializer, method: methodName,
                                                                     using: &generator)
        let critic = Critic(inputs: configuration.codeSize + data.labelColumns, hidden: configuration.criticHidden, activation: configuration.criticActivation,
                            initializer: configuration.initializer, using: &generator)
        let step = Step(configuration: configuration, encoder: encoder, decoder: decoder, critic: critic, labelColumns: data.labelColumns)
        let record = try Trainer(configuration.training).run(step, samples: data.training, heldOut: data.heldOut, using: &generator, hooks: run.hooks())
        let fitted = try configuration.network.fitted(encoder: encoder, decoder: decoder)
        return AdversarialAutoencoder(configuration: configuration, encoder: fitted.encoder, decoder: fitted.decoder, record: record)
    }

    /// Labelled components append the label one-hot to each row; the bce loss needs data in [0, 1].
    public static func requirements(_ configuration: Configuration) -> DataRequirements {
        DataRequirements(labelColumns: configuration.labelledComponents ? configuration.prior.components : 0,
                         unitInterval: configuration.loss == .binaryCrossEntropy ? ("the bce loss", "loss: .squaredError") : nil)
    }

    public static func validate(_ configuration: Configuration, features: Int) throws { try configuration.validate(features: features) }
}
