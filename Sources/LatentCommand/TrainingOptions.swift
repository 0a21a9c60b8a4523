import ArgumentParser
import Foundation
import Latent

extension OptimizerKind: ExpressibleByArgument {}
extension Activation: ExpressibleByArgument {
    /// Every activation's name, for help texts.
    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
extension Loss: ExpressibleByArgument {}
extension DeepAutoencoder.Configuration.Pretraining: ExpressibleByArgument {}
extension FeatureScaling.Kind: ExpressibleByArgument {}

/// Layer widths as a comma-separated list: `1000,500,250`.
struct Widths: ExpressibleByArgument {
    /// Two numbers separated by a comma: `0.5,0.9`.
    struct Floats: ExpressibleByArgument {
        let values: [Float]
        init?(argument: String) {
            let parts = argument.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, parts.allSatisfy({ $0 != nil }) else { return nil }
            values = parts.map { $0! }
        }
    }

    let values: [Int]
    /// Integers separated by commas; their range is the hyperparameter's, checked where it is declared.
    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { return nil }
        values = parts.map { $0! }
    }
}

/// The deep autoencoder's options (DESIGN.md): activations per role, loss, pretraining.
struct DeepOptions: ParsableArguments {
    @Option(help: .hyperparameter(\DeepAutoencoder.Configuration.hiddenActivation)) var activation: Activation?
    @Option(help: .hyperparameter(\DeepAutoencoder.Configuration.codeActivation)) var codeActivation: Activation?
    @Option(help: .hyperparameter(\DeepAutoencoder.Configuration.outputActivation)) var outputActivation: Activation?
    @Option(help: .hyperparameter(\DeepAutoencoder.Configuration.loss)) var loss: Loss?
    @Option(help: .hyperparameter(\DeepAutoencoder.Configuration.pretraining)) var pretrain: DeepAutoencoder.Configuration.Pretraining?
    @Option(help: .hyperparameter(\DeepAutoencoder.Configuration.pretrainingEpochs)) var pretrainEpochs: Int?
    @Option(help: .hyperparameter(\DeepAutoencoder.Configuration.pretrainingBatchSize)) var pretrainBatchSize: Int?
    @Option(help: .hyperparameter(\DeepAutoencoder.Configuration.pretrainingLearningRate)) var pretrainLearningRate: Float?
    @Option(help: .hyperparameter(\DeepAutoencoder.Configuration.pretrainingMomenta)) var pretrainMomentum: Widths.Floats?
    @Option(help: .hyperparameter(\DeepAutoencoder.Configuration.pretrainingMomentumSwitchEpoch)) var pretrainMomentumSwitch: Int?
}
extension NonlinearPCA.Configuration.Extraction: ExpressibleByArgument {}

/// Learning-rate schedules by name on the command line.
enum ScheduleName: String, ExpressibleByArgument, CaseIterable {
    case constant, step, cosine
}

/// Bottleneck activations Kramer allows.
enum BottleneckName: String, ExpressibleByArgument, CaseIterable {
    case linear, sigmoid
    var activation: Activation { self == .linear ? .linear : .sigmoid }
}

/// Rows held out of the training data for a per-epoch loss, and early stopping on it (a
/// translator holds out pairs, scored by their codes' FOSCTTM; its test pairs are --test-split's).
struct HeldOutOptions: ParsableArguments {
    @Option(help: .hyperparameter(\TrainingConfiguration.heldOutFraction)) var heldOut: Double?
    @Option(help: .hyperparameter(\TrainingConfiguration.earlyStoppingPatience)) var earlyStopping: Int?
}

/// The options of gradient-trained methods (DESIGN.md's common options), turned into a
/// ``TrainingConfiguration`` over each method's defaults.
struct TrainingOptions: ParsableArguments {
    @Option(help: .hyperparameter(\TrainingConfiguration.epochs)) var epochs: Int?
    @Option(help: .hyperparameter(\TrainingConfiguration.minimumSteps, note: "0 counts epochs alone")) var minimumSteps: Int?
    @Option(help: .hyperparameter(\TrainingConfiguration.batchSize)) var batchSize: Int?
    @Option(help: .hyperparameter(\TrainingConfiguration.learningRate)) var learningRate: Float?
    @Option(help: .hyperparameter(\TrainingConfiguration.optimizer)) var optimizer: OptimizerKind?
    @Option(help: .hyperparameter(\TrainingConfiguration.momentum)) var momentum: Float?
    @Option(help: .defaulted("Learning-rate schedule: constant, step (×factor every N epochs) or cosine.", rule: "the method's, as its training defaults above say"))
    var lrSchedule: ScheduleName?
    @Option(help: .hyperparameter(\TrainingConfiguration.scheduleStepEvery)) var lrStepEvery: Int?
    @Option(help: .hyperparameter(\TrainingConfiguration.scheduleStepFactor)) var lrStepFactor: Float?
    @Option(help: .hyperparameter(\TrainingConfiguration.scheduleMinimumFraction)) var lrMinimumFraction: Float?
    @Option(help: "Write a checkpoint every N epochs, beside --output (MODEL.checkpoint.safetensors); Ctrl-C writes one anyway.")
    var checkpointEvery: Int?
    @Option(help: .defaulted("With --checkpoint-every: skip a checkpoint while the last one is younger than this many seconds (the last epoch's is always written); 0 writes every one.", TrainingOptions.defaultCheckpointInterval))
    var checkpointInterval: Double?
    @Flag(help: "Continue from the checkpoint beside --output (same options): the result equals an uninterrupted run.")
    var resume = false

