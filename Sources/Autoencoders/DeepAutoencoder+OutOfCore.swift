import DataFormats
import NeuralNetworks
import Tensors

extension DeepAutoencoder {
    /// The most rows held out of streamed data (in memory, for the held-out loss).
    public static let maximumStreamedHeldOutRows = 10_000

    /// Fits the deep autoencoder to data streamed from NPY shards (``ShardStream``), never
    /// all in memory: every RBM and the fine-tuning draw their batches from the stream (an
    /// RBM's input through the RBMs below it, batch by batch), so memory holds the network, one
    /// shuffle buffer and the held-out rows: the last ⌊f·n⌋ rows, at most
    /// ``maximumStreamedHeldOutRows``, for the configuration's held-out fraction f.
    ///
    /// A first pass finds the data's range (Bernoulli visible units for data in [0, 1]; the bce
    /// loss needs it) and, when the configuration standardizes its input, each column's mean
    /// and deviation in Double, applied to each batch as it is read.
    public static func fit(_ shards: NPYShards, configuration: Configuration, bufferRows: Int = ShardStream.defaultBufferRows,
                           using generator: inout RandomGenerator, checkpoints: CheckpointPolicy? = nil,
                           progress: @escaping (TrainingProgress) throws -> Void = { _ in }) throws -> DeepAutoencoder {
        let (n, d) = (shards.rows, shards.columns)
        guard n >= 2 else { throw AutoencoderError("deep autoencoder: needs at least 2 samples, the shards hold \(n)") }
        try configuration.validate(features: d)
        let heldOutRows = min(maximumStreamedHeldOutRows, configuration.training.heldOutFraction > 0
                              ? max(1, Int(configuration.training.heldOutFraction * Double(n))) : 0)
        let data = try ShardStream(shards, heldOutRows: heldOutRows, bufferRows: bufferRows)
        // One pass over every row (held out too): the range, and the moments to standardize by.
        var (low, high) = (Float.infinity, -Float.infinity)
        var sums = [Double](repeating: 0, count: d), squares = [Double](repeating: 0, count: d)
        let everything = try ShardStream(shards, heldOutRows: 0, bufferRows: bufferRows)
        try everything.forEachBlock { block in
            try checkTrainableMagnitude(block, method: "deep autoencoder")
            low = Swift.min(low, block.min())
            high = Swift.max(high, block.max())
            block.withUnsafeBufferPointer { x in
                for row in 0..<block.rows {
                    for j in 0..<d {
                        let value = Double(x[row * d + j])
                        sums[j] += value
                        squares[j] += value * value
                    }
                }
            }
        }
        if configuration.loss == .binaryCrossEntropy, low < 0 || high > 1 {
            throw AutoencoderError("deep autoencoder: the bce loss needs data in [0, 1] (found \(low)…\(high)); scale the data or use --loss mse")
        }
        let standardize = configuration.inputScaling == .standardize
        let mean = standardize ? Tensor(sums.map { Float($0 / Double(n)) }) : .zeros([d])
        let scale = !standardize ? Tensor.ones([d]) : Tensor(zip(sums, squares).map { sum, square in
            let deviation = (max(0, square / Double(n) - (sum / Double(n)) * (sum / Double(n)))).squareRoot()
            return deviation > 0 ? Float(deviation) : 1
        })
        let training = standardize ? data.mapped(columns: d) { ($0 - mean) / scale } : data
        let resumed = try CheckpointPolicy.resumed(checkpoints, method: methodName, configuration: configuration)
        return try train(training, heldOut: try training.heldOut(), binaryData: low >= 0 && high <= 1, inputMean: mean, inputScale: scale,
                         configuration: configuration, resumed: resumed, using: &generator, checkpoints: checkpoints, progress: progress)
    }
}
