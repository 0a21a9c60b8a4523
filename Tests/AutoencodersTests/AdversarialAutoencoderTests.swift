import Autoencoders
import DataFormats
import DistributionMatching
import Foundation
import NeuralNetworks
import Testing
import TestSupport
import Tensors

@Suite struct AdversarialAutoencoders {
    let data = try! DatasetLoader().load("fashion-mnist-mini:train")
    var images: Tensor { data.samples.rows(0..<1000) }
    var labels: [Int] { Array(data.labels!.prefix(1000)) }

    /// The critic is what pulls the codes to the prior: the AAE's codes are far closer (MMD²) to
    /// N(0, I) draws than those of the same network trained on reconstruction alone (a WAE of
    /// λ = 0), for every adversarial loss (WGAN-GP with Gulrajani et al.'s 5 critic updates per
    /// batch and a slower generator: its critic must be near its optimum); the three terms are
    /// recorded.
    @Test(arguments: AdversarialLoss.allCases)
    func criticPullsTheCodesToThePrior(_ game: AdversarialLoss) throws {
        let raw = try DatasetLoader().load("swiss-roll?n=2000").samples
        let centred = raw - raw.mean(alongAxis: 0)
        let roll = centred / (centred.squared().mean(alongAxis: 0)).sqrt()
        var generator = RandomGenerator(seed: 1)
        let training = TrainingConfiguration(epochs: 40, batchSize: 100, learningRate: 1e-3)
        let aae = try AdversarialAutoencoder.fit(roll, configuration: .init(hidden: [32], codeSize: 2, activation: .tanh, criticHidden: [32, 32],
                                                                           adversarialLoss: game, criticSteps: game == .wassersteinGradientPenalty ? 5 : 1, criticLearningRateScale: 1,
                                                                           generatorLearningRateScale: game == .wassersteinGradientPenalty ? 0.3 : 1, training: training), using: &generator)
        generator = RandomGenerator(seed: 1)
        let plain = try WassersteinAutoencoder.fit(roll, configuration: .init(hidden: [32], codeSize: 2, activation: .tanh, lambda: 0, training: training),
                                                   using: &generator)
        let record = try #require(aae.record)
        #expect(Set(record.terms?.keys.map { $0 } ?? []) == ["reconstruction", "critic", "generator"])
        #expect(record.trainLoss.last! < 0.8 * record.trainLoss.first!, "\(record.trainLoss)")
        let prior = Tensor.randomNormal([2000, 2], using: &generator)
        let kernel = MaximumMeanDiscrepancy.Kernel.waeInverseMultiquadric(dimension: 2)
        let (matched, unmatched) = (try MaximumMeanDiscrepancy.squared(try aae.encode(roll), prior, kernel: kernel),
                                    try MaximumMeanDiscrepancy.squared(try plain.encode(roll), prior, kernel: kernel))
        #expect(matched < 0.4 * unmatched, "\(game): MMD² of codes to the prior: AAE \(matched), no critic \(unmatched)")
        #expect(try aae.sample(count: 16, using: &generator).shape == [16, 3])
    }

    /// Makhzani's supervised prior: with one mixture component per class, most codes of class k
    /// (more than half; chance: 1 in 10) lie nearest component k's mean, and drawing from component k decodes to
    /// images nearer class k's mean image than to the other classes'.
    @Test func labelledComponentsHoldTheirClasses() throws {
        var generator = RandomGenerator(seed: 2)
        let prior = CodePrior.mixture(components: 10, radius: 4)
        let aae = try AdversarialAutoencoder.fit(images, labels: labels, configuration: .init(
            hidden: [64], codeSize: 2, prior: prior, labelledComponents: true, criticHidden: [32, 32],
            criticLearningRateScale: 1, generatorLearningRateScale: 1, training: .init(epochs: 40, batchSize: 50, learningRate: 1e-3)), using: &generator)
        let codes = try aae.encode(images)
        let means = (0..<10).map { prior.mean(component: $0, dimension: 2) }
        func nearest(_ row: Int) -> Int {
            (0..<10).min { a, b in
                let (da, db) = ((0..<2).map { codes[row, $0] - means[a][$0] }, (0..<2).map { codes[row, $0] - means[b][$0] })
                return da.map { $0 * $0 }.reduce(0, +) < db.map { $0 * $0 }.reduce(0, +)
            }!
        }
        let agreement = Double((0..<images.rows).filter { nearest($0) == labels[$0] }.count) / Double(images.rows)
        #expect(agreement > 0.5, "codes nearest their class's component: \(agreement)")
        #expect(aae.labelledComponents)
        let drawn = try aae.sample(count: 50, component: 1, using: &generator)  // trousers
        let classMeans = (0..<10).map { k in images.gatherRows(labels.indices.filter { labels[$0] == k }).mean(alongAxis: 0) }
        let distances = classMeans.map { ((drawn.mean(alongAxis: 0) - $0).squared()).sum() }
        #expect(distances.firstIndex(of: distances.min()!) == 1, "\(distances)")
    }

