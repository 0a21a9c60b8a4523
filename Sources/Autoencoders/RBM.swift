import DataFormats
import Foundation
import NeuralNetworks
import Tensors

/// A restricted Boltzmann machine: visible units v (`D`), hidden units h (`H`), weights
/// W (`H × D`, stored as a `Dense` layer's so that the encoder of an unrolled stack is W
/// itself and the decoder Wᵀ), visible biases b and hidden biases c.
///
/// Energy (Hinton & Salakhutdinov 2006, eq. 1, with the Gaussian variants of its notes):
/// E(v, h) = −bᵀv − cᵀh − hᵀWv for binary units; a Gaussian visible unit adds (vᵢ − bᵢ)²/2 in
/// place of −bᵢvᵢ (unit variance: standardise the data), a Gaussian ("linear") hidden unit adds
/// (hⱼ − cⱼ)²/2 in place of −cⱼhⱼ. Hence p(hⱼ = 1 | v) = σ(cⱼ + Wⱼv) or hⱼ | v ~ N(cⱼ + Wⱼv, 1),
/// and p(vᵢ = 1 | h) = σ(bᵢ + hᵀW·ᵢ) or vᵢ | h ~ N(bᵢ + hᵀW·ᵢ, 1).
///
/// As an autoencoder, ENCODE gives E[h | v] and DECODE gives E[v | h] (shapes `n × D` → `n × H`
/// → `n × D`): one layer of the deep autoencoder before fine-tuning.
public struct RBM: Autoencoder {
    /// The distribution of a layer of units.
    public enum Units: String, Codable, Sendable, CaseIterable {
        /// Binary units, p = σ(input): pixels in [0, 1], feature detectors.
        case bernoulli
        /// Unit-variance Gaussian units, mean = input: real-valued data, or the linear code
        /// layer of Hinton & Salakhutdinov's autoencoder.
        case gaussian
    }

    /// Hyperparameters of contrastive-divergence training; defaults are those of Hinton &
    /// Salakhutdinov's code (`rbm.m`): batches of 100, 10 epochs, learning rate 0.1 (0.001 with
    /// Gaussian units), momentum 0.5 for 5 epochs then 0.9, weight cost 0.0002, CD-1.
    public struct Configuration: Codable, Sendable, Equatable {
        public var hiddenUnits: Int
        public var visible: Units
        public var hidden: Units
        public var epochs: Int
        public var batchSize: Int
        public var learningRate: Float
        public var initialMomentum: Float
        public var finalMomentum: Float
        /// Epochs run with the initial momentum before switching to the final one.
        public var momentumSwitchEpoch: Int
        /// L2 weight cost λ (on weights, not biases).
        public var weightDecay: Float
        /// k of CD-k: Gibbs steps in the negative phase.
        public var gibbsSteps: Int

        /// Learning rates of Hinton's code: 0.1 with binary units, 0.001 with Gaussian ones.
        public static func defaultLearningRate(visible: Units, hidden: Units) -> Float {
            visible == .bernoulli && hidden == .bernoulli ? 0.1 : 0.001
        }

        public init(hiddenUnits: Int, visible: Units = .bernoulli, hidden: Units = .bernoulli, epochs: Int = 10,
                    batchSize: Int = 100, learningRate: Float? = nil, initialMomentum: Float = 0.5, finalMomentum: Float = 0.9,
                    momentumSwitchEpoch: Int = 5, weightDecay: Float = 2e-4, gibbsSteps: Int = 1) {
            self.hiddenUnits = hiddenUnits
            self.visible = visible
            self.hidden = hidden
            self.epochs = epochs
            self.batchSize = batchSize
            self.learningRate = learningRate ?? Self.defaultLearningRate(visible: visible, hidden: hidden)
            self.initialMomentum = initialMomentum
            self.finalMomentum = finalMomentum
            self.momentumSwitchEpoch = momentumSwitchEpoch
            self.weightDecay = weightDecay
            self.gibbsSteps = gibbsSteps
        }

        /// Throws a message naming the first hyperparameter out of range.
        public func validate(features: Int) throws {
            try checkRanges("RBM")
            guard features >= 1 else { throw AutoencoderError("RBM: samples need at least 1 feature") }
        }
    }

    public static let methodName = "rbm"
    public let configuration: Configuration
    /// W `[H, D]`
    public let weight: Tensor
    /// b `[D]`, c `[H]`
    public let visibleBias: Tensor, hiddenBias: Tensor
    /// Per epoch: the mean squared reconstruction error per sample of the training batches
    /// (data against the negative phase's visible means), and the mean free energy of a fixed
    /// sample of up to ``monitorRows`` training rows.
    public let reconstructionError: [Float], freeEnergy: [Float]

    /// Rows on which the free energy is monitored.
    public static let monitorRows = 1000

    public var inputSize: Int { weight.shape[1] }
    public var codeSize: Int { weight.shape[0] }

    init(configuration: Configuration, weight: Tensor, visibleBias: Tensor, hiddenBias: Tensor,
         reconstructionError: [Float] = [], freeEnergy: [Float] = []) {
        self.configuration = configuration
        self.weight = weight
        self.visibleBias = visibleBias
        self.hiddenBias = hiddenBias
        self.reconstructionError = reconstructionError
        self.freeEnergy = freeEnergy
    }

