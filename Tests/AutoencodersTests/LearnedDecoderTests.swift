import Autoencoders
import DataFormats
import Foundation
import NeuralNetworks
import Testing
import TestSupport
import Tensors

/// The decoder learned after an embedding: it learns a smooth inverse, keeps its cross-entropy
/// outputs in [0, 1], refuses what it cannot train on, survives an interruption, and makes UMAP's
/// 2-D codes of Fashion-MNIST decode better than PCA's.
@Suite struct LearnedDecoderTests {
    /// Codes on a grid of [−1, 1]² and samples a smooth function of them: the decoder learns
    /// the function, its error on codes between the training ones a few percent of the variance.
    @Test(arguments: [Activation.relu, .tanh])
    func learnsASmoothMapFromCodesToSamples(activation: Activation) throws {
        var generator = RandomGenerator(seed: 3)
        func pairs(_ n: Int) throws -> (codes: Tensor, samples: Tensor) {
            let codes = try Tensor(shape: [n, 2], scalars: (0..<(2 * n)).map { _ in Float(generator.nextUniformDouble() * 2 - 1) })
            let samples = try Tensor(shape: [n, 5], scalars: (0..<n).flatMap { i -> [Float] in
                let (u, v) = (codes.scalars[2 * i], codes.scalars[2 * i + 1])
                return [u, v, u * u, u * v, Foundation.sin(3 * v)].map { 10 * $0 + 50 }
            })
            return (codes, samples)
        }
        let training = try pairs(800), test = try pairs(200)
        let configuration = LearnedDecoder.Configuration(hidden: [64, 64], activation: activation)
        let decoder = try #require(try LearnedDecoder.fit(codes: training.codes, samples: training.samples, configuration: configuration,
                                                          method: "test", using: &generator))
        let mean = test.samples.mean(alongAxis: 0)
        let variance = (test.samples - mean).squared().scalars.reduce(0.0) { $0 + Double($1) }
        let error = (decoder(test.codes) - test.samples).squared().scalars.reduce(0.0) { $0 + Double($1) }
        #expect(error < 0.02 * variance, "unexplained \(error / variance) of the variance")
        // The defaults' fewest steps on small data: 800 pairs in batches of 128 are 7 a pass.
        #expect(decoder.record.trainLoss.count == (LearnedDecoder.Configuration.defaultSteps + 6) / 7)
        #expect(decoder.record.trainLoss.last! < decoder.record.trainLoss.first! / 10)
    }

    /// With cross-entropy the outputs are probabilities, even for codes far outside the
    /// embedding; data outside [0, 1] are refused before anything is fitted, naming the value.
    @Test func crossEntropyDecodesIntoTheUnitIntervalAndRefusesOtherData() throws {
        let data = try TSNETests.blobs(200, dimension: 6)
        let unit = (data.samples - data.samples.min()) * (1 / (data.samples.max() - data.samples.min()))
        var generator = RandomGenerator(seed: 1)
        let configuration = MDS.Configuration(decoder: .init(loss: .binaryCrossEntropy, epochs: 200))
        let model = try MDS.fit(unit, configuration: configuration, using: &generator)
        let far = try Tensor(shape: [2, 2], scalars: [1e3, -1e3, -50, 70])
        #expect(try model.decode(far).scalars.allSatisfy { (0...1).contains($0) })
        #expect(try model.distortion(unit) < 0.5 * (unit - unit.mean(alongAxis: 0)).squared().scalars.reduce(0.0) { $0 + Double($1) })
        var progressed = false
        #expect {
            try MDS.fit(data.samples, configuration: configuration, using: &generator, progress: { _ in progressed = true })
        } throws: { "\($0)".contains("bce loss needs data in [0, 1]") && "\($0)".contains("at row ") && "\($0)".contains("decoderLoss") }
        #expect(!progressed, "the embedding ran before the decoder's data were checked")
        #expect { try Isomap.fit(unit, configuration: .init(decoder: .init(hidden: [0])), using: &generator) } throws: {
            "\($0)".contains("`decoderHidden` must hold values each at least 1")
        }
    }

    struct Stop: Error {}

    /// Stopped in the decoder's training (the embedding finished and its checkpoint written),
    /// the fit resumes from the checkpoint and trains the decoder again: the same model, bit for bit.
    @Test(arguments: ["tsne", "umap"])
    func interruptedInTheDecoderResumesToTheUninterruptedModel(method: String) throws {
        let data = try TSNETests.blobs(300, dimension: 6).samples
        let path = temporaryPath("\(method)-decoder.checkpoint.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let decoder = LearnedDecoder.Configuration(hidden: [32], epochs: 30)
        func fit(_ policy: CheckpointPolicy?, stopAt: Int?) throws -> any EmbeddingModel {
            var generator = RandomGenerator(seed: 8)
            var batches = 0
            let hear: (TrainingProgress) throws -> Void = { _ in
                batches += 1
                if batches == stopAt { throw Stop() }
            }
            if method == "tsne" {
                return try TSNE.fit(data, configuration: .init(perplexity: 10, earlyExaggerationIterations: 50, iterations: 50, decoder: decoder),
                                    using: &generator, checkpoints: policy, decoderProgress: hear)
            }
            return try UMAP.fit(data, configuration: .init(neighbours: 10, epochs: 50, decoder: decoder), using: &generator, checkpoints: policy,
                                decoderProgress: hear)
        }
        let whole = try fit(nil, stopAt: nil)
        #expect(throws: Stop.self) { try fit(CheckpointPolicy(path: path, every: 1_000), stopAt: 40) }
        let resumed = try fit(CheckpointPolicy(path: path, every: 1_000, resume: true), stopAt: nil)
        #expect(resumed.stateTensors.map(\.name) == whole.stateTensors.map(\.name))
        #expect(zip(resumed.stateTensors, whole.stateTensors).allSatisfy { $0.tensor == $1.tensor })
        #expect(resumed.trainingHistory?.stages.map(\.record.trainLoss) == whole.trainingHistory?.stages.map(\.record.trainLoss))
    }

    /// The bar: UMAP's 2-D codes of Fashion-MNIST-mini, decoded by the learned decoder,
    /// reconstruct the test images better than PCA's first two components do; the decoder
    /// without a network (the neighbours' average) and the learned one both draw samples through
    /// the codes' density.
    @Test func umapCodesDecodeTheTestImagesBetterThanPCA() throws {
        let train = try DatasetLoader().load("fashion-mnist-mini:train").samples
        let test = try DatasetLoader().load("fashion-mnist-mini:test").samples
        var generator = RandomGenerator(seed: 0)
        let umap = try UMAP.fit(train, configuration: .init(), using: &generator)
        let pca = try PCA.fit(train, configuration: .init(components: .count(2)), using: &generator)
        let (umapError, pcaError) = (try umap.distortion(test) / Double(test.rows), try pca.distortion(test) / Double(test.rows))
        #expect(umapError < 0.8 * pcaError, "UMAP with its decoder: \(umapError) per test image, PCA-2: \(pcaError)")
        let density = try CodeDensity.fit(umap, samples: train, using: &generator).density
        let samples = try umap.generate(64, codesFrom: .codeDensity, density: density, using: &generator).samples
        #expect(samples.shape == [64, 784] && samples.scalars.allSatisfy(\.isFinite))
    }
}

