import Autoencoders
import DataFormats
import Foundation
import NeuralNetworks
import Testing
import TestSupport
import Tensors

@Suite struct VariationalAutoencoders {
    let images = try! DatasetLoader().load("fashion-mnist-mini:train").samples.rows(0..<500)

    /// The closed-form KL of the loss equals a Monte-Carlo estimate E_q[log q(z) − log p(z)]
    /// from 200 000 draws, per sample.
    @Test func klTermEqualsItsMonteCarloEstimate() {
        let mean = Tensor([[0.5, -1.2, 0.1]]), logVariance = Tensor([[-0.7, 0.4, 0.0]])
        let closed = Double(gaussianKL(mean: Variable(mean), logVariance: Variable(logVariance)).value.scalar)
        var generator = RandomGenerator(seed: 9)
        let draws = 200_000
        var total = 0.0
        for _ in 0..<draws {
            for j in 0..<3 {
                let (mu, variance) = (Double(mean.scalars[j]), exp(Double(logVariance.scalars[j])))
                let epsilon = generator.nextNormal(), z = mu + variance.squareRoot() * epsilon
                // log q − log p; the ½log 2π cancel.
                total += (-0.5 * log(variance) - 0.5 * epsilon * epsilon) - (-0.5 * z * z)
            }
        }
        #expect(abs(total / Double(draws) - closed) < 0.01, "Monte Carlo \(total / Double(draws)), closed form \(closed)")
    }

    /// The KL weight rises linearly over the warm-up epochs to β.
    @Test func klWarmupIsLinear() {
        let configuration = VariationalAutoencoder.Configuration(beta: 2, klWarmupEpochs: 4)
        #expect((0..<6).map(configuration.klWeight(epoch:)) == [0.5, 1, 1.5, 2, 2, 2])
        #expect(VariationalAutoencoder.Configuration(beta: 2).klWeight(epoch: 0) == 2)
    }

