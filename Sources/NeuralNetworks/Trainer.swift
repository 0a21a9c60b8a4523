import Collectives
import Dispatch
import Tensors

/// What a training run did: per-epoch losses, the epoch whose weights were kept, timing.
public struct TrainingRecord: Codable, Sendable, Equatable {
    /// Mean batch loss of each epoch.
    public var trainLoss: [Float]
    /// Held-out loss after each epoch (empty without held-out data).
    public var heldOutLoss: [Float]
    /// 1-based epoch whose weights the model keeps (the last one unless early stopping chose).
    public var keptEpoch: Int
    /// Whether early stopping ended the run before its last epoch.
    public var stoppedEarly: Bool
    /// Wall-clock seconds of each epoch run in this process (not those before a resume).
    public var secondsPerEpoch: [Double]
    /// Mean batch value of each loss term per epoch, by name, for steps with several terms
    /// (reconstruction and KL, critic and generator); `trainLoss` is the first term's.
    public var terms: [String: [Float]]?
    /// A step's figures at each epoch's end beyond its losses (``TrainingStep/epochMetrics()``),
    /// by name; nil for steps without any.
    public var metrics: [String: [Float]]?
    /// Wall-clock seconds of each epoch spent summing gradients across parts and processes
    /// (`DataParallelStep`), in this process; nil when batches were not split.
    public var summingSecondsPerEpoch: [Double]?

    public init(trainLoss: [Float] = [], heldOutLoss: [Float] = [], keptEpoch: Int = 0, stoppedEarly: Bool = false,
                secondsPerEpoch: [Double] = []) {
        self.trainLoss = trainLoss
        self.heldOutLoss = heldOutLoss
        self.keptEpoch = keptEpoch
        self.stoppedEarly = stoppedEarly
        self.secondsPerEpoch = secondsPerEpoch
    }
}

/// Run-time controls of training that are not hyperparameters: progress reports, checkpoints,
/// and the checkpoint to resume from.
public struct TrainingHooks {
    /// Called after every mini-batch (and once more with the held-out loss at each epoch's end).
    /// An error it throws stops training and is rethrown: the way to interrupt a run. With
    /// `saveCheckpoint`, the state after the last finished batch is saved first, so the run
    /// resumes from there exactly, whether or not periodic checkpoints were asked for.
    public var progress: (TrainingProgress) throws -> Void
    /// Write a checkpoint after every this many epochs (nil: only when interrupted).
    public var checkpointEvery: Int?
    /// Skip a periodic checkpoint when the last one is younger than this many seconds (the last
    /// epoch's is always written): checkpoints then cost a bounded share of a run whose epochs
    /// are short. 0 writes every one asked for.
    public var checkpointMinimumInterval: Double = 0
    /// Persists a checkpoint; called only after epochs whose losses were all finite, so the file
    /// always holds the last good state.
    public var saveCheckpoint: ((TrainingCheckpoint) throws -> Void)?
    /// Continue from this checkpoint when its phase is the run's.
    public var resume: TrainingCheckpoint?
    /// How each batch's gradient is computed: whole (`PartTree.serial`), or in parts summed
    /// in a fixed tree, shared by processes (`DataParallelStep`). Every process runs the same
    /// trainer; give `saveCheckpoint` to one (rank 0) only.
    public var parts: PartTree

    public init(progress: @escaping (TrainingProgress) throws -> Void = { _ in }, checkpointEvery: Int? = nil,
                checkpointMinimumInterval: Double = 0, saveCheckpoint: ((TrainingCheckpoint) throws -> Void)? = nil,
                resume: TrainingCheckpoint? = nil, parts: PartTree = .serial) {
        self.progress = progress
        self.checkpointEvery = checkpointEvery
        self.checkpointMinimumInterval = checkpointMinimumInterval
        self.saveCheckpoint = saveCheckpoint
        self.resume = resume
        self.parts = parts
    }

    /// No reports, no checkpoints.
    public static var none: TrainingHooks { TrainingHooks() }
}

/// Mini-batch gradient training of a list of named parameters: shuffled batches from a seeded
/// generator, a learning-rate schedule, a held-out loss per epoch, early stopping that keeps the
/// best epoch's weights, checkpoints that resume exactly, and an error naming the epoch and batch
/// where the loss stops being finite or diverges.
public struct Trainer {
    /// How far a loss may grow before a run counts as diverged (see `DivergenceGuard`): past
    /// 100 times its reference.
    public static let divergenceFactor = 100.0
    /// The least |reference| the divergence test scales by (see `DivergenceGuard`).
    public static let divergenceFloor = 1.0

    public let configuration: TrainingConfiguration
    /// The stage name of a multi-stage fit, carried in progress reports and checkpoints.
    public let phase: String

    public init(_ configuration: TrainingConfiguration, phase: String = "") {
        self.configuration = configuration
        self.phase = phase
    }

