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
        let (n, d) = (shards.rows, shards.columns)
        guard n >= 2 else { throw AutoencoderError("vae: needs at least 2 samples, the shards hold \(n)") }
        guard configuration.conditionClasses == 0 else {
            throw AutoencoderError("vae: a conditional VAE needs labels, which shards do not hold; train it on data in memory")
        }
        try configuration.validate(features: d)
        let parts = checkpoints?.parts ?? .serial
        let (low, high) = try ShardStream(shards, bufferRows: bufferRows, parts: parts).range(parts) { try checkTrainableMagnitude($0, method: "vae") }
        if configuration.likelihood.needsUnitInterval, low < 0 || high > 1 {
            throw AutoencoderError("vae: the \(configuration.likelihood.rawValue) likelihood needs data in [0, 1] (found \(low)…\(high)); scale the shards or use --likelihood gaussian")
        }
        let heldOutRows = DeepAutoencoder.streamedHeldOutRows(configuration.training, rows: n)
        let training = try ShardStream(shards, heldOutRows: heldOutRows, bufferRows: bufferRows, parts: parts)
        let resumed = try CheckpointPolicy.resumed(checkpoints, method: methodName, configuration: configuration)
        return try train(training, heldOut: try training.heldOut(), features: d, configuration: configuration, resumed: resumed, using: &generator,
                         checkpoints: checkpoints, progress: progress)
    }
}