    /// On images, training lowers the negative ELBO, keeps its two terms, pulls the codes
    /// toward N(0, I), and the prior's draws decode to images in [0, 1].
    @Test func learnsImagesAndGenerates() throws {
        var generator = RandomGenerator(seed: 1)
        let configuration = VariationalAutoencoder.Configuration(hidden: [64], codeSize: 4,
                                                                 training: .init(epochs: 8, batchSize: 50, heldOutFraction: 0.1))
        let vae = try VariationalAutoencoder.fit(images, configuration: configuration, using: &generator)
        let record = try #require(vae.record)
        let (reconstruction, kl) = (try #require(record.terms?["reconstruction"]), try #require(record.terms?["kl"]))
        #expect(record.trainLoss.last! < 0.8 * record.trainLoss.first!, "\(record.trainLoss)")
        for epoch in record.trainLoss.indices { #expect(abs(record.trainLoss[epoch] - (reconstruction[epoch] + kl[epoch])) < 1e-3 * record.trainLoss[epoch]) }
        #expect(kl.allSatisfy { $0 > 0 })
        let (mean, logVariance) = try vae.posterior(images)
        #expect(mean.shape == [500, 4] && logVariance.shape == [500, 4])
        #expect(try vae.encode(images) == mean)
        // The KL term is what pulls q(z|x) to the prior: with its weight β at 1/100 the
        // posteriors drift much further from N(0, I).
        var weak = configuration
        weak.beta = 0.01
        generator = RandomGenerator(seed: 1)
        let loose = try VariationalAutoencoder.fit(images, configuration: weak, using: &generator)
        func posteriorKL(_ model: VariationalAutoencoder) throws -> Float {
            let (mean, logVariance) = try model.posterior(images)
            return gaussianKL(mean: Variable(mean), logVariance: Variable(logVariance)).value.scalar
        }
        let (strong, weakKL) = (try posteriorKL(vae), try posteriorKL(loose))
        #expect(strong < 0.5 * weakKL, "KL per sample: β = 1 \(strong), β = 0.01 \(weakKL)")
        let samples = try vae.sample(count: 16, using: &generator)
        #expect(samples.shape == [16, 784] && samples.min() >= 0 && samples.max() <= 1)
        #expect(throws: AutoencoderError.self) { _ = try vae.sample(count: 0, using: &generator) }
        let drawn = try vae.encodeSample(images.rows(0..<3), using: &generator)
        #expect(drawn.shape == [3, 4] && drawn != mean.rows(0..<3))
    }

    /// On a trained model the importance-weighted bound lies below −ELBO and tightens with K
    /// (Burda et al. 2016, theorem 1): K = 1, 10, 100, means over 200 images; and −ELBO is the
    /// training loss's β = 1 form (its reconstruction plus closed-form KL).
    @Test func importanceWeightedBoundTightensWithK() throws {
        var generator = RandomGenerator(seed: 2)
        let configuration = VariationalAutoencoder.Configuration(hidden: [64], codeSize: 4,
                                                                 training: .init(epochs: 6, batchSize: 50, heldOutFraction: 0))
        let vae = try VariationalAutoencoder.fit(images, configuration: configuration, using: &generator)
        let test = images.rows(300..<500)
        func average(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
        let elbo = average(try vae.negativeEvidenceLowerBound(test, using: &generator))
        let bounds = try [1, 10, 100].map { average(try vae.negativeLogLikelihood(test, importanceSamples: $0, using: &generator)) }
        #expect(bounds[1] < elbo && bounds[2] < bounds[1] && bounds[1] < bounds[0], "−ELBO \(elbo), K = 1, 10, 100: \(bounds)")
        // K = 1 estimates −ELBO itself (the KL by one draw instead of in closed form).
        #expect(abs(bounds[0] - elbo) < 0.02 * elbo, "−ELBO \(elbo), K = 1 \(bounds[0])")
        // The same seed gives the same bound; K < 1 is refused.
        var (a, b) = (RandomGenerator(seed: 5), RandomGenerator(seed: 5))
        #expect(try vae.negativeLogLikelihood(test, importanceSamples: 3, using: &a) == vae.negativeLogLikelihood(test, importanceSamples: 3, using: &b))
        #expect { _ = try vae.negativeLogLikelihood(test, importanceSamples: 0, using: &a) } throws: { "\($0)".contains("at least 1") }
    }

    /// Interrupted inside an epoch and resumed from its checkpoint, a run (which draws its
    /// reparametrisation noise from the run's generator) ends with the uninterrupted model.
    @Test(arguments: [Likelihood.bernoulli, .learnedGaussian, .continuousBernoulli])
    func resumedRunEqualsTheUninterruptedRun(_ likelihood: Likelihood) throws {
        struct Interrupt: Error {}
        let configuration = VariationalAutoencoder.Configuration(hidden: [16], codeSize: 3, likelihood: likelihood, klWarmupEpochs: 2,
                                                                 training: .init(epochs: 3, batchSize: 64))
        var generator = RandomGenerator(seed: 4)
        let uninterrupted = try VariationalAutoencoder.fit(images, configuration: configuration, using: &generator)
        let path = temporaryPath("vae.checkpoint.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        generator = RandomGenerator(seed: 4)
        #expect(throws: Interrupt.self) {
            _ = try VariationalAutoencoder.fit(images, configuration: configuration, using: &generator, checkpoints: CheckpointPolicy(path: path, every: nil)) { p in
                if p.epoch == 2, p.batch == 3 { throw Interrupt() }
            }
        }
        generator = RandomGenerator(seed: 4)
        let resumed = try VariationalAutoencoder.fit(images, configuration: configuration, using: &generator,
                                                     checkpoints: CheckpointPolicy(path: path, every: nil, resume: true))
        #expect(resumed.stateTensors.map(\.tensor) == uninterrupted.stateTensors.map(\.tensor))
        #expect(resumed.record?.terms == uninterrupted.record?.terms)
    }

    @Test func badRequestsAreClearErrors() throws {
        var generator = RandomGenerator(seed: 0)
        for (configuration, message) in [(VariationalAutoencoder.Configuration(beta: 0), "β"), (.init(codeSize: 0), "code size"),
                                         (.init(klWarmupEpochs: -1), "warm-up"), (.init(likelihood: .gaussian, outputVariance: 0), "variance")] {
            #expect { _ = try VariationalAutoencoder.fit(images, configuration: configuration, using: &generator) } throws: { "\($0)".contains(message) }
        }
        #expect { _ = try VariationalAutoencoder.fit(images * 3, configuration: .init(), using: &generator) } throws: { "\($0)".contains("[0, 1]") }
    }
}
