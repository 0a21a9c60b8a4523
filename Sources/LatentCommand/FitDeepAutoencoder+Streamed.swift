import Foundation
import Latent

extension FitDeepAutoencoder {
    /// `latent fit deep-autoencoder --data FOLDER` of NPY shards: every stage streams its
    /// batches from the shards through a shuffle buffer (``ShardStream``), never the whole data
    /// in memory; a pass for the data's range first, one for the training error last. Options
    /// that need the data in memory are refused.
    func fitStreamed(_ folder: String) throws {
        let common = self.common
        ComputeSettings.current = try common.compute.settings()
        for (given, option) in [(common.scale.map { $0 != .none } ?? false, "--scale"), (common.test != nil, "--test"),
                                (common.dataOptions.labels != nil, "--labels")] where given {
            throw ValidationErrorText("\(option) is not available for data in shards (\(folder)), which training streams; scale the shards beforehand "
                                      + "(the network standardizes data outside [0, 1] itself), or evaluate a test set with `latent evaluate`")
        }
        if let shuffleBuffer, shuffleBuffer < 1 { throw ValidationErrorText("--shuffle-buffer must be at least 1 row, got \(shuffleBuffer)") }
        let group = ProcessGroup.current
        let parts = try group.parts(requested: common.parts)
        let display = ProgressDisplay(quiet: common.outputOptions.quiet || !group.isLeader)
        let shards = try NPYShards(folder: folder)
        display.finish("streaming \(folder): \(shards.rows) samples × \(shards.columns) features in \(shards.shards.count) shards")
        // The range decides the units, the loss and whether the network standardizes.
        var (low, high) = (Float.infinity, -Float.infinity)
        try ShardStream(shards).forEachBlock { block in (low, high) = (min(low, block.min()), max(high, block.max())) }
        let configuration = try self.configuration(features: shards.columns, unitInterval: low >= 0 && high <= 1, inputScaling: nil)
        var checkpoints = try trainingOptions.checkpoints(besideModel: common.output)
        (checkpoints.writes, checkpoints.parts) = (group.isLeader, parts)
        let interruption = InterruptionMonitor()
        var generator = RandomGenerator(seed: common.seed)
        let start = Date()
        let bufferRows = shuffleBuffer ?? ShardStream.defaultBufferRows
        let model = try withCheckpointContext(checkpoints) {
            try DeepAutoencoder.fit(shards, configuration: configuration, bufferRows: bufferRows, using: &generator, checkpoints: checkpoints) { p in
                try interruption.check()
                display.update(trainingProgressLine(p), fraction: trainingFraction(p), force: p.isEpochEnd)
            }
        }
        let seconds = Date().timeIntervalSince(start)
        guard group.isLeader else { return }
        var file = try model.modelFile()
        file.metadata[SafeTensorsFile.commandKey] = invocation()
        try file.write(to: common.output)
        display.finish("fitted deep-autoencoder from shards in \(formatDuration(seconds)); model written to \(common.output)")
        // The training error, one more pass: Σ‖x − x̂‖² in Double.
        var sse = 0.0
        try ShardStream(shards).forEachBlock { block in sse += try model.distortion(block) }
        var result: [String: Any] = [
            "method": Self.methodName, "model": common.output, "samples": shards.rows, "features": shards.columns, "code_size": model.codeSize,
            "seconds": seconds, "sse_per_sample": sse / Double(shards.rows), "mse_per_feature": sse / Double(shards.rows * shards.columns),
            "scale": configuration.inputScaling == .standardize ? "standardize (in the network)" : FeatureScaling.Kind.none.rawValue,
            "out_of_core": true, "shards": shards.shards.count, "shuffle_buffer": bufferRows,
        ]
        if parts.isSplit { result.merge(["processes": group.size, "parts": parts.parts]) { first, _ in first } }
        if let history = model.trainingHistory { result.merge(trainingSummary(history)) { first, _ in first } }
        if !model.pretrainingErrors.isEmpty { result["pretraining_reconstruction_error"] = model.pretrainingErrors.map { Double($0.last ?? .nan) } }
        try printResult(result, json: common.outputOptions.json)
    }
}
