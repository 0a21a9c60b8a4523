import Foundation
import Latent

extension FitKMeans {
    /// `latent fit kmeans --data FOLDER --mini-batch B` of NPY shards: mini-batch passes over
    /// the stream, then an exact assignment pass (``KMeans/fit(_:configuration:bufferRows:using:progress:)``),
    /// never the whole data in memory. Options that need the data in memory are refused.
    func fitOutOfCore(_ folder: String) throws {
        ComputeSettings.current = try common.compute.settings()
        for (given, option) in [(common.scale.map { $0 != .none } ?? false, "--scale"), (common.test != nil, "--test"),
                                (common.dataOptions.labels != nil, "--labels")] where given {
            throw ValidationErrorText("\(option) is not available for data in shards (\(folder)), which k-means streams; scale the shards beforehand, or evaluate a test set with `latent evaluate`")
        }
        guard let miniBatch else {
            throw ValidationErrorText("k-means of data in shards (\(folder)) runs mini-batch k-means, whose passes stream the shards: add --mini-batch B (e.g. 1024)")
        }
        guard ProcessGroup.current.size == 1, (common.parts ?? 1) == 1 else {
            throw ValidationErrorText("mini-batch k-means of shards runs as one process; across processes, Lloyd's algorithm on data in memory")
        }
        let display = ProgressDisplay(quiet: common.outputOptions.quiet)
        let shards = try NPYShards(opening: folder)
        display.finish("streaming \(folder): \(shards.rows) samples × \(shards.columns) features in \(shards.shards.count) shards")
        let configuration = KMeans.Configuration(clusters: clusters, initialization: initialization, algorithm: .miniBatch(batchSize: miniBatch),
                                                 initializations: initializations, maximumIterations: maxIterations)
        var generator = RandomGenerator(seed: common.seed)
        let start = Date()
        let kmeans = try KMeans.fit(shards, configuration: configuration, using: &generator) { pass, shift in
            display.update(String(format: "mini-batch k-means: pass %d over %d rows, centroids moved %.3g, %@ elapsed", pass, shards.rows, shift,
                                  formatDuration(Date().timeIntervalSince(start))), force: true)
        }
        let seconds = Date().timeIntervalSince(start)
        var file = try kmeans.modelFile()
        file.metadata[SafeTensorsFile.commandKey] = invocation()
        try file.write(to: common.output)
        display.finish("fitted kmeans from shards in \(formatDuration(seconds)); model written to \(common.output)")
        try printResult(FitResult.streamed(method: Self.methodName, model: common.output, shards: shards, codeSize: kmeans.codeSize, seconds: seconds,
                                           sse: kmeans.inertia), json: common.outputOptions.json)
    }
}
