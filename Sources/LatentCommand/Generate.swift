import ArgumentParser
import Foundation
import Latent

extension GaussianMixture.Covariance: ExpressibleByArgument {}

struct FitDensity: ComputingCommand {
    var computeOptions: ComputeOptions { compute }
    static let configuration = CommandConfiguration(
        commandName: "fit-density",
        abstract: "Fit the density of a model's codes and store it in the model file, so that `latent sample` can draw from it.",
        discussion: """
            Encodes --data (usually the training data) and fits a Gaussian mixture to the codes by EM: k-means++ \
            start, scikit-learn's stopping rule (the mean log-likelihood per sample changes by less than --tolerance, \
            at most --max-iterations), 1e-6 added to the covariances' diagonals; the number of components is \
            --components, or the one of 1 … --max-components with the lowest BIC. At most --max-samples codes (a \
            seeded random subset) are used. Models whose codes are cluster indices (kmeans) get the clusters' \
            frequencies instead. The model file is rewritten atomically with the density in it (tensors \
            code_density.*), or written to --output. --json prints components, covariance, bic (per size tried), \
            log_likelihood_per_sample and iterations.
            """)

    @Argument(help: "A model file written by `latent fit`.", transform: WorkingDirectory.file) var model: String
    @Option(help: "The data whose codes to fit (usually the training data).", transform: WorkingDirectory.spec) var data: String
    @Option(help: .hyperparameter(\GaussianMixture.Configuration.components)) var components: Int?
    @Option(help: .hyperparameter(\GaussianMixture.Configuration.maximumComponents)) var maxComponents: Int?
    @Option(help: .hyperparameter(\GaussianMixture.Configuration.covariance)) var covariance: GaussianMixture.Covariance?
    @Option(help: .hyperparameter(\GaussianMixture.Configuration.maximumIterations)) var maxIterations: Int?
    @Option(help: .hyperparameter(\GaussianMixture.Configuration.tolerance)) var tolerance: Double?
    @Option(help: .hyperparameter(\GaussianMixture.Configuration.regularization)) var regularization: Double?
    @Option(help: "Codes used at most (a seeded random subset of the data beyond).") var maxSamples: Int = 10_000
    @Option(help: "Seed of the subset and of the k-means++ start.") var seed: UInt64 = 0
    @Option(help: .defaulted("Where to write the model with its density.", rule: "over the model file, atomically"), transform: WorkingDirectory.file) var output: String?
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var outputOptions: OutputOptions

    var mixtureConfiguration: GaussianMixture.Configuration {
        let defaults = GaussianMixture.Configuration.defaults
        return GaussianMixture.Configuration(components: components, maximumComponents: maxComponents ?? defaults.maximumComponents,
                                             covariance: covariance ?? defaults.covariance, maximumIterations: maxIterations ?? defaults.maximumIterations,
                                             tolerance: tolerance ?? defaults.tolerance, regularization: regularization ?? defaults.regularization)
    }

    func validate() throws {
        if maxSamples < 1 { throw ValidationError("--max-samples must be at least 1, got \(maxSamples)") }
        if let output, !output.lowercased().hasSuffix(".safetensors") { throw ValidationError("--output must end in .safetensors") }
        try checkDeclaredRanges(mixtureConfiguration, method: "fit-density")
    }

