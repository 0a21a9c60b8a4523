import DataFormats
import NeuralNetworks
import Tensors

extension VariationalAutoencoder {
    /// Fits the VAE to data streamed from NPY shards (``ShardStream``), never all in memory:
    /// batches come through a shuffle buffer of `bufferRows` rows from shards in a drawn order;
    /// the held-out rows are the last ⌊f·n⌋ (at most
    /// ``DeepAutoencoder/maximumStreamedHeldOutRows``), kept in memory. A first pass checks
    /// the range a likelihood needs ([0, 1] for the Bernoulli ones). Unconditional only: the
    /// shards hold values, not labels.
    public static func fit(_ shards: NPYShards, configuration: Configuration, bufferRows: Int = ShardStream.defaultBufferRows,
                           using generator: inout RandomGenerator, checkpoints: CheckpointPolicy? = nil,
                           progress: @escaping (TrainingProgress) throws -> Void = { _ in }) throws -> VariationalAutoencoder {
        guard configuration.conditionClasses == 0 else {
            throw AutoencoderError("vae: a conditional VAE needs labels, which shards do not hold; train it on data in memory")
        }
        let d = shards.columns
        try configuration.validate(features: d)
        let training = try ShardStream.training(shards, method: "vae",
                                                unitInterval: configuration.likelihood.needsUnitInterval ? ("the \(configuration.likelihood.rawValue) likelihood", "--likelihood gaussian") : nil,
                                                training: configuration.training, bufferRows: bufferRows, parts: checkpoints?.parts ?? .serial)
        let resumed = try CheckpointPolicy.resumed(checkpoints, method: methodName, configuration: configuration)
        return try train(training, heldOut: try training.heldOut(), features: d, configuration: configuration, resumed: resumed, using: &generator,
                         checkpoints: checkpoints, progress: progress)
    }
}
