import DataFormats
import DistributionMatching
import NeuralNetworks
import Tensors

/// The Wasserstein autoencoder (Tolstikhin, Bousquet, Gelly & Schölkopf, ICLR 2018): a
/// deterministic encoder and decoder trained on
///
///     E c(x, G(Q(x))) + λ·D(Q_Z, P_Z)        (eq. 4),
///
/// a reconstruction cost plus a penalty that pulls the distribution of the codes Q_Z (not each
/// sample's code, as a VAE's KL does) toward the prior P_Z = N(0, σ²I). The penalty is estimated
/// on each batch against as many prior draws: MMD² with the inverse multiquadric kernel
/// (WAE-MMD, algorithm 2; λ = 10 as in the paper's MNIST setup), the sliced Wasserstein distance
/// SW₂², or the Sinkhorn divergence. Prior draws decoded are new samples (``GenerativeModel``).
/// ENCODE `n × D` → `n × d`, DECODE `n × d` → `n × D`.
public struct WassersteinAutoencoder: TrainedMethod, GenerativeModel, PriorModel {
    /// The divergence between the batch's codes and prior draws.
    public enum Penalty: String, Codable, Sendable, CaseIterable {
        /// Unbiased MMD², inverse multiquadric kernel with C = 2·d·σ² × {0.1 … 10} (the paper's).
        case mmd
        /// SW₂² over ``Configuration/projections`` directions drawn anew each batch.
        case sliced
        /// The Sinkhorn divergence at ``Configuration/epsilon`` (log domain, envelope gradients).
        case sinkhorn
    }

    /// Hyperparameters.
    public struct Configuration: Codable, Sendable, Equatable, TrainedConfiguration {
        /// Encoder hidden widths; the decoder mirrors them (the VAE example's 400 by default).
        public var hidden: [Int]
        public var codeSize: Int
        public var activation: Activation
        /// The reconstruction cost c: squared error of a linear output (the paper's c(x, y) =
        /// ‖x − y‖², the default: λ = 10 is weighed against it) or binary cross-entropy of a
        /// sigmoid output (data in [0, 1]; its hundreds of nats per image outweigh λ = 10 by far,
        /// so a larger λ is needed for the codes to match the prior).
        public var loss: Loss
        public var penalty: Penalty
        /// λ, the penalty's weight.
        public var lambda: Float
        /// σ² of the prior N(0, σ²I).
        public var priorVariance: Float
        /// Directions per batch of the sliced penalty.
        public var projections: Int
        /// ε of the Sinkhorn penalty, in squared code units.
        public var epsilon: Double
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
                    penalty: Penalty = .mmd, lambda: Float = 10, priorVariance: Float = 1, projections: Int = Wasserstein.defaultProjections, epsilon: Double = 0.1,
                    initializer: Initializer = .fanInUniform, training: TrainingConfiguration = defaultTraining,
                    architecture: NetworkArchitecture = .mlp, imageShape: [Int]? = nil) {
            self.hidden = hidden
            self.codeSize = codeSize
            self.activation = activation
            self.loss = loss
            self.penalty = penalty
            self.lambda = lambda
            self.priorVariance = priorVariance
            self.projections = projections
            self.epsilon = epsilon
            self.initializer = initializer
            self.training = training
            self.architecture = architecture
            self.imageShape = imageShape
        }

