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
        let parts = checkpoints?.parts ?? .serial
        let (means, variances) = try ShardStream(shards, bufferRows: bufferRows, parts: parts).moments(parts) {
            try checkTrainableMagnitude($0, method: "linear autoencoder")
        }
        let (mean, deviation, meanVariance) = preconditioning(means: means, variances: variances)
        let sigma = Tensor(deviation.map(Float.init))
        let heldOutRows = DeepAutoencoder.streamedHeldOutRows(configuration.training, rows: n)
        let training = try ShardStream(shards, heldOutRows: heldOutRows, bufferRows: bufferRows, parts: parts).mapped(columns: d) { ($0 - mean) / sigma }
        let resumed = try CheckpointPolicy.resumed(checkpoints, method: methodName, configuration: configuration)
        return try train(training, heldOut: try training.heldOut(), mean: mean, deviation: deviation, meanVariance: meanVariance,
                         configuration: configuration, resumed: resumed, using: &generator, checkpoints: checkpoints, progress: progress)
    }
}
