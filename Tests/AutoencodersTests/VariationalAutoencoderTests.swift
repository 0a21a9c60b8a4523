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
    /// Unscaled data (values near ±50) under a learned variance: the first batches' losses
    /// differ by hundreds of times, as their samples' magnitudes do, without anything going
    /// wrong; training runs (a rule that compared batches with the first called it diverged).
    @Test(arguments: [1, 2, 3] as [UInt64])
    func heterogeneousFirstBatchesAreNotDivergence(seed: UInt64) throws {
        var generator = RandomGenerator(seed: seed)
        let samples = Tensor.randomNormal([30, 3], standardDeviation: 50, using: &generator)
        let configuration = VariationalAutoencoder.Configuration(hidden: [8], codeSize: 3, likelihood: .learnedGaussian,
                                                                 training: .init(epochs: 3, batchSize: 4, heldOutFraction: 0))
        let model = try VariationalAutoencoder.fit(samples, configuration: configuration, using: &generator)
        let losses = try #require(model.record?.trainLoss)
        #expect(losses.count == 3 && losses.allSatisfy(\.isFinite))
    }

    @Test func klWarmupIsLinear() {
        let configuration = VariationalAutoencoder.Configuration(beta: 2, klWarmupEpochs: 4)
        #expect((1...6).map(configuration.klWeight(epoch:)) == [0.5, 1, 1.5, 2, 2, 2])
        #expect(VariationalAutoencoder.Configuration(beta: 2).klWeight(epoch: 1) == 2)
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
    @Test(arguments: [(Likelihood.bernoulli, 0), (.learnedGaussian, 0), (.continuousBernoulli, 0), (.bernoulli, 10)])
    func resumedRunEqualsTheUninterruptedRun(_ likelihood: Likelihood, classes: Int) throws {
        let configuration = VariationalAutoencoder.Configuration(hidden: [16], codeSize: 3, likelihood: likelihood, klWarmupEpochs: 2,
                                                                 training: .init(epochs: 3, batchSize: 64), conditionClasses: classes)
        let images = classes == 0 ? self.images
            : try VariationalAutoencoder.conditioned(self.images, labels: (0..<self.images.rows).map { $0 % classes }, classes: classes)
        _ = try expectResumedRunEqualsUninterrupted("vae", interruptAt: (2, 3)) { generator, checkpoints, progress in
            try VariationalAutoencoder.fit(images, configuration: configuration, using: &generator, context: FitContext(checkpoints: checkpoints, progress: progress))
        }
    }

    /// A conditional VAE draws the class it is given: the mean of its samples of each class lies
    /// nearest that class's mean image; its codes carry the label one-hot that DECODE passes
    /// on; it survives its model file; and it resumes bit for bit.
    @Test func conditionalVAEDrawsTheClassItIsGiven() throws {
        let data = try DatasetLoader().load("fashion-mnist-mini:train")
        let (x, labels) = (data.samples.rows(0..<2000), Array(data.labels!.prefix(2000)))
        let input = try VariationalAutoencoder.conditioned(x, labels: labels, classes: 10)
        #expect(input.shape == [2000, 794])
        let configuration = VariationalAutoencoder.Configuration(hidden: [128], codeSize: 2, training: .init(epochs: 40, batchSize: 64, heldOutFraction: 0),
                                                                 conditionClasses: 10)
        var generator = RandomGenerator(seed: 3)
        let cvae = try VariationalAutoencoder.fit(input, configuration: configuration, using: &generator)
        #expect(cvae.inputSize == 794 && cvae.codeSize == 12 && cvae.dataWidth == 784)
        let codes = try cvae.encode(input.rows(0..<5))
        #expect(codes.columns(2..<12) == input.rows(0..<5).columns(784..<794))
        #expect(try cvae.decode(codes).columns(784..<794) == codes.columns(2..<12))
        let means = (0..<10).map { c in x.gatherRows(labels.indices.filter { labels[$0] == c }).mean(alongAxis: 0) }
        // At the prior's mode z = 0, the decoder draws each class: its image points in the
        // direction of that class's mean image (cosine similarity, blind to the blur that dims
        // decoded means). At least 6 of the 10 classes, where chance is 1 (P(≥ 6) = 10⁻⁴ by chance):
        // the label steers the decoder, though the code also carries some class information, as
        // the encoder sees x.
        let modes = try cvae.decode(Tensor.concatenate([Tensor.zeros([10, 2]), try VariationalAutoencoder.oneHot(Array(0..<10), classes: 10)], alongAxis: 1))
        var right = 0
        for c in 0..<10 {
            let mode = modes.rows(c..<(c + 1)).columns(0..<784).reshaped([784])
            let similarities: [Double] = means.map { mean in
                Double((mode * mean).sum()) / (Double(mode.squared().sum()) * Double(mean.squared().sum())).squareRoot()
            }
            if similarities.indices.max(by: { similarities[$0] < similarities[$1] }) == c { right += 1 }
        }
        #expect(right >= 6, "the decoded mode of \(right) of 10 classes is most like its class's mean image")
        _ = try cvae.sample(count: 3, label: 4, using: &generator)
        let path = temporaryPath("cvae.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try cvae.save(to: path)
        let loaded = try VariationalAutoencoder.load(from: path)
        #expect(try loaded.encode(input.rows(0..<5)) == codes && loaded.configuration.conditionClasses == 10)
        #expect { _ = try cvae.sample(count: 2, label: 10, using: &generator) } throws: { "\($0)".contains("class 10 does not exist") }
        #expect { _ = try VariationalAutoencoder.fit(x, configuration: configuration, using: &generator) } throws: { "\($0)".contains("label one-hot") }
        #expect { _ = try VariationalAutoencoder.conditioned(x, labels: [0, 1], classes: 10) } throws: { "\($0)".contains("a label for each sample") }
    }

    @Test func badRequestsAreClearErrors() throws {
        var generator = RandomGenerator(seed: 0)
        for (configuration, message) in [(VariationalAutoencoder.Configuration(beta: 0), "`beta` must be positive, got 0"),
                                         (.init(codeSize: 0), "`codeSize` must be at least 1, got 0"),
                                         (.init(klWarmupEpochs: -1), "`klWarmupEpochs` must be at least 0, got -1"),
                                         (.init(likelihood: .gaussian, outputVariance: 0), "`outputVariance` must be positive")] {
            #expect { _ = try VariationalAutoencoder.fit(images, configuration: configuration, using: &generator) } throws: { "\($0)".contains(message) }
        }
        #expect { _ = try VariationalAutoencoder.fit(images * 3, configuration: .init(), using: &generator) } throws: { "\($0)".contains("[0, 1]") }
    }
}
