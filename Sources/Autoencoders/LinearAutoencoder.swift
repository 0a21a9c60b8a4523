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
        public var training: TrainingConfiguration

        /// Default training: Adam at 1e-3 on batches of 128 for 50 epochs, all data used.
        public static let defaultTraining = TrainingConfiguration(epochs: 50, batchSize: 128, learningRate: 1e-3, heldOutFraction: 0)

        public init(codeSize: Int, training: TrainingConfiguration = defaultTraining) {
            self.codeSize = codeSize
            self.training = training
        }

        /// The configuration of `epochs` passes with Adam at `learningRate` on batches of `batchSize`.
        public init(codeSize: Int, epochs: Int, batchSize: Int = 128, learningRate: Float = 1e-3) {
            self.init(codeSize: codeSize, training: TrainingConfiguration(epochs: epochs, batchSize: batchSize, learningRate: learningRate, heldOutFraction: 0))
        }
    }

    public static let methodName = "linear-autoencoder"
    public let configuration: Configuration
    /// Wₑ `[d, D]`, bₑ `[d]`
    public let encoderWeight: Tensor, encoderBias: Tensor
    /// W_d `[D, d]`, b_d `[D]`
    public let decoderWeight: Tensor, decoderBias: Tensor
    /// The training record (per-epoch losses, timing); `lossHistory` is its training loss.
    public let record: TrainingRecord
    /// The mean training loss (squared error per sample) of each epoch.
    public var lossHistory: [Float] { record.trainLoss }

    public var inputSize: Int { encoderWeight.shape[1] }
    public var codeSize: Int { encoderWeight.shape[0] }

    /// Trains on `samples` (`n × D`) from Xavier-initialised weights with the configured
    /// optimizer, schedule, held-out data and early stopping; checkpoints as for every trained method.
    public static func fit(_ samples: Tensor, configuration: Configuration, using generator: inout RandomGenerator,
                           checkpoints: CheckpointPolicy? = nil,
                           progress: @escaping (TrainingProgress) throws -> Void = { _ in }) throws -> LinearAutoencoder {
        try checkTrainingSamples(samples, method: "linear autoencoder")
        let d = samples.shape[1], k = configuration.codeSize
        guard k >= 1, k <= d else { throw AutoencoderError("linear autoencoder: code size \(k) must lie in 1…\(d) (the number of features)") }
        do { try configuration.training.validate() } catch { throw AutoencoderError("linear autoencoder: \(error)") }
        let resumed = try CheckpointPolicy.resumed(checkpoints, method: methodName, configuration: configuration)
        let (training, heldOut) = configuration.training.holdOut(samples, using: &generator)
        let encoder = Dense(inputs: d, outputs: k, initializer: .xavier, using: &generator)
        let decoder = Dense(inputs: k, outputs: d, initializer: .xavier, using: &generator)
        let hooks = CheckpointPolicy.hooks(checkpoints, method: methodName, configuration: configuration, resumed: resumed, progress: progress)
        let record = try Trainer(configuration.training).run(
            parameters: namedParameters([encoder], "encoder") + namedParameters([decoder], "decoder"),
            samples: training, heldOut: heldOut, using: &generator, hooks: hooks,
            loss: { batch in squaredError(decoder(encoder(Variable(batch))), batch) },
            heldOutLoss: { rows in ReconstructionMetrics(samples: rows, reconstructions: decoder(encoder(rows))).ssePerSample })
        return LinearAutoencoder(configuration: configuration, encoderWeight: encoder.weight.value, encoderBias: encoder.bias.value,
                                 decoderWeight: decoder.weight.value, decoderBias: decoder.bias.value, record: record)
    }

    private init(configuration: Configuration, encoderWeight: Tensor, encoderBias: Tensor, decoderWeight: Tensor,
                 decoderBias: Tensor, record: TrainingRecord) {
        self.configuration = configuration
        self.encoderWeight = encoderWeight
        self.encoderBias = encoderBias
        self.decoderWeight = decoderWeight
        self.decoderBias = decoderBias
        self.record = record
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
                  record: try TrainingHistory.read(from: state, path: file)?.stages.first?.record
                      ?? TrainingRecord(trainLoss: state["loss_history"]?.scalars ?? []))
    }

    public var trainingHistory: TrainingHistory? {
        TrainingHistory(stages: [.init(name: "training", loss: "squared error per sample", record: record)])
    }
}
