import DataFormats
import DistributionMatching
import NeuralNetworks
import Tensors

/// The adversarial autoencoder (Makhzani, Shlens, Jaitly, Goodfellow & Frey, ICLR workshop 2016):
/// a deterministic encoder and decoder whose codes are made indistinguishable from draws of a
/// prior p(z) by a critic, as a GAN's generator is (§2, eq. 1 played on codes):
///
///     min_Q,G max_D  E_x c(x, G(Q(x)))  +  E_z~p log D(z) + E_x log(1 − D(Q(x))).
///
/// Each batch makes three updates (§2): the reconstruction phase (encoder and decoder descend on
/// c), then the regularisation phase: the critic learns to tell prior draws from codes, and the
/// encoder, as the generator, learns to fool it. The prior is N(0, σ²I) or a mixture of Gaussians;
/// with labels, each sample's prior draw comes from its class's component and the critic sees
/// the label beside the code (§2.3, "incorporating label information in the adversarial
/// regularization"), so each class fills its own component. Prior draws decoded are new samples.
/// ENCODE `n × D` → `n × d`, DECODE `n × d` → `n × D`.
public struct AdversarialAutoencoder: TrainedMethod, GenerativeModel, PriorModel {
    /// Hyperparameters.
    public struct Configuration: Codable, Sendable, Equatable, TrainedConfiguration {
        /// Encoder hidden widths; the decoder mirrors them (the VAE example's 400 by default, so
        /// the three generative autoencoders compare at one architecture).
        public var hidden: [Int]
        public var codeSize: Int
        public var activation: Activation
        /// The reconstruction cost: squared error of a linear output (the default) or binary
        /// cross-entropy of a sigmoid output (data in [0, 1]).
        public var loss: Loss
        /// p(z), which the codes are made to match.
        public var prior: CodePrior
        /// One mixture component per class (Makhzani's supervised prior, §2.3): each sample's
        /// prior draw comes from its class's component and the critic sees the label one-hot
        /// beside the code. Training then needs a label for each sample, 0 ≤ label < K.
        public var labelledComponents: Bool
        /// The critic's hidden widths (a linear output on top).
        public var criticHidden: [Int]
        public var criticActivation: Activation
        /// How the critic and the encoder play.
        public var adversarialLoss: AdversarialLoss
        /// WGAN-GP's gradient-penalty weight λ (Gulrajani et al.: 10).
        public var gradientPenalty: Float
        /// Critic updates per batch, each against fresh prior draws: 1 is Makhzani's schedule;
        /// WGAN-GP's critic must be near its optimum for its gradient to mean a distance, and
        /// Gulrajani et al. take 5 (n_critic, algorithm 1).
        public var criticSteps: Int
        /// The critic's and the generator phase's learning rates, relative to the reconstruction's.
        /// 0.1 by default: with Adam each phase moves the encoder by steps of the same size
        /// whatever its loss's scale, and at the reconstruction's rate the game's noisy steps
        /// undo what reconstruction learns (full Fashion-MNIST, 10 epochs: test squared error
        /// 18.95 at 1 against 10.40 at 0.1; codes' MMD² to prior draws 0.090 against 0.0048).
        public var criticLearningRateScale: Float
        public var generatorLearningRateScale: Float
        public var initializer: Initializer
        public var training: TrainingConfiguration
        /// The encoder's and decoder's kind (``NetworkArchitecture``): dense layers of `hidden`
        /// widths, the convolutions for `imageShape`, or layer lists.
        public var architecture: NetworkArchitecture
        /// The samples' image shape (`[H, W]` or `[H, W, C]`) for convolutional architectures; nil
        /// for flat samples. The command line takes it from the data.
        public var imageShape: [Int]?

        /// The VAE example's training: Adam at 10⁻³, batches of 128, 10 epochs.
        public static let defaultTraining = TrainingConfiguration(epochs: 10, batchSize: 128, learningRate: 1e-3)

