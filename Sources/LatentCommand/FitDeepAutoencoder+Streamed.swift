import Foundation
import Latent

extension FitDeepAutoencoder {
    /// `latent fit deep-autoencoder --data FOLDER` of NPY shards: every stage streams its
    /// batches from the shards through a shuffle buffer (``ShardStream``), never the whole data
    /// in memory; the network standardizes data outside [0, 1] itself (``fitStreamed``).
    func fitStreamed(_ folder: String) throws {
        try fitStreamed(folder, trainingOptions: trainingOptions, stream: stream) {
            shards, range, checkpoints, generator, progress in
            // The range decides the units, the loss and whether the network standardizes.
            let configuration = try self.configuration(features: shards.columns, unitInterval: range.low >= 0 && range.high <= 1, inputScaling: nil)
            return try DeepAutoencoder.fit(shards, configuration: configuration, bufferRows: stream.bufferRows,
                                           using: &generator, checkpoints: checkpoints, progress: progress)
        } extra: { model in
            var extra: [String: Any] = ["scale": model.configuration.inputScaling == .standardize ? "standardize (in the network)" : "none"]
            if !model.pretrainingErrors.isEmpty { extra["pretraining_reconstruction_error"] = model.pretrainingErrors.map { Double($0.last ?? .nan) } }
            return extra
        }
    }
}