    /// Interrupted inside an epoch and resumed, a run (the critic and its optimizer, the two
    /// optimizers of the encoder, the prior draws) ends with the uninterrupted model.
    @Test(arguments: [false, true])
    func resumedRunEqualsTheUninterruptedRun(labelled: Bool) throws {
        let configuration = AdversarialAutoencoder.Configuration(
            hidden: [16], codeSize: 3, prior: labelled ? .mixture(components: 10, radius: 4) : .normal(variance: 1), labelledComponents: labelled,
            criticHidden: [8], adversarialLoss: labelled ? .wassersteinGradientPenalty : .nonSaturating, training: .init(epochs: 2, batchSize: 64))
        let (subset, subsetLabels) = (images.rows(0..<400), labelled ? Array(labels.prefix(400)) : nil)
        _ = try expectResumedRunEqualsUninterrupted("aae-\(labelled)") { generator, checkpoints, progress in
            if let checkpoints, checkpoints.resume {
                // The encoder is stepped by two optimizers but checkpointed once.
                let json = try #require(try SafeTensorsFile.read(checkpoints.path).metadata["checkpoint"])
                let names = try JSONDecoder().decode(TrainingCheckpoint.Metadata.self, from: Data(json.utf8)).parameterNames
                #expect(Set(names).count == names.count && names.filter { $0.hasPrefix("autoencoder.encoder.") }.count == 4
                        && !names.contains { $0.hasPrefix("generator.") }, "\(names)")
            }
            let context = FitContext(checkpoints: checkpoints, progress: progress)
            return try subsetLabels.map { try AdversarialAutoencoder.fit(subset, labels: $0, configuration: configuration, using: &generator, context: context) }
                ?? AdversarialAutoencoder.fit(subset, configuration: configuration, using: &generator, context: context)
        }
    }

    @Test func badRequestsAreClearErrors() throws {
        var generator = RandomGenerator(seed: 0)
        let mixture = CodePrior.mixture(components: 10, radius: 4)
        let cases: [(AdversarialAutoencoder.Configuration, [Int]?, String)] = [
            (.init(codeSize: 0), nil, "`codeSize` must be at least 1"),
            (.init(criticHidden: []), nil, "`criticHidden` must hold at least one value"),
            (.init(labelledComponents: true), labels, "labelled components need a mixture prior"),
            (.init(codeSize: 1, prior: mixture), nil, "at least 2 dimensions"),
            (.init(prior: .mixture(components: 1, radius: 4)), nil, "`priorComponents` must be at least 2, got 1"),
            (.init(prior: .normal(variance: 0)), nil, "`priorVariance` must be positive, got 0"),
            (.init(criticLearningRateScale: 0), nil, "`criticLearningRateScale` must be positive"),
            (.init(prior: mixture, labelledComponents: true), nil, "must be its label one-hot"),
            (.init(prior: mixture, labelledComponents: true), [1, 2], "got 2 labels for samples [1000, 784]"),
            (.init(prior: mixture, labelledComponents: true), labels.map { $0 == 3 ? 10 : $0 }, "label 10 of sample"),
            (.init(), labels, "labels shape the prior only with labelled components"),
            (.init(training: .init(epochs: 1, batchSize: 1)), nil, "at least 2 samples"),
        ]
        for (configuration, given, message) in cases {
            #expect {
                _ = try given.map { try AdversarialAutoencoder.fit(images, labels: $0, configuration: configuration, using: &generator) }
                    ?? AdversarialAutoencoder.fit(images, configuration: configuration, using: &generator)
            } throws: {
                "\($0)".contains(message)
            }
        }
    }
}

@Suite struct CodePriors {
    /// Draws have the prior's moments: N(0, σ²I)'s variance; a mixture's components centred on
    /// the circle, of deviation r·sin(π/K)/2, and chosen uniformly.
    @Test(arguments: [CodePrior.normal(variance: 2.5), .mixture(components: 6, radius: 3)])
    func drawsHaveThePriorsMoments(_ prior: CodePrior) throws {
        var generator = RandomGenerator(seed: 9)
        let n = 60_000, d = 3
        for k in 0..<prior.components {
            let draws = prior.draw(components: Array(repeating: k, count: n / 10), dimension: d, using: &generator)
            let centre = draws.mean(alongAxis: 0), mean = centre.scalars, expected = prior.mean(component: k, dimension: d)
            let deviation = ((draws - centre).squared().mean(alongAxis: 0)).scalars.map { $0.squareRoot() }
            for j in 0..<d {
                #expect(abs(mean[j] - expected[j]) < 0.05 * max(1, prior.componentDeviation), "component \(k), coordinate \(j)")
                #expect(abs(deviation[j] / prior.componentDeviation - 1) < 0.05)
            }
        }
        if case .mixture(let k, let radius) = prior {
            let a = prior.mean(component: 0, dimension: 2), b = prior.mean(component: 1, dimension: 2)
            let gap = ((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1])).squareRoot()
            #expect(abs(gap - 4 * prior.componentDeviation) < 1e-5)
            #expect(abs(a[0] - radius) < 1e-6 && k == 6)
            let all = prior.draw(count: n, dimension: 2, using: &generator)
            let overall = all.mean(alongAxis: 0).scalars
            #expect(abs(overall[0]) < 0.05 && abs(overall[1]) < 0.05)
        }
    }
}
