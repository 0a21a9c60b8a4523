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
    /// (``DataParallelStep``), in this process; nil when batches were not split.
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
    /// How each batch's gradient is computed: whole (``PartTree/serial``), or in parts summed
    /// in a fixed tree, shared by processes (``DataParallelStep``). Every process runs the same
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
    /// How far a loss may grow before a run counts as diverged (see ``DivergenceGuard``): past
    /// 100 times its reference.
    public static let divergenceFactor = 100.0
    /// The least |reference| the divergence test scales by (see ``DivergenceGuard``).
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
        var step = step
        try configuration.validate()
        require(samples.rows > 0, "Trainer needs samples n × D with n ≥ 1, got \(samples.rows) rows")
        let groups = step.groups, termNames = step.lossTerms
        require(!groups.isEmpty && !termNames.isEmpty, "a training step needs at least one parameter group and one loss term")
        // One group keeps its parameters' own names; several are prefixed by their group's. A
        // parameter in two groups (an encoder stepped by the reconstruction's optimizer and by
        // the generator's) is one variable: checkpointed once, under its first group's name.
        var seen = Set<ObjectIdentifier>()
        let parameters = groups.flatMap { group in
            group.parameters.map { (name: groups.count == 1 ? $0.name : "\(group.name).\($0.name)", parameter: $0.parameter) }
        }.filter { seen.insert(ObjectIdentifier($0.parameter)).inserted }
        let variables = parameters.map(\.parameter), names = parameters.map(\.name)
        let optimizers = groups.map { configuration.makeOptimizer($0.parameters.map(\.parameter), weightDecay: $0.weightDecay) }
        let split = hooks.parts.isSplit ? try DataParallelStep(step, optimizers: optimizers, tree: hooks.parts) : nil
        let n = samples.rows, epochs = configuration.epochs(forSamples: n)
        var record = TrainingRecord()
        var termSeries = [[Float]](repeating: [], count: termNames.count)
        var metricSeries: [String: [Float]] = [:]
        var best: (epoch: Int, loss: Float, values: [Tensor])? = nil
        var startEpoch = 0
        // Inside an interrupted epoch: its batches done, their loss sums, the generator that drew its batches.
        var resumedBatches = 0, resumedSums = [Double](repeating: 0, count: termNames.count)
        var resumedEpochGenerator: RandomGenerator? = nil
        if let checkpoint = hooks.resume, checkpoint.metadata.phase == phase {
            let parts = checkpoint.metadata.parts ?? 1
            guard parts == hooks.parts.parts else {
                throw TrainingError.checkpointMismatch("its batches were cut into \(parts) part\(parts == 1 ? "" : "s"), this run's into \(hooks.parts.parts); "
                                                       + "resume with `parts: \(parts)` (with any number of processes that divides it) to continue it exactly")
            }
            try restore(checkpoint, into: parameters, optimizers: optimizers, epochs: epochs)
            generator = checkpoint.metadata.generator
            startEpoch = checkpoint.metadata.epochsCompleted
            resumedBatches = checkpoint.metadata.batchesCompleted ?? 0
            resumedSums = checkpoint.metadata.termSums ?? [checkpoint.metadata.epochLossSum ?? 0]
            resumedSums += [Double](repeating: 0, count: max(0, termNames.count - resumedSums.count))
            resumedEpochGenerator = checkpoint.metadata.epochGenerator
            record.trainLoss = checkpoint.metadata.trainLoss
            record.heldOutLoss = checkpoint.metadata.heldOutLoss
            termSeries = termNames.enumerated().map { index, name in
                index == 0 ? record.trainLoss : checkpoint.metadata.termLosses?[name] ?? []
            }
            metricSeries = checkpoint.metadata.epochMetrics ?? [:]
            if !metricSeries.isEmpty { record.metrics = metricSeries }
            let bestEpoch = checkpoint.metadata.bestEpoch
            if bestEpoch > 0, bestEpoch <= record.heldOutLoss.count, !checkpoint.bestParameters.isEmpty {
                best = (bestEpoch, record.heldOutLoss[bestEpoch - 1], checkpoint.bestParameters)
            }
        }
        let divergence = try DivergenceGuard(probe: samples.leadingRows(configuration.batchSize), step: step,
                                         resumed: hooks.resume.flatMap { $0.metadata.phase == phase ? $0.metadata.divergenceProbeLoss : nil })
        let start = DispatchTime.now().uptimeNanoseconds
        var processed = 0
        var stopped = startEpoch >= epochs
        if let patience = configuration.earlyStoppingPatience, let best, startEpoch - best.epoch >= patience { stopped = true }
        var epoch = startEpoch
        var lastCheckpoint: UInt64? = nil  // the first periodic checkpoint is always written
        func save(epochsCompleted: Int, generator: RandomGenerator, epochGenerator: RandomGenerator? = nil,
                  batchesCompleted: Int? = nil, sums: [Double]? = nil) throws {
            guard let save = hooks.saveCheckpoint else { return }
            var state = checkpoint(names: names, variables: variables, optimizers: optimizers, generator: generator,
                                   record: record, best: best, epochsCompleted: epochsCompleted)
            state.metadata.batchesCompleted = batchesCompleted
            state.metadata.epochLossSum = sums?.first
            state.metadata.epochGenerator = epochGenerator
            if termNames.count > 1 {
                state.metadata.termSums = sums
                state.metadata.termLosses = Dictionary(uniqueKeysWithValues: zip(termNames, termSeries).dropFirst().map { ($0, $1) })
            }
            if !metricSeries.isEmpty { state.metadata.epochMetrics = metricSeries }
            state.metadata.divergenceProbeLoss = divergence.probeLoss
            state.metadata.parts = hooks.parts.isSplit ? hooks.parts.parts : nil
            try save(state)
            lastCheckpoint = DispatchTime.now().uptimeNanoseconds
        }
        // A report that throws stops the run; across processes every one must stop at the same
        // batch (or the others would wait for it in the next sum), so they agree each time.
        let communicator = hooks.parts.communicator
        func agreeOnStop(_ report: () throws -> Void) throws -> Error? {
            var failure: Error? = nil
            do { try report() } catch { failure = error }
            if communicator.size > 1, try communicator.any(failure != nil), failure == nil {
                failure = TrainingError.stoppedByAnotherProcess
            }
            return failure
        }
        while !stopped && epoch < epochs {
            let epochStart = DispatchTime.now().uptimeNanoseconds
            step.beginEpoch(epoch, of: epochs)
            let rate = configuration.schedule.rate(base: configuration.learningRate, epoch: epoch, epochs: epochs)
            let momentum = configuration.momentum(atEpoch: epoch)
            for (optimizer, group) in zip(optimizers, groups) {
                optimizer.learningRate = rate * group.learningRateScale
                (optimizer as? Momentum)?.momentum = momentum
            }
            let resuming = epoch == startEpoch && resumedBatches > 0
            // The epoch's batches come from the generator at its start; a step's noise draws follow.
            var epochGenerator = resuming ? resumedEpochGenerator ?? generator : generator
            let epochStartGenerator = epochGenerator
            var batches = try samples.epoch(batchSize: configuration.batchSize, using: &epochGenerator)
            let batchCount = samples.batchCount(batchSize: configuration.batchSize)
            if !resuming || resumedEpochGenerator == nil { generator = epochGenerator }
            let skipped = resuming ? resumedBatches : 0
            var sums = resuming ? resumedSums : [Double](repeating: 0, count: termNames.count)
            let number = epoch + 1
            func report(batch: Int, heldOutLoss: Float? = nil, metrics: [String: Float] = [:]) throws {
                let done = Double(max(batch, 1))
                var p = TrainingProgress(epoch: number, epochs: epochs, batch: batch, batches: batchCount,
                                         loss: Float(sums[0] / done), processed: processed, total: (epochs - startEpoch) * n,
                                         elapsedSeconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                p.heldOutLoss = heldOutLoss
                p.learningRate = rate
                p.phase = phase
                p.epochMetrics = metrics
                if termNames.count > 1 { p.terms = zip(termNames, sums).map { ($0, Float($1 / done)) } }
                try hooks.progress(p)
            }
            for index in 0..<batchCount {
                if index < skipped {
                    try batches.skip()
                    continue
                }
                guard let batch = try batches.nextShare() else { break }
                let values: [Double]
                if let split {
                    values = try split.train(step, batch: batch, using: &generator)
                } else {
                    precondition(batch.isWhole, "a batch read in part (rows \(batch.offset)..<\(batch.offset + batch.rows.rows) of \(batch.count)) needs parts to train on")
                    values = try step.train(batch.rows, optimizers: optimizers, using: &generator)
                }
                guard values[0].isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch + 1, batch: index + 1, value: Float(values[0])) }
                // The first epoch's mean loss (so far, within it): a resumed run restores both.
                let reference = record.trainLoss.first.map(Double.init) ?? (index > 0 ? sums[0] / Double(index) : values[0])
                try divergence.check(values[0], reference: reference, epoch: epoch + 1, batch: index + 1, step: step)
                for (term, value) in values.enumerated() where term < sums.count { sums[term] += value }
                processed += batch.count
                if let error = try agreeOnStop({ try report(batch: index + 1) }) {
                    // Interrupted after this batch: keep the state so that the run resumes here.
                    try save(epochsCompleted: epoch, generator: generator, epochGenerator: epochStartGenerator,
                             batchesCompleted: index + 1, sums: sums)
                    throw error
                }
            }
            epoch += 1
            for term in termSeries.indices { termSeries[term].append(Float(sums[term] / Double(batchCount))) }
            record.trainLoss = termSeries[0]
            if termNames.count > 1 { record.terms = Dictionary(uniqueKeysWithValues: zip(termNames, termSeries).map { ($0, $1) }) }
            var heldOutValue: Float? = nil
            if let heldOut {
                let value = Float(try step.heldOutLoss(heldOut))
                guard value.isFinite else { throw TrainingError.nonFiniteHeldOutLoss(epoch: epoch, value: value) }
                record.heldOutLoss.append(value)
                heldOutValue = value
                if let patience = configuration.earlyStoppingPatience {
                    if best == nil || value < best!.loss {
                        best = (epoch, value, variables.map(\.value))
                    } else if epoch - best!.epoch >= patience {
                        stopped = true
                    }
                }
            }
            let metrics = step.epochMetrics()
            for (name, value) in metrics { metricSeries[name, default: []].append(value) }
            if !metricSeries.isEmpty { record.metrics = metricSeries }
            record.secondsPerEpoch.append(Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9)
            if let split { record.summingSecondsPerEpoch = (record.summingSecondsPerEpoch ?? []) + [split.takeSummingSeconds()] }
            var saved = false
            if let every = hooks.checkpointEvery, every > 0, epoch % every == 0 || stopped || epoch == epochs {
                let age = lastCheckpoint.map { Double(DispatchTime.now().uptimeNanoseconds - $0) / 1e9 } ?? .infinity
                if stopped || epoch == epochs || age >= hooks.checkpointMinimumInterval {
                    try save(epochsCompleted: epoch, generator: generator)
                    saved = hooks.saveCheckpoint != nil
                }
            }
            if heldOutValue != nil || !metrics.isEmpty {
                if let error = try agreeOnStop({ try report(batch: batchCount, heldOutLoss: heldOutValue, metrics: metrics) }) {
                    if !saved { try save(epochsCompleted: epoch, generator: generator) }
                    throw error
                }
            }
        }
        record.stoppedEarly = stopped && epoch < epochs
        record.keptEpoch = epoch
        if let best, configuration.earlyStoppingPatience != nil {
            for (variable, value) in zip(variables, best.values) { variable.value = value }
            record.keptEpoch = best.epoch
        }
        return record
    }

    private func checkpoint(names: [String], variables: [Variable], optimizers: [any Optimizer], generator: RandomGenerator,
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

    private func restore(_ checkpoint: TrainingCheckpoint, into parameters: [(name: String, parameter: Variable)],
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
