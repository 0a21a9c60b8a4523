import ArgumentParser
import Foundation
import Latent

extension PCA.Configuration.Solver: ExpressibleByArgument {}
extension KMeans.Configuration.Initialization: ExpressibleByArgument {}

/// The options every `latent fit METHOD` takes: data, test data, output, scaling, seed, how to
/// read data, compute and output settings.
struct FitOptions: ParsableArguments {
    @Option(help: "Training data: a file or a built-in name (see `latent datasets`).", transform: WorkingDirectory.spec) var data: String
    @Option(help: "Test data, evaluated after fitting.", transform: WorkingDirectory.spec) var test: String?
    @Option(help: "A labels file for --test (IDX, NPY or CSV/TSV).", transform: WorkingDirectory.file) var testLabels: String?
    @Option(help: "Where to write the model (.safetensors).", transform: WorkingDirectory.file) var output: String
    @Option(help: ArgumentHelp("Per-feature scaling, stored in the model and undone by decoding: none, standardize, min-max or robust (median and interquartile range).",
                               discussion: "Default: none, except standardize for deep-autoencoder on data outside [0, 1]."))
    var scale: FeatureScaling.Kind?
    @Option(help: "Seed of every random choice: same seed, data and threads, same model.") var seed: UInt64 = 0
    @Option(help: ArgumentHelp("Cut every batch (PCA's and k-means' sums) into this many parts, added in a fixed order: the same parts give the same model on any number of processes sharing them (mpirun -np N, N dividing them, the parts per process a power of two).",
                               discussion: "Default: one per process."))
    var parts: Int?
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if testLabels != nil, test == nil { throw ValidationError("--test-labels needs --test") }
        if !output.lowercased().hasSuffix(".safetensors") { throw ValidationError("--output must end in .safetensors") }
    }
}

/// What a method's fit gets from the shared command: the scaled training samples, the run's
/// generator, progress reporting (with Ctrl-C for trained methods), and where the model goes.
struct FitInputs {
    let samples: Tensor
    /// The training labels and class names, when the data has labels.
    let labels: [Int]?
    let classNames: [String]?
    /// The samples' image shape (`[H, W]` or `[H, W, C]`), when the data keep one.
    let sampleShape: [Int]?
    let output: String
    let display: ProgressDisplay
    let start: Date
    /// The parts batches and sums are cut into, shared by this run's processes.
    let parts: PartTree
    /// Reports a training progress line; throws when Ctrl-C asked to stop.
    let reportTraining: (TrainingProgress) throws -> Void
    /// Throws when Ctrl-C asked a trained method to stop (for methods that report their own progress).
    let checkInterruption: () throws -> Void
    /// Whether this process writes files (rank 0 of a data-parallel run, or the only one).
    var writes: Bool { parts.communicator.rank == 0 }

    /// The number of classes of the training labels, for `option` (which needs them).
    func classCount(for option: String, data: String) throws -> Int {
        guard let labels else { throw ValidationErrorText("\(option): \(data) has no labels (use --label-column or --labels)") }
        return try LatentCommand.classCount(of: [labels], names: classNames, for: option)
    }
}

/// The number of classes of integer labels (class indices) or of named ones. Integer labels must
/// number classes from 0, and a label may not exceed the samples' count: what is allocated per
/// class (one-hot columns, mixture components) then grows with the data, never with a value
/// read from it (a stray 10⁹ used to ask for a 240 GB one-hot matrix).
func classCount(of labelSets: [[Int]], names: [String]?, for option: String) throws -> Int {
    // Named classes are numbered within the names of their files: bounded by the data.
    if let names { return max(names.count, (labelSets.flatMap { $0 }.max() ?? 0) + 1) }
    let samples = labelSets.map(\.count).reduce(0, +)
    for labels in labelSets {
        if let row = labels.firstIndex(where: { $0 < 0 || $0 >= samples }) {
            throw ValidationErrorText("\(option): label \(labels[row]) of sample \(row) is not a class index: integer labels number classes "
                                      + "from 0, and \(samples) samples hold at most \(samples) classes (0 … \(samples - 1)); renumber them, or give them as names")
        }
    }
    return (labelSets.flatMap { $0 }.max() ?? 0) + 1
}

