import Foundation
import Latent

extension FitPCA {
    /// `latent fit pca --data FOLDER` of NPY shards: two passes over blocks for the model (one
    /// with `--solver incremental`, which never forms the D × D covariance), another for its
    /// error, never the whole data in memory (peak: one block of 4 096 rows and the D × D
    /// covariance, or the incremental state). Options that need the data in memory are refused.
    func fitOutOfCore(_ folder: String) throws {
        ComputeSettings.current = try common.compute.settings()
        for (given, option) in [(common.scale.map { $0 != .none } ?? false, "--scale"), (common.test != nil, "--test"),
                                (common.dataOptions.labels != nil, "--labels"), (solver == .randomized, "--solver randomized")] where given {
            throw ValidationErrorText("\(option) is not available for data in shards (\(folder)), which PCA reads block by block; scale the shards beforehand, or evaluate a test set with `latent evaluate`")
        }
        let group = ProcessGroup.current
        let parts = try group.parts(requested: common.parts)
        if parts.isSplit, solver != .exact {
            throw ValidationErrorText("PCA of shards in parts or across processes (--parts, mpirun) uses the exact solver, whose statistics are sums")
        }
        // Every process reads its parts' rows; rank 0 alone reports, writes and prints.
        let display = ProgressDisplay(quiet: common.outputOptions.quiet || !group.isLeader)
        let shards = try NPYShards(opening: folder)
        display.finish("reading \(folder) block by block: \(shards.rows) samples × \(shards.columns) features in \(shards.shards.count) shards")
        let start = Date()
        let components: PCA.Configuration.Components = varianceFraction.map { .varianceFraction($0) } ?? .count(codeSize!)
        let configuration = PCA.Configuration(components: components, solver: solver, whiten: whiten)
        let report = { (done: Int, total: Int) in
            let elapsed = Date().timeIntervalSince(start), fraction = Double(done) / Double(total)
            display.update(String(format: "PCA out of core (%@): %@ of %d rows read, %@ elapsed, ETA %@", solver == .incremental ? "incremental, 1 pass" : "2 passes",
                                  "\(done)", total, formatDuration(elapsed), formatDuration(elapsed / max(fraction, 1e-9) * (1 - fraction))), fraction: fraction)
        }
        var generator = RandomGenerator(seed: common.seed)
        let pca = try PCA.fit(shards, configuration: configuration, using: &generator, context: FitContext(parts: parts), progress: report)
        let seconds = Date().timeIntervalSince(start)
        // The training error, one more pass, each process over its parts' rows.
        let sse = try pca.distortion(of: shards, parts: parts)
        guard group.isLeader else { return }
        var file = try pca.modelFile()
        file.metadata[SafeTensorsFile.commandKey] = invocation()
        try file.write(to: common.output)
        display.finish("fitted pca out of core in \(formatDuration(seconds)); model written to \(common.output)")
        var result = FitResult.streamed(method: Self.methodName, model: common.output, shards: shards, codeSize: pca.codeSize, seconds: seconds, sse: sse)
        result.record(parts, of: group)
        try printResult(Merged(result, MethodResults(explainedVarianceRatio: pca.explainedVarianceRatio.sumInDouble())), json: common.outputOptions.json)
    }
}