        public init(hidden: [Int] = [400], codeSize: Int = 20, activation: Activation = .relu, loss: Loss = .squaredError,
                    prior: CodePrior = .normal(variance: 1), labelledComponents: Bool = false, criticHidden: [Int] = [400, 400], criticActivation: Activation = .leakyRelu,
                    adversarialLoss: AdversarialLoss = .nonSaturating, gradientPenalty: Float = 10, criticSteps: Int = 1,
                    criticLearningRateScale: Float = 0.1, generatorLearningRateScale: Float = 0.1,
                    initializer: Initializer = .fanInUniform, training: TrainingConfiguration = defaultTraining,
                    architecture: NetworkArchitecture = .mlp, imageShape: [Int]? = nil) {
            self.hidden = hidden
            self.codeSize = codeSize
            self.activation = activation
            self.loss = loss
            self.prior = prior
            self.labelledComponents = labelledComponents
            self.criticHidden = criticHidden
            self.criticActivation = criticActivation
            self.adversarialLoss = adversarialLoss
            self.gradientPenalty = gradientPenalty
            self.criticSteps = criticSteps
            self.criticLearningRateScale = criticLearningRateScale
            self.generatorLearningRateScale = generatorLearningRateScale
            self.initializer = initializer
            self.training = training
            self.architecture = architecture
            self.imageShape = imageShape
        }

        /// Throws a message naming the first hyperparameter out of range.
        public func validate(features: Int) throws {
            let name = AdversarialAutoencoder.methodName
            try checkRanges(name)
            do { try prior.validate(codeSize: codeSize) } catch { throw AutoencoderError("\(name): \(error)") }
            if labelledComponents, case .normal = prior {
                throw AutoencoderError("\(name): labelled components need a mixture prior (one component per class)")
            }
            guard features >= 1 else { throw AutoencoderError("\(name): samples need at least 1 feature") }
            guard training.batchSize >= 2 else { throw AutoencoderError("\(name): the critic compares a batch's codes with prior draws: batches need at least 2 samples") }
            do { try training.validate() } catch { throw AutoencoderError("\(name): \(error)") }
            do { _ = try network.layouts(features: features, method: name) } catch let error as NetworkLayoutError { throw AutoencoderError(error.description) }
        }

        /// The encoder and its mirrored decoder.
        var network: MirroredNetwork {
            MirroredNetwork(hidden: hidden, codeSize: codeSize, activation: activation, loss: loss, architecture: architecture, imageShape: imageShape)
        }
    }

    public static let methodName = "adversarial-autoencoder"
    public let configuration: Configuration
    public let encoder: TrainedNetwork, decoder: TrainedNetwork
    public let record: TrainingRecord?

    public var inputSize: Int { encoder.layout.inputWidth }
    public var codeSize: Int { configuration.codeSize }

    init(configuration: Configuration, encoder: TrainedNetwork, decoder: TrainedNetwork, record: TrainingRecord?) {
        (self.configuration, self.encoder, self.decoder, self.record) = (configuration, encoder, decoder, record)
    }

    public func encodeUnchecked(_ samples: Tensor) -> Tensor { encoder(samples) }
    public func decodeUnchecked(_ codes: Tensor) throws -> Tensor { decoder(codes) }

    public var prior: CodePrior { configuration.prior }
    public var labelledComponents: Bool { configuration.labelledComponents }

    /// DECODE of z ~ p(z) (a mixture's components drawn uniformly).
    public func sample(count: Int, using generator: inout RandomGenerator) throws -> Tensor {
        guard count >= 1 else { throw AutoencoderError("\(Self.methodName): the number of samples must be at least 1, got \(count)") }
        return try decodeUnchecked(prior.draw(count: count, dimension: codeSize, using: &generator))
    }

    /// DECODE of draws from component `component` of a mixture prior: with labelled components,
    /// new samples of that class.
    public func sample(count: Int, component: Int, using generator: inout RandomGenerator) throws -> Tensor {
        guard count >= 1 else { throw AutoencoderError("\(Self.methodName): the number of samples must be at least 1, got \(count)") }
        guard component >= 0, component < prior.components else {
            throw AutoencoderError("\(Self.methodName): component \(component) of a prior with \(prior.components) component\(prior.components == 1 ? "" : "s")")
        }
        return try decodeUnchecked(prior.draw(components: Array(repeating: component, count: count), dimension: codeSize, using: &generator))
    }

    public var stateTensors: [(name: String, tensor: Tensor)] { encoder.namedTensors("encoder") + decoder.namedTensors("decoder") }

    /// The critic is not stored: ENCODE, DECODE and sampling do not need it (checkpoints keep it,
    /// so a resumed run goes on with it).
    public init(configuration: Configuration, state: SafeTensorsFile, file: String) throws {
        let (encoder, decoder) = try configuration.network.load(from: state, method: Self.methodName, file: file)
        self.init(configuration: configuration, encoder: encoder, decoder: decoder,
                  record: try TrainingHistory.read(from: state, path: file)?.stages.first?.record)
    }

    /// The reconstruction loss (the trainer's objective) and the critic's and generator's losses.
    public var trainingHistory: TrainingHistory? {
        record.map { TrainingHistory(stages: [.init(name: "training", loss: "\(configuration.loss.displayName) per sample; critic and generator \(configuration.adversarialLoss.rawValue) losses", record: $0)]) }
    }
}