/// A method of `latent fit`: its name, its options and how it fits; the shared command does the
/// rest (loading, scaling, saving, metrics, output).
protocol FitMethod: ComputingCommand {
    /// The options every fit shares.
    var common: FitOptions { get }
    /// Whether the method trains by epochs (Ctrl-C then stops it after the current batch).
    static var trained: Bool { get }
    /// Whether the method can cut its batches or sums into parts shared by processes (`--parts`, `mpirun`).
    static var splits: Bool { get }
    /// The scaling to use when `--scale` is not given, for the raw training samples.
    func defaultScale(for samples: Tensor) -> FeatureScaling.Kind
    /// Fits the method to `context.samples`; returns the model and what the method reports of it.
    func fit(_ context: FitInputs, using generator: inout RandomGenerator) throws -> (model: any Autoencoder, extra: any MethodReport)
}

extension FitMethod {
    var computeOptions: ComputeOptions { common.compute }
    static var trained: Bool { false }
    static var splits: Bool { false }
    func defaultScale(for samples: Tensor) -> FeatureScaling.Kind { .none }
    /// The method's name on the command line.
    static var methodName: String { configuration.commandName ?? "" }

    func run() throws { try fitInMemory() }

    /// The parts `group` cuts this fit's batches (and sums) into (``ProcessGroup/parts(requested:)``);
    /// refused, when split, for a method that cannot be.
    func parts(_ group: ProcessGroup) throws -> PartTree {
        let parts = try group.parts(requested: common.parts)
        if parts.isSplit, !Self.splits {
            throw ValidationErrorText("\(Self.methodName) does not run in parts or across processes (--parts, mpirun); methods that do: "
                                      + FitMethods.splitting.joined(separator: ", "))
        }
        return parts
    }

    /// Loads the data, scales them, fits, saves the model and reports: what every method does.
    func fitInMemory() throws {
        let common = self.common
        let group = ProcessGroup.current
        let parts = try self.parts(group)
        // Every process fits; rank 0 alone reports, writes and prints.
        let display = ProgressDisplay(quiet: common.outputOptions.quiet || !group.isLeader)
        display.update("loading \(common.data)", force: true)
        // Columns far from zero are read relative to their first value, in Double.
        let training = try common.dataOptions.load(common.data, labels: common.dataOptions.labels, origin: .automatic)
        // The test set's class names are numbered as the training set's, its values measured from the same origin.
        let testing = try common.test.map {
            try common.dataOptions.load($0, labels: common.testLabels, knownClasses: training.classNames,
                                        origin: .given(training.origin ?? Array(repeating: 0, count: training.features)),
                                        modelFeatures: training.featureNames, missingFill: training.missingFill)
        }
        let scaling = try FeatureScaling(fitting: training.samples, origin: training.origin, kind: common.scale ?? defaultScale(for: training.samples))
        if common.scale == nil, !Self.trained, group.isLeader { hintAtScaling(training) }
        let samples = try scaling.apply(training.samples)
        display.finish("loaded \(common.data): \(training.count) samples × \(training.features) features")
        var generator = RandomGenerator(seed: common.seed)
        // Trained methods stop on Ctrl-C after the current batch; the others keep the default
        // (the process ends at once), so the handler is installed only for them.
        let interruption = Self.trained ? InterruptionMonitor() : nil as InterruptionMonitor?
        let start = Date()
        let context = FitInputs(samples: samples, labels: training.labels, classNames: training.classNames, sampleShape: training.sampleShape, output: common.output,
                                 display: display, start: start, parts: parts, reportTraining: { p in
            try interruption?.check()
            display.training(p)
        }, checkInterruption: { try interruption?.check() })
        let (fitted, extra) = try fit(context, using: &generator)
        let seconds = Date().timeIntervalSince(start)
        guard group.isLeader else { return }
        // A conditional model's label columns pass unscaled.
        let classes = fitted.conditionColumns
        let model = try scaled(fitted, by: classes > 0 ? scaling.appendingIdentity(classes) : scaling)
        let summary = model.trainingHistory.map(TrainingSummary.init)
        if let history = model.trainingHistory { hintIfStillFalling(history) }
        var file = try model.modelFile()
        file.metadata[SafeTensorsFile.commandKey] = invocation()
        try file.describe(training)
        try file.write(to: common.output)
        display.finish("fitted \(Self.methodName) in \(formatDuration(seconds)); model written to \(common.output)")
        let trainMetrics = ReconstructionMetrics(samples: training.samples, reconstructions: try reconstructions(training, by: model))
        var result = FitResult(method: Self.methodName, model: common.output, samples: training.count, features: training.features,
                               codeSize: model.codeSize, seconds: seconds, ssePerSample: trainMetrics.ssePerSample,
                               msePerFeature: trainMetrics.msePerFeature, scale: scaling.kind.rawValue)
        result.record(parts, of: group)
        // Errors are in the file's units; what the method measured while fitting is in its own space.
        var spaces = ["sse_per_sample": "data", "mse_per_feature": "data"]
        for key in extra.modelSpaceKeys + (summary?.lossKeys ?? []) { spaces[key] = modelSpaceName(model) }
        result.metricSpaces = spaces
        if let testing {
            let testMetrics = ReconstructionMetrics(samples: testing.samples, reconstructions: try reconstructions(testing, by: model))
            (result.testSamples, result.testSSEPerSample, result.testMSEPerFeature) = (testing.count, testMetrics.ssePerSample, testMetrics.msePerFeature)
        }
        try printResult(Merged(result, summary, extra), json: common.outputOptions.json)
    }

