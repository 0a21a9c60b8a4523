import DataFormats
import NeuralNetworks
import Tensors

/// A linear autoencoder trained by gradient descent: ENCODE z = x·Wₑᵀ + bₑ, DECODE
/// x̂ = z·W_dᵀ + b_d, minimising the squared reconstruction error.
///
/// Its global minima span the same subspace as the top principal components (Baldi & Hornik
/// 1989), the equivalence the lecture states between PCA and the continuous linear autoencoder;
/// the weights themselves are any basis of that subspace, not the orthonormal axes PCA returns.
public struct LinearAutoencoder: Autoencoder {
    /// Hyperparameters.
    public struct Configuration: Codable, Sendable, Equatable {
        /// d
        public var codeSize: Int
        public var epochs: Int
        public var batchSize: Int
        /// Adam's step size.
        public var learningRate: Float

        public init(codeSize: Int, epochs: Int = 50, batchSize: Int = 128, learningRate: Float = 1e-3) {
            self.codeSize = codeSize
            self.epochs = epochs
            self.batchSize = batchSize
            self.learningRate = learningRate
        }
    }

    public static let methodName = "linear-autoencoder"
    public let configuration: Configuration
    /// Wₑ `[d, D]`, bₑ `[d]`
    public let encoderWeight: Tensor, encoderBias: Tensor
    /// W_d `[D, d]`, b_d `[D]`
    public let decoderWeight: Tensor, decoderBias: Tensor
    /// The mean training loss (squared error per sample) of each epoch.
    public let lossHistory: [Float]

    public var inputSize: Int { encoderWeight.shape[1] }
    public var codeSize: Int { encoderWeight.shape[0] }

    /// Trains on `samples` (`n × D`) with Adam on mini-batches; Xavier-initialised weights.
    public static func fit(_ samples: Tensor, configuration: Configuration, using generator: inout RandomGenerator,
                           progress: (TrainingProgress) -> Void = { _ in }) throws -> LinearAutoencoder {
        guard samples.rank == 2, samples.shape[0] >= 1 else { throw AutoencoderError("linear autoencoder needs samples n × D; got shape \(samples.shape)") }
        try samples.checkFinite("linear autoencoder input")
        let d = samples.shape[1], k = configuration.codeSize
        guard k >= 1, k <= d else { throw AutoencoderError("linear autoencoder: code size \(k) must lie in 1…\(d) (the number of features)") }
        guard configuration.epochs >= 1, configuration.batchSize >= 1, configuration.learningRate > 0 else {
            throw AutoencoderError("linear autoencoder: epochs, batch size and learning rate must be positive")
        }
        let encoder = Dense(inputs: d, outputs: k, initializer: .xavier, using: &generator)
        let decoder = Dense(inputs: k, outputs: d, initializer: .xavier, using: &generator)
        let optimizer = Adam(parameters: encoder.parameters + decoder.parameters, learningRate: configuration.learningRate)
        let history = try TrainingLoop(epochs: configuration.epochs, batchSize: configuration.batchSize)
            .run(samples: samples, using: &generator, progress: progress) { batch, _ in
                optimizer.zeroGradients()
                let loss = squaredError(decoder(encoder(Variable(batch))), batch)
                loss.backward()
                optimizer.step()
                return loss.value.scalar
            }
        return LinearAutoencoder(configuration: configuration, encoderWeight: encoder.weight.value, encoderBias: encoder.bias.value,
                                 decoderWeight: decoder.weight.value, decoderBias: decoder.bias.value, lossHistory: history)
    }

    private init(configuration: Configuration, encoderWeight: Tensor, encoderBias: Tensor, decoderWeight: Tensor,
                 decoderBias: Tensor, lossHistory: [Float]) {
        self.configuration = configuration
        self.encoderWeight = encoderWeight
        self.encoderBias = encoderBias
        self.decoderWeight = decoderWeight
        self.decoderBias = decoderBias
        self.lossHistory = lossHistory
    }

    public func encodeUnchecked(_ samples: Tensor) -> Tensor { Dense(weight: encoderWeight, bias: encoderBias)(samples) }
    public func decodeUnchecked(_ codes: Tensor) throws -> Tensor { Dense(weight: decoderWeight, bias: decoderBias)(codes) }

    public var stateTensors: [(name: String, tensor: Tensor)] {
        [("encoder.0.weight", encoderWeight), ("encoder.0.bias", encoderBias),
         ("decoder.0.weight", decoderWeight), ("decoder.0.bias", decoderBias),
         ("loss_history", Tensor(lossHistory))]
    }

    public init(configuration: Configuration, state: SafeTensorsFile, file: String) throws {
        let weight = try state.tensor("encoder.0.weight", file: file)
        guard weight.rank == 2, weight.shape[0] == configuration.codeSize else {
            throw DataFormatError(file, .entry("tensor 'encoder.0.weight'"), "shape \(weight.shape) does not match code size \(configuration.codeSize)")
        }
        let (k, d) = (weight.shape[0], weight.shape[1])
        self.init(configuration: configuration, encoderWeight: weight,
                  encoderBias: try state.tensor("encoder.0.bias", shape: [k], file: file),
                  decoderWeight: try state.tensor("decoder.0.weight", shape: [d, k], file: file),
                  decoderBias: try state.tensor("decoder.0.bias", shape: [d], file: file),
                  lossHistory: state["loss_history"]?.scalars ?? [])
    }
}