    func run() throws {
        let display = ProgressDisplay(quiet: outputOptions.quiet)
        var (file, loaded) = try readModel(model)
        try refuseConditional(loaded, path: model, "fit-density")
        var dataset = try dataOptions.load(data, labels: dataOptions.labels, for: loaded, in: file, path: model)
        var generator = RandomGenerator(seed: seed)
        if dataset.count > maxSamples { dataset = dataset.subset(Array(generator.permutation(dataset.count).prefix(maxSamples)).sorted()) }
        let start = Date()
        display.update("fitting the code density to \(dataset.count) codes", force: true)
        let (density, criteria) = try CodeDensity.fit(loaded, samples: dataset.samples, configuration: mixtureConfiguration, using: &generator) { k, run in
            display.update(String(format: "EM, %d component%@: %d iterations, BIC %.6g", k, k == 1 ? "" : "s", run.logLikelihoods.count,
                                  run.bayesianInformationCriterion), force: true)
        }
        try file.setCodeDensity(density, info: .init(kind: .gaussianMixture, data: data, samples: dataset.count,
                                                      criteria: criteria.map { [Double($0.components), $0.bic] }))
        let destination = output ?? model
        try file.write(to: destination)
        var result = DensityResult(model: destination, samples: dataset.count, seconds: Date().timeIntervalSince(start), kind: "categorical", components: 0)
        switch density {
        case .categorical(let probabilities):
            result.components = probabilities.count
        case .gaussianMixture(let mixture):
            (result.kind, result.components, result.covariance) = ("gaussian-mixture", mixture.components, mixture.covariance.rawValue)
            result.logLikelihoodPerSample = mixture.logDensity(try loaded.encode(dataset.samples)).reduce(0, +) / Double(dataset.count)
            result.bic = Dictionary(uniqueKeysWithValues: criteria.map { (String($0.components), $0.bic) })
        }
        display.finish("code density written to \(destination)")
        let largest = mixtureConfiguration.maximumComponents
        if components == nil, let best = criteria.min(by: { $0.bic < $1.bic }), best.components == largest, largest > 1 {
            Console.error("hint: BIC was lowest at the largest size tried (\(largest) components); a larger --max-components may fit the codes better\n")
        }
        try printResult(result, json: outputOptions.json)
    }
}

extension CodeSource: ExpressibleByArgument {}

struct Sample: ComputingCommand {
    var computeOptions: ComputeOptions { compute }
    static let configuration = CommandConfiguration(
        abstract: "Draw new samples: codes from a density, decoded (.png grid, .npy or .csv).",
        discussion: """
            A model trained toward a prior (VAE, WAE, AAE) draws its codes from it; any other model from the \
            code density that `latent fit-density` stored in it (a Gaussian mixture; for kmeans, the clusters' \
            frequencies). --codes-from chooses: prior is the model's own p(z), standard-normal decodes N(0, I) \
            draws with any decoder (what a plain autoencoder makes of them shows why the VAE's KL term is \
            needed), code-density uses the stored density. A .png output is a grid of images (the training samples' shape, or a square one; in colour for \
            h × w × 3), each at least 64 pixels wide (--image-scale), its values mapped from the training data's range to \
            black … white and clipped; .npy and .csv hold the samples in the data's units. --codes writes the \
            drawn codes too.
            """)

    @Argument(help: "A model file written by `latent fit`.", transform: WorkingDirectory.file) var model: String
    @Option(help: "How many samples to draw.") var count: Int
    @Option(help: "Where to write them: .png (an image grid), .npy or .csv.", transform: WorkingDirectory.file) var output: String
    @Option(help: "Seed of the draws.") var seed: UInt64 = 0
    @Option(help: .defaulted("Where codes come from: prior, standard-normal or code-density.", rule: "the model's prior, else the stored density"))
    var codesFrom: CodeSource?
    @Option(name: .customLong("class"), help: "A conditional VAE, or an adversarial autoencoder with labelled components: the class to draw (a class name, or an integer label).")
    var className: String?
    @Option(help: .defaulted("Images per row of a .png grid.", rule: "about √count")) var columns: Int?
    @Option(help: "Also write the drawn codes (.npy or .csv).", transform: WorkingDirectory.file) var codes: String?
    @OptionGroup var imageOptions: ImageOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
        if let columns, columns < 1 { throw ValidationError("--columns must be at least 1, got \(columns)") }
        guard ["png", "npy", "csv"].contains((output as NSString).pathExtension.lowercased()) else {
            throw ValidationError("--output must end in .png, .npy or .csv")
        }
    }

    func run() throws {
        try checkOutput(output, isNotAnyOf: [model])
        let (file, loaded) = try readModel(model)
        let density = try file.codeDensity(file: model)
        let prior = (loaded as? any PriorModel)?.prior
        let source = codesFrom ?? (prior != nil ? .prior : .codeDensity)
        var generator = RandomGenerator(seed: seed)
        let classes = loaded.conditionColumns
        var label: Int?
        if let className {
            let labelledPrior = (loaded as? any PriorModel)?.labelledComponents == true
            let count = classes > 0 ? classes : labelledPrior ? prior?.components ?? 0 : 0
            guard count > 0 else {
                throw ValidationErrorText("--class: \(model) holds a model that is not conditioned on labels (fit one with `latent fit vae --condition-on-labels` or `latent fit adversarial-autoencoder --labelled-components`)")
            }
            if codes != nil, classes > 0 { throw ValidationErrorText("--codes: a conditional VAE's class samples are drawn inside the model; --codes applies to an adversarial autoencoder's components") }
            label = try classIndex(className, names: try file.classNames(file: model), classes: count, model: model)
        } else if source == .codeDensity, density == nil, classes == 0 {
            throw ValidationErrorText("\(model) holds no code density: run `latent fit-density \(model) --data TRAINING-DATA` first\(prior != nil ? ", or sample its prior with --codes-from prior" : "")")
        }
        // The policy (which density, which class, back to the data's units) is the library's.
        let generated = try loaded.generate(count, codesFrom: className != nil ? codesFrom ?? .prior : source, density: density, label: label, using: &generator)
        let drawnFrom = className != nil ? "prior" : source.rawValue
        let title = className.map { "Samples of \(model), class \($0)" } ?? "Samples of \(model) (codes: \(drawnFrom))"
        try writeSamples(generated.samples, to: output, file: file, model: model, title: title, columns: columns, scale: imageOptions.imageScale)
        if let codes, let drawn = generated.codes { try ArrayFile.write(drawn, to: codes, columnNames: codeColumnNames(loaded)) }
        report(WrittenFile(output: output, samples: count, features: generated.samples.columns, codesFrom: drawnFrom, class: className),
               message: "wrote \(count) samples \(className.map { "of class \($0)" } ?? "(codes from \(drawnFrom))") to \(output)", options: outputOptions)
    }
}

