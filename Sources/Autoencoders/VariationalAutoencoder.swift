import DataFormats
import NeuralNetworks
import Tensors

/// The variational autoencoder (Kingma & Welling, ICLR 2014): an encoder that maps x to a
/// distribution q(z | x) = N(μ(x), diag σ²(x)), a decoder that maps z to the parameters of
/// p(x | z) (a `Likelihood`), trained by maximising the evidence lower bound
///
///     log p(x) ≥ E_q[log p(x | z)] − KL[q(z | x) ‖ N(0, I)]   (eq. 3 and 10),
///
/// estimated with one reparametrised draw z = μ + σ ⊙ ε, ε ~ N(0, I) (eq. 10); the KL term
/// has a closed form for a Gaussian q (appendix B). A weight β on the KL term (Higgins et al.
/// 2017) and a linear warm-up of it (Sønderby et al. 2016) are options.
///
/// The KL term pulls every q(z | x) toward N(0, I), so the prior's draws decode to data
/// (``GenerativeModel``). ENCODE returns μ(x) (`n × D` → `n × d`); DECODE returns the
/// likelihood's mean (`n × d` → `n × D`).
public struct VariationalAutoencoder: TrainedMethod, ProbabilisticEncoder, GenerativeModel, PriorModel {
    /// Hyperparameters.
    public struct Configuration: Codable, Sendable, Equatable, TrainedConfiguration {
        /// Encoder hidden widths (the PyTorch example's 400); the decoder mirrors them.
        public var hidden: [Int]
        /// d, the latent dimension (the PyTorch example's 20).
        public var codeSize: Int
        /// The hidden layers' activation (the heads μ, log σ² and the decoder's output are linear).
        public var activation: Activation
        public var likelihood: Likelihood
        /// σ² of the `Likelihood.gaussian` decoder.
        public var outputVariance: Float
        /// β, the KL term's weight: 1 is the ELBO; > 1 the β-VAE's stronger pull to the prior.
        public var beta: Float
        /// The KL weight rises linearly from β/W in the first epoch to β in epoch W; 0 starts at β.
        public var klWarmupEpochs: Int
        public var initializer: Initializer
        public var training: TrainingConfiguration
        /// C, the classes of a conditional VAE (Sohn et al. 2015): the label, one-hot, joins the
        /// encoder's input and the decoder's code. 0 for the plain VAE.
        public var conditionClasses: Int
        /// The encoder's and decoder's kind: dense layers of `hidden` widths, the convolutional
        /// networks for `imageShape`, or layer lists (``NetworkArchitecture``).
        public var architecture: NetworkArchitecture
        /// The samples' image shape (`[H, W]` or `[H, W, C]`, NHWC rows) for convolutional
        /// architectures; nil for flat samples. The command line takes it from the data.
        public var imageShape: [Int]?

        /// The PyTorch example's training (`examples/vae`): Adam at 10⁻³, batches of 128, 10
        /// epochs; 5 % held out as for every trained method.
        public static let defaultTraining = TrainingConfiguration(epochs: 10, batchSize: 128, learningRate: 1e-3)

        /// Defaults: the PyTorch example's 784-400-20 network with ReLU and a Bernoulli decoder.
        public init(hidden: [Int] = [400], codeSize: Int = 20, activation: Activation = .relu, likelihood: Likelihood = .bernoulli,
                    outputVariance: Float = 1, beta: Float = 1, klWarmupEpochs: Int = 0, initializer: Initializer = .fanInUniform,
                    training: TrainingConfiguration = defaultTraining, conditionClasses: Int = 0,
                    architecture: NetworkArchitecture = .mlp, imageShape: [Int]? = nil) {
            self.hidden = hidden
            self.codeSize = codeSize
            self.activation = activation
            self.likelihood = likelihood
            self.outputVariance = outputVariance
            self.beta = beta
            self.klWarmupEpochs = klWarmupEpochs
            self.initializer = initializer
            self.training = training
            self.conditionClasses = conditionClasses
            self.architecture = architecture
            self.imageShape = imageShape
        }

