import Collectives
import Foundation
import NeuralNetworks
import Testing
import TestSupport
import Tensors

/// The sum every process of N must get: the parts' arrays added in the binary tree over them,
/// neighbours first, an array without a right neighbour passed up as it is.
private func treeSum(_ arrays: [[Float]]) -> [Float] {
    var level = arrays
    while level.count > 1 {
        level = stride(from: 0, to: level.count, by: 2).map { i in i + 1 < level.count ? zip(level[i], level[i + 1]).map { $0 + $1 } : level[i] }
    }
    return level[0]
}

@Suite struct FixedOrderSums {
    @Test(arguments: [2, 3, 4, 5, 6, 8], [0, 1, 3, 7, 1000])
    func everyProcessGetsTheTreeSumBitForBit(processes: Int, count: Int) throws {
        // Values of very different magnitudes: another order of additions gives other bits.
        let arrays = (0..<processes).map { rank in
            var generator = RandomGenerator(seed: UInt64(rank))
            return (0..<count).map { _ in Float(generator.nextNormal()) * pow(10, Float(generator.nextInt(below: 8))) }
        }
        let results = try ThreadedProcesses(size: processes).run { communicator in
            var values = arrays[communicator.rank]
            try communicator.allReduceSum(&values)
            return values
        }
        let expected = treeSum(arrays)
        for result in results { #expect(result.map(\.bitPattern) == expected.map(\.bitPattern)) }
        // The order matters for these values: a left-to-right sum differs somewhere.
        if count == 1000 && processes >= 4 {
            let sequential = (0..<count).map { i in arrays.dropFirst().reduce(arrays[0][i]) { $0 + $1[i] } }
            #expect(sequential.map(\.bitPattern) != expected.map(\.bitPattern))
        }
    }

    /// N processes share P parts in equal subtrees: N divides P, and P/N is a power of two
    /// (one process takes any P).
    @Test func processesShareThePartsInSubtrees() throws {
        #expect(throws: CommunicationError.self) { try PartTree(SingleProcess(), parts: 0) }
        #expect(try PartTree(SingleProcess(), parts: 3).localParts == 0..<3)
        let outcomes = try ThreadedProcesses(size: 4).run { communicator in
            ((try? PartTree(communicator, parts: 2)) == nil, (try? PartTree(communicator, parts: 12)) == nil, (try? PartTree(communicator, parts: 8))?.localParts)
        }
        #expect(outcomes.allSatisfy { $0.0 && $0.1 })
        #expect(outcomes.map(\.2) == [0..<2, 2..<4, 4..<6, 6..<8])
        let three = try ThreadedProcesses(size: 3).run { communicator in
            ((try? PartTree(communicator, parts: 9)) == nil, (try? PartTree(communicator, parts: 12))?.localParts)
        }
        #expect(three.allSatisfy { $0.0 })
        #expect(three.map(\.1) == [0..<4, 4..<8, 8..<12])
    }

    /// Six parts summed by one, three or six processes: the same bits (the tree with a
    /// missing right neighbour passed up).
    @Test(arguments: [1, 3, 6])
    func sixPartsGiveTheSameSumOnAnyProcessesSharingThem(processes: Int) throws {
        let arrays = (0..<6).map { part in
            var generator = RandomGenerator(seed: UInt64(part) + 40)
            return (0..<500).map { _ in Float(generator.nextNormal()) * pow(10, Float(generator.nextInt(below: 8))) }
        }
        let results = try ThreadedProcesses(size: processes).run { communicator in
            let tree = try PartTree(communicator, parts: 6)
            var local = tree.localParts.map { arrays[$0] }
            return try tree.sum(&local)
        }
        for result in results { #expect(result.map(\.bitPattern) == treeSum(arrays).map(\.bitPattern)) }
    }

    @Test(arguments: [0, 1, 5, 64, 100])
    func partsCoverTheRowsOnceInOrder(count: Int) throws {
        let tree = try PartTree(SingleProcess(), parts: 8)
        let ranges = (0..<8).map { tree.rows(ofPart: $0, count: count) }
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == count)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        #expect(ranges.allSatisfy { $0.count == count / 8 || $0.count == count / 8 + 1 })
    }
}

/// A regression step that draws noise from its generator (as a VAE's ε): the parts' own
/// generators must make it the same for any number of processes.
private struct NoisyRegression: TrainingStep {
    let layers: [Dense]
    var groups: [ParameterGroup] {
        [ParameterGroup(name: "network", parameters: layers.enumerated().flatMap { i, l in l.namedParameters.map { ("\(i).\($0.name)", $0.parameter) } })]
    }
    var lossTerms: [String] { ["loss"] }

