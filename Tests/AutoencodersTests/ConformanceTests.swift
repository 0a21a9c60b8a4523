import Autoencoders
import DataFormats
import Foundation
import NeuralNetworks
import Testing
import TestSupport
import Tensors

/// Training short enough for a suite that fits every method many times, long enough to learn
/// the conformance blobs: a few epochs, at least 400 optimiser steps.
func quickTraining(learningRate: Float = 0.01) -> TrainingConfiguration {
    TrainingConfiguration(epochs: 5, batchSize: 32, learningRate: learningRate, minimumSteps: 400)
}

/// A method under test: how to fit it on small data.
struct MethodCase: CustomTestStringConvertible, Sendable {
    let name: String
    let fit: @Sendable (Tensor, inout RandomGenerator) throws -> any Autoencoder
    var testDescription: String { name }
}

/// Every registered method's own example fit, on standardised data: a method added to the
/// registry is tested here without editing the suite.
let registryCases: [MethodCase] = Methods.examples.map { method in
    MethodCase(name: "\(method.methodName) (registry example)") { x, g in
        let scaling = try FeatureScaling(fitting: x, kind: .standardize)
        func fit<M: ExampleFit>(_ type: M.Type) throws -> any Autoencoder { try M.exampleFit(try scaling.apply(x), using: &g) }
        return try scaled(try fit(method), by: scaling)
    }
}

/// The registry's cases, and variants of the methods' options.
let methodCases: [MethodCase] = registryCases + [
    MethodCase(name: "kmeans") { x, g in try KMeans.fit(x, configuration: .init(clusters: 4), using: &g) },
    MethodCase(name: "kmeans mini-batch") { x, g in try KMeans.fit(x, configuration: .init(clusters: 4, algorithm: .miniBatch(batchSize: 16)), using: &g) },
    MethodCase(name: "kmeans random init") { x, g in try KMeans.fit(x, configuration: .init(clusters: 3, initialization: .random), using: &g) },
    MethodCase(name: "pca exact") { x, g in try PCA.fit(x, configuration: .init(components: .count(2)), using: &g) },
    MethodCase(name: "pca randomized") { x, g in try PCA.fit(x, configuration: .init(components: .count(2), solver: .randomized), using: &g) },
    MethodCase(name: "pca whitened") { x, g in try PCA.fit(x, configuration: .init(components: .count(3), whiten: true), using: &g) },
    MethodCase(name: "pca variance fraction") { x, g in try PCA.fit(x, configuration: .init(components: .varianceFraction(0.9)), using: &g) },
    MethodCase(name: "linear autoencoder") { x, g in
        try LinearAutoencoder.fit(x, configuration: .init(codeSize: 2, training: quickTraining(learningRate: 0.01)), using: &g)
    },
    MethodCase(name: "nonlinear pca") { x, g in
        try NonlinearPCA.fit(x, configuration: .init(components: 2, mappingWidth: 8, demappingWidth: 6, training: quickTraining()), using: &g)
    },
    MethodCase(name: "rbm gaussian-visible") { x, g in
        // Gaussian visible units model unit-variance data: the RBM sits behind standardisation.
        let scaling = try FeatureScaling(fitting: x, kind: .standardize)
        return try scaled(try RBM.fit(try scaling.apply(x), configuration: .init(hiddenUnits: 3, visible: .gaussian, epochs: 60, batchSize: 32, learningRate: 0.01),
                                      using: &g), by: scaling)
    },
    MethodCase(name: "rbm linear-hidden, CD-2") { x, g in
        let scaling = try FeatureScaling(fitting: x, kind: .standardize)
        return try scaled(try RBM.fit(try scaling.apply(x), configuration: .init(hiddenUnits: 2, visible: .gaussian, hidden: .gaussian, epochs: 60,
                                                                                 batchSize: 32, learningRate: 0.01, gibbsSteps: 2), using: &g), by: scaling)
    },
    MethodCase(name: "deep autoencoder, RBM pretraining") { x, g in
        try DeepAutoencoder.fit(x, configuration: .init(hidden: [8, 4], codeSize: 2, outputActivation: .linear, loss: .squaredError,
                                                        pretrainingEpochs: 1, pretrainingBatchSize: 32, training: quickTraining(),
                                                        inputScaling: .standardize), using: &g)
    },
    MethodCase(name: "deep autoencoder, relu from He init") { x, g in
        try DeepAutoencoder.fit(x, configuration: .init(hidden: [8], codeSize: 2, hiddenActivation: .relu, outputActivation: .linear, loss: .squaredError,
                                                        pretraining: .none, initializer: .he, training: quickTraining()), using: &g)
    },
    // Any method behind the scaling stored with it (--scale): encode scales, decode undoes it.
    MethodCase(name: "pca behind robust scaling") { x, g in
        let scaling = try FeatureScaling(fitting: x, kind: .robust)
        return try scaled(try PCA.fit(try scaling.apply(x), configuration: .init(components: .count(2)), using: &g), by: scaling)
    },
    MethodCase(name: "linear autoencoder behind standardization") { x, g in
        let scaling = try FeatureScaling(fitting: x, kind: .standardize)
        return try scaled(try LinearAutoencoder.fit(try scaling.apply(x), configuration: .init(codeSize: 2, training: quickTraining(learningRate: 0.01)),
                                                    using: &g), by: scaling)
    },
    MethodCase(name: "nonlinear pca sequential, sigmoid bottleneck") { x, g in
        try NonlinearPCA.fit(x, configuration: .init(components: 2, mappingWidth: 8, bottleneck: .sigmoid, extraction: .sequential,
                                                     training: quickTraining()), using: &g)
    },
]

