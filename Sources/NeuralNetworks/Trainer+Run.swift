import Collectives
import Dispatch
import Tensors

/// One run of the ``Trainer``, phase by phase: its parameters and optimizers, the epoch it is
/// in, and everything a checkpoint holds and the record reports.
struct TrainingState<Step: TrainingStep> {
    let trainer: Trainer
    var step: Step
    let groups: [ParameterGroup]
    let termNames: [String]
    /// Every parameter once, named: one group keeps its parameters' own names; several are
    /// prefixed by their group's. A parameter in two groups (an encoder stepped by the
    /// reconstruction's optimizer and by the generator's) is one variable, checkpointed once,
    /// under its first group's name.
    let parameters: [(name: String, parameter: Variable)]
    let optimizers: [any Optimizer]
    /// The batch cut into parts shared by processes, when it is.
    let split: DataParallelStep?
    let hooks: TrainingHooks
    /// n, and the epochs a run over them takes.
    let rows: Int, epochs: Int
    var record = TrainingRecord()
    var termSeries: [[Float]]
    var metricSeries: [String: [Float]] = [:]
    var best: (epoch: Int, loss: Float, values: [Tensor])? = nil
    /// The epoch the run started in (after a resume), and the next one to train (0-based).
    var startEpoch = 0, epoch = 0
    var stopped = false
    /// Inside an interrupted epoch: its batches done, their loss sums, the generator that drew its batches.
    var resumedBatches = 0, resumedSums: [Double], resumedEpochGenerator: RandomGenerator? = nil
    var resumedProbeLoss: Double? = nil
    /// Rows trained on in this process's run, for speed and the ETA.
    var processed = 0
    /// The last epoch's term sums and batches, for its report.
    var epochSums: [Double] = [], epochBatches = 0
    let start = DispatchTime.now().uptimeNanoseconds
    /// When the last checkpoint was written (the first periodic one is always written).
    var lastCheckpoint: UInt64? = nil

    var configuration: TrainingConfiguration { trainer.configuration }
    var variables: [Variable] { parameters.map(\.parameter) }

    init(_ step: Step, trainer: Trainer, rows: Int, hooks: TrainingHooks) throws {
        (self.step, self.trainer, self.rows, self.hooks) = (step, trainer, rows, hooks)
        groups = step.groups
        termNames = step.lossTerms
        require(!groups.isEmpty && !termNames.isEmpty, "a training step needs at least one parameter group and one loss term")
        var seen = Set<ObjectIdentifier>()
        let groups = self.groups
        parameters = groups.flatMap { group in
            group.parameters.map { (name: groups.count == 1 ? $0.name : "\(group.name).\($0.name)", parameter: $0.parameter) }
        }.filter { seen.insert(ObjectIdentifier($0.parameter)).inserted }
        let configuration = trainer.configuration
        optimizers = groups.map { configuration.makeOptimizer($0.parameters.map(\.parameter), weightDecay: $0.weightDecay) }
        split = hooks.parts.isSplit ? try DataParallelStep(step, optimizers: optimizers, tree: hooks.parts) : nil
        epochs = configuration.epochs(forSamples: rows)
        termSeries = [[Float]](repeating: [], count: termNames.count)
        resumedSums = [Double](repeating: 0, count: termNames.count)
    }

    /// Restores the state a checkpoint of this phase holds: parameters, optimizers, the
    /// generator, the record so far, the best epoch, and where inside an epoch it stopped.
    mutating func resume(using generator: inout RandomGenerator) throws {
        defer { stopsEarly() }
        guard let checkpoint = hooks.resume, checkpoint.metadata.phase == trainer.phase else { return }
        let parts = checkpoint.metadata.parts ?? 1
        guard parts == hooks.parts.parts else {
            throw TrainingError.checkpointMismatch("its batches were cut into \(parts) part\(parts == 1 ? "" : "s"), this run's into \(hooks.parts.parts); "
                                                   + "resume with `parts: \(parts)` (with any number of processes that divides it) to continue it exactly")
        }
        try trainer.restore(checkpoint, into: parameters, optimizers: optimizers, epochs: epochs)
        generator = checkpoint.metadata.generator
        startEpoch = checkpoint.metadata.epochsCompleted
        resumedBatches = checkpoint.metadata.batchesCompleted ?? 0
        resumedSums = checkpoint.metadata.termSums ?? [checkpoint.metadata.epochLossSum ?? 0]
        resumedSums += [Double](repeating: 0, count: max(0, termNames.count - resumedSums.count))
        resumedEpochGenerator = checkpoint.metadata.epochGenerator
        resumedProbeLoss = checkpoint.metadata.divergenceProbeLoss
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

    /// A run resumed after its last epoch, or after early stopping's patience ran out, trains no more.
    private mutating func stopsEarly() {
        epoch = startEpoch
        stopped = startEpoch >= epochs
        if let patience = configuration.earlyStoppingPatience, let best, startEpoch - best.epoch >= patience { stopped = true }
    }

    /// Sets the epoch's learning rate (each group's share of it) and momentum, and tells the step.
    mutating func beginEpoch() -> Float {
        // `epoch` counts the epochs done; the one beginning is the next, numbered from 1.
        let number = epoch + 1
        step.beginEpoch(number, of: epochs)
        let rate = configuration.schedule.rate(base: configuration.learningRate, epoch: number, epochs: epochs)
        let momentum = configuration.momentum(atEpoch: number)
        for (optimizer, group) in zip(optimizers, groups) {
            optimizer.learningRate = rate * group.learningRateScale
            (optimizer as? Momentum)?.momentum = momentum
        }
        return rate
    }

    /// One epoch's batches, in the order drawn at its start: each trained (in parts when split),
    /// its loss checked, its terms summed and reported. A resumed epoch skips the batches
    /// already done. A report that throws stops the run after a checkpoint of this batch.
    mutating func trainEpoch(_ samples: some TrainingRows, rate: Float, divergence: DivergenceGuard,
                             using generator: inout RandomGenerator) throws {
        let resuming = epoch == startEpoch && resumedBatches > 0
        // The epoch's batches come from the generator at its start; a step's noise draws follow.
        var epochGenerator = resuming ? resumedEpochGenerator ?? generator : generator
        let epochStartGenerator = epochGenerator
        var batches = try samples.epoch(batchSize: configuration.batchSize, using: &epochGenerator)
        let batchCount = samples.batchCount(batchSize: configuration.batchSize)
        if !resuming || resumedEpochGenerator == nil { generator = epochGenerator }
        let skipped = resuming ? resumedBatches : 0
        var sums = resuming ? resumedSums : [Double](repeating: 0, count: termNames.count)
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
            let progress = report(epoch: epoch + 1, batch: index + 1, of: batchCount, sums: sums, rate: rate)
            if let error = try agreeOnStop({ try hooks.progress(progress) }) {
                // Interrupted after this batch: keep the state so that the run resumes here.
                try save(epochsCompleted: epoch, generator: generator, divergence: divergence, epochGenerator: epochStartGenerator,
                         batchesCompleted: index + 1, sums: sums)
                throw error
            }
        }
        epoch += 1
        for term in termSeries.indices { termSeries[term].append(Float(sums[term] / Double(batchCount))) }
        (epochSums, epochBatches) = (sums, batchCount)
    }

