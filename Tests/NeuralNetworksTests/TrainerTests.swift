import Foundation
import NeuralNetworks
import Testing
import TestSupport
import Tensors

/// A small regression network and data for the trainer's tests.
private func problem(seed: UInt64) -> (layers: [Dense], x: Tensor, y: Tensor) {
    var generator = RandomGenerator(seed: seed)
    let x = Tensor.randomNormal([96, 3], using: &generator)
    let y = (x.columns(0..<1) * 2 - x.columns(1..<2)).tanh()
    let layers = [Dense(inputs: 3, outputs: 8, activation: .tanh, using: &generator), Dense(inputs: 8, outputs: 1, using: &generator)]
    return (layers, x, y)
}

private func named(_ layers: [Dense]) -> [(name: String, parameter: Variable)] {
    layers.enumerated().flatMap { i, l in l.namedParameters.map { ("\(i).\($0.name)", $0.parameter) } }
}

/// Trains `layers` on (x → y): the rows of `samples` are [x | y].
private func train(_ layers: [Dense], _ configuration: TrainingConfiguration, samples: Tensor, heldOut: Tensor?,
                   generator: inout RandomGenerator, hooks: TrainingHooks = .none) throws -> TrainingRecord {
    func split(_ rows: Tensor) -> (Tensor, Tensor) { (rows.columns(0..<3), rows.columns(3..<4)) }
    return try Trainer(configuration).run(parameters: named(layers), samples: samples, heldOut: heldOut, using: &generator, hooks: hooks,
                                          loss: { rows in let (x, y) = split(rows); return squaredError(layers.reduce(Variable(x)) { $1($0) }, y) },
                                          heldOutLoss: { rows in
                                              let (x, y) = split(rows)
                                              return Double((layers.reduce(x) { $1($0) } - y).squared().sum()) / Double(rows.shape[0])
                                          })
}

@Suite struct Schedules {
    @Test func constantStepAndCosineFollowTheirFormulas() {
        #expect(LearningRateSchedule.constant.rate(base: 0.1, epoch: 8, epochs: 10) == 0.1)
        let step = LearningRateSchedule.step(every: 3, factor: 0.5)
        #expect([1, 3, 4, 6, 7].map { step.rate(base: 1, epoch: $0, epochs: 10) } == [1, 1, 0.5, 0.5, 0.25])
        let cosine = LearningRateSchedule.cosine(minimumFraction: 0.1)
        #expect(cosine.rate(base: 1, epoch: 1, epochs: 10) == 1)
        #expect(abs(cosine.rate(base: 1, epoch: 6, epochs: 10) - 0.55) < 1e-6)
        // Monotone decreasing towards the minimum.
        let rates = (1...10).map { cosine.rate(base: 1, epoch: $0, epochs: 10) }
        #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 > $1 } && rates.last! > 0.1)
    }

    @Test func badSchedulesAndConfigurationsAreClearErrors() {
        #expect(throws: TrainingError.invalidConfiguration("`scheduleStepEvery` must be at least 1, got 0")) {
            try TrainingConfiguration(epochs: 3, schedule: .step(every: 0, factor: 0.5)).validate()
        }
        #expect(throws: TrainingError.invalidConfiguration("`scheduleStepFactor` must be in (0, 1], got 1.5")) {
            try TrainingConfiguration(epochs: 3, schedule: .step(every: 2, factor: 1.5)).validate()
        }
        #expect(throws: TrainingError.invalidConfiguration("`scheduleMinimumFraction` must be in [0, 1], got 2")) {
            try TrainingConfiguration(epochs: 3, schedule: .cosine(minimumFraction: 2)).validate()
        }
        #expect(throws: TrainingError.self) { try TrainingConfiguration(epochs: 3, momentum: 1).validate() }
        #expect(throws: TrainingError.self) { try TrainingConfiguration(epochs: 3, heldOutFraction: 1).validate() }
    }
}

@Suite struct TrainerRuns {
    @Test(arguments: NeuralNetworks.OptimizerKind.allCases)
    func lossDecreasesWithEveryOptimizer(kind: NeuralNetworks.OptimizerKind) throws {
        let (layers, x, y) = problem(seed: 1)
        var generator = RandomGenerator(seed: 2)
        let configuration = TrainingConfiguration(epochs: 30, batchSize: 16, learningRate: kind == .adam ? 1e-2 : 5e-2, optimizer: kind, heldOutFraction: 0)
        let record = try train(layers, configuration, samples: Tensor.concatenate([x, y], alongAxis: 1), heldOut: nil, generator: &generator)
        #expect(record.trainLoss.count == 30 && record.keptEpoch == 30 && !record.stoppedEarly)
        #expect(record.trainLoss.last! < 0.5 * record.trainLoss.first!)
    }