    /// The method's `defaults` with the given options applied (and `heldOut`'s, for methods
    /// that hold rows out of their training data).
    func configuration(over defaults: TrainingConfiguration, heldOut held: HeldOutOptions? = nil) throws -> TrainingConfiguration {
        var c = defaults
        // Epochs asked for are run as asked, unless a minimum of steps is asked for too.
        if let epochs { c.epochs = epochs; c.minimumSteps = nil }
        if let minimumSteps { c.minimumSteps = minimumSteps == 0 ? nil : minimumSteps }
        if let batchSize { c.batchSize = batchSize }
        if let learningRate { c.learningRate = learningRate }
        if let optimizer { c.optimizer = optimizer }
        if let momentum { c.momentum = momentum }
        if let heldOut = held?.heldOut { c.heldOutFraction = heldOut }
        if let earlyStopping = held?.earlyStopping { c.earlyStoppingPatience = earlyStopping }
        if (lrStepEvery != nil || lrStepFactor != nil) && lrSchedule != .step { throw ValidationError("--lr-step-every and --lr-step-factor need --lr-schedule step") }
        if lrMinimumFraction != nil && lrSchedule != .cosine { throw ValidationError("--lr-minimum-fraction needs --lr-schedule cosine") }
        switch lrSchedule {
        case nil: break
        case .constant: c.schedule = .constant
        case .step:
            c.schedule = .step(every: lrStepEvery ?? LearningRateSchedule.defaultStepEvery, factor: lrStepFactor ?? LearningRateSchedule.defaultStepFactor)
        case .cosine:
            c.schedule = .cosine(minimumFraction: lrMinimumFraction ?? LearningRateSchedule.defaultMinimumFraction)
        }
        do { try c.validate() } catch { throw ValidationErrorText("\(error)") }
        return c
    }

    /// The default of `--checkpoint-interval`, in seconds.
    static let defaultCheckpointInterval = 10.0

    /// Checkpoints beside `model`: every `--checkpoint-every` epochs (at most one per
    /// `--checkpoint-interval` seconds), and always one when Ctrl-C interrupts the run.
    func checkpoints(besideModel model: String) throws -> CheckpointPolicy {
        if let every = checkpointEvery, every < 1 { throw ValidationError("--checkpoint-every must be at least 1") }
        if let interval = checkpointInterval {
            guard interval >= 0, interval.isFinite else { throw ValidationError("--checkpoint-interval must be a number of seconds ≥ 0") }
            guard checkpointEvery != nil else { throw ValidationError("--checkpoint-interval needs --checkpoint-every") }
        }
        return CheckpointPolicy(path: CheckpointPolicy.path(besideModel: model), every: checkpointEvery,
                                minimumInterval: checkpointInterval ?? Self.defaultCheckpointInterval, resume: resume)
    }
}

/// One progress line of a trained method on stderr: stage, epoch, batch, loss, held-out loss,
/// learning rate, speed and ETA. Epoch ends are always shown.
/// The share of a training stage done: finished epochs and batches over all of them.
func trainingFraction(_ p: TrainingProgress) -> Double {
    guard p.epochs > 0, p.batches > 0 else { return 0 }
    return (Double(p.epoch - 1) + Double(p.batch) / Double(p.batches)) / Double(p.epochs)
}

func trainingProgressLine(_ p: TrainingProgress) -> String {
    let phase = p.phase.isEmpty ? "" : "\(p.phase): "
    var text = String(format: "%@epoch %d/%d, batch %d/%d, loss %.4f", phase, p.epoch, p.epochs, p.batch, p.batches, p.loss)
    for (name, value) in p.terms.dropFirst() { text += String(format: ", %@ %.4f", name, value) }
    if let heldOut = p.heldOutLoss { text += String(format: ", %@ %.4f", p.heldOutName, heldOut) }
    for (name, value) in p.epochMetrics.sorted(by: { $0.key < $1.key }) { text += String(format: ", %@ %.4g", name, value) }
    if p.learningRate > 0 { text += String(format: ", lr %.2g", p.learningRate) }
    return text + String(format: ", %.0f samples/s, ETA %@", p.samplesPerSecond, formatDuration(p.estimatedSecondsRemaining))
}

extension ProgressDisplay {
    /// A training run's report (`label` before it): epoch ends are milestones, and the
    /// held-out figures and metrics that close an epoch extend its last batch's report.
    func training(_ p: TrainingProgress, label: String = "") {
        update(label + trainingProgressLine(p), fraction: trainingFraction(p), force: p.isEpochEnd,
               extends: p.heldOutLoss != nil || !p.epochMetrics.isEmpty)
    }
}
