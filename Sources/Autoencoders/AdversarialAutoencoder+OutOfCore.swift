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
        let n = shards.rows
        guard n >= 2 else { throw AutoencoderError("\(methodName): needs at least 2 samples, the shards hold \(n)") }
        guard !configuration.labelledComponents else {
            throw AutoencoderError("\(methodName): labelled components need labels, which shards do not hold; train on data in memory")
        }
        try configuration.validate(features: shards.columns)
        let (low, high) = try ShardStream(shards, bufferRows: bufferRows).range { try checkTrainableMagnitude($0, method: methodName) }
        if configuration.loss == .binaryCrossEntropy, low < 0 || high > 1 {
            throw AutoencoderError("\(methodName): the bce loss needs data in [0, 1] (found \(low)…\(high)); scale the shards or use --loss mse")
        }
        let training = try ShardStream(shards, heldOutRows: DeepAutoencoder.streamedHeldOutRows(configuration.training, rows: n), bufferRows: bufferRows)
        let resumed = try CheckpointPolicy.resumed(checkpoints, method: methodName, configuration: configuration)
        return try train(training, heldOut: try training.heldOut(), features: shards.columns, labelColumns: 0, configuration: configuration,
                         resumed: resumed, using: &generator, checkpoints: checkpoints, progress: progress)
    }
}
