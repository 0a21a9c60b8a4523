import Autoencoders
import DataFormats
import Foundation
import NeuralNetworks
import Testing
import TestSupport
import Tensors

/// `--architecture conv` and layer lists: the declared default network, its errors, and the
/// convolutional VAE trained, saved and loaded.
@Suite struct ConvolutionalArchitectures {
    /// For 28 × 28 × 1 images and a code of 20, exactly the network: encoder
    /// Conv(1→32, 4, 2, 1)–ReLU–Conv(32→64, 4, 2, 1)–ReLU–Flatten, heads from 3 136 values;
    /// decoder Dense(20 → 3136)–ReLU–Reshape(7 × 7 × 64)–ConvT(64→32)–ReLU–ConvT(32→1).
    @Test func theDefaultForFashionMNISTIsTheDeclaredNetwork() throws {
        let configuration = VariationalAutoencoder.Configuration(codeSize: 20, architecture: .conv, imageShape: [28, 28])
        let (encoder, decoder) = try configuration.layouts(features: 784)
        #expect(encoder.description == "28 × 28 × 1 → conv 32 k4 s2 p1 relu, conv 64 k4 s2 p1 relu, flatten")
        #expect(encoder.outputShape == [3136])
        #expect(decoder.description == "20 values → dense 3136 relu, reshape 7x7x64, convT 32 k4 s2 p1 relu, convT 1 k4 s2 p1")
        #expect(decoder.outputShape == [28, 28, 1])
        #expect(encoder.parameterShapes.map(\.shape) == [[32, 4, 4, 1], [32], [64, 4, 4, 32], [64]])
        #expect(decoder.parameterShapes.map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias", "3.weight", "3.bias"])
        #expect(decoder.parameterShapes.map(\.shape) == [[3136, 20], [3136], [64, 4, 4, 32], [32], [32, 4, 4, 1], [1]])
    }

    /// The stages follow the image: halved while both sides are even and stay at least 4, at
    /// most 4 stages, channels doubling from 32; the decoder mirrors them back to the image.
    @Test(arguments: [([28, 28], 2, [7, 7, 64]), ([32, 32, 3], 3, [4, 4, 128]), ([64, 48, 3], 3, [8, 6, 128]), ([8, 8], 1, [4, 4, 32]),
                      ([128, 128], 4, [8, 8, 256])])
    func theStagesScaleWithTheImage(shape: [Int], stages: Int, deepest: [Int]) throws {
        let layers = try NetworkArchitecture.convolutionalLayers(imageShape: shape, activation: .relu)
        #expect(layers.encoder.count == stages + 1)
        let encoder = try NetworkLayout(inputShape: shape.count == 2 ? shape + [1] : shape, layers: layers.encoder)
        #expect(encoder.shapes[stages - 1] == deepest)
        let decoder = try NetworkLayout(inputShape: [5], layers: layers.decoder)
        #expect(decoder.outputShape == (shape.count == 2 ? shape + [1] : shape))
    }

    /// Layouts that do not fit their input are errors naming the layer and the shapes.
    @Test(arguments: [
        ([9, 9], "conv 8 k4 s2 p1, flatten | dense 4", "layer 0 (conv 8 k4 s2 p1): stride 2 does not divide 9 + 2·1 − 4 = 7"),
        ([8, 8], "conv 8 k4 s2 p1 | dense 64", "encoder: its last layer gives 4 × 4 × 8; end it with flatten"),
        ([8, 8], "conv 8 k4 s2 p1, flatten | dense 10", "decoder: its last layer gives 10 (10 values), but the samples are 8 × 8 × 1"),
        ([8, 8], "conv 8 k4 s2 p1, dense 5 | dense 64", "layer 1 (dense 5): takes a flat input but receives 4 × 4 × 8; add 'flatten' before it"),
        ([8, 8], "conv 8 k4 s2 p1, flatten | dense 16, reshape 4x5, convT 1 k4 s2 p1",
         "decoder, layer 1 (reshape 4x5): to 4 × 5 (20 values) does not fit the input 16 values (16 values)"),
        ([8, 8], "conv 8 k9, flatten | dense 64", "kernel 9 is larger than the 8 × 8 padded input"),
        ([8, 8], "flatten, reshape 8x8x1, conv 2 k3 p3, flatten | dense 64", "padding 3 must lie in [0, kernel 3)"),
    ] as [([Int], String, String)])
    func layoutsThatDoNotFitAreErrorsNamingTheLayer(shape: [Int], architecture: String, message: String) throws {
        let configuration = VariationalAutoencoder.Configuration(codeSize: 2, architecture: try NetworkArchitecture(parsing: architecture), imageShape: shape)
        #expect { try configuration.validate(features: shape.reduce(1, *)) } throws: { "\($0)".contains(message) }
    }

