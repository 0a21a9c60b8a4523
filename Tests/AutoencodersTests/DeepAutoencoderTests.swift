import Autoencoders
import DataFormats
import Foundation
import NeuralNetworks
import Testing
import Tensors
import TestSupport

/// 800 bundled Fashion-MNIST images, pixels in [0, 1].
private let images = try! DatasetLoader().load("fashion-mnist-mini:train").samples.rows(0..<800)

@Suite struct HintonSalakhutdinov {
    /// The stack of RBMs: each trained on the hidden probabilities of the one below, the top one
    /// with linear (Gaussian) code units; unrolled, the decoder starts as the transposed encoder.
    @Test func pretrainingStacksRBMsAndUnrollsThem() throws {
        let configuration = DeepAutoencoder.Configuration(hidden: [64, 32], codeSize: 8, pretrainingEpochs: 2)
        var generator = RandomGenerator(seed: 1)
        let rbms = try DeepAutoencoder.pretrain(images, configuration: configuration, using: &generator)
        #expect(rbms.map(\.weight.shape) == [[64, 784], [32, 64], [8, 32]])
        #expect(rbms.map(\.configuration.hidden) == [.bernoulli, .bernoulli, .gaussian])
        #expect(rbms.map(\.configuration.visible) == [.bernoulli, .bernoulli, .bernoulli])
        // Each RBM learned: its reconstruction error fell.
        for rbm in rbms { #expect(rbm.reconstructionError.last! < rbm.reconstructionError.first!) }
        let (encoder, decoder) = DeepAutoencoder.unroll(rbms, configuration: configuration)
        #expect(encoder.layers.map(\.activation) == [.sigmoid, .sigmoid, .linear])
        #expect(decoder.layers.map(\.activation) == [.sigmoid, .sigmoid, .sigmoid])
        for (index, rbm) in rbms.enumerated() {
            #expect(encoder.layers[index].weight == rbm.weight && encoder.layers[index].bias == rbm.hiddenBias)
            #expect(decoder.layers[2 - index].weight == rbm.weight.transposed() && decoder.layers[2 - index].bias == rbm.visibleBias)
        }
    }

    /// The paper's point on small data: with the same fine-tuning budget (plain SGD with
    /// momentum, as in the era's backpropagation), a pretrained 784-128-64-16 network reconstructs
    /// better than the same network from small random weights.
    @Test func pretrainingBeatsSmallRandomWeights() throws {
        let training = TrainingConfiguration(epochs: 4, batchSize: 50, learningRate: 0.05, optimizer: .momentum, heldOutFraction: 0)
        let pretrained = DeepAutoencoder.Configuration(hidden: [128, 64], codeSize: 16, pretrainingEpochs: 4, training: training)
        var random = pretrained
        random.pretraining = .none
        random.initializer = .smallNormal
        var generator = RandomGenerator(seed: 2)
        let a = try DeepAutoencoder.fit(images, configuration: pretrained, using: &generator)
        generator = RandomGenerator(seed: 2)
        let b = try DeepAutoencoder.fit(images, configuration: random, using: &generator)
        let (withRBMs, without) = (try ReconstructionMetrics(a, samples: images).ssePerSample, try ReconstructionMetrics(b, samples: images).ssePerSample)
        #expect(withRBMs < 0.8 * without, "pretrained \(withRBMs), from small random weights \(without)")
    }

    /// Interrupted during pretraining (in the second RBM) or during fine-tuning, a run resumed
    /// from its checkpoint ends with the uninterrupted run's model, bit for bit.
    @Test(arguments: ["rbm 1/2", "rbm 2/2", "fine-tuning"])
    func resumedRunEqualsTheUninterruptedRun(interruptIn phase: String) throws {
        struct Interrupt: Error {}
        let configuration = DeepAutoencoder.Configuration(hidden: [32], codeSize: 4, pretrainingEpochs: 2,
                                                          training: .init(epochs: 4, batchSize: 64, schedule: .defaultCosine))
        let data = images.rows(0..<300)
        var generator = RandomGenerator(seed: 3)
        let uninterrupted = try DeepAutoencoder.fit(data, configuration: configuration, using: &generator)
        let path = temporaryPath("deep.checkpoint.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        generator = RandomGenerator(seed: 3)
        #expect(throws: Interrupt.self) {
            _ = try DeepAutoencoder.fit(data, configuration: configuration, using: &generator,
                                        context: FitContext(checkpoints: CheckpointPolicy(path: path, every: 1)) { p in
                                            if p.phase == phase, p.epoch == 2 { throw Interrupt() }
                                        })
        }
        generator = RandomGenerator(seed: 3)
        let resumed = try DeepAutoencoder.fit(data, configuration: configuration, using: &generator,
                                              context: FitContext(checkpoints: CheckpointPolicy(path: path, every: 1, resume: true)))
        #expect(resumed.stateTensors.map(\.tensor) == uninterrupted.stateTensors.map(\.tensor))
    }

    /// Real-valued data far from [0, 1]: standardised inputs (unit-variance Gaussian visible
    /// units for the first RBM), mse and a linear output beat PCA-2 on the swiss roll, and
    /// DECODE returns data in the original units.
    @Test func standardisedRealValuedDataBeatPCA() throws {
        let data = try SyntheticManifold.swissRoll.generate(["n": 1000, "seed": 4]).dataset.samples
        let configuration = DeepAutoencoder.Configuration(hidden: [32, 16], codeSize: 2, outputActivation: .linear, loss: .squaredError,
                                                          pretrainingEpochs: 3, training: .init(epochs: 150, batchSize: 50, learningRate: 3e-3),
                                                          inputScaling: .standardize)
        var generator = RandomGenerator(seed: 5)
        let model = try DeepAutoencoder.fit(data, configuration: configuration, using: &generator)
        let pca = try PCA.fit(data, configuration: .init(components: .count(2)), using: &generator)
        let (deep, linear) = (try model.distortion(data), try pca.distortion(data))
        #expect(deep < 0.5 * linear, "deep \(deep), PCA-2 \(linear)")
        #expect(model.inputScale.scalars.allSatisfy { $0 > 1 }, "the swiss roll's features have standard deviations above 1")
    }

    @Test func dataChooseTheOpenDefaults() throws {
        let pixels = images.rows(0..<10), real = images.rows(0..<10) * 4 - 1
        #expect(DeepAutoencoder.dataDefaults(for: pixels) == (.binaryCrossEntropy, .none, .sigmoid))
        #expect(DeepAutoencoder.dataDefaults(for: real) == (.squaredError, .standardize, .linear))
        #expect(DeepAutoencoder.dataDefaults(for: pixels, loss: .squaredError) == (.squaredError, .none, .sigmoid))
        #expect(DeepAutoencoder.dataDefaults(for: pixels, inputScaling: .standardize) == (.binaryCrossEntropy, .standardize, .sigmoid))
        #expect(DeepAutoencoder.dataDefaults(for: pixels, loss: .squaredError, inputScaling: .standardize) == (.squaredError, .standardize, .linear))
        #expect(DeepAutoencoder.dataDefaults(for: real, loss: .binaryCrossEntropy) == (.binaryCrossEntropy, .none, .sigmoid))
    }

    @Test func badRequestsAreClearErrors() throws {
        var generator = RandomGenerator(seed: 0)
        let cases: [(DeepAutoencoder.Configuration, Tensor, String)] = [
            (.init(hidden: [0]), images, "`hidden` must hold values each at least 1, got [0]"),
            (.init(outputActivation: .linear), images, "bce loss needs a sigmoid output"),
            (.init(hiddenActivation: .relu), images, "RBM pretraining needs sigmoid hidden units"),
            (.init(hidden: [4], codeSize: 2), images * 3, "needs data in [0, 1]"),
            (.init(hidden: [4], codeSize: 2, training: .init(epochs: 0)), images, "epochs"),
            (.init(hidden: [4], codeSize: 2, loss: .squaredError, inputScaling: .standardize), images, "standardised inputs take negative values"),
        ]
        for (configuration, data, message) in cases {
            let text = errorText { _ = try DeepAutoencoder.fit(data, configuration: configuration, using: &generator) }
            #expect(text.contains(message), "\(text)")
        }
    }
}
