import DataFormats
import NeuralNetworks
import Tensors

extension AdversarialAutoencoder {
    /// Fits the adversarial autoencoder to data streamed from NPY shards (``ShardStream``), as
    /// ``WassersteinAutoencoder/fit(_:configuration:bufferRows:using:checkpoints:progress:)``
    /// does; unlabelled only (shards hold values, not labels).
    public static func fit(_ shards: NPYShards, configuration: Configuration, bufferRows: Int = ShardStream.defaultBufferRows,
                           using generator: inout RandomGenerator, checkpoints: CheckpointPolicy? = nil,
                           progress: @escaping (TrainingProgress) throws -> Void = { _ in }) throws -> AdversarialAutoencoder {
        guard !configuration.labelledComponents else {
            throw AutoencoderError("\(methodName): labelled components need labels, which shards do not hold; train on data in memory")
        }
        try configuration.validate(features: shards.columns)
        let training = try ShardStream.training(shards, method: methodName, unitInterval: configuration.loss == .binaryCrossEntropy ? ("the bce loss", "--loss mse") : nil,
                                                training: configuration.training, bufferRows: bufferRows)
        let resumed = try CheckpointPolicy.resumed(checkpoints, method: methodName, configuration: configuration)
        return try train(training, heldOut: try training.heldOut(), features: shards.columns, labelColumns: 0, configuration: configuration,
                         resumed: resumed, using: &generator, checkpoints: checkpoints, progress: progress)
    }
}