    /// With a learning rate that overshoots, the held-out loss rises: early stopping ends the run
    /// `patience` epochs after the best one and restores that epoch's weights.
    @Test func earlyStoppingKeepsTheBestEpoch() throws {
        let (layers, x, y) = problem(seed: 3)
        let rows = Tensor.concatenate([x, y], alongAxis: 1)
        var generator = RandomGenerator(seed: 4)
        let configuration = TrainingConfiguration(epochs: 200, batchSize: 8, learningRate: 0.05, heldOutFraction: 0.25, earlyStoppingPatience: 4)
        let (training, heldOut) = configuration.holdOut(rows, using: &generator)
        #expect(heldOut?.shape == [24, 4] && training.shape == [72, 4])
        let record = try train(layers, configuration, samples: training, heldOut: heldOut, generator: &generator)
        let best = record.heldOutLoss.indices.min { record.heldOutLoss[$0] < record.heldOutLoss[$1] }! + 1
        #expect(record.keptEpoch == best)
        #expect(record.stoppedEarly && record.heldOutLoss.count == best + 4, "stopped early: \(record.stoppedEarly), epochs \(record.heldOutLoss.count), best \(best)")
        // The network holds the kept epoch's weights: its held-out loss is the best one.
        let (hx, hy) = (heldOut!.columns(0..<3), heldOut!.columns(3..<4))
        let loss = Float(Double((layers.reduce(hx) { $1($0) } - hy).squared().sum()) / 24)
        #expect(abs(loss - record.heldOutLoss[best - 1]) <= 1e-5 * max(loss, 1))
    }