/// Writes generated `samples` (`n × D`) to `path`: a .png grid of images in rows of `columns`, or
/// .npy / .csv (columns named as the training data's).
func writeSamples(_ samples: Tensor, to path: String, file: SafeTensorsFile, model: String, title: String, columns: Int? = nil, scale: Int? = nil) throws {
    guard (path as NSString).pathExtension.lowercased() == "png" else {
        let names = try file.featureNames(file: model).flatMap { $0.count == samples.columns ? $0 : nil }
        try ArrayFile.write(samples, to: path, columnNames: names ?? (0..<samples.columns).map { "x\($0)" })
        return
    }
    let grid = try ImageGrid(samples: samples, imageShape: try imageShape(features: samples.columns, file: file, model: model), columns: columns,
                             range: try file.valueRange(file: model), title: title)
    try grid.writePNG(to: path, scale: scale)
}

/// How PNG grids are drawn.
struct ImageOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A .png grid: screen pixels per image pixel (nearest neighbour).",
                               discussion: "Default: enough to draw each image at least 64 pixels wide."))
    var imageScale: Int?

    func validate() throws {
        if let imageScale, !(1...64).contains(imageScale) { throw ValidationError("--image-scale takes 1 … 64, got \(imageScale)") }
    }
}

/// Writes `rows` of images as a PNG grid, in the training samples' shape (else a square one),
/// each image at least ``ImageGrid/minimumDrawnWidth`` pixels wide unless `scale` says how many
/// screen pixels an image pixel takes, values mapped from the training data's range stored in
/// the model (``ImageGrid/init(title:rows:imageShape:range:)``; a model written without one,
/// by an older build, is drawn on [0, 1] widened to the grid's own range).
func writeImageGrid(_ rows: [ImageGrid.Row], to path: String, file: SafeTensorsFile, model: String, title: String, scale: Int? = nil) throws {
    let shape = try imageShape(features: rows[0].images.columns, file: file, model: model)
    try ImageGrid(title: title, rows: rows, imageShape: shape, range: try file.valueRange(file: model)).writePNG(to: path, scale: scale)
}

/// [height, width] (or [height, width, 3]) of one sample as an image: the shape stored with the
/// model, else a square.
func imageShape(features: Int, file: SafeTensorsFile, model: String) throws -> [Int] {
    if let shape = try file.sampleShape(file: model), let drawn = ImageGrid.drawableShape(shape, features: features) { return drawn }
    let side = Int(Double(features).squareRoot().rounded())
    guard side * side == features else {
        throw ValidationErrorText("\(model): samples of \(features) features are not images (no image shape stored, not a square); write .npy or .csv instead")
    }
    return [side, side]
}

