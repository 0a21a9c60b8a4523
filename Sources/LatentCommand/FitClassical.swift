import ArgumentParser
import Foundation
import Latent

extension PCA: FittedByCommand { static var fitCommand: any ParsableCommand.Type { FitPCA.self } }

/// `latent fit pca`: principal components by the exact, randomized or incremental solver.
struct FitPCA: FitMethod {
    static let configuration = CommandConfiguration(
        commandName: "pca", abstract: "Principal component analysis: the optimal linear autoencoder (closed form).")
    static let splits = true

    @OptionGroup var common: FitOptions
    @Option(help: .hyperparameter(\PCA.Configuration.codeSize)) var codeSize: Int?
    @Option(help: .hyperparameter(\PCA.Configuration.varianceFraction)) var varianceFraction: Double?
    @Option(help: .hyperparameter(\PCA.Configuration.solver)) var solver: PCA.Configuration.Solver = PCA.Configuration.defaults.solver
    @Flag(help: .hyperparameter(\PCA.Configuration.whiten)) var whiten = false

    func validate() throws {
        if (codeSize == nil) == (varianceFraction == nil) { throw ValidationError("pca needs exactly one of --code-size and --variance-fraction") }
        try checkDeclaredRanges(configuration, method: PCA.methodName)
    }

    var configuration: PCA.Configuration {
        PCA.Configuration(components: varianceFraction.map { .varianceFraction($0) } ?? .count(codeSize!), solver: solver, whiten: whiten)
    }

    /// Data in NPY shards are read block by block (two passes for the model, one with
    /// `--solver incremental`, which never forms the D × D covariance; another for its error);
    /// anything else is fitted in memory. The same ``PCA/fit(_:configuration:using:context:settings:progress:)`` serves both.
    func run() throws {
        guard case .file(let folder, .npyShards) = try DatasetSpec(parsing: common.data) else { return try fitInMemory() }
        try fitShards(folder, refusing: [(solver == .randomized, "--solver randomized")]) { shards, parts, display, generator in
            let start = Date()
            let pca = try PCA.fit(shards, configuration: configuration, using: &generator, context: FitContext(parts: parts)) { done, total in
                let elapsed = Date().timeIntervalSince(start), fraction = Double(done) / Double(total)
                display.update(String(format: "PCA out of core (%@): %d of %d rows read, %@ elapsed, ETA %@", solver == .incremental ? "incremental, 1 pass" : "2 passes",
                                      done, total, formatDuration(elapsed), formatDuration(elapsed / max(fraction, 1e-9) * (1 - fraction))), fraction: fraction)
            }
            return (pca, Report(explainedVarianceRatio: pca.explainedVarianceRatio.sumInDouble()))
        }
    }

    /// The fraction of the variance the kept components explain (in the space PCA was fitted in).
    struct Report: MethodReport {
        var explainedVarianceRatio: Double
        enum CodingKeys: String, CodingKey { case explainedVarianceRatio = "explained_variance_ratio" }
        var modelSpaceKeys: [String] { [CodingKeys.explainedVarianceRatio.rawValue] }
    }

    func fit(_ context: FitInputs, using generator: inout RandomGenerator) throws -> (model: any Autoencoder, extra: any MethodReport) {
        context.display.update("fitting PCA (\(solver.rawValue) solver)", force: true)
        let pca = try PCA.fit(context.samples, configuration: configuration, using: &generator, context: FitContext(parts: context.parts))
        return (pca, Report(explainedVarianceRatio: pca.explainedVarianceRatio.sumInDouble()))
    }
}

extension KMeans: FittedByCommand { static var fitCommand: any ParsableCommand.Type { FitKMeans.self } }

/// `latent fit kmeans`: k-means clustering, the autoencoder with a discrete code.
struct FitKMeans: FitMethod {
    static let configuration = CommandConfiguration(
        commandName: "kmeans", abstract: "k-means clustering: the code is the nearest centroid's index (Lloyd, or mini-batch).")
    static let splits = true

    @OptionGroup var common: FitOptions
    @Option(help: .hyperparameter(\KMeans.Configuration.clusters)) var clusters: Int
    @Option(name: .customLong("init"), help: .hyperparameter(\KMeans.Configuration.initialization)) var initialization: KMeans.Configuration.Initialization?
    @Option(help: .hyperparameter(\KMeans.Configuration.initializations)) var initializations: Int?
    @Option(help: .hyperparameter(\KMeans.Configuration.miniBatchSize)) var miniBatch: Int?
    @Option(help: .hyperparameter(\KMeans.Configuration.maximumIterations)) var maxIterations: Int?
    @Option(help: .hyperparameter(\KMeans.Configuration.tolerance)) var tolerance: Double?
    @OptionGroup var stream: StreamOptions

    func validate() throws {
        try checkDeclaredRanges(configuration, method: KMeans.methodName)
    }

    var configuration: KMeans.Configuration {
        let defaults = KMeans.Configuration.defaults
        return KMeans.Configuration(clusters: clusters, initialization: initialization ?? defaults.initialization,
                                    algorithm: miniBatch.map { .miniBatch(batchSize: $0) } ?? .lloyd, initializations: initializations ?? defaults.initializations,
                                    maximumIterations: maxIterations ?? defaults.maximumIterations, tolerance: tolerance ?? defaults.tolerance)
    }

    /// Data in NPY shards are read block by block (an iteration is a pass; mini-batch passes
    /// shuffle rows through `--shuffle-buffer`), anything else is fitted in memory: the same
    /// ``KMeans/fit(_:configuration:using:context:progress:)`` serves both.
    func run() throws {
        guard case .file(let folder, .npyShards) = try DatasetSpec(parsing: common.data) else { return try fitInMemory() }
        try fitShards(folder) { shards, parts, display, generator in
            let start = Date()
            let kmeans = try KMeans.fit(StreamedShards(shards, bufferRows: stream.bufferRows), configuration: configuration, using: &generator,
                                        context: FitContext(parts: parts)) { report($0, rows: shards.rows, display: display, start: start) }
            return (kmeans, Report(iterations: kmeans.inertiaHistory.count))
        }
    }

    /// The iterations of the kept run.
    struct Report: MethodReport {
        var iterations: Int
    }

    func fit(_ context: FitInputs, using generator: inout RandomGenerator) throws -> (model: any Autoencoder, extra: any MethodReport) {
        let kmeans = try KMeans.fit(context.samples, configuration: configuration, using: &generator, context: FitContext(parts: context.parts)) {
            report($0, rows: context.samples.rows, display: context.display, start: context.start)
        }
        return (kmeans, Report(iterations: kmeans.inertiaHistory.count))
    }

    /// Shows an iteration on the progress line.
    func report(_ step: KMeans.Iteration, rows: Int, display: ProgressDisplay, start: Date) {
        let inertia = step.inertia.map { String(format: ", inertia per sample %.4f", $0 / Double(rows)) } ?? ""
        display.update(String(format: "k-means run %d/%d, iteration %d%@, centroids moved %.3g, %@ elapsed", step.run, configuration.initializations,
                              step.iteration, inertia, step.shift, formatDuration(Date().timeIntervalSince(start))))
    }
}