    func train(_ batch: Tensor, optimizers: [any Optimizer], using generator: inout RandomGenerator) -> [Double] {
        optimizers[0].zeroGradients()
        let x = batch.columns(0..<3) + Tensor.randomNormal([batch.shape[0], 3], standardDeviation: 0.1, using: &generator)
        return descend(on: [squaredError(layers.reduce(Variable(x)) { $1($0) }, batch.columns(3..<4))], with: optimizers[0])
    }

    func heldOutLoss(_ samples: Tensor) -> Double {
        Double((layers.reduce(samples.columns(0..<3)) { $1($0) } - samples.columns(3..<4)).squared().sum()) / Double(samples.shape[0])
    }
}

private func regression(seed: UInt64) -> (layers: [Dense], samples: Tensor) {
    var generator = RandomGenerator(seed: seed)
    let x = Tensor.randomNormal([100, 3], using: &generator)
    let y = (x.columns(0..<1) * 2 - x.columns(1..<2)).tanh()
    let layers = [Dense(inputs: 3, outputs: 16, activation: .tanh, using: &generator), Dense(inputs: 16, outputs: 1, using: &generator)]
    return (layers, Tensor.concatenate([x, y], alongAxis: 1))
}

/// Trains the regression with `parts` parts on `processes` threads; every rank's parameters and record.
private func trainInParts(processes: Int, parts: Int, epochs: Int = 4, optimizer: NeuralNetworks.OptimizerKind = .adam,
                          resume: TrainingCheckpoint? = nil, stopAfter batches: Int? = nil) throws -> [(parameters: [[Float]], record: TrainingRecord, checkpoint: TrainingCheckpoint?)] {
    try ThreadedProcesses(size: processes).run { communicator in
        let (layers, samples) = regression(seed: 11)
        var generator = RandomGenerator(seed: 3)
        // 100 rows in batches of 24: a last batch of 4, and parts of unequal sizes.
        let configuration = TrainingConfiguration(epochs: epochs, batchSize: 24, learningRate: 0.01, optimizer: optimizer, heldOutFraction: 0)
        let step = NoisyRegression(layers: layers)
        nonisolated(unsafe) var saved: TrainingCheckpoint? = nil
        nonisolated(unsafe) var seen = 0
        let hooks = TrainingHooks(progress: { p in
            seen += 1
            if let batches, seen == batches, communicator.rank == 0 { throw CancellationError() }
        }, saveCheckpoint: communicator.rank == 0 ? { saved = $0 } : nil, resume: resume, parts: try PartTree(communicator, parts: parts))
        var record = TrainingRecord()
        do { record = try Trainer(configuration).run(step, samples: samples, heldOut: nil, using: &generator, hooks: hooks) } catch is CancellationError {
        } catch TrainingError.stoppedByAnotherProcess {}
        return (layers.flatMap { [$0.weight.value.scalars, $0.bias.value.scalars] }, record, saved)
    }
}

@Suite struct DataParallelTraining {
    @Test(arguments: [NeuralNetworks.OptimizerKind.adam, .sgd])
    func theSamePartsGiveTheSameModelOnAnyProcessesSharingThem(optimizer: NeuralNetworks.OptimizerKind) throws {
        for (parts, sharing) in [(4, [2, 4]), (6, [3, 6])] {
            let one = try trainInParts(processes: 1, parts: parts, optimizer: optimizer)[0]
            for processes in sharing {
                for rank in try trainInParts(processes: processes, parts: parts, optimizer: optimizer) {
                    #expect(rank.parameters.map { $0.map(\.bitPattern) } == one.parameters.map { $0.map(\.bitPattern) }, "\(parts) parts on \(processes) processes")
                    #expect(rank.record.trainLoss == one.record.trainLoss)
                }
            }
        }
        let one = try trainInParts(processes: 1, parts: 4, optimizer: optimizer)[0]
        #expect(one.record.trainLoss.last! < one.record.trainLoss.first!)
    }

