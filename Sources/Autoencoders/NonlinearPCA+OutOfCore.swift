import DataFormats
import NeuralNetworks
import Tensors

extension NonlinearPCA {
    /// Fits nonlinear PCA to data streamed from NPY shards (``ShardStream``), never all in
    /// memory: a first pass gives the columns' means and deviations (in Double, Chan et al.'s
    /// update; constant columns scaled by 1), applied to each batch as it is read; with
    /// sequential extraction each factor trains on the residuals of the ones before it, computed
    /// batch by batch. The held-out rows are the last ⌊f·n⌋ (at most
    /// ``DeepAutoencoder/maximumStreamedHeldOutRows``), kept in memory.
    public static func fit(_ shards: NPYShards, configuration: Configuration, bufferRows: Int = ShardStream.defaultBufferRows,
                           using generator: inout RandomGenerator, checkpoints: CheckpointPolicy? = nil,
                           progress: @escaping (TrainingProgress) throws -> Void = { _ in }) throws -> NonlinearPCA {
        let (n, d) = (shards.rows, shards.columns)
        guard n >= 2 else { throw AutoencoderError("nonlinear PCA: needs at least 2 samples, the shards hold \(n)") }
        try configuration.validate(features: d)
        let parts = checkpoints?.parts ?? .serial
        let (means, variances) = try ShardStream(shards, bufferRows: bufferRows, parts: parts).moments(parts) {
            try checkTrainableMagnitude($0, method: "nonlinear PCA")
        }
        let mean = Tensor(means.map(Float.init))
        let scale = Tensor(variances.map { $0 > 0 ? Float($0.squareRoot()) : 1 })
        let heldOutRows = DeepAutoencoder.streamedHeldOutRows(configuration.training, rows: n)
        let training = try ShardStream(shards, heldOutRows: heldOutRows, bufferRows: bufferRows, parts: parts).mapped(columns: d) { ($0 - mean) / scale }
        let resumed = try CheckpointPolicy.resumed(checkpoints, method: methodName, configuration: configuration)
        return try train(training, heldOut: try training.heldOut(), mean: mean, scale: scale, configuration: configuration, resumed: resumed,
                         using: &generator, checkpoints: checkpoints, progress: progress)
    }
}