        /// Decodes a stored configuration; files from before conditional VAEs have no
        /// `conditionClasses` and are plain VAEs, files from before convolutions no
        /// `architecture` (mlp) and no `imageShape`.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(hidden: try container.decode([Int].self, forKey: .hidden), codeSize: try container.decode(Int.self, forKey: .codeSize),
                      activation: try container.decode(Activation.self, forKey: .activation),
                      likelihood: try container.decode(Likelihood.self, forKey: .likelihood),
                      outputVariance: try container.decode(Float.self, forKey: .outputVariance), beta: try container.decode(Float.self, forKey: .beta),
                      klWarmupEpochs: try container.decode(Int.self, forKey: .klWarmupEpochs),
                      initializer: try container.decode(Initializer.self, forKey: .initializer),
                      training: try container.decode(TrainingConfiguration.self, forKey: .training),
                      conditionClasses: try container.decodeIfPresent(Int.self, forKey: .conditionClasses) ?? 0,
                      architecture: try container.decodeIfPresent(NetworkArchitecture.self, forKey: .architecture) ?? .mlp,
                      imageShape: try container.decodeIfPresent([Int].self, forKey: .imageShape))
        }

        /// The likelihood when none is chosen: Bernoulli for data in [0, 1] (pixels), else a
        /// Gaussian with a learned variance per feature.
        public static func defaultLikelihood(unitInterval: Bool) -> Likelihood { unitInterval ? .bernoulli : .learnedGaussian }

        /// Throws a message naming the first hyperparameter out of range.
        public func validate(features: Int) throws {
            try checkRanges("vae")
            guard conditionClasses >= 0 else { throw AutoencoderError("vae: the number of condition classes must not be negative, got \(conditionClasses)") }
            guard features >= 1 else { throw AutoencoderError("vae: samples need at least 1 feature") }
            do { try training.validate() } catch { throw AutoencoderError("vae: \(error)") }
            do { _ = try layouts(features: features) } catch let error as NetworkLayoutError { throw AutoencoderError(error.description) }
        }

        /// The encoder up to the heads and the decoder from the code (then, conditional, the
        /// label one-hot) to the D features.
        public func layouts(features: Int) throws -> (encoder: NetworkLayout, decoder: NetworkLayout) {
            try architecture.layouts(features: features, imageShape: imageShape, hidden: hidden, activation: activation,
                                     codeWidth: codeSize + conditionClasses, extraInputs: conditionClasses, method: "vae")
        }

        /// The KL weight in `epoch` (1-based): β·min(1, epoch/W).
        public func klWeight(epoch: Int) -> Float {
            guard klWarmupEpochs > 0 else { return beta }
            return beta * Float(min(max(epoch, 1), klWarmupEpochs)) / Float(klWarmupEpochs)
        }
    }

    public static let methodName = "vae"
    public let configuration: Configuration
    /// The encoder up to the heads, D → h₁ → … or the convolutions (named `encoder.I` as in a
    /// PyTorch `Sequential`).
    public let encoder: TrainedNetwork
    /// The heads μ and log σ² of q(z | x): `[d, h_L]` weights each.
    public let meanHead: LayerStack.Layer, logVarianceHead: LayerStack.Layer
    /// z → … → the likelihood's parameters (logits or means), `n × D`.
    public let decoder: TrainedNetwork
    /// log σⱼ² of a Gaussian decoder, `[1, D]` (fixed or learned); nil for the Bernoullis.
    public let outputLogVariance: Tensor?
    public let record: TrainingRecord?

    /// D + C: a sample's features, then (conditional VAE) its label one-hot.
    public var inputSize: Int { encoder.layout.inputWidth }
    /// d + C: the latent code, then (conditional VAE) the label one-hot it carries.
    public var codeSize: Int { configuration.codeSize + configuration.conditionClasses }
    /// N(0, I), the prior the KL term pulls toward (of the code's first d columns when conditional).
    public var prior: CodePrior { .normal(variance: 1) }
    /// D, the features of a sample without its label columns.
    public var dataWidth: Int { inputSize - configuration.conditionClasses }

    init(configuration: Configuration, encoder: TrainedNetwork, meanHead: LayerStack.Layer, logVarianceHead: LayerStack.Layer,
         decoder: TrainedNetwork, outputLogVariance: Tensor?, record: TrainingRecord?) {
        self.configuration = configuration
        self.encoder = encoder
        self.meanHead = meanHead
        self.logVarianceHead = logVarianceHead
        self.decoder = decoder
        self.outputLogVariance = outputLogVariance
        self.record = record
    }

    /// μ and log σ² of the latent part (`n × d`; a conditional VAE's label columns are not in them).
    public func posterior(_ samples: Tensor) throws -> (mean: Tensor, logVariance: Tensor) {
        try checkInput(samples)
        let h = encoder(samples)
        return (LayerStack(layers: [meanHead])(h), LayerStack(layers: [logVarianceHead])(h))
    }

    /// μ(x), then the label columns of a conditional VAE.
    public func encodeUnchecked(_ samples: Tensor) -> Tensor { withLabelColumns(LayerStack(layers: [meanHead])(encoder(samples)), of: samples) }

    /// One draw z ~ q(z | x), then the label columns of a conditional VAE.
    public func encodeSample(_ samples: Tensor, using generator: inout RandomGenerator) throws -> Tensor {
        let (mean, logVariance) = try posterior(samples)
        return withLabelColumns(mean + (logVariance * 0.5).exp() * Tensor.randomNormal(mean.shape, using: &generator), of: samples)
    }

    /// The likelihood's mean at each code (then the code's label columns, for a conditional VAE).
    public func decodeUnchecked(_ codes: Tensor) throws -> Tensor { withLabelColumns(configuration.likelihood.mean(decoder(codes)), of: codes) }

    /// DECODE of z ~ N(0, I): new samples, as the lecture's generative use of the decoder (a
    /// conditional VAE draws each sample's class uniformly).
    public func sample(count: Int, using generator: inout RandomGenerator) throws -> Tensor {
        guard count >= 1 else { throw AutoencoderError("vae: the number of samples must be at least 1, got \(count)") }
        let c = configuration.conditionClasses
        let latent = Tensor.randomNormal([count, configuration.codeSize], using: &generator)
        guard c > 0 else { return try decodeUnchecked(latent) }
        let labels = (0..<count).map { _ in generator.nextInt(below: c) }
        return try decodeUnchecked(Tensor.concatenate([latent, try Self.oneHot(labels, classes: c)], alongAxis: 1))
    }

    /// `output` followed by the last C columns of `source` (nothing to add when C = 0).
    func withLabelColumns(_ output: Tensor, of source: Tensor) -> Tensor {
        let c = configuration.conditionClasses
        guard c > 0 else { return output }
        return Tensor.concatenate([output, source.columns((source.columns - c)..<source.columns)], alongAxis: 1)
    }

    private func checkInput(_ samples: Tensor) throws {
        guard samples.rank == 2, samples.shape[1] == inputSize else {
            throw AutoencoderError("vae: samples must be n × \(inputSize), got shape \(samples.shape)")
        }
    }

    public var stateTensors: [(name: String, tensor: Tensor)] {
        encoder.namedTensors("encoder") + [("mean.weight", meanHead.weight), ("mean.bias", meanHead.bias),
                                           ("log_variance.weight", logVarianceHead.weight), ("log_variance.bias", logVarianceHead.bias)]
            + decoder.namedTensors("decoder") + (outputLogVariance.map { [("output_log_variance", $0)] } ?? [])
    }

    public init(configuration: Configuration, state: SafeTensorsFile, file: String) throws {
        let features = try Self.features(configuration, state: state, file: file)
        let layouts: (encoder: NetworkLayout, decoder: NetworkLayout)
        do { layouts = try configuration.layouts(features: features) } catch let error as NetworkLayoutError {
            throw DataFormatError(file, .entry("the configuration"), error.description)
        }
        let last = layouts.encoder.outputWidth, d = configuration.codeSize
        func head(_ name: String) throws -> LayerStack.Layer {
            LayerStack.Layer(weight: try state.tensor("\(name).weight", shape: [d, last], file: file),
                             bias: try state.tensor("\(name).bias", shape: [d], file: file), activation: .linear)
        }
        self.init(configuration: configuration,
                  encoder: try TrainedNetwork.load("encoder", layout: layouts.encoder, from: state, file: file),
                  meanHead: try head("mean"), logVarianceHead: try head("log_variance"),
                  decoder: try TrainedNetwork.load("decoder", layout: layouts.decoder, from: state, file: file),
                  outputLogVariance: configuration.likelihood.hasVariance ? try state.tensor("output_log_variance", shape: [1, features], file: file) : nil,
                  record: try TrainingHistory.read(from: state, path: file)?.stages.first?.record)
    }

    /// D, the features of a stored model's samples: the image shape's values, else the width of
    /// the first tensor that reads the flat sample (a first dense layer's weight, or the heads').
    static func features(_ configuration: Configuration, state: SafeTensorsFile, file: String) throws -> Int {
        // The heads read the flat sample when the encoder has no layers before them.
        let direct = switch configuration.architecture {
        case .mlp: configuration.hidden.isEmpty
        case .conv: false
        case .layers(let encoder, _): encoder.isEmpty
        }
        return try configuration.architecture.storedFeatures(imageShape: configuration.imageShape, firstWeight: direct ? "mean.weight" : "encoder.0.weight",
                                                             extraInputs: configuration.conditionClasses, state: state, file: file)
    }

    /// The training loss (−ELBO with the KL weight of each epoch) and its two terms.
    public var trainingHistory: TrainingHistory? {
        record.map { TrainingHistory(stages: [.init(name: "training", loss: "negative ELBO per sample (nats), reconstruction + β·KL", record: $0)]) }
    }
}