    /// The encoder layer v ↦ E[h | v]: `Dense(weight: W, bias: c)` with σ or identity.
    public var encoderLayer: LayerStack.Layer {
        LayerStack.Layer(weight: weight, bias: hiddenBias, activation: configuration.hidden == .bernoulli ? .sigmoid : .linear)
    }

    /// The decoder layer h ↦ E[v | h]: `Dense(weight: Wᵀ, bias: b)` with σ or identity.
    public var decoderLayer: LayerStack.Layer {
        LayerStack.Layer(weight: weight.transposed(), bias: visibleBias, activation: configuration.visible == .bernoulli ? .sigmoid : .linear)
    }

    public func encodeUnchecked(_ samples: Tensor) -> Tensor { LayerStack(layers: [encoderLayer])(samples) }
    public func decodeUnchecked(_ codes: Tensor) throws -> Tensor { LayerStack(layers: [decoderLayer])(codes) }

    /// CD-k's reconstruction error per epoch, with the free energy of the monitored rows.
    public var trainingHistory: TrainingHistory? {
        reconstructionError.isEmpty ? nil : TrainingHistory(stages: [
            .init(name: "contrastive divergence", loss: "squared reconstruction error per sample", record: TrainingRecord(trainLoss: reconstructionError)),
        ])
    }

    /// F(v) per sample, with p(v) ∝ e^{−F(v)}: the hidden units summed out.
    /// Bernoulli hidden: −Σⱼ softplus(cⱼ + Wⱼv); Gaussian hidden: −Σⱼ (cⱼ + Wⱼv)²/2 (constants
    /// dropped); plus −bᵀv for Bernoulli visible units or ‖v − b‖²/2 for Gaussian ones.
    public func freeEnergy(_ samples: Tensor) -> [Double] {
        let input = matmul(samples, weight, transposeB: true) + hiddenBias
        let (n, h, d) = (samples.shape[0], codeSize, inputSize)
        let (x, v, b) = (input.scalars, samples.scalars, visibleBias.scalars)
        return (0..<n).map { i in
            var total = 0.0
            for j in 0..<h {
                let a = Double(x[i * h + j])
                total -= configuration.hidden == .bernoulli ? max(a, 0) + log1p(exp(-abs(a))) : 0.5 * a * a
            }
            for k in 0..<d {
                let (value, bias) = (Double(v[i * d + k]), Double(b[k]))
                total += configuration.visible == .bernoulli ? -bias * value : 0.5 * (value - bias) * (value - bias)
            }
            return total
        }
    }

    public var stateTensors: [(name: String, tensor: Tensor)] {
        [("weight", weight), ("visible_bias", visibleBias), ("hidden_bias", hiddenBias),
         ("reconstruction_error", Tensor(reconstructionError)), ("free_energy", Tensor(freeEnergy))]
    }

    public init(configuration: Configuration, state: SafeTensorsFile, file: String) throws {
        let weight = try state.tensor("weight", file: file)
        guard weight.rank == 2, weight.shape[0] == configuration.hiddenUnits else {
            throw DataFormatError(file, .entry("tensor 'weight'"), "has shape \(weight.shape), expected [\(configuration.hiddenUnits), D]")
        }
        self.init(configuration: configuration, weight: weight,
                  visibleBias: try state.tensor("visible_bias", shape: [weight.shape[1]], file: file),
                  hiddenBias: try state.tensor("hidden_bias", shape: [weight.shape[0]], file: file),
                  reconstructionError: state["reconstruction_error"]?.scalars ?? [], freeEnergy: state["free_energy"]?.scalars ?? [])
    }
}

extension RBM.Configuration: HyperparameterDeclaring {
    /// μ's valid values, initial and final (also the deep autoencoder's for its RBMs).
    static let momentumRange = ValidRange<Float>.from(0, below: 1)

    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.hiddenUnits, "hiddenUnits", "Hidden units.", .atLeast(1), default: .required),
        .init(\.visible, "visible", "The visible units: bernoulli (data in [0, 1]) or gaussian (unit variance)."),
        .init(\.hidden, "hidden", "The hidden units: bernoulli or gaussian (a linear code)."),
        .init(\.epochs, "epochs", "Passes over the data.", .atLeast(1)),
        .init(\.batchSize, "batchSize", "Samples per mini-batch.", .atLeast(1)),
        .init(\.learningRate, "learningRate", "The step size.", .greaterThan(0),
              default: .rule("Hinton's: \(defaultLearningRate(visible: .bernoulli, hidden: .bernoulli)) between binary units, \(defaultLearningRate(visible: .gaussian, hidden: .bernoulli)) with Gaussian ones")),
        .init(\.initialMomentum, "initialMomentum", "Momentum of the first epochs.", momentumRange),
        .init(\.finalMomentum, "finalMomentum", "Momentum after `momentumSwitchEpoch` epochs.", momentumRange),
        .init(\.momentumSwitchEpoch, "momentumSwitchEpoch", "Epochs run at the initial momentum.", .atLeast(0)),
        .init(\.weightDecay, "weightDecay", "L2 weight cost λ on the weights.", .atLeast(0)),
        .init(\.gibbsSteps, "gibbsSteps", "k of CD-k: Gibbs steps in the negative phase.", .atLeast(1)),
    ]

    /// Hinton & Salakhutdinov's settings for one hidden unit (`hiddenUnits` has no default).
    public static var defaults: Self { Self(hiddenUnits: 1) }
}