    @Test(arguments: [2, 4, 8])
    func thePartsSumToTheWholeBatchsGradient(parts: Int) throws {
        // Without noise, a step in parts is the whole batch's up to rounding: the same first
        // epoch's loss and nearly the same weights.
        func run(_ parts: Int) throws -> (loss: [Float], weights: [Float]) {
            let (layers, samples) = regression(seed: 5)
            var generator = RandomGenerator(seed: 2)
            let step = LossStep(parameters: layers.enumerated().flatMap { i, l in l.namedParameters.map { ("\(i).\($0.name)", $0.parameter) } }) { rows in
                squaredError(layers.reduce(Variable(rows.columns(0..<3))) { $1($0) }, rows.columns(3..<4))
            }
            let record = try Trainer(TrainingConfiguration(epochs: 1, batchSize: 24, learningRate: 0.01, optimizer: .sgd, heldOutFraction: 0))
                .run(step, samples: samples, heldOut: nil, using: &generator, hooks: TrainingHooks(parts: try PartTree(SingleProcess(), parts: parts)))
            return (record.trainLoss, layers[0].weight.value.scalars)
        }
        let whole = try run(1), split = try run(parts)
        #expect(abs(whole.loss[0] - split.loss[0]) <= 1e-5 * whole.loss[0])
        #expect(zip(whole.weights, split.weights).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($0)) })
    }

    @Test func aStopOnOneProcessStopsAllAtTheSameBatchAndResumesWithFewerProcesses() throws {
        let uninterrupted = try trainInParts(processes: 1, parts: 2)[0]
        // Rank 0 stops after its 7th report (inside the second epoch); rank 1 stops with it.
        let stopped = try trainInParts(processes: 2, parts: 2, stopAfter: 7)
        let checkpoint = try #require(stopped[0].checkpoint)
        #expect(checkpoint.metadata.parts == 2 && checkpoint.metadata.batchesCompleted == 2)
        #expect(stopped[0].parameters.map { $0.map(\.bitPattern) } == stopped[1].parameters.map { $0.map(\.bitPattern) })
        // Resumed by one process with the same parts: the uninterrupted model, bit for bit.
        let resumed = try trainInParts(processes: 1, parts: 2, resume: checkpoint)[0]
        #expect(resumed.parameters.map { $0.map(\.bitPattern) } == uninterrupted.parameters.map { $0.map(\.bitPattern) })
        // Other parts would not continue it exactly: refused.
        #expect(throws: TrainingError.self) { _ = try trainInParts(processes: 1, parts: 4, resume: checkpoint) }
    }

    @Test func aStepThatUpdatesOneGroupAgainstAnothersUpdateCannotBeSplit() throws {
        let (layers, samples) = regression(seed: 1)
        let step = TwoGroups(layers: layers)
        var generator = RandomGenerator(seed: 1)
        let hooks = TrainingHooks(parts: try PartTree(SingleProcess(), parts: 2))
        #expect(throws: TrainingError.self) {
            _ = try Trainer(TrainingConfiguration(epochs: 1, batchSize: 10, heldOutFraction: 0)).run(step, samples: samples, heldOut: nil, using: &generator, hooks: hooks)
        }
    }
}

/// Two groups stepped in turn: data-parallel training refuses it.
private struct TwoGroups: TrainingStep {
    let layers: [Dense]
    var groups: [ParameterGroup] {
        layers.enumerated().map { i, l in ParameterGroup(name: "\(i)", parameters: l.namedParameters) }
    }
    var lossTerms: [String] { ["loss"] }
    func train(_ batch: Tensor, optimizers: [any Optimizer], using generator: inout RandomGenerator) -> [Double] { [0] }
    func heldOutLoss(_ samples: Tensor) -> Double { 0 }
}
