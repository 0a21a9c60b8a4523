import ArgumentParser
import Foundation
import Latent

/// The methods of the command line (DESIGN.md's list); those not built yet say so.
enum MethodName: String, ExpressibleByArgument, CaseIterable {
    case kmeans, pca
    case linearAutoencoder = "linear-autoencoder"
    case nonlinearPCA = "nonlinear-pca"
    case deepAutoencoder = "deep-autoencoder"
    case vae
    case wassersteinAutoencoder = "wasserstein-autoencoder"
    case adversarialAutoencoder = "adversarial-autoencoder"
    case translator
}

extension PCA.Configuration.Solver: ExpressibleByArgument {}
extension KMeans.Configuration.Initialization: ExpressibleByArgument {}

struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit a method to data and save the model.",
        discussion: "Progress goes to stderr, results to stdout (one JSON object with --json).")

    @Argument(help: "kmeans, pca or linear-autoencoder (nonlinear-pca, deep-autoencoder, vae, … arrive with later releases).")
    var method: MethodName

    @Option(help: "Training data: a file or a built-in name (see `latent datasets`).") var data: String
    @Option(help: "Test data, evaluated after fitting.") var test: String?
    @Option(help: "Where to write the model (.safetensors).") var output: String

    @Option(help: "Code width: PCA components, or the linear autoencoder's code size.") var codeSize: Int?
    @Option(help: "k-means: the number of clusters.") var clusters: Int?
    @Option(help: "PCA: keep the fewest components that explain this fraction of the variance (instead of --code-size).")
    var varianceFraction: Double?
    @Option(help: "PCA: exact or randomized.") var solver: PCA.Configuration.Solver = .exact
    @Flag(help: "PCA: scale codes to unit variance.") var whiten = false
    @Option(name: .customLong("init"), help: "k-means: k-means++ or random.") var initialization: KMeans.Configuration.Initialization = .kMeansPlusPlus
    @Option(help: "k-means: independent runs, the best kept.") var initializations: Int = 3
    @Option(help: "k-means: mini-batch k-means (Sculley 2010) with batches of this size, for large data.") var miniBatch: Int?
    @Option(help: "k-means: the most Lloyd iterations per run.") var maxIterations: Int = 300
    @Option(help: "Trained methods: passes over the data.") var epochs: Int?
    @Option(help: "Trained methods: samples per mini-batch.") var batchSize: Int?
    @Option(help: "Trained methods: Adam's step size.") var learningRate: Float?
    @Option(help: "Seed of every random choice: same seed, data and threads, same model.") var seed: UInt64 = 0

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        guard [.kmeans, .pca, .linearAutoencoder].contains(method) else {
            throw ValidationErrorText("latent fit \(method.rawValue): not available yet in this build (available: kmeans, pca, linear-autoencoder)")
        }
        if method != .kmeans, clusters != nil { throw ValidationError("--clusters is for kmeans; use --code-size") }
        if method == .kmeans, codeSize != nil { throw ValidationError("k-means codes are cluster indices; give the number of clusters with --clusters") }
        if method == .pca, (codeSize == nil) == (varianceFraction == nil) { throw ValidationError("pca needs exactly one of --code-size and --variance-fraction") }
        if method == .linearAutoencoder, codeSize == nil { throw ValidationError("linear-autoencoder needs --code-size") }
        if method == .kmeans, clusters == nil { throw ValidationError("kmeans needs --clusters") }
        if !output.lowercased().hasSuffix(".safetensors") { throw ValidationError("--output must end in .safetensors") }
    }

    func run() throws {
        ComputeSettings.current = try compute.settings()
        let display = ProgressDisplay(quiet: outputOptions.quiet)
        let loader = dataOptions.loader
        display.update("loading \(data)", force: true)
        let training = try loader.load(data)
        let testing = try test.map { try loader.load($0) }
        display.finish("loaded \(data): \(training.count) samples × \(training.features) features")
        var generator = RandomGenerator(seed: seed)
        let start = Date()
        var extra: [String: Any] = [:]
        let model: any Autoencoder
        switch method {
        case .pca:
            display.update("fitting PCA (\(solver.rawValue) solver)", force: true)
            let components: PCA.Configuration.Components = varianceFraction.map { .varianceFraction($0) } ?? .count(codeSize!)
            let pca = try PCA.fit(training.samples, configuration: .init(components: components, solver: solver, whiten: whiten), using: &generator)
            extra["explained_variance_ratio"] = pca.explainedVarianceRatio.sumInDouble()
            model = pca
        case .kmeans:
            let configuration = KMeans.Configuration(clusters: clusters!, initialization: initialization,
                                                     algorithm: miniBatch.map { .miniBatch(batchSize: $0) } ?? .lloyd, initializations: initializations,
                                                     maximumIterations: maxIterations)
            let kmeans = try KMeans.fit(training.samples, configuration: configuration, using: &generator) { run, iteration, inertia in
                display.update(String(format: "k-means run %d/%d, iteration %d, inertia per sample %.4f, %@ elapsed", run + 1,
                                      configuration.initializations, iteration, inertia / Double(training.count), formatDuration(Date().timeIntervalSince(start))))
            }
            extra["iterations"] = kmeans.inertiaHistory.count
            model = kmeans
        case .linearAutoencoder:
            let configuration = LinearAutoencoder.Configuration(codeSize: codeSize!, epochs: epochs ?? 50, batchSize: batchSize ?? 128,
                                                                learningRate: learningRate ?? 1e-3)
            var epochEnds: [Double] = []
            let trained = try LinearAutoencoder.fit(training.samples, configuration: configuration, using: &generator) { p in
                if p.isEpochEnd { epochEnds.append(p.elapsedSeconds) }
                display.update(String(format: "epoch %d/%d, batch %d/%d, loss %.4f, %.0f samples/s, ETA %@", p.epoch, p.epochs, p.batch,
                                      p.batches, p.loss, p.samplesPerSecond, formatDuration(p.estimatedSecondsRemaining)), force: p.isEpochEnd)
            }
            let perEpoch = zip(epochEnds, [0] + epochEnds).map { $0 - $1 }.sorted()
            extra["epochs"] = configuration.epochs
            extra["seconds_per_epoch"] = perEpoch.isEmpty ? 0 : perEpoch[perEpoch.count / 2]
            extra["final_loss"] = Double(trained.lossHistory.last ?? .nan)
            model = trained
        default:
            throw ValidationErrorText("latent fit \(method.rawValue): not available yet in this build (available: kmeans, pca, linear-autoencoder)")
        }
        let seconds = Date().timeIntervalSince(start)
        try model.save(to: output)
        display.finish("fitted \(method.rawValue) in \(formatDuration(seconds)); model written to \(output)")
        let trainMetrics = try ReconstructionMetrics(model, samples: training.samples)
        var result: [String: Any] = [
            "method": method.rawValue, "model": output, "samples": training.count, "features": training.features,
            "code_size": model.codeSize, "seconds": seconds, "sse_per_sample": trainMetrics.ssePerSample,
            "mse_per_feature": trainMetrics.msePerFeature,
        ]
        result.merge(extra) { first, _ in first }
        if let testing {
            let testMetrics = try ReconstructionMetrics(model, samples: testing.samples)
            result["test_samples"] = testing.count
            result["test_sse_per_sample"] = testMetrics.ssePerSample
            result["test_mse_per_feature"] = testMetrics.msePerFeature
        }
        try printResult(result, json: outputOptions.json)
    }
}