extension VariationalAutoencoder.Configuration: HyperparameterDeclaring {
    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.codeSize, "codeSize", "The latent dimension d.", .atLeast(1)),
        .init(\.hidden, "hidden", "Encoder hidden widths, mirrored by the decoder: 400 or 512,256.", each: .atLeast(1)),
        .init(\.activation, "activation", "The hidden layers' activation."),
        .init(\.likelihood, "likelihood",
              "p(x|z): bernoulli, continuous-bernoulli (data in [0, 1]), gaussian (σ² from `outputVariance`) or gaussian-learned-variance.",
              default: .rule("\(defaultLikelihood(unitInterval: true).rawValue) for data in [0, 1], else \(defaultLikelihood(unitInterval: false).rawValue)")),
        .init(\.outputVariance, "outputVariance", "σ² of the gaussian likelihood.", .greaterThan(0)),
        .init(\.beta, "beta", "β, the KL term's weight (1: the ELBO; above 1 the β-VAE's stronger pull to the prior).", .greaterThan(0)),
        .init(\.klWarmupEpochs, "klWarmupEpochs", "Epochs over which the KL weight rises linearly to β.", .atLeast(0)),
        .init(\.initializer, "initializer", "The weights' initialisation."),
        .init(\.architecture, "architecture",
              "The networks: mlp (dense layers of `hidden`), conv (convolutions for the samples' image shape) or 'ENCODER LAYERS | DECODER LAYERS'."),
    ]

    public static var defaults: Self { Self() }
}