        /// Hyperparameters added after a file was written read as their defaults.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Self()
            self.init(hidden: try c.decode(.hidden, or: d.hidden), codeSize: try c.decode(.codeSize, or: d.codeSize), activation: try c.decode(.activation, or: d.activation),
                      loss: try c.decode(.loss, or: d.loss), penalty: try c.decode(.penalty, or: d.penalty), lambda: try c.decode(.lambda, or: d.lambda),
                      priorVariance: try c.decode(.priorVariance, or: d.priorVariance), projections: try c.decode(.projections, or: d.projections),
                      epsilon: try c.decode(.epsilon, or: d.epsilon), initializer: try c.decode(.initializer, or: d.initializer),
                      training: try c.decode(.training, or: d.training), architecture: try c.decode(.architecture, or: d.architecture),
                      imageShape: try c.decodeIfPresent([Int].self, forKey: .imageShape))
        }

        /// Throws a message naming the first hyperparameter out of range.
        public func validate(features: Int) throws {
            try checkRanges(WassersteinAutoencoder.methodName)
            guard features >= 1 else { throw AutoencoderError("wasserstein-autoencoder: samples need at least 1 feature") }
            guard training.batchSize >= 2 else { throw AutoencoderError("wasserstein-autoencoder: the penalty compares a batch's codes with prior draws: batches need at least 2 samples") }
            do { try training.validate() } catch { throw AutoencoderError("wasserstein-autoencoder: \(error)") }
            do { _ = try network.layouts(features: features, method: WassersteinAutoencoder.methodName) } catch let error as NetworkLayoutError {
                throw AutoencoderError(error.description)
            }
        }

        /// The encoder and its mirrored decoder.
        var network: MirroredNetwork {
            MirroredNetwork(hidden: hidden, codeSize: codeSize, activation: activation, loss: loss, architecture: architecture, imageShape: imageShape)
        }
    }

    public static let methodName = "wasserstein-autoencoder"
    public let configuration: Configuration
    public let encoder: TrainedNetwork, decoder: TrainedNetwork
    public let record: TrainingRecord?

    public var inputSize: Int { encoder.layout.inputWidth }
    public var codeSize: Int { configuration.codeSize }
    public var prior: CodePrior { .normal(variance: configuration.priorVariance) }

    init(configuration: Configuration, encoder: TrainedNetwork, decoder: TrainedNetwork, record: TrainingRecord?) {
        (self.configuration, self.encoder, self.decoder, self.record) = (configuration, encoder, decoder, record)
    }

    public func encodeUnchecked(_ samples: Tensor) -> Tensor { encoder(samples) }
    public func decodeUnchecked(_ codes: Tensor) throws -> Tensor { decoder(codes) }

    /// DECODE of z ~ N(0, σ²I).
    public func sample(count: Int, using generator: inout RandomGenerator) throws -> Tensor {
        guard count >= 1 else { throw AutoencoderError("wasserstein-autoencoder: the number of samples must be at least 1, got \(count)") }
        return try decodeUnchecked(Tensor.randomNormal([count, codeSize], standardDeviation: configuration.priorVariance.squareRoot(), using: &generator))
    }

    public var stateTensors: [(name: String, tensor: Tensor)] { encoder.namedTensors("encoder") + decoder.namedTensors("decoder") }

    public init(configuration: Configuration, state: SafeTensorsFile, file: String) throws {
        let (encoder, decoder) = try configuration.network.load(from: state, method: Self.methodName, file: file)
        self.init(configuration: configuration, encoder: encoder, decoder: decoder,
                  record: try TrainingHistory.read(from: state, path: file)?.stages.first?.record)
    }

    /// The loss (reconstruction + λ·penalty) and its two terms.
    public var trainingHistory: TrainingHistory? {
        record.map { TrainingHistory(stages: [.init(name: "training", loss: "\(configuration.loss.displayName) per sample + λ·\(configuration.penalty.rawValue) penalty", record: $0)]) }
    }
}

extension WassersteinAutoencoder.Configuration: HyperparameterDeclaring {
    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.codeSize, "codeSize", "The code size d.", .atLeast(1)),
        .init(\.hidden, "hidden", "Encoder hidden widths, mirrored by the decoder: 400 or 512,256.", each: .atLeast(1)),
        .init(\.activation, "activation", "The hidden layers' activation."),
        .init(\.loss, "loss", "Reconstruction cost: mse (linear output; the paper's ‖x − y‖², which λ = 10 is weighed against) "
              + "or bce (sigmoid output, data in [0, 1]; needs a much larger `lambda`)."),
        .init(\.penalty, "penalty", "The penalty between the batch's codes and prior draws: mmd (inverse multiquadric kernel), sliced or sinkhorn."),
        .init(\.lambda, "lambda", "λ, the penalty's weight.", .atLeast(0)),
        .init(\.priorVariance, "priorVariance", "σ² of the prior N(0, σ²I).", .greaterThan(0)),
        .init(\.projections, "projections", "Directions per batch of `penalty: .sliced`.", .atLeast(1)),
        .init(\.epsilon, "epsilon", "ε of `penalty: .sinkhorn`, in squared code units.", .greaterThan(0)),
        .init(\.initializer, "initializer", "The weights' initialisation."),
        .init(\.architecture, "architecture",
              "The networks: mlp (dense layers of `hidden`), conv (convolutions for the samples' image shape) or 'ENCODER LAYERS | DECODER LAYERS'."),
    ]

    public static var defaults: Self { Self() }
}