struct EvaluateSamples: ComputingCommand {
    var computeOptions: ComputeOptions { compute }
    static let configuration = CommandConfiguration(
        commandName: "evaluate-samples",
        abstract: "Measure generated samples against real ones: MMD², precision and recall, distance to the training set.",
        discussion: """
            Features are the projections on the first --features principal components of the real --data (the test \
            set), so scores compare across models on the same test set. Reports mmd2 (unbiased estimator, RBF \
            kernel, bandwidth mmd_bandwidth = the median pairwise distance of the real features, the same for every \
            sampler measured against this --data and --seed, so their mmd2 compare), precision and \
            recall (Kynkäänniemi et al. 2019, k = 3 nearest neighbours: the fraction of generated samples inside \
            some real sample's 3-NN ball, and of real samples inside some generated sample's), emd (the exact earth \
            mover's distance between generated and real features, squared-Euclidean cost, on at most 2 000 of each: \
            seeded subsets), and with --training \
            nearest_training_distance (mean Euclidean distance, in data space, from each generated sample to its \
            nearest training sample) beside test_nearest_training_distance (the same for the real test samples): \
            far below it, the generator copies its training data.
            """)

    @Argument(help: "Generated samples: a .npy or .csv file (from `latent sample`), or any SPEC.", transform: WorkingDirectory.spec) var samples: String
    @Option(help: "Real samples to compare with (the test set).", transform: WorkingDirectory.spec) var data: String
    @Option(help: "The training data, for the memorisation distance.", transform: WorkingDirectory.spec) var training: String?
    @Option(help: "Principal components of --data that make the feature space.") var features: Int = GenerationMetrics.defaultFeatureCount
    @Option(help: "Seed of the bandwidth's subset.") var seed: UInt64 = 0
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if features < 1 { throw ValidationError("--features must be at least 1, got \(features)") }
    }

    func run() throws {
        let display = ProgressDisplay(quiet: outputOptions.quiet)
        let generated = try dataOptions.load(samples, labels: nil)
        let test = try dataOptions.load(data, labels: nil)
        let trainingSet = try training.map { try dataOptions.load($0, labels: nil) }
        for other in [test] + (trainingSet.map { [$0] } ?? []) where other.features != generated.features {
            throw ValidationErrorText("\(samples) has \(generated.features) features per sample but \(other.name) has \(other.features)")
        }
        display.update("measuring \(generated.count) samples against \(test.count) real ones", force: true)
        var generator = RandomGenerator(seed: seed)
        let metrics = try GenerationMetrics(generated: generated.samples, test: test.samples, training: trainingSet?.samples,
                                            featureCount: features, using: &generator)
        display.finish()
        let result = Merged(metrics, SampleSets(samples: generated.count, testSamples: test.count,
                                                featureSpace: "first \(metrics.featureCount) principal components of \(data)"))
        try checkFinite(result, model: samples)
        try printResult(result, json: outputOptions.json)
    }
}

/// The index of class `name` (a class name stored in `model`, else an integer label below `classes`).
func classIndex(_ name: String, names: [String]?, classes: Int, model: String) throws -> Int {
    if let names {
        if let index = names.firstIndex(of: name) { return index }
        // Classes named by whole numbers (10, 20, 30) are named, never numbered: 1 is no class of theirs.
        if names.allSatisfy({ Int($0) != nil }) {
            throw ValidationErrorText("--class \(name): no such class in \(model) (classes: \(names.joined(separator: ", ")))")
        }
        guard let index = Int(name), index >= 0, index < names.count else {
            throw ValidationErrorText("--class \(name): no such class in \(model) (classes: \(names.joined(separator: ", ")), or labels 0 … \(names.count - 1))")
        }
        return index
    }
    guard let index = Int(name), index >= 0, index < classes else {
        throw ValidationErrorText("--class \(name): no such class in \(model) (labels: 0 … \(classes - 1))")
    }
    return index
}

/// What `latent fit-density` prints: the density's kind and size, and for a mixture its fit
/// (log-likelihood per code, and BIC by the number of components tried).
struct DensityResult: Encodable {
    var model: String
    var samples: Int
    var seconds: Double
    var kind: String
    var components: Int
    var covariance: String?
    var logLikelihoodPerSample: Double?
    var bic: [String: Double]?

    enum CodingKeys: String, CodingKey {
        case model, samples, seconds, kind, components, covariance, logLikelihoodPerSample = "log_likelihood_per_sample", bic
    }
}

/// The sets `latent evaluate-samples` compared, beside its ``GenerationMetrics``.
struct SampleSets: Encodable {
    var samples: Int
    var testSamples: Int
    var featureSpace: String

    enum CodingKeys: String, CodingKey { case samples, testSamples = "test_samples", featureSpace = "feature_space" }
}