/// Gaussian blobs in 6-D: structure for every method.
let conformanceData = try! SyntheticManifold.blobs.generate(["n": 120, "centers": 4, "dimension": 6, "seed": 3]).dataset.samples

/// The suite every method passes.
@Suite struct Conformance {
    /// Every method the library registers has an example fit, so the suite covers it.
    @Test func everyRegisteredMethodIsCovered() {
        #expect(Methods.examples.map { $0.methodName } == Methods.all.map { $0.methodName })
    }

    @Test(arguments: methodCases)
    func shapes(_ method: MethodCase) throws {
        var generator = RandomGenerator(seed: 1)
        let model = try method.fit(conformanceData, &generator)
        let codes = try model.encode(conformanceData)
        #expect(codes.shape == [120, model.codeSize] && model.inputSize == 6)
        #expect(try model.decode(codes).shape == [120, 6])
        #expect(try model.reconstruct(conformanceData).shape == conformanceData.shape)
    }

    @Test(arguments: methodCases)
    func distortionIsTheExplicitSum(_ method: MethodCase) throws {
        var generator = RandomGenerator(seed: 2)
        let model = try method.fit(conformanceData, &generator)
        let reconstructions = try model.reconstruct(conformanceData)
        var explicit = 0.0
        for i in 0..<120 { for j in 0..<6 { let e = Double(conformanceData[i, j]) - Double(reconstructions[i, j]); explicit += e * e } }
        let distortion = try model.distortion(conformanceData)
        #expect(abs(distortion - explicit) <= 1e-9 * max(explicit, 1))
        let metrics = try ReconstructionMetrics(model, samples: conformanceData)
        #expect(abs(metrics.ssePerSample - explicit / 120) <= 1e-9 * max(explicit, 1) && abs(metrics.msePerFeature * 6 - metrics.ssePerSample) < 1e-9)
    }

    @Test(arguments: methodCases)
    func sameSeedSameModel(_ method: MethodCase) throws {
        var a = RandomGenerator(seed: 3), b = RandomGenerator(seed: 3)
        let first = try method.fit(conformanceData, &a), second = try method.fit(conformanceData, &b)
        #expect(try first.encode(conformanceData) == second.encode(conformanceData))
    }

    @Test(arguments: methodCases)
    func saveAndLoadGiveIdenticalCodes(_ method: MethodCase) throws {
        var generator = RandomGenerator(seed: 4)
        let model = try method.fit(conformanceData, &generator)
        let path = temporaryPath("model.safetensors")
        try model.modelFile().write(to: path)
        let loaded = try Methods.load(from: path)
        #expect(type(of: loaded).methodName == type(of: model).methodName)
        #expect(try loaded.encode(conformanceData) == model.encode(conformanceData))
        #expect(try loaded.decode(model.encode(conformanceData)) == model.decode(model.encode(conformanceData)))
        // Methods trained by epochs keep their per-epoch losses in the file; the others have none.
        #expect(loaded.trainingHistory == model.trainingHistory)
        let unscaled = (model as? any ScaledModel)?.unscaled ?? model
        #expect((model.trainingHistory == nil) == (unscaled is KMeans || unscaled is PCA || unscaled is PrincipalGraph))
        #expect((loaded as? any ScaledModel)?.scaling == (model as? any ScaledModel)?.scaling)
    }