/// Hyperparameters added after a file was written read as their defaults.
extension AdversarialAutoencoder.Configuration {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = AdversarialAutoencoder.Configuration()
        self.init(hidden: try c.decode(.hidden, or: d.hidden), codeSize: try c.decode(.codeSize, or: d.codeSize),
                  activation: try c.decode(.activation, or: d.activation), loss: try c.decode(.loss, or: d.loss), prior: try c.decode(.prior, or: d.prior),
                  labelledComponents: try c.decode(.labelledComponents, or: d.labelledComponents), criticHidden: try c.decode(.criticHidden, or: d.criticHidden),
                  criticActivation: try c.decode(.criticActivation, or: d.criticActivation),
                  adversarialLoss: try c.decode(.adversarialLoss, or: d.adversarialLoss), gradientPenalty: try c.decode(.gradientPenalty, or: d.gradientPenalty),
                  criticSteps: try c.decode(.criticSteps, or: d.criticSteps),
                  criticLearningRateScale: try c.decode(.criticLearningRateScale, or: d.criticLearningRateScale),
                  generatorLearningRateScale: try c.decode(.generatorLearningRateScale, or: d.generatorLearningRateScale),
                  initializer: try c.decode(.initializer, or: d.initializer), training: try c.decode(.training, or: d.training),
                  architecture: try c.decode(.architecture, or: d.architecture), imageShape: try c.decodeIfPresent([Int].self, forKey: .imageShape))
    }
}

extension AdversarialAutoencoder.Configuration {
    /// σ² of a normal prior; nil with a mixture.
    public var priorVariance: Float? { prior.variance }
    /// The components of a mixture prior; nil with a normal one.
    public var priorComponents: Int? { if case .mixture(let components, _) = prior { components } else { nil } }
    /// The radius of a mixture prior's means; nil with a normal prior.
    public var priorRadius: Float? { if case .mixture(_, let radius) = prior { radius } else { nil } }
}

extension AdversarialAutoencoder.Configuration: HyperparameterDeclaring {
    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.codeSize, "codeSize", "The code size d.", .atLeast(1)),
        .init(\.hidden, "hidden", "Encoder hidden widths, mirrored by the decoder: 400 or 512,256.", each: .atLeast(1)),
        .init(\.activation, "activation", "The hidden layers' activation."),
        .init(\.loss, "loss", "Reconstruction cost: mse (linear output) or bce (sigmoid output, data in [0, 1])."),
        .init(\.priorVariance, "priorVariance", "σ² of a normal prior N(0, σ²I).", .greaterThan(0)),
        .init(\.priorComponents, "priorComponents", "Components of a mixture prior: Gaussians on a circle in the code's first two coordinates.", .atLeast(2),
              default: .rule("the number of classes with `labelledComponents`, else \(CodePrior.defaultComponents)")),
        .init(\.priorRadius, "priorRadius", "The radius of the circle of a mixture prior's means.", .greaterThan(0),
              default: .rule("\(Int(CodePrior.defaultRadius))")),
        .init(\.labelledComponents, "labelledComponents",
              "One mixture component per class (Makhzani's supervised prior): each sample's prior draw comes from its class's component "
              + "and the critic sees the label. Needs labels and a mixture prior."),
        .init(\.criticHidden, "criticHidden", "The critic's hidden widths.", each: .atLeast(1), nonEmpty: true),
        .init(\.adversarialLoss, "adversarialLoss", "How critic and encoder play: non-saturating (the GAN's), least-squares or wgan-gp."),
        .init(\.gradientPenalty, "gradientPenalty", "λ of wgan-gp's gradient penalty.", .atLeast(0)),
        .init(\.criticSteps, "criticSteps", "Critic updates per batch, each against fresh prior draws (Gulrajani et al. take 5 for wgan-gp).", .atLeast(1)),
        .init(\.criticLearningRateScale, "criticLearningRateScale", "The critic's learning rate relative to `learningRate`.", .greaterThan(0)),
        .init(\.generatorLearningRateScale, "generatorLearningRateScale", "The generator phase's learning rate relative to `learningRate`.",
              .greaterThan(0)),
        .init(\.initializer, "initializer", "The weights' initialisation."),
        .init(\.architecture, "architecture",
              "The networks: mlp (dense layers of `hidden`), conv (convolutions for the samples' image shape) or 'ENCODER LAYERS | DECODER LAYERS'."),
    ]

    public static var defaults: Self { Self() }
}
