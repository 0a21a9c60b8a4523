import Autoencoders
import DataFormats
import DistributionMatching
import Foundation
import NeuralNetworks
import Testing
import TestSupport
import Tensors

@Suite struct WassersteinAutoencoders {
    let images = try! DatasetLoader().load("fashion-mnist-mini:train").samples.rows(0..<1000)

    /// On images the WAE learns to reconstruct, and its penalty is what makes the codes'
    /// distribution match the prior: with λ = 10 the codes' MMD² to prior draws is far below
    /// that of the same network trained with λ = 0; prior draws decode to images.
    @Test func penaltyPullsTheCodesToThePrior() throws {
        func train(lambda: Float) throws -> WassersteinAutoencoder {
            var generator = RandomGenerator(seed: 1)
            return try WassersteinAutoencoder.fit(images, configuration: .init(hidden: [64], codeSize: 4, loss: .squaredError, lambda: lambda,
                                                                              training: .init(epochs: 8, batchSize: 50, heldOutFraction: 0.1)),
                                                  using: &generator)
        }
        let (wae, plain) = (try train(lambda: 10), try train(lambda: 0))
        let record = try #require(wae.record)
        #expect(record.trainLoss.last! < 0.8 * record.trainLoss.first!, "\(record.trainLoss)")
        let (reconstruction, penalty) = (try #require(record.terms?["reconstruction"]), try #require(record.terms?["penalty"]))
        for epoch in record.trainLoss.indices { #expect(abs(record.trainLoss[epoch] - (reconstruction[epoch] + 10 * penalty[epoch])) < 1e-3 * record.trainLoss[epoch]) }
        var generator = RandomGenerator(seed: 2)
        let prior = Tensor.randomNormal([1000, 4], using: &generator)
        let kernel = MaximumMeanDiscrepancy.Kernel.waeInverseMultiquadric(dimension: 4)
        let (matched, unmatched) = (try MaximumMeanDiscrepancy.squared(try wae.encode(images), prior, kernel: kernel),
                                    try MaximumMeanDiscrepancy.squared(try plain.encode(images), prior, kernel: kernel))
        #expect(matched < 0.2 * unmatched, "MMD² of codes to the prior: λ = 10 \(matched), λ = 0 \(unmatched)")
        let samples = try wae.sample(count: 16, using: &generator)
        #expect(samples.shape == [16, 784])
        #expect(try wae.encode(images.rows(0..<5)) == wae.encode(images.rows(0..<5)))
    }

    /// Interrupted inside an epoch and resumed, a run (prior draws and directions from the run's
    /// generator) ends with the uninterrupted model, for every penalty.
    @Test(arguments: WassersteinAutoencoder.Penalty.allCases)
    func resumedRunEqualsTheUninterruptedRun(_ penalty: WassersteinAutoencoder.Penalty) throws {
        let configuration = WassersteinAutoencoder.Configuration(hidden: [16], codeSize: 3, penalty: penalty, lambda: 5, projections: 8, epsilon: 0.5,
                                                                 training: .init(epochs: 2, batchSize: 64))
        let data = images.rows(0..<400)
        _ = try expectResumedRunEqualsUninterrupted("wae-\(penalty)") { generator, checkpoints, progress in
            try WassersteinAutoencoder.fit(data, configuration: configuration, using: &generator, context: FitContext(checkpoints: checkpoints, progress: progress))
        }
    }

    /// 30 samples hold out one (5 %): every penalty's held-out loss is finite on it (the
    /// unbiased MMD² of one code used to be 0/0, reported as a NaN training loss).
    @Test(arguments: WassersteinAutoencoder.Penalty.allCases)
    func aHeldOutSetOfOneSampleHasAFiniteLoss(_ penalty: WassersteinAutoencoder.Penalty) throws {
        var generator = RandomGenerator(seed: 3)
        let model = try WassersteinAutoencoder.fit(images.rows(0..<30), configuration: .init(hidden: [8], codeSize: 2, penalty: penalty, epsilon: 0.5,
                                                                                           training: .init(epochs: 2, batchSize: 8)),
                                                   using: &generator)
        let heldOut = try #require(model.record?.heldOutLoss)
        #expect(heldOut.count == 2 && heldOut.allSatisfy(\.isFinite), "\(heldOut)")
    }

    @Test func badRequestsAreClearErrors() throws {
        var generator = RandomGenerator(seed: 0)
        for (configuration, message) in [(WassersteinAutoencoder.Configuration(lambda: -1), "`lambda` must be at least 0"),
                                         (.init(codeSize: 0), "`codeSize` must be at least 1"),
                                         (.init(priorVariance: 0), "`priorVariance` must be positive"), (.init(epsilon: 0), "`epsilon` must be positive"),
                                         (.init(training: .init(epochs: 1, batchSize: 1)), "at least 2 samples")] {
            #expect { _ = try WassersteinAutoencoder.fit(images, configuration: configuration, using: &generator) } throws: { "\($0)".contains(message) }
        }
        #expect { _ = try WassersteinAutoencoder.fit(images * 3, configuration: .init(loss: .binaryCrossEntropy), using: &generator) } throws: { "\($0)".contains("[0, 1]") }
    }
}