    /// Says on stderr when columns' variances differ by more than 10³ and no --scale was given:
    /// PCA's components and k-means' distances would then follow the widest columns alone. Not
    /// for images (a stored image shape, or every value in one bounded range such as [0, 1] or
    /// 0 … 255), whose near-constant border pixels standardising would blow up hundreds of times.
    func hintAtScaling(_ training: Dataset) {
        guard training.sampleShape == nil else { return }
        let (low, high) = (training.samples.min(), training.samples.max())
        if low >= -1, high <= 1 { return }
        if low >= 0, high <= 255, training.samples.scalars.allSatisfy({ $0 == $0.rounded() }) { return }
        let all = FeatureScaling.columnVariances(training.samples)
        let variances = all.filter { $0 > 0 }
        guard let smallest = variances.min(), let largest = variances.max(), largest > varianceRatioHint * smallest else { return }
        let widest = all.firstIndex(of: largest)!
        let name = training.featureNames.map { " ('\($0[widest])')" } ?? ""
        let text = "hint: column variances range from \(String(format: "%.3g", smallest)) to \(String(format: "%.3g", largest)) (column \(widest)\(name) is the widest); "
            + "\(Self.methodName) without scaling follows the widest columns; --scale standardize weighs every column alike\n"
        Console.error(text)
    }
}

/// Says on stderr when the last training stage's loss still fell at its end: more training
/// would lower the error.
func hintIfStillFalling(_ history: TrainingHistory) {
    guard let last = history.stages.last(where: { !$0.isPretraining }), let (drop, epochs) = last.record.stillFalling() else { return }
    // A projective method's decoder trains by its own options.
    let more = switch last.name {
    case LearnedDecoder.stageName: "more epochs (--decoder-epochs) or a larger --decoder-learning-rate"
    case ParametricUMAP.encoderStage, ParametricTSNE.encoderStage: "more epochs (--epochs) or a larger --learning-rate"
    default: "more epochs (--epochs), more steps (--minimum-steps) or a larger --learning-rate"
    }
    let text = String(format: "hint: the %@%@ loss still fell %.1f %% over the last %d epochs: training has not converged; %@ would lower the error\n",
                      last.name == LearnedDecoder.stageName ? "decoder's " : "", last.record.heldOutLoss.isEmpty ? "training" : "held-out", 100 * drop, epochs, more)
    Console.error(text)
}

/// DECODE(ENCODE(x)) of `dataset`'s samples (a conditional model's label columns dropped).
func reconstructions(_ dataset: Dataset, by model: any Autoencoder) throws -> Tensor {
    try model.reconstruct(try modelInput(dataset, for: model)).columns(0..<dataset.features)
}

/// The ratio of column variances above which `fit` suggests scaling.
let varianceRatioHint = 1e3

/// Runs a trained method's fit with checkpoints beside the model, under the run's parts and
/// progress: the checkpoint's path joins the result when periodic checkpoints were asked for.
func fitWithCheckpoints<M: Autoencoder>(_ options: TrainingOptions, _ inputs: FitInputs,
                                        _ body: (FitContext) throws -> M) throws -> (model: M, extra: CheckpointReport) {
    var checkpoints = try options.checkpoints(besideModel: inputs.output)
    checkpoints.writes = inputs.writes
    let model = try withCheckpointContext(checkpoints) {
        try body(FitContext(checkpoints: checkpoints, parts: inputs.parts, progress: inputs.reportTraining))
    }
    return (model, CheckpointReport(checkpoint: options.checkpointEvery != nil ? checkpoints.path : nil))
}
