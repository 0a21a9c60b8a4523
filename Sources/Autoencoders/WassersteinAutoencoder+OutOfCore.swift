import DataFormats
import NeuralNetworks
import Tensors

extension WassersteinAutoencoder {
    /// Fits the WAE to data streamed from NPY shards (``ShardStream``), never all in memory:
    /// batches come through a shuffle buffer of `bufferRows` rows from shards in a drawn order
    /// (the MMD penalty compares each batch's codes with prior draws, as in memory); the
    /// held-out rows are the last ⌊f·n⌋ (at most ``DeepAutoencoder/maximumStreamedHeldOutRows``).
    /// A first pass checks the range the bce loss needs.
    public static func fit(_ shards: NPYShards, configuration: Configuration, bufferRows: Int = ShardStream.defaultBufferRows,
                           using generator: inout RandomGenerator, checkpoints: CheckpointPolicy? = nil,
                           progress: @escaping (TrainingProgress) throws -> Void = { _ in }) throws -> WassersteinAutoencoder {
        let n = shards.rows
        guard n >= 2 else { throw AutoencoderError("\(methodName): needs at least 2 samples, the shards hold \(n)") }
        try configuration.validate(features: shards.columns)
        let (low, high) = try ShardStream(shards, bufferRows: bufferRows).range { try checkTrainableMagnitude($0, method: methodName) }
        if configuration.loss == .binaryCrossEntropy, low < 0 || high > 1 {
            throw AutoencoderError("\(methodName): the bce loss needs data in [0, 1] (found \(low)…\(high)); scale the shards or use --loss mse")
        }
        let training = try ShardStream(shards, heldOutRows: DeepAutoencoder.streamedHeldOutRows(configuration.training, rows: n), bufferRows: bufferRows)
        let resumed = try CheckpointPolicy.resumed(checkpoints, method: methodName, configuration: configuration)
        return try train(training, heldOut: try training.heldOut(), configuration: configuration, resumed: resumed, using: &generator,
                         checkpoints: checkpoints, progress: progress)
    }
}
