import ArgumentParser
import Foundation
import Latent

/// `latent fit pca`: principal components by the exact, randomized or incremental solver.
struct FitPCA: FitMethod {
    static let configuration = CommandConfiguration(
        commandName: "pca", abstract: "Principal component analysis: the optimal linear autoencoder (closed form).")
    static let splits = true

    @OptionGroup var common: FitOptions
    @Option(help: "Components to keep.") var codeSize: Int?
    @Option(help: "Keep the fewest components that explain this fraction of the variance (instead of --code-size).")
    var varianceFraction: Double?
    @Option(help: "exact, randomized (Halko et al. 2011) or incremental (Ross et al. 2008: no D × D matrix, for very many features).") var solver: PCA.Configuration.Solver = PCA.Configuration(components: .count(1)).solver
    @Flag(help: "Scale codes to unit variance.") var whiten = false

    func validate() throws {
        if (codeSize == nil) == (varianceFraction == nil) { throw ValidationError("pca needs exactly one of --code-size and --variance-fraction") }
    }

    /// Data in NPY shards are fitted out of core (``PCA/fit(_:configuration:settings:progress:)``);
    /// anything else in memory.
    func run() throws {
        if case .file(let folder, .npyShards) = try DatasetSpec(parsing: common.data) { try fitOutOfCore(folder) } else { try fitInMemory() }
    }

    func fit(_ context: FitInputs, using generator: inout RandomGenerator) throws -> (model: any Autoencoder, extra: MethodResults) {
        context.display.update("fitting PCA (\(solver.rawValue) solver)", force: true)
        let components: PCA.Configuration.Components = varianceFraction.map { .varianceFraction($0) } ?? .count(codeSize!)
        let configuration = PCA.Configuration(components: components, solver: solver, whiten: whiten)
        let pca = try PCA.fit(context.samples, configuration: configuration, using: &generator, context: FitContext(parts: context.parts))
        return (pca, MethodResults(explainedVarianceRatio: pca.explainedVarianceRatio.sumInDouble()))
    }
}

/// `latent fit kmeans`: k-means clustering, the autoencoder with a discrete code.
struct FitKMeans: FitMethod {
    static let configuration = CommandConfiguration(
        commandName: "kmeans", abstract: "k-means clustering: the code is the nearest centroid's index (Lloyd, or mini-batch).")
    static let splits = true

    @OptionGroup var common: FitOptions
    @Option(help: "The number of clusters.") var clusters: Int
    @Option(name: .customLong("init"), help: "k-means++ or random.") var initialization: KMeans.Configuration.Initialization = KMeans.Configuration(clusters: 1).initialization
    @Option(help: "Independent runs, the best kept.") var initializations: Int = KMeans.Configuration(clusters: 1).initializations
    @Option(help: "Mini-batch k-means (Sculley 2010) with batches of this size, for large data.") var miniBatch: Int?
    @Option(help: "The most Lloyd iterations per run (with data in shards: passes over them).") var maxIterations: Int = KMeans.Configuration(clusters: 1).maximumIterations

    /// Data in NPY shards are streamed by mini-batch k-means (``fitOutOfCore(_:)``); anything else is fitted in memory.
    func run() throws {
        if case .file(let folder, .npyShards) = try DatasetSpec(parsing: common.data) { try fitOutOfCore(folder) } else { try fitInMemory() }
    }

    func fit(_ context: FitInputs, using generator: inout RandomGenerator) throws -> (model: any Autoencoder, extra: MethodResults) {
        let configuration = KMeans.Configuration(clusters: clusters, initialization: initialization,
                                                 algorithm: miniBatch.map { .miniBatch(batchSize: $0) } ?? .lloyd, initializations: initializations,
                                                 maximumIterations: maxIterations)
        let rows = context.samples.rows
        let kmeans = try KMeans.fit(context.samples, configuration: configuration, using: &generator, parts: context.parts) { run, iteration, inertia in
            context.display.update(String(format: "k-means run %d/%d, iteration %d, inertia per sample %.4f, %@ elapsed", run + 1,
                                          configuration.initializations, iteration, inertia / Double(rows),
                                          formatDuration(Date().timeIntervalSince(context.start))))
        }
        return (kmeans, MethodResults(iterations: kmeans.inertiaHistory.count))
    }
}