    /// A model file whose weights hold NaN or infinity is refused on loading, naming the
    /// tensor, instead of encoding everything to NaN.
    @Test(arguments: methodCases)
    func nonFiniteWeightsAreRefusedOnLoading(_ method: MethodCase) throws {
        var generator = RandomGenerator(seed: 8)
        var file = try method.fit(conformanceData, &generator).modelFile()
        let victim = file.tensors.count - 1
        let name = file.tensors[victim].name
        file.tensors[victim].tensor.withUnsafeMutableBufferPointer { $0[$0.count - 1] = .infinity }
        let path = temporaryPath("poisoned.safetensors")
        try file.write(to: path)
        for load in [{ _ = try Methods.load(from: path) }, { _ = try SafeTensorsFile.read(path).checkFinite(file: path) }] {
            do { try load(); Issue.record("\(method.name): a model holding infinity loaded") } catch {
                #expect("\(error)".contains("tensor '\(name)'") && "\(error)".contains("inf"), "\(method.name): \(error)")
            }
        }
    }

    @Test(arguments: methodCases)
    func batchEncodingEqualsRowByRow(_ method: MethodCase) throws {
        var generator = RandomGenerator(seed: 5)
        let model = try method.fit(conformanceData, &generator)
        let batch = try model.encode(conformanceData)
        for i in stride(from: 0, to: 120, by: 17) {
            let single = try model.encode(conformanceData.rows(i..<(i + 1)))
            #expect(single.isApproximatelyEqual(to: batch.rows(i..<(i + 1)), relativeTolerance: 1e-5, absoluteTolerance: 1e-5), "row \(i)")
        }
    }

    /// Samples that are no matrix, hold no rows, hold NaN or a value too large to square are
    /// refused with a message that shows the shape, or says what and where the value is.
    @Test(arguments: methodCases)
    func badSamplesAreClearErrors(_ method: MethodCase) throws {
        var generator = RandomGenerator(seed: 7)
        for (samples, expected) in [(Tensor.zeros([6]), "[6]"), (Tensor.zeros([0, 6]), "[0, 6]")] {
            do { _ = try method.fit(samples, &generator); Issue.record("\(method.name) fitted samples of shape \(samples.shape)") } catch {
                #expect("\(error)".contains(expected), "\(method.name): \(error)")
            }
        }
        var poisoned = conformanceData
        poisoned.withUnsafeMutableBufferPointer { $0[7] = .nan }
        do { _ = try method.fit(poisoned, &generator); Issue.record("\(method.name) fitted samples holding NaN") } catch {
            #expect("\(error)".contains("input") && "\(error)".lowercased().contains("nan"), "\(method.name): \(error)")
        }
        // A value whose square overflows Float is refused by position, or (a method that scales
        // its input first, in Double) fitted into a finite model: never into NaN.
        var huge = conformanceData
        huge.withUnsafeMutableBufferPointer { $0[7] = 1e30 }
        do {
            let model = try method.fit(huge, &generator)
            #expect(model.stateTensors.allSatisfy { $0.tensor.scalars.allSatisfy(\.isFinite) }, "\(method.name)")
            #expect(try model.distortion(huge).isFinite, "\(method.name)")
        } catch {
            #expect("\(error)".contains("at row 1, column 1 is too large to train on"), "\(method.name): \(error)")
        }
    }

    /// Every method learns the blobs' structure: its distortion is clearly below the mean
    /// predictor's (Σ ‖xᵢ − x̄‖², what a model that learned nothing reaches).
    @Test(arguments: methodCases)
    func learnsBeyondTheMean(_ method: MethodCase) throws {
        var generator = RandomGenerator(seed: 9)
        let model = try method.fit(conformanceData, &generator)
        let meanPredictor = FeatureScaling.columnVariances(conformanceData).reduce(0, +) * Double(conformanceData.shape[0])
        let distortion = try model.distortion(conformanceData)
        #expect(distortion < 0.7 * meanPredictor, "\(method.name): distortion \(distortion), mean predictor \(meanPredictor)")
    }

    @Test(arguments: methodCases)
    func wrongWidthsAreClearErrors(_ method: MethodCase) throws {
        var generator = RandomGenerator(seed: 6)
        let model = try method.fit(conformanceData, &generator)
        #expect(throws: AutoencoderError.self) { try model.encode(Tensor.zeros([3, 5])) }
        #expect(throws: AutoencoderError.self) { try model.decode(Tensor.zeros([3, model.codeSize + 1])) }
    }
}