    /// After an epoch: its losses recorded, the held-out loss and early stopping, the step's
    /// metrics, timing, a checkpoint when one is due, and the epoch's report.
    mutating func endEpoch(heldOut: Tensor?, rate: Float, started: UInt64, divergence: DivergenceGuard, generator: RandomGenerator) throws {
        record.trainLoss = termSeries[0]
        if termNames.count > 1 { record.terms = Dictionary(uniqueKeysWithValues: zip(termNames, termSeries).map { ($0, $1) }) }
        var heldOutValue: Float? = nil
        if let heldOut {
            let value = Float(try step.selectionLoss(heldOut))
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
        record.secondsPerEpoch.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        if let split { record.summingSecondsPerEpoch = (record.summingSecondsPerEpoch ?? []) + [split.takeSummingSeconds()] }
        var saved = false
        if let every = hooks.checkpointEvery, every > 0, epoch % every == 0 || stopped || epoch == epochs {
            let age = lastCheckpoint.map { Double(DispatchTime.now().uptimeNanoseconds - $0) / 1e9 } ?? .infinity
            if stopped || epoch == epochs || age >= hooks.checkpointMinimumInterval {
                try save(epochsCompleted: epoch, generator: generator, divergence: divergence)
                saved = hooks.saveCheckpoint != nil
            }
        }
        guard heldOutValue != nil || !metrics.isEmpty else { return }
        var progress = report(epoch: epoch, batch: epochBatches, of: epochBatches, sums: epochSums, rate: rate)
        (progress.heldOutLoss, progress.epochMetrics) = (heldOutValue, metrics)
        progress.heldOutName = step.selectionName
        if let error = try agreeOnStop({ try hooks.progress(progress) }) {
            if !saved { try save(epochsCompleted: epoch, generator: generator, divergence: divergence) }
            throw error
        }
    }

    /// The record, with the kept epoch's weights in the parameters (early stopping's best).
    mutating func finish() -> TrainingRecord {
        record.stoppedEarly = stopped && epoch < epochs
        record.keptEpoch = epoch
        if let best, configuration.earlyStoppingPatience != nil {
            for (variable, value) in zip(variables, best.values) { variable.value = value }
            record.keptEpoch = best.epoch
        }
        return record
    }

    /// The report after `batch` of `count` batches of epoch `number` (1-based), whose terms sum to `sums`.
    func report(epoch number: Int, batch: Int, of count: Int, sums: [Double], rate: Float) -> TrainingProgress {
        let done = Double(max(batch, 1))
        var p = TrainingProgress(epoch: number, epochs: epochs, batch: batch, batches: count,
                                 loss: Float(sums[0] / done), processed: processed, total: (epochs - startEpoch) * rows,
                                 elapsedSeconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        p.learningRate = rate
        p.phase = trainer.phase
        if termNames.count > 1 { p.terms = zip(termNames, sums).map { ($0, Float($1 / done)) } }
        return p
    }

    /// A report that throws stops the run; across processes every one must stop at the same
    /// batch (or the others would wait for it in the next sum), so they agree each time.
    func agreeOnStop(_ report: () throws -> Void) throws -> Error? {
        var failure: Error? = nil
        do { try report() } catch { failure = error }
        let communicator = hooks.parts.communicator
        if communicator.size > 1, try communicator.any(failure != nil), failure == nil {
            failure = TrainingError.stoppedByAnotherProcess
        }
        return failure
    }

    /// Writes a checkpoint through the hooks (when they save): after `epochsCompleted` epochs,
    /// or inside the next one after `batchesCompleted` batches whose terms sum to `sums`.
    mutating func save(epochsCompleted: Int, generator: RandomGenerator, divergence: DivergenceGuard, epochGenerator: RandomGenerator? = nil,
                       batchesCompleted: Int? = nil, sums: [Double]? = nil) throws {
        guard let save = hooks.saveCheckpoint else { return }
        var state = trainer.checkpoint(names: parameters.map(\.name), variables: variables, optimizers: optimizers, generator: generator,
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
}
