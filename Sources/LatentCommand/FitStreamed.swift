import Foundation
import Latent

/// A trained method's fit streamed from a folder of NPY shards: the shards' range (for the
/// method's defaults), checkpoints and processes as for data in memory, then the model written
/// by rank 0 and its training error from one more pass. Options that need the data in memory
/// are refused.
///
/// `fit` gets the shards, their range of values, the checkpoint policy, the run's generator and
/// the progress reporter.
func fitStreamed<M: Autoencoder>(
    _ folder: String, method: String, common: FitOptions, trainingOptions: TrainingOptions, shuffleBuffer: Int?,
    fit: (_ shards: NPYShards, _ range: (low: Float, high: Float), _ checkpoints: CheckpointPolicy, _ generator: inout RandomGenerator,
          _ progress: @escaping (TrainingProgress) throws -> Void) throws -> M,
    extra: (M) -> [String: Any] = { _ in [:] }
) throws {
    ComputeSettings.current = try common.compute.settings()
    for (given, option) in [(common.scale.map { $0 != .none } ?? false, "--scale"), (common.test != nil, "--test"),
                            (common.dataOptions.labels != nil, "--labels")] where given {
        throw ValidationErrorText("\(option) is not available for data in shards (\(folder)), which training streams; scale the shards beforehand "
                                  + "(the networks standardize or model data outside [0, 1] themselves), or evaluate a test set with `latent evaluate`")
    }
    if let shuffleBuffer, shuffleBuffer < 1 { throw ValidationErrorText("--shuffle-buffer must be at least 1 row, got \(shuffleBuffer)") }
    let group = ProcessGroup.current
    let parts = try group.parts(requested: common.parts)
    let display = ProgressDisplay(quiet: common.outputOptions.quiet || !group.isLeader)
    let shards = try NPYShards(folder: folder)
    display.finish("streaming \(folder): \(shards.rows) samples × \(shards.columns) features in \(shards.shards.count) shards")
    var (low, high) = (Float.infinity, -Float.infinity)
    try ShardStream(shards).forEachBlock { block in (low, high) = (min(low, block.min()), max(high, block.max())) }
    var checkpoints = try trainingOptions.checkpoints(besideModel: common.output)
    (checkpoints.writes, checkpoints.parts) = (group.isLeader, parts)
    let interruption = InterruptionMonitor()
    var generator = RandomGenerator(seed: common.seed)
    let start = Date()
    let model = try withCheckpointContext(checkpoints) {
        try fit(shards, (low, high), checkpoints, &generator) { p in
            try interruption.check()
            display.update(trainingProgressLine(p), fraction: trainingFraction(p), force: p.isEpochEnd)
        }
    }
    let seconds = Date().timeIntervalSince(start)
    guard group.isLeader else { return }
    var file = try model.modelFile()
    file.metadata[SafeTensorsFile.commandKey] = invocation()
    try file.write(to: common.output)
    display.finish("fitted \(method) from shards in \(formatDuration(seconds)); model written to \(common.output)")
    // The training error, one more pass: Σ‖x − x̂‖² in Double.
    var sse = 0.0
    try ShardStream(shards).forEachBlock { block in sse += try model.distortion(block) }
    var result: [String: Any] = [
        "method": method, "model": common.output, "samples": shards.rows, "features": shards.columns, "code_size": model.codeSize,
        "seconds": seconds, "sse_per_sample": sse / Double(shards.rows), "mse_per_feature": sse / Double(shards.rows * shards.columns),
        "scale": FeatureScaling.Kind.none.rawValue, "out_of_core": true, "shards": shards.shards.count,
        "shuffle_buffer": shuffleBuffer ?? ShardStream.defaultBufferRows,
    ]
    if parts.isSplit { result.merge(["processes": group.size, "parts": parts.parts]) { first, _ in first } }
    if let history = model.trainingHistory { result.merge(trainingSummary(history)) { first, _ in first } }
    result.merge(extra(model)) { _, new in new }
    try printResult(result, json: common.outputOptions.json)
}
