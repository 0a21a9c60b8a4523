import DataFormats
import NeuralNetworks
import Tensors

extension DeepAutoencoder {
    /// The most rows held out of streamed data (in memory, for the held-out loss).
    public static let maximumStreamedHeldOutRows = 10_000

    /// The rows a streamed fit of `rows` rows holds out: ⌊f·n⌋ (at least 1) for the training's
    /// held-out fraction f > 0, at most ``maximumStreamedHeldOutRows``; 0 for f = 0.
    public static func streamedHeldOutRows(_ training: TrainingConfiguration, rows n: Int) -> Int {
        training.heldOutFraction > 0 ? Swift.min(maximumStreamedHeldOutRows, Swift.max(1, Int(training.heldOutFraction * Double(n)))) : 0
    }

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
        let heldOutRows = streamedHeldOutRows(configuration.training, rows: n)
        let parts = checkpoints?.parts ?? .serial
        let data = try ShardStream(shards, heldOutRows: heldOutRows, bufferRows: bufferRows, parts: parts)
        // One pass over every row (held out too), each process over its parts: the range, and
        // the moments to standardize by; the parts' sums added in part order.
        let everything = try ShardStream(shards, heldOutRows: 0, bufferRows: bufferRows, parts: parts)
        let statistics = try everything.partStatistics(parts, initial: [.infinity, -.infinity] + Array(repeating: 0, count: 2 * d)) { values, block in
            try checkTrainableMagnitude(block, method: "deep autoencoder")
            (values[0], values[1]) = (Swift.min(values[0], Double(block.min())), Swift.max(values[1], Double(block.max())))
            block.withUnsafeBufferPointer { x in
                for row in 0..<block.rows {
                    for j in 0..<d {
                        let value = Double(x[row * d + j])
                        values[2 + j] += value
                        values[2 + d + j] += value * value
                    }
                }
            }
        }
        let low = Float(statistics.map { $0[0] }.min()!), high = Float(statistics.map { $0[1] }.max()!)
        var sums = Array(statistics[0][2..<(2 + d)]), squares = Array(statistics[0][(2 + d)...])
        for part in statistics.dropFirst() {
            for j in 0..<d { (sums[j], squares[j]) = (sums[j] + part[2 + j], squares[j] + part[2 + d + j]) }
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