    /// Trains `parameters` on the rows of `samples` by one loss (a ``LossStep``).
    ///
    /// - Parameters:
    ///   - loss: the batch loss as a graph (a mean per sample), minimised.
    ///   - heldOutLoss: the same loss on plain tensors (no graph), per sample, for `heldOut`.
    /// - Returns: the record; the parameters hold the kept epoch's values.
    public func run(parameters: [(name: String, parameter: Variable)], samples: some TrainingRows, heldOut: Tensor?,
                    using generator: inout RandomGenerator, hooks: TrainingHooks = .none,
                    loss: @escaping (Tensor) -> Variable, heldOutLoss: @escaping (Tensor) -> Double) throws -> TrainingRecord {
        try run(LossStep(parameters: parameters, loss: loss, heldOutLoss: heldOutLoss), samples: samples, heldOut: heldOut,
                using: &generator, hooks: hooks)
    }

    /// Trains `step`'s parameter groups on the rows of `samples` (in memory, or streamed), one
    /// optimizer per group.
    /// - Returns: the record; the parameters hold the kept epoch's values.
    public func run(_ step: some TrainingStep, samples: some TrainingRows, heldOut: Tensor?,
                    using generator: inout RandomGenerator, hooks: TrainingHooks = .none) throws -> TrainingRecord {
        try configuration.validate()
        require(samples.rows > 0, "Trainer needs samples n × D with n ≥ 1, got \(samples.rows) rows")
        // The parameters, one optimizer per group, the parts; then where a checkpoint left off.
        var run = try TrainingState(step, trainer: self, rows: samples.rows, hooks: hooks)
        try run.resume(using: &generator)
        // A fixed probe of training rows, to tell a diverging run from a hard batch.
        let divergence = try DivergenceGuard(probe: samples.leadingRows(configuration.batchSize), step: run.step, resumed: run.resumedProbeLoss)
        while !run.stopped && run.epoch < run.epochs {
            let started = DispatchTime.now().uptimeNanoseconds
            // The schedule's rate and momentum, the step's epoch hook.
            let rate = run.beginEpoch()
            // Every batch: a step, the loss checked, a report; an interruption saves the state after it.
            try run.trainEpoch(samples, rate: rate, divergence: divergence, using: &generator)
            // The epoch's losses, the held-out loss and early stopping, a checkpoint, the epoch's report.
            try run.endEpoch(heldOut: heldOut, rate: rate, started: started, divergence: divergence, generator: generator)
        }
        // The kept epoch's weights (early stopping's best), and the record.
        return run.finish()
    }

    func checkpoint(names: [String], variables: [Variable], optimizers: [any Optimizer], generator: RandomGenerator,
                            record: TrainingRecord, best: (epoch: Int, loss: Float, values: [Tensor])?, epochsCompleted: Int) -> TrainingCheckpoint {
        let states = optimizers.map(\.state)
        var metadata = TrainingCheckpoint.Metadata(
            phase: phase, epochsCompleted: epochsCompleted, generator: generator, trainLoss: record.trainLoss,
            heldOutLoss: record.heldOutLoss, bestEpoch: best?.epoch ?? 0, optimizerSteps: states[0].steps, parameterNames: names)
        if states.count > 1 {
            metadata.groupOptimizerSteps = states.map(\.steps)
            metadata.groupOptimizerTensorCounts = states.map(\.tensors.count)
        }
        return TrainingCheckpoint(metadata: metadata, parameters: variables.map(\.value), bestParameters: best?.values ?? [],
                                  optimizerTensors: states.flatMap(\.tensors))
    }

    func restore(_ checkpoint: TrainingCheckpoint, into parameters: [(name: String, parameter: Variable)],
                         optimizers: [any Optimizer], epochs: Int) throws {
        guard checkpoint.metadata.parameterNames == parameters.map(\.name) else {
            throw TrainingError.checkpointMismatch("it holds parameters \(checkpoint.metadata.parameterNames), this network has \(parameters.map(\.name))")
        }
        for ((name, variable), value) in zip(parameters, checkpoint.parameters) where variable.shape != value.shape {
            throw TrainingError.checkpointMismatch("parameter '\(name)' has shape \(value.shape) there, \(variable.shape) here")
        }
        guard checkpoint.metadata.epochsCompleted <= epochs else {
            throw TrainingError.checkpointMismatch("it has \(checkpoint.metadata.epochsCompleted) epochs done, more than the \(epochs) configured")
        }
        let steps = checkpoint.metadata.groupOptimizerSteps ?? [checkpoint.metadata.optimizerSteps]
        let counts = checkpoint.metadata.groupOptimizerTensorCounts ?? [checkpoint.optimizerTensors.count]
        guard steps.count == optimizers.count, counts.count == optimizers.count, counts.reduce(0, +) == checkpoint.optimizerTensors.count else {
            throw TrainingError.checkpointMismatch("it holds the state of \(steps.count) optimizers, this run has \(optimizers.count)")
        }
        var offset = 0
        for (index, optimizer) in optimizers.enumerated() {
            try optimizer.restore(OptimizerState(steps: steps[index], tensors: Array(checkpoint.optimizerTensors[offset..<(offset + counts[index])])))
            offset += counts[index]
        }
        for ((_, variable), value) in zip(parameters, checkpoint.parameters) { variable.value = value }
    }
}