    @Test func nonFiniteLossNamesEpochAndBatch() throws {
        let (layers, x, _) = problem(seed: 5)
        var y = x.columns(0..<1)
        y[40, 0] = .nan  // sample 40 poisons whichever batch holds it
        var generator = RandomGenerator(seed: 6)
        let rows = Tensor.concatenate([x, y], alongAxis: 1)
        #expect {
            _ = try train(layers, .init(epochs: 3, batchSize: 16, heldOutFraction: 0), samples: rows, heldOut: nil, generator: &generator)
        } throws: { error in
            guard case let TrainingError.nonFiniteLoss(epoch, batch, _) = error else { return false }
            return epoch == 1 && (1...6).contains(batch) && "\(error)".contains("epoch 1, batch \(batch)")
        }
    }

    /// A learning rate of 10³ wrecks the weights within a few steps, with every optimizer: the
    /// run stops with an error naming the epoch and batch (diverged, or not finite under plain
    /// SGD), before its first checkpoint is written.
    @Test(arguments: NeuralNetworks.OptimizerKind.allCases)
    func divergingRunNamesEpochAndBatch(kind: NeuralNetworks.OptimizerKind) throws {
        let (layers, x, y) = problem(seed: 5)
        var generator = RandomGenerator(seed: 6)
        nonisolated(unsafe) var checkpoints = 0
        let hooks = TrainingHooks(checkpointEvery: 1, saveCheckpoint: { _ in checkpoints += 1 })
        #expect {
            _ = try train(layers, .init(epochs: 3, batchSize: 16, learningRate: 1000, optimizer: kind, heldOutFraction: 0),
                          samples: Tensor.concatenate([x, y], alongAxis: 1), heldOut: nil, generator: &generator, hooks: hooks)
        } throws: { error in
            switch error as? TrainingError {
            case let .diverged(epoch, batch, value, reference)?:
                return Double(value) > Double(reference) + Trainer.divergenceFactor * max(abs(Double(reference)), Trainer.divergenceFloor)
                    && "\(error)".contains("epoch \(epoch), batch \(batch)")
            case let .nonFiniteLoss(epoch, batch, _)?: return "\(error)".contains("epoch \(epoch), batch \(batch)")
            default: return false
            }
        }
        #expect(checkpoints == 0)
    }

    /// A run stopped by its progress callback and resumed from the last checkpoint ends with
    /// the parameters, optimizer state and generator of an uninterrupted run, for every optimizer.
    @Test(arguments: NeuralNetworks.OptimizerKind.allCases)
    func resumedRunEqualsUninterruptedRun(kind: NeuralNetworks.OptimizerKind) throws {
        struct Interrupt: Error {}
        let rows = { () -> Tensor in let (_, x, y) = problem(seed: 7); return Tensor.concatenate([x, y], alongAxis: 1) }()
        let configuration = TrainingConfiguration(epochs: 7, batchSize: 16, learningRate: 1e-2, optimizer: kind, schedule: .defaultStep, heldOutFraction: 0)
        let reference = problem(seed: 7).layers
        var generator = RandomGenerator(seed: 8)
        let full = try train(reference, configuration, samples: rows, heldOut: nil, generator: &generator)
        let after = generator

        var saved: [TrainingCheckpoint] = []
        let interrupted = problem(seed: 7).layers
        generator = RandomGenerator(seed: 8)
        // Interrupted after the third batch of epoch 6: the periodic checkpoints of epochs 2 and 4,
        // then the state inside epoch 6.
        let hooks = TrainingHooks(progress: { if $0.epoch == 6 && $0.batch == 3 { throw Interrupt() } }, checkpointEvery: 2, saveCheckpoint: { saved.append($0) })
        #expect(throws: Interrupt.self) { _ = try train(interrupted, configuration, samples: rows, heldOut: nil, generator: &generator, hooks: hooks) }
        #expect(saved.map(\.metadata.epochsCompleted) == [2, 4, 5])
        #expect(saved.map { $0.metadata.batchesCompleted ?? 0 } == [0, 0, 3])

        // From the last periodic checkpoint and from inside the interrupted epoch alike.
        for stored in saved.suffix(2) {
            // The checkpoint survives its file form (tensors by name, metadata as JSON).
            let json = try JSONEncoder().encode(stored.metadata)
            let tensors = Dictionary(uniqueKeysWithValues: stored.tensors.map { ($0.name, $0.tensor) })
            let restored = try TrainingCheckpoint(metadata: JSONDecoder().decode(TrainingCheckpoint.Metadata.self, from: json)) { tensors[$0] }

            let resumed = problem(seed: 99).layers  // other starting weights: all come from the checkpoint
            generator = RandomGenerator(seed: 12345)
            let record = try train(resumed, configuration, samples: rows, heldOut: nil, generator: &generator, hooks: TrainingHooks(resume: restored))
            #expect(named(resumed).map(\.parameter.value) == named(reference).map(\.parameter.value))
            #expect(record.trainLoss == full.trainLoss)
            #expect(generator == after)
        }
    }

    /// Periodic checkpoints younger than the minimum interval are skipped; the first and the last
    /// epoch's are always written.
    @Test func checkpointsRespectTheirMinimumInterval() throws {
        let (layers, x, y) = problem(seed: 3)
        var saved: [Int] = []
        var generator = RandomGenerator(seed: 1)
        _ = try train(layers, .init(epochs: 6, heldOutFraction: 0), samples: Tensor.concatenate([x, y], alongAxis: 1), heldOut: nil,
                      generator: &generator, hooks: TrainingHooks(checkpointEvery: 1, checkpointMinimumInterval: 3600,
                                                                  saveCheckpoint: { saved.append($0.metadata.epochsCompleted) }))
        #expect(saved == [1, 6])
    }

    @Test func mismatchedCheckpointsAreRefused() throws {
        let (layers, x, y) = problem(seed: 9)
        let rows = Tensor.concatenate([x, y], alongAxis: 1)
        var saved: TrainingCheckpoint? = nil
        var generator = RandomGenerator(seed: 1)
        _ = try train(layers, .init(epochs: 2, heldOutFraction: 0), samples: rows, heldOut: nil, generator: &generator,
                      hooks: TrainingHooks(checkpointEvery: 1, saveCheckpoint: { saved = $0 }))
        var wrong = saved!
        wrong.metadata.parameterNames[0] = "other"
        #expect(throws: TrainingError.self) {
            _ = try train(problem(seed: 9).layers, .init(epochs: 4, heldOutFraction: 0), samples: rows, heldOut: nil, generator: &generator, hooks: TrainingHooks(resume: wrong))
        }
        #expect(throws: TrainingError.self) {  // more epochs done than configured
            _ = try train(problem(seed: 9).layers, .init(epochs: 1, heldOutFraction: 0), samples: rows, heldOut: nil, generator: &generator, hooks: TrainingHooks(resume: saved))
        }
    }
}
