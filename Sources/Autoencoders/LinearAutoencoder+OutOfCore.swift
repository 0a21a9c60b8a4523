import DataFormats
import NeuralNetworks
import Tensors

extension LinearAutoencoder {
    /// Fits the linear autoencoder to data streamed from NPY shards (``ShardStream``), never
    /// all in memory: a first pass gives the columns' means and variances (in Double, Chan et
    /// al.'s pairwise update over blocks) for the preconditioning of
    /// ``fit(_:configuration:using:checkpoints:progress:)``, applied to each batch as it is
    /// read; the held-out rows are the last ⌊f·n⌋ (at most
    /// ``DeepAutoencoder/maximumStreamedHeldOutRows``), kept in memory.
    public static func fit(_ shards: NPYShards, configuration: Configuration, bufferRows: Int = ShardStream.defaultBufferRows,
                           using generator: inout RandomGenerator, checkpoints: CheckpointPolicy? = nil,
                           progress: @escaping (TrainingProgress) throws -> Void = { _ in }) throws -> LinearAutoencoder {
        let (n, d, k) = (shards.rows, shards.columns, configuration.codeSize)
        guard n >= 2 else { throw AutoencoderError("linear autoencoder: needs at least 2 samples, the shards hold \(n)") }
        guard k >= 1, k <= d else { throw AutoencoderError("linear autoencoder: code size \(k) must lie in 1…\(d) (the number of features)") }
        do { try configuration.training.validate() } catch { throw AutoencoderError("linear autoencoder: \(error)") }
        // Means and scatter per column, merged block by block (Chan, Golub & LeVeque 1979).
        var count = 0.0
        var means = [Double](repeating: 0, count: d), scatter = [Double](repeating: 0, count: d)
        try ShardStream(shards, bufferRows: bufferRows).forEachBlock { block in
            try checkTrainableMagnitude(block, method: "linear autoencoder")
            let m = Double(block.rows)
            let blockVariances = FeatureScaling.columnVariances(block)
            block.withUnsafeBufferPointer { x in
                for j in 0..<d {
                    var sum = 0.0
                    for row in 0..<block.rows { sum += Double(x[row * d + j]) }
                    let blockMean = sum / m, delta = blockMean - means[j]
                    scatter[j] += blockVariances[j] * m + delta * delta * count * m / (count + m)
                    means[j] += delta * m / (count + m)
                }
            }
            count += m
        }
        let (mean, deviation, meanVariance) = preconditioning(means: means, variances: scatter.map { $0 / Double(n) })
        let sigma = Tensor(deviation.map(Float.init))
        let heldOutRows = Swift.min(DeepAutoencoder.maximumStreamedHeldOutRows, configuration.training.heldOutFraction > 0
                                    ? Swift.max(1, Int(configuration.training.heldOutFraction * Double(n))) : 0)
        let training = try ShardStream(shards, heldOutRows: heldOutRows, bufferRows: bufferRows).mapped(columns: d) { ($0 - mean) / sigma }
        let resumed = try CheckpointPolicy.resumed(checkpoints, method: methodName, configuration: configuration)
        return try train(training, heldOut: try training.heldOut(), mean: mean, deviation: deviation, meanVariance: meanVariance,
                         configuration: configuration, resumed: resumed, using: &generator, checkpoints: checkpoints, progress: progress)
    }
}