    @Test func convolutionsNeedAnImageShape() throws {
        let configuration = VariationalAutoencoder.Configuration(codeSize: 2, architecture: .conv)
        #expect { try configuration.validate(features: 784) } throws: { "\($0)".contains("needs samples with an image shape") }
        let odd = VariationalAutoencoder.Configuration(codeSize: 2, architecture: .conv, imageShape: [27, 27])
        #expect { try odd.validate(features: 729) } throws: { "\($0)".contains("height and width must be even and at least 8, got 27 × 27") }
        let mismatch = VariationalAutoencoder.Configuration(codeSize: 2, architecture: .conv, imageShape: [28, 28])
        #expect { try mismatch.validate(features: 700) } throws: { "\($0)".contains("the image shape [28, 28] holds 784 values, but the samples have 700 features") }
        let conditional = VariationalAutoencoder.Configuration(codeSize: 2, conditionClasses: 3, architecture: .conv, imageShape: [28, 28])
        #expect { try conditional.validate(features: 784) } throws: { "\($0)".contains("use `architecture: .mlp`") }
    }

    /// Every layer kind's text reads back as the same layer; texts that do not parse say why.
    @Test func layerTextsRoundTrip() throws {
        let layers: [LayerSpecification] = [
            .dense(outputs: 400, activation: .relu), .dense(outputs: 3, activation: .linear),
            .convolution(channels: 32, kernel: 4, stride: 2, padding: 1, activation: .leakyRelu),
            .transposedConvolution(channels: 1, kernel: 3, stride: 2, padding: 1, outputPadding: 1, activation: .sigmoid),
            .reshape([7, 7, 64]), .flatten, .upsample(factor: 2),
        ]
        for layer in layers { #expect(try LayerSpecification(parsing: layer.description) == layer, "\(layer)") }
        #expect(try LayerSpecification(parsing: "conv 8") == .convolution(channels: 8, kernel: 3, stride: 1, padding: 0, activation: .linear))
        let architecture = try NetworkArchitecture(parsing: "conv 32 k4 s2 p1 relu, flatten | dense 3136 relu, reshape 7x7x64, convT 1 k4 s2 p1")
        #expect(try NetworkArchitecture(parsing: architecture.description) == architecture)
        let stored = try JSONDecoder().decode(NetworkArchitecture.self, from: JSONEncoder().encode(architecture))
        #expect(stored == architecture)
        for (text, message) in [("conv", "needs its output channels"), ("conv 8 q3", "'q3' is not one of"), ("dense 4 swish", "unknown activation 'swish'"),
                                ("pool 2", "unknown layer 'pool'"), ("reshape 7by7", "is not a shape"), ("conv 8, , flatten", "an empty layer")] {
            #expect { try LayerSpecification.list(parsing: text) } throws: { "\($0)".contains(message) }
        }
        #expect { try NetworkArchitecture(parsing: "conv 8, flatten") } throws: { "\($0)".contains("separated by '|'") }
    }

    /// A configuration stored before architectures existed reads as mlp without an image shape.
    @Test func configurationsFromBeforeConvolutionsAreMLPs() throws {
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(VariationalAutoencoder.Configuration())) as! [String: Any]
        json["architecture"] = nil
        json["imageShape"] = nil
        let decoded = try JSONDecoder().decode(VariationalAutoencoder.Configuration.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(decoded.architecture == .mlp && decoded.imageShape == nil && decoded == VariationalAutoencoder.Configuration())
    }

    /// The convolutional VAE on Fashion-MNIST-mini: it learns (its test −ELBO falls far below the
    /// first epoch's), and the model file holds its architecture: loaded, it encodes and decodes
    /// the same values.
    @Test func aConvolutionalVAELearnsAndRoundTripsThroughItsFile() throws {
        let train = try DatasetLoader().load("fashion-mnist-mini:train"), test = try DatasetLoader().load("fashion-mnist-mini:test")
        let samples = train.samples.rows(0..<2000)
        func fit(epochs: Int) throws -> VariationalAutoencoder {
            var generator = RandomGenerator(seed: 4)
            return try VariationalAutoencoder.fit(samples, configuration: .init(
                codeSize: 8, training: .init(epochs: epochs, batchSize: 64, learningRate: 1e-3, heldOutFraction: 0),
                architecture: .conv, imageShape: train.sampleShape), using: &generator)
        }
        func elbo(_ model: VariationalAutoencoder) throws -> Double {
            var generator = RandomGenerator(seed: 1)
            let values = try model.negativeEvidenceLowerBound(test.samples.rows(0..<300), using: &generator)
            return values.reduce(0, +) / Double(values.count)
        }
        let (early, later) = (try fit(epochs: 1), try fit(epochs: 4))
        let (before, after) = (try elbo(early), try elbo(later))
        #expect(after < before - 20, "\(before) → \(after)")
        #expect(later.encoder.layout.layers.first == .convolution(channels: 32, kernel: 4, stride: 2, padding: 1, activation: .relu))
        let path = temporaryPath("conv-vae.safetensors")
        try later.save(to: path)
        let loaded = try #require(try Methods.load(from: path) as? VariationalAutoencoder)
        #expect(loaded.configuration == later.configuration)
        let few = test.samples.rows(0..<20)
        #expect(try loaded.encode(few) == (try later.encode(few)))
        #expect(try loaded.reconstruct(few) == (try later.reconstruct(few)))
    }

    /// The convolutional VAE on 1 and 2 threads gives the same model bit for bit (the kernels
    /// cut batches by shape, never by thread count), and a run interrupted inside an epoch and
    /// resumed from its checkpoint ends with the uninterrupted model.
    @Test func sameModelOnAnyThreadCountAndAfterAResume() throws {
        let data = try DatasetLoader().load("fashion-mnist-mini:test")
        let samples = data.samples.rows(0..<300)
        let configuration = VariationalAutoencoder.Configuration(codeSize: 4, training: .init(epochs: 3, batchSize: 64, learningRate: 1e-3),
                                                                 architecture: .conv, imageShape: data.sampleShape)
        func fit(threads: Int) throws -> VariationalAutoencoder {
            try ComputeContext(settings: ComputeSettings(threads: threads)).run {
                var generator = RandomGenerator(seed: 8)
                return try VariationalAutoencoder.fit(samples, configuration: configuration, using: &generator)
            }
        }
        let (one, two) = (try fit(threads: 1), try fit(threads: 2))
        #expect(one.stateTensors.map(\.tensor) == two.stateTensors.map(\.tensor))
        _ = try expectResumedRunEqualsUninterrupted("conv-vae", interruptAt: (2, 2)) { generator, checkpoints, progress in
            try VariationalAutoencoder.fit(samples, configuration: configuration, using: &generator, context: FitContext(checkpoints: checkpoints, progress: progress))
        }
    }
}
