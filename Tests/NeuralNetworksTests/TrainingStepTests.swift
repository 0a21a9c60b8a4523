import Foundation
import NeuralNetworks
import Testing
import TestSupport
import Tensors

/// A toy adversarial pair on 1-D data: a generator x̂ = a·z + m fed noise z ~ N(0, 1) drawn from
/// the run's generator, and a critic f(x) = w·x + b that take turns (least-squares GAN: the
/// critic drives f(real) to 1 and f(fake) to 0, the generator drives f(fake) to 1).
private struct AdversarialPair: TrainingStep {
    let generatorLayer: Dense, critic: Dense

    init(seed: UInt64) {
        var generator = RandomGenerator(seed: seed)
        generatorLayer = Dense(inputs: 1, outputs: 1, using: &generator)
        critic = Dense(inputs: 1, outputs: 1, using: &generator)
    }

    var groups: [ParameterGroup] {
        [ParameterGroup(name: "critic", parameters: critic.namedParameters),
         ParameterGroup(name: "generator", parameters: generatorLayer.namedParameters, learningRateScale: 0.5)]
    }
    var lossTerms: [String] { ["critic", "generator"] }

    func train(_ batch: Tensor, optimizers: [any Optimizer], using generator: inout RandomGenerator) -> [Double] {
        let rows = batch.shape[0]
        // The critic's turn, on fakes from fresh noise.
        optimizers[0].zeroGradients()
        let fake = generatorLayer(Tensor.randomNormal([rows, 1], using: &generator))
        let criticLoss = squaredError(critic(Variable(batch)), Tensor(repeating: 1, shape: [rows, 1])) + squaredError(critic(Variable(fake)), Tensor.zeros([rows, 1]))
        criticLoss.backward()
        optimizers[0].step()
        // The generator's turn, through the updated critic, on other noise.
        optimizers[1].zeroGradients()
        let generated = generatorLayer(Variable(Tensor.randomNormal([rows, 1], using: &generator)))
        let generatorLoss = squaredError(critic(generated), Tensor(repeating: 1, shape: [rows, 1]))
        generatorLoss.backward()
        optimizers[1].step()
        return [Double(criticLoss.value.scalar), Double(generatorLoss.value.scalar)]
    }

    func heldOutLoss(_ samples: Tensor) -> Double {
        Double((critic(samples) - 1).squared().sum()) / Double(samples.shape[0])
    }

    var values: [Tensor] { (critic.namedParameters + generatorLayer.namedParameters).map(\.parameter.value) }
}

@Suite struct TrainingSteps {
    /// Two groups taking turns and noise drawn inside the step: interrupted inside an epoch (or
    /// resumed from the last periodic checkpoint), the run ends with the parameters, every loss
    /// series and the generator of the uninterrupted run, bit for bit.
    @Test(arguments: [false, true])
    func adversarialPairResumesExactly(fromPeriodicCheckpoint: Bool) throws {
        var generator = RandomGenerator(seed: 2)
        let data = Tensor.randomNormal([64, 1], mean: 3, standardDeviation: 0.5, using: &generator)
        let configuration = TrainingConfiguration(epochs: 6, batchSize: 16, learningRate: 0.05, heldOutFraction: 0)

        let reference = AdversarialPair(seed: 5)
        generator = RandomGenerator(seed: 7)
        let full = try Trainer(configuration).run(reference, samples: data, heldOut: nil, using: &generator)
        let after = generator
        #expect(full.terms?["critic"]?.count == 6 && full.terms?["generator"] == full.terms.map { $0["generator"]! })
        #expect(full.trainLoss == full.terms?["critic"])

        struct Interrupt: Error {}
        var saved: [TrainingCheckpoint] = []
        generator = RandomGenerator(seed: 7)
        let hooks = TrainingHooks(progress: { if $0.epoch == 4 && $0.batch == 2 { throw Interrupt() } }, checkpointEvery: 1,
                                  saveCheckpoint: { saved.append($0) })
        #expect(throws: Interrupt.self) { _ = try Trainer(configuration).run(AdversarialPair(seed: 5), samples: data, heldOut: nil, using: &generator, hooks: hooks) }
        #expect(saved.map(\.metadata.epochsCompleted) == [1, 2, 3, 3] && saved.last?.metadata.batchesCompleted == 2)
        #expect(saved.last?.metadata.groupOptimizerSteps == [3 * 4 + 2, 3 * 4 + 2])

        let stored = fromPeriodicCheckpoint ? saved[2] : saved[3]
        let json = try JSONEncoder().encode(stored.metadata)
        let tensors = Dictionary(uniqueKeysWithValues: stored.tensors.map { ($0.name, $0.tensor) })
        let restored = try TrainingCheckpoint(metadata: JSONDecoder().decode(TrainingCheckpoint.Metadata.self, from: json)) { tensors[$0] }
        let resumed = AdversarialPair(seed: 99)
        generator = RandomGenerator(seed: 12345)
        let record = try Trainer(configuration).run(resumed, samples: data, heldOut: nil, using: &generator, hooks: TrainingHooks(resume: restored))
        #expect(resumed.values == reference.values)
        #expect(record.terms == full.terms && record.trainLoss == full.trainLoss)
        #expect(generator == after)
    }

    /// Each group's optimizer runs at the configured rate times the group's scale: a scale of 0
    /// freezes the generator while the critic learns.
    @Test func groupsGetScaledLearningRates() throws {
        var generator = RandomGenerator(seed: 1)
        let data = Tensor.randomNormal([32, 1], mean: 2, using: &generator)
        let pair = AdversarialPair(seed: 3)
        let frozen = FrozenGenerator(pair: pair)
        let before = pair.values
        _ = try Trainer(TrainingConfiguration(epochs: 2, batchSize: 8, learningRate: 0.2, optimizer: .sgd, heldOutFraction: 0))
            .run(frozen, samples: data, heldOut: nil, using: &generator)
        #expect(pair.values[2...] == before[2...], "the generator moved at a learning rate of 0")
        #expect(pair.values[..<2] != before[..<2], "the critic did not learn")
    }
}

/// The adversarial pair with its generator's learning rate scaled to 0.
private struct FrozenGenerator: TrainingStep {
    let pair: AdversarialPair
    var groups: [ParameterGroup] {
        var groups = pair.groups
        groups[1].learningRateScale = 0
        return groups
    }
    var lossTerms: [String] { pair.lossTerms }
    func train(_ batch: Tensor, optimizers: [any Optimizer], using generator: inout RandomGenerator) -> [Double] {
        pair.train(batch, optimizers: optimizers, using: &generator)
    }
    func heldOutLoss(_ samples: Tensor) -> Double { pair.heldOutLoss(samples) }
}
