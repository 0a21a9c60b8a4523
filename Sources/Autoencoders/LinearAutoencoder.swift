import DataFormats
import NeuralNetworks
import Tensors

/// A linear autoencoder trained by gradient descent: ENCODE z = x·Wₑᵀ + bₑ, DECODE
/// x̂ = z·W_dᵀ + b_d, minimising the squared reconstruction error.
///
/// Its global minima span the same subspace as the top principal components (Baldi & Hornik
/// 1989), the equivalence the lecture states between PCA and the continuous linear autoencoder;
/// the weights themselves are any basis of that subspace, not the orthonormal axes PCA returns.
public struct LinearAutoencoder: TrainedMethod {
    /// Hyperparameters.
    public struct Configuration: Codable, Sendable, Equatable, TrainedConfiguration {
        /// d
        public var codeSize: Int
        public var training: TrainingConfiguration

        /// Default training: Adam at 10⁻² with a cosine schedule on batches of 128 for 50 epochs
        /// or 20 000 steps, whichever is longer, all data used: within 0.1 % of PCA's error on
        /// scikit-learn's digits, wine and breast cancer and on the swiss roll (BENCHMARKS.md).
        public static let defaultTraining = TrainingConfiguration(epochs: 50, batchSize: 128, learningRate: 1e-2, schedule: .defaultCosine,
                                                                  heldOutFraction: 0, minimumSteps: 20_000)

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
    /// The mean training loss (squared error per sample) of each epoch, in units of
    /// `lossScale` (s², the square of the data's root-mean-square deviation).
    public var lossHistory: [Float] { record.trainLoss }
    /// s², the unit of the training losses (nil for models whose file does not say).
    public let lossScale: Double?

    public var inputSize: Int { encoderWeight.shape[1] }
    public var codeSize: Int { encoderWeight.shape[0] }

    /// Trains from Xavier-initialised weights with the configured optimizer, schedule, held-out
    /// data and early stopping (``TrainedMethod/fit(_:configuration:using:context:)``).
    ///
    /// The objective is the data's own squared error, Σⱼ (xⱼ − x̂ⱼ)², so the code spans the
    /// principal subspace of the data as they are. It is minimised in preconditioned
    /// coordinates: the network sees x′ⱼ = (xⱼ − μⱼ)/σⱼ and its error on feature j is weighted
    /// by σⱼ²/s² (s² the mean of the σⱼ²), which is the same objective divided by s². With Adam's
    /// steps of about the learning rate, weights of order one are then reached in hundreds of
    /// steps whatever the units, no bias has to travel to a mean of 750 (wine's proline), and a
    /// feature of small variance does not learn a thousand times slower than a wide one. The
    /// maps are folded into the weights afterwards (Wₑ/σ, bₑ − Wₑμ/σ; σ·W_d, σ·b_d + μ), so the
    /// model is a plain linear autoencoder of the data; its training losses are in units of s².
    public static func train<Rows: TrainingRows>(_ data: TrainingData<Rows>, configuration: Configuration, run: TrainingRun,
                                                 using generator: inout RandomGenerator) throws -> LinearAutoencoder {
        let d = data.features, k = configuration.codeSize
        let (mean, deviation, meanVariance) = preconditioning(means: data.summary.means!, variances: data.summary.variances!)
        let sigma = Tensor(deviation.map(Float.init))
        let preconditioned = data.mapped(columns: d) { ($0 - mean) / sigma }
        let weight = Tensor(deviation.map { Float($0 / meanVariance.squareRoot()) })  // √(σⱼ²/s²)
        let encoder = Dense(inputs: d, outputs: k, initializer: .xavier, using: &generator)
        let decoder = Dense(inputs: k, outputs: d, initializer: .xavier, using: &generator)
        let weighting = Variable(weight)
        let record = try Trainer(configuration.training).run(
            parameters: encoder.namedParameters(prefix: "encoder.0") + decoder.namedParameters(prefix: "decoder.0"),
            samples: preconditioned.training, heldOut: preconditioned.heldOut, using: &generator, hooks: run.hooks(),
            loss: { batch in squaredError(decoder(encoder(Variable(batch))) * weighting, batch * weight) },
            heldOutLoss: { rows in ReconstructionMetrics(samples: rows * weight, reconstructions: decoder(encoder(rows)) * weight).ssePerSample })
        // Fold x′ = (x − μ)/σ and x = σ·x̂′ + μ into the weights.
        let encoderWeight = encoder.weight.value / sigma
        let encoderBias = encoder.bias.value - matmul(mean.reshaped([1, d]), encoderWeight, transposeB: true).reshaped([k])
        let column = sigma.reshaped([d, 1])
        return LinearAutoencoder(configuration: configuration, encoderWeight: encoderWeight, encoderBias: encoderBias,
                                 decoderWeight: decoder.weight.value * column, decoderBias: decoder.bias.value * sigma + mean,
                                 record: record, lossScale: meanVariance)
    }

    public static func requirements(_ configuration: Configuration) -> DataRequirements { DataRequirements(moments: true) }

    public static func validate(_ configuration: Configuration, features d: Int) throws {
        let k = configuration.codeSize
        try configuration.checkRanges(methodName)
        guard k <= d else { throw AutoencoderError("\(methodName): code size \(k) must lie in 1…\(d) (the number of features)") }
        do { try configuration.training.validate() } catch { throw AutoencoderError("\(methodName): \(error)") }
    }

    /// The preconditioning of columns of these means and (population) variances: μ (`[D]`),
    /// the deviations σ (constant columns get 1) and the mean variance s².
    static func preconditioning(means: [Double], variances: [Double]) -> (mean: Tensor, deviation: [Double], meanVariance: Double) {
        let deviations = variances.map { $0 > 0 && $0.isFinite ? $0.squareRoot() : 1 }
        let meanVariance = variances.reduce(0, +) / Double(max(variances.count, 1))
        return (Tensor(means.map(Float.init)), deviations, meanVariance > 0 && meanVariance.isFinite ? meanVariance : 1)
    }

    private init(configuration: Configuration, encoderWeight: Tensor, encoderBias: Tensor, decoderWeight: Tensor,
                 decoderBias: Tensor, record: TrainingRecord, lossScale: Double?) {
        self.configuration = configuration
        self.lossScale = lossScale
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
                      ?? TrainingRecord(trainLoss: state["loss_history"]?.scalars ?? []),
                  lossScale: try TrainingHistory.read(from: state, path: file)?.stages.first.flatMap { Self.lossScale(from: $0.loss) })
    }

    public var trainingHistory: TrainingHistory? {
        TrainingHistory(stages: [.init(name: "training", loss: Self.lossDescription(lossScale), record: record)])
    }

    /// What the training loss measures, with its unit s² when known.
    static func lossDescription(_ lossScale: Double?) -> String {
        lossScale.map { "squared error per sample, in units of s² = \(String(format: "%.6g", $0)) (data centred and divided by s)" }
            ?? "squared error per sample"
    }

    /// The unit s² read back from a loss description.
    static func lossScale(from description: String) -> Double? {
        guard let range = description.range(of: "s² = ") else { return nil }
        return Double(description[range.upperBound...].prefix { !$0.isWhitespace })
    }
}

extension LinearAutoencoder.Configuration: HyperparameterDeclaring {
    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.codeSize, "codeSize", "Code width.", .atLeast(1), default: .required),
    ]

    /// A code of one column (`codeSize` has no default).
    public static var defaults: Self { Self(codeSize: 1) }
}
