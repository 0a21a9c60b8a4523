import ArgumentParser
import Foundation
import Latent

extension FitMethod {
    /// A trained method's fit streamed from a folder of NPY shards: the shards' range (for the
    /// method's defaults), checkpoints and processes as for data in memory, then the model written
    /// by rank 0 and its training error from one more pass. Options that need the data in memory
    /// are refused.
    ///
    /// `fit` gets the shards, their range of values, the run's context (checkpoints, parts,
    /// progress) and generator; `results` gives the method's own result keys.
    func fitStreamed<M: Autoencoder>(
        _ folder: String, trainingOptions: TrainingOptions, stream: StreamOptions,
        fit: (_ shards: NPYShards, _ range: (low: Float, high: Float), _ context: FitContext, _ generator: inout RandomGenerator) throws -> M,
        results: (M) -> any MethodReport = { _ in NoReport() }
    ) throws {
        let (common, method) = (self.common, Self.methodName)
        let (group, parts, display, shards) = try openShards(
            folder, reading: "training streams", scaling: "scale the shards beforehand (the networks standardize or model data outside [0, 1] themselves)",
            announce: "streaming \(folder)")
        let summary = try shards.summary(method: method, moments: false, parts: parts)
        let (low, high) = (summary.low, summary.high)
        var checkpoints = try trainingOptions.checkpoints(besideModel: common.output)
        checkpoints.writes = group.isLeader
        let interruption = InterruptionMonitor()
        var generator = RandomGenerator(seed: common.seed)
        let start = Date()
        let context = FitContext(checkpoints: checkpoints, parts: parts) { p in
            try interruption?.check()
            display.training(p)
        }
        let model = try withCheckpointContext(checkpoints) { try fit(shards, (low, high), context, &generator) }
        let seconds = Date().timeIntervalSince(start)
        if group.isLeader {
            var file = try model.modelFile()
            file.metadata[SafeTensorsFile.commandKey] = invocation()
            try file.write(to: common.output)
            display.finish("fitted \(method) from shards in \(formatDuration(seconds)); model written to \(common.output)")
        }
        // The training error, one more pass (each process over its parts): Σ‖x − x̂‖² in Double.
        let sse = try model.distortion(of: shards, parts: parts)
        // What each process read of the shards (rows, every pass and batch counted).
        let rowsRead = try group.gathered(Double(shards.rowsRead)).map { Int($0) }
        guard group.isLeader else { return }
        var result = FitResult.streamed(method: method, model: common.output, shards: shards, codeSize: model.codeSize, seconds: seconds, sse: sse)
        (result.shuffleBuffer, result.rowsRead) = (stream.bufferRows, rowsRead)
        result.record(parts, of: group)
        try printResult(Merged(result, model.trainingHistory.map(TrainingSummary.init), results(model)), json: common.outputOptions.json)
    }
}

/// How a fit streams data given as a folder of NPY shards.
struct StreamOptions: ParsableArguments {
    @Option(help: ArgumentHelp("With --data a folder of NPY shards: rows shuffled together as they stream (memory: this many rows).",
                               discussion: "Default: 16384."))
    var shuffleBuffer: Int?

    /// The shuffle buffer's rows.
    var bufferRows: Int { shuffleBuffer ?? ShardStream.defaultBufferRows }

    func validate() throws {
        if let shuffleBuffer, shuffleBuffer < 1 { throw ValidationError("--shuffle-buffer must be at least 1 row, got \(shuffleBuffer)") }
    }
}
