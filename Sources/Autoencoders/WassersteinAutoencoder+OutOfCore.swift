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
        try configuration.validate(features: shards.columns)
        let training = try ShardStream.training(shards, method: methodName, unitInterval: configuration.loss == .binaryCrossEntropy ? ("the bce loss", "--loss mse") : nil,
                                                training: configuration.training, bufferRows: bufferRows)
        let resumed = try CheckpointPolicy.resumed(checkpoints, method: methodName, configuration: configuration)
        return try train(training, heldOut: try training.heldOut(), configuration: configuration, resumed: resumed, using: &generator,
                         checkpoints: checkpoints, progress: progress)
    }
}
