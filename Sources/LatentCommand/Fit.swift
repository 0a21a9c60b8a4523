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

    @Argument(help: "kmeans, pca, linear-autoencoder, nonlinear-pca or deep-autoencoder (vae, … arrive with later releases).")
    var method: MethodName

    @Option(help: "Training data: a file or a built-in name (see `latent datasets`).") var data: String
    @Option(help: "Test data, evaluated after fitting.") var test: String?
    @Option(help: "A labels file for --test (IDX, NPY or CSV/TSV).") var testLabels: String?
    @Option(help: "Where to write the model (.safetensors).") var output: String

    @Option(help: ArgumentHelp("Per-feature scaling, stored in the model and undone by decoding: none, standardize, min-max or robust (median and interquartile range).",
                               discussion: "Default: none for pca, kmeans, linear-autoencoder and nonlinear-pca (which standardises inside), standardize for deep-autoencoder on data outside [0, 1]."))
    var scale: FeatureScaling.Kind?
    @Option(help: "Code width: PCA components, the autoencoders' code size, nonlinear PCA's factors.") var codeSize: Int?
    @Option(help: "k-means: the number of clusters.") var clusters: Int?
    @Option(help: "PCA: keep the fewest components that explain this fraction of the variance (instead of --code-size).")
    var varianceFraction: Double?
    @Option(help: "PCA: exact or randomized.") var solver: PCA.Configuration.Solver = .exact
    @Flag(help: "PCA: scale codes to unit variance.") var whiten = false
    @Option(name: .customLong("init"), help: "k-means: k-means++ or random (default k-means++); networks: small-normal, xavier or he (default xavier).")
    var initialization: InitName?
    @Option(help: "k-means: independent runs, the best kept.") var initializations: Int = 3
    @Option(help: "k-means: mini-batch k-means (Sculley 2010) with batches of this size, for large data.") var miniBatch: Int?
    @Option(help: "k-means: the most Lloyd iterations per run.") var maxIterations: Int = 300
    @Option(help: "Hidden widths: the deep autoencoder's encoder (default 1000,500,250), or nonlinear PCA's mapping and demapping layers (M or M,M′; default 32).")
    var hidden: Widths?
    @Option(help: "Nonlinear PCA: the bottleneck's activation, linear or sigmoid. (default: linear)") var bottleneck: BottleneckName?
    @Option(help: "Nonlinear PCA: simultaneous (one network) or sequential (one factor at a time, on residuals). (default: simultaneous)")
    var extraction: NonlinearPCA.Configuration.Extraction?
    @OptionGroup var deep: DeepOptions
    @OptionGroup var trainingOptions: TrainingOptions
    @Option(help: "Seed of every random choice: same seed, data and threads, same model.") var seed: UInt64 = 0

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var outputOptions: OutputOptions

    static let available: [MethodName] = [.kmeans, .pca, .linearAutoencoder, .nonlinearPCA, .deepAutoencoder]

    func validate() throws {
        guard Self.available.contains(method) else {
            throw ValidationErrorText("latent fit \(method.rawValue): not available yet in this build (available: \(Self.available.map(\.rawValue).joined(separator: ", ")))")
        }
        if method != .nonlinearPCA, bottleneck != nil || extraction != nil {
            throw ValidationError("--bottleneck and --extraction are options of nonlinear-pca")
        }
        if ![.nonlinearPCA, .deepAutoencoder].contains(method), hidden != nil { throw ValidationError("--hidden is an option of nonlinear-pca and deep-autoencoder") }
        if method == .nonlinearPCA, let hidden, hidden.values.count > 2 {
            throw ValidationError("nonlinear-pca has a mapping and a demapping layer: give --hidden M or M,M′")
        }
        if method != .deepAutoencoder, deep.isUsed { throw ValidationError("--activation, --code-activation, --output-activation, --loss and --pretrain… are options of deep-autoencoder") }
        if [.kmeans, .pca].contains(method), trainingOptions.usesAdvancedOptions || trainingOptions.epochs != nil || trainingOptions.batchSize != nil || trainingOptions.learningRate != nil {
            throw ValidationError("\(method.rawValue) is not trained by gradient descent: the training options do not apply")
        }
        if let initialization {
            if method == .kmeans, initialization.kMeans == nil { throw ValidationError("k-means starts from k-means++ or random, not \(initialization.rawValue)") }
            if [.nonlinearPCA, .deepAutoencoder].contains(method), initialization.network == nil { throw ValidationError("network weights start from small-normal, xavier or he, not \(initialization.rawValue)") }
            if [.pca, .linearAutoencoder].contains(method) { throw ValidationError("--init does not apply to \(method.rawValue)") }
        }
        if method == .nonlinearPCA, codeSize == nil { throw ValidationError("nonlinear-pca needs --code-size (the number of factors)") }
        if method == .deepAutoencoder, deep.pretrain == DeepAutoencoder.Configuration.Pretraining.none,
           deep.pretrainEpochs != nil || deep.pretrainBatchSize != nil || deep.pretrainLearningRate != nil || deep.pretrainMomentum != nil
            || deep.pretrainMomentumSwitch != nil {
            throw ValidationError("the --pretrain-… options set RBM pretraining, which --pretrain none turns off")
        }
        if method == .deepAutoencoder, initialization != nil, (deep.pretrain ?? .rbm) == .rbm {
            throw ValidationError("--init sets the starting weights without pretraining: add --pretrain none")
        }
        if method != .kmeans, clusters != nil { throw ValidationError("--clusters is for kmeans; use --code-size") }
        if method == .kmeans, codeSize != nil { throw ValidationError("k-means codes are cluster indices; give the number of clusters with --clusters") }
        if method == .pca, (codeSize == nil) == (varianceFraction == nil) { throw ValidationError("pca needs exactly one of --code-size and --variance-fraction") }
        if method == .linearAutoencoder, codeSize == nil { throw ValidationError("linear-autoencoder needs --code-size") }
        if method == .kmeans, clusters == nil { throw ValidationError("kmeans needs --clusters") }
        if testLabels != nil, test == nil { throw ValidationError("--test-labels needs --test") }
        if !output.lowercased().hasSuffix(".safetensors") { throw ValidationError("--output must end in .safetensors") }
    }

    func run() throws {
        ComputeSettings.current = try compute.settings()
        let display = ProgressDisplay(quiet: outputOptions.quiet)
        display.update("loading \(data)", force: true)
        // Columns far from zero are read relative to their first value, in Double.
        let training = try dataOptions.load(data, labels: dataOptions.labels, origin: .automatic)
        // The test set's class names are numbered as the training set's, its values measured from the same origin.
        let testing = try test.map { try dataOptions.load($0, labels: testLabels, knownClasses: training.classNames,
                                                          origin: .given(training.origin ?? Array(repeating: 0, count: training.features))) }
        let scaling = try FeatureScaling(fitting: training.samples, origin: training.origin, kind: scaleKind(for: training.samples))
        if scale == nil, [.pca, .kmeans].contains(method) { hintAtScaling(training) }
        let samples = try scaling.apply(training.samples)
        display.finish("loaded \(data): \(training.count) samples × \(training.features) features")
        var generator = RandomGenerator(seed: seed)
        // Trained methods stop on Ctrl-C after the current batch; PCA and k-means keep the default
        // (the process ends at once), so the handler is installed only for them.
        let trained = [.linearAutoencoder, .nonlinearPCA, .deepAutoencoder].contains(method)
        let interruption = trained ? InterruptionMonitor() : nil
        func reportTraining(_ p: TrainingProgress) throws {
            try interruption?.check()
            display.update(trainingProgressLine(p), fraction: trainingFraction(p), force: p.isEpochEnd)
        }
        let start = Date()
        var extra: [String: Any] = [:]
        let fitted: any Autoencoder
        switch method {
        case .pca:
            display.update("fitting PCA (\(solver.rawValue) solver)", force: true)
            let components: PCA.Configuration.Components = varianceFraction.map { .varianceFraction($0) } ?? .count(codeSize!)
            let pca = try PCA.fit(samples, configuration: .init(components: components, solver: solver, whiten: whiten), using: &generator)
            extra["explained_variance_ratio"] = pca.explainedVarianceRatio.sumInDouble()
            fitted = pca
        case .kmeans:
            let configuration = KMeans.Configuration(clusters: clusters!, initialization: initialization?.kMeans ?? .kMeansPlusPlus,
                                                     algorithm: miniBatch.map { .miniBatch(batchSize: $0) } ?? .lloyd, initializations: initializations,
                                                     maximumIterations: maxIterations)
            let kmeans = try KMeans.fit(samples, configuration: configuration, using: &generator) { run, iteration, inertia in
                display.update(String(format: "k-means run %d/%d, iteration %d, inertia per sample %.4f, %@ elapsed", run + 1,
                                      configuration.initializations, iteration, inertia / Double(samples.rows), formatDuration(Date().timeIntervalSince(start))))
            }
            extra["iterations"] = kmeans.inertiaHistory.count
            fitted = kmeans
        case .linearAutoencoder:
            let configuration = LinearAutoencoder.Configuration(
                codeSize: codeSize!, training: try trainingOptions.configuration(over: LinearAutoencoder.Configuration.defaultTraining))
            let checkpoints = try trainingOptions.checkpoints(besideModel: output)
            let trained = try withCheckpointContext(checkpoints) {
                try LinearAutoencoder.fit(samples, configuration: configuration, using: &generator, checkpoints: checkpoints) { p in
                    try reportTraining(p)
                }
            }
            if trainingOptions.checkpointEvery != nil { extra["checkpoint"] = checkpoints.path }
            fitted = trained
        case .nonlinearPCA:
            let defaults = NonlinearPCA.Configuration(components: codeSize!)
            let configuration = NonlinearPCA.Configuration(
                components: codeSize!, mappingWidth: hidden?.values[0] ?? defaults.mappingWidth, demappingWidth: hidden?.values.dropFirst().first, bottleneck: bottleneck?.activation ?? defaults.bottleneck,
                extraction: extraction ?? defaults.extraction, initializer: initialization?.network ?? defaults.initializer,
                training: try trainingOptions.configuration(over: defaults.training))
            let checkpoints = try trainingOptions.checkpoints(besideModel: output)
            let nlpca = try withCheckpointContext(checkpoints) {
                try NonlinearPCA.fit(samples, configuration: configuration, using: &generator, checkpoints: checkpoints) { p in
                    try reportTraining(p)
                }
            }
            if trainingOptions.checkpointEvery != nil { extra["checkpoint"] = checkpoints.path }
            fitted = nlpca
        case .deepAutoencoder:
            let defaults = DeepAutoencoder.Configuration()
            // Scaling happens in front of the network (--scale), so the network itself scales nothing.
            let fromData = DeepAutoencoder.dataDefaults(for: samples, loss: deep.loss, inputScaling: DeepAutoencoder.Configuration.InputScaling.none)
            var configuration = DeepAutoencoder.Configuration(
                hidden: hidden?.values ?? DeepAutoencoder.Configuration.defaultHidden(features: samples.columns, codeSize: codeSize ?? defaults.codeSize),
                codeSize: codeSize ?? defaults.codeSize,
                hiddenActivation: deep.activation ?? defaults.hiddenActivation, codeActivation: deep.codeActivation ?? defaults.codeActivation,
                outputActivation: deep.outputActivation ?? fromData.outputActivation, loss: fromData.loss,
                pretraining: deep.pretrain ?? defaults.pretraining, pretrainingEpochs: deep.pretrainEpochs ?? defaults.pretrainingEpochs,
                pretrainingBatchSize: deep.pretrainBatchSize ?? defaults.pretrainingBatchSize,
                initializer: initialization?.network ?? defaults.initializer,
                training: try trainingOptions.configuration(over: defaults.training),
                inputScaling: fromData.inputScaling)
            configuration.pretrainingLearningRate = deep.pretrainLearningRate
            if deep.pretrainMomentum != nil || deep.pretrainMomentumSwitch != nil {
                let hinton = RBM.Configuration(hiddenUnits: 1)
                configuration.pretrainingMomentum = .init(initial: deep.pretrainMomentum?.values[0] ?? hinton.initialMomentum,
                                                          final: deep.pretrainMomentum?.values[1] ?? hinton.finalMomentum,
                                                          switchEpoch: deep.pretrainMomentumSwitch ?? hinton.momentumSwitchEpoch)
            }
            let checkpoints = try trainingOptions.checkpoints(besideModel: output)
            let deepModel = try withCheckpointContext(checkpoints) {
                try DeepAutoencoder.fit(samples, configuration: configuration, using: &generator, checkpoints: checkpoints) { p in
                    try reportTraining(p)
                }
            }
            if !deepModel.pretrainingErrors.isEmpty { extra["pretraining_reconstruction_error"] = deepModel.pretrainingErrors.map { Double($0.last ?? .nan) } }
            if trainingOptions.checkpointEvery != nil { extra["checkpoint"] = checkpoints.path }
            fitted = deepModel
        default:
            throw ValidationErrorText("latent fit \(method.rawValue): not available yet in this build (available: \(Self.available.map(\.rawValue).joined(separator: ", ")))")
        }
        let seconds = Date().timeIntervalSince(start)
        let model = try scaled(fitted, by: scaling)
        if let history = model.trainingHistory {
            extra.merge(trainingSummary(history)) { first, _ in first }
            if let last = history.stages.last(where: { !$0.isPretraining }), let (drop, epochs) = last.record.stillFalling() {
                let text = String(format: "hint: the %@ loss still fell %.1f %% over the last %d epochs: training has not converged; "
                                  + "more epochs (--epochs), more steps (--minimum-steps) or a larger --learning-rate would lower the error\n",
                                  last.record.heldOutLoss.isEmpty ? "training" : "held-out", 100 * drop, epochs)
                FileHandle.standardError.write(Data(text.utf8))
            }
        }
        var file = try model.modelFile()
        file.metadata[SafeTensorsFile.commandKey] = invocation()
        try file.setNames(classes: training.classNames, features: training.featureNames)
        try file.write(to: output)
        display.finish("fitted \(method.rawValue) in \(formatDuration(seconds)); model written to \(output)")
        let trainMetrics = try ReconstructionMetrics(model, samples: training.samples)
        var result: [String: Any] = [
            "method": method.rawValue, "model": output, "samples": training.count, "features": training.features,
            "code_size": model.codeSize, "seconds": seconds, "sse_per_sample": trainMetrics.ssePerSample,
            "mse_per_feature": trainMetrics.msePerFeature, "scale": scaling.kind.rawValue,
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

extension Fit {
    /// `--scale`, or the method's default: standardize for the deep autoencoder on data outside
    /// [0, 1] (its RBMs then have Gaussian visible units and its loss is mse), else none.
    func scaleKind(for samples: Tensor) -> FeatureScaling.Kind {
        if let scale { return scale }
        guard method == .deepAutoencoder else { return .none }
        return DeepAutoencoder.dataDefaults(for: samples).inputScaling == .standardize ? .standardize : .none
    }

    /// Says on stderr when columns' variances differ by more than 10³ and no --scale was given:
    /// PCA's components and k-means' distances would then follow the widest columns alone.
    func hintAtScaling(_ training: Dataset) {
        let all = FeatureScaling.columnVariances(training.samples)
        let variances = all.filter { $0 > 0 }
        guard let low = variances.min(), let high = variances.max(), high > Self.varianceRatioHint * low else { return }
        let widest = all.firstIndex(of: high)!
        let name = training.featureNames.map { " ('\($0[widest])')" } ?? ""
        let text = "hint: column variances range from \(String(format: "%.3g", low)) to \(String(format: "%.3g", high)) (column \(widest)\(name) is the widest); "
            + "\(method.rawValue) without scaling follows the widest columns; --scale standardize weighs every column alike\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// The ratio of column variances above which `fit` suggests scaling.
    static let varianceRatioHint = 1e3
}

/// Initialisations by name: k-means' seeding or a network's weights.
enum InitName: String, ExpressibleByArgument, CaseIterable {
    case kMeansPlusPlus = "k-means++", random
    case smallNormal = "small-normal", xavier, he

    var kMeans: KMeans.Configuration.Initialization? {
        switch self {
        case .kMeansPlusPlus: .kMeansPlusPlus
        case .random: .random
        default: nil
        }
    }

    var network: Initializer? {
        switch self {
        case .smallNormal: .smallNormal
        case .xavier: .xavier
        case .he: .he
        default: nil
        }
    }
}

/// `--json` keys of a trained method: epochs run, median seconds per epoch, whether early
/// stopping ended a stage, the training loss and what it measures (`training_loss`: its units
/// are those the network saw, scaled when the inputs were; `sse_per_sample` is in the data's
/// own units), and the epoch whose weights the model keeps with its held-out loss.
func trainingSummary(_ history: TrainingHistory) -> [String: Any] {
    let stages = history.stages.filter { !$0.isPretraining }
    let records = stages.map(\.record)
    var summary: [String: Any] = [
        "epochs": records.map(\.trainLoss.count).reduce(0, +),
        "seconds_per_epoch": medianSeconds(records.flatMap(\.secondsPerEpoch)),
        "stopped_early": records.contains { $0.stoppedEarly },
    ]
    if let last = stages.last {
        summary["training_loss"] = last.loss
        summary["final_loss"] = Double(last.record.trainLoss.last ?? .nan)
        if let heldOut = last.record.heldOutLoss.last { summary["final_held_out_loss"] = Double(heldOut) }
        let kept = last.record.keptEpoch > 0 ? last.record.keptEpoch : last.record.trainLoss.count
        summary["best_epoch"] = kept
        if kept >= 1, kept <= last.record.heldOutLoss.count { summary["best_held_out_loss"] = Double(last.record.heldOutLoss[kept - 1]) }
    }
    return summary
}

/// Runs `body`; a training error or Ctrl-C then says where the last good checkpoint is.
func withCheckpointContext<T>(_ checkpoints: CheckpointPolicy?, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as TrainingError {
        guard let checkpoints, FileManager.default.fileExists(atPath: checkpoints.path) else { throw error }
        throw ValidationErrorText("\(error); the last good state stays in \(checkpoints.path)")
    } catch is InterruptionMonitor.Interrupted {
        guard let checkpoints, FileManager.default.fileExists(atPath: checkpoints.path) else {
            throw ValidationErrorText("interrupted before any checkpoint was written (during RBM pretraining, only --checkpoint-every N writes them, after each RBM)")
        }
        throw ValidationErrorText("interrupted; continue from the last checkpoint (\(checkpoints.path)) by repeating the command with --resume")
    }
}
