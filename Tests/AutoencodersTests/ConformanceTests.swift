import Autoencoders
import DataFormats
import Foundation
import MethodConformance
import NeuralNetworks
import Testing
import TestSupport
import Tensors

/// Training short enough for a suite that fits every method many times, long enough to learn
/// the conformance blobs: a few epochs, at least 400 optimiser steps.
func quickTraining(learningRate: Float = 0.01) -> TrainingConfiguration {
    TrainingConfiguration(epochs: 5, batchSize: 32, learningRate: learningRate, minimumSteps: 400)
}

/// Every built-in method's own example fit, on standardised data: a method added to the
/// library is tested here without editing the suite.
let registryCases: [MethodCase] = Methods.builtIn.compactMap { $0 as? any ExampleFit.Type }.map { method in
    func exampleCase<M: ExampleFit>(_ type: M.Type) -> MethodCase { MethodCase(example: type) }
    return exampleCase(method)
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
    // The conformance blobs' 6 features read as 2 × 3 images: convolutions in every check.
    MethodCase(name: "vae, convolutional layer lists") { x, g in
        try VariationalAutoencoder.fit(x, configuration: .init(
            codeSize: 2, activation: .tanh, likelihood: .gaussian, outputVariance: 0.1, initializer: .xavier, training: Methods.exampleTraining,
            architecture: try NetworkArchitecture(parsing: "conv 4 k2 s1 p0 tanh, flatten | dense 8 tanh, reshape 1x2x4, convT 1 k2 s1 p0"),
            imageShape: [2, 3]), using: &g)
    },
    MethodCase(name: "wasserstein autoencoder, convolutional layer lists") { x, g in
        try WassersteinAutoencoder.fit(x, configuration: .init(
            codeSize: 2, activation: .tanh, lambda: 1, initializer: .xavier, training: Methods.exampleTraining,
            architecture: try NetworkArchitecture(parsing: "conv 4 k2 s1 p0 tanh, flatten, dense 8 tanh | dense 8 tanh, reshape 1x2x4, convT 1 k2 s1 p0"),
            imageShape: [2, 3]), using: &g)
    },
    MethodCase(name: "deep autoencoder, convolutional layer lists") { x, g in
        try DeepAutoencoder.fit(x, configuration: .init(
            codeSize: 2, hiddenActivation: .tanh, outputActivation: .linear, loss: .squaredError, pretraining: .none, training: quickTraining(),
            architecture: try NetworkArchitecture(parsing: "conv 4 k2 s1 p0 tanh, flatten | dense 8 tanh, reshape 1x2x4, convT 1 k2 s1 p0"),
            imageShape: [2, 3]), using: &g)
    },
    MethodCase(name: "nonlinear pca sequential, sigmoid bottleneck") { x, g in
        try NonlinearPCA.fit(x, configuration: .init(components: 2, mappingWidth: 8, bottleneck: .sigmoid, extraction: .sequential,
                                                     training: quickTraining()), using: &g)
    },
]

/// The suite every method passes (``ConformanceChecks``, shared with methods written outside
/// the library).
@Suite struct Conformance {
    /// Every method the library has, has an example fit, so the suite covers it.
    @Test func everyBuiltInMethodIsCovered() {
        #expect(registryCases.count == Methods.builtIn.count)
    }

    @Test(arguments: methodCases) func shapes(_ method: MethodCase) throws { try ConformanceChecks.shapes(method) }
    @Test(arguments: methodCases) func distortionIsTheExplicitSum(_ method: MethodCase) throws { try ConformanceChecks.distortionIsTheExplicitSum(method) }
    @Test(arguments: methodCases) func sameSeedSameModel(_ method: MethodCase) throws { try ConformanceChecks.sameSeedSameModel(method) }
    @Test(arguments: methodCases) func saveAndLoadGiveIdenticalCodes(_ method: MethodCase) throws { try ConformanceChecks.saveAndLoadGiveIdenticalCodes(method) }
    @Test(arguments: methodCases) func nonFiniteWeightsAreRefusedOnLoading(_ method: MethodCase) throws {
        try ConformanceChecks.nonFiniteWeightsAreRefusedOnLoading(method)
    }
    @Test(arguments: methodCases) func batchEncodingEqualsRowByRow(_ method: MethodCase) throws { try ConformanceChecks.batchEncodingEqualsRowByRow(method) }
    @Test(arguments: methodCases) func badSamplesAreClearErrors(_ method: MethodCase) throws { try ConformanceChecks.badSamplesAreClearErrors(method) }
    @Test(arguments: methodCases) func learnsBeyondTheMean(_ method: MethodCase) throws { try ConformanceChecks.learnsBeyondTheMean(method) }
    @Test(arguments: methodCases) func wrongWidthsAreClearErrors(_ method: MethodCase) throws { try ConformanceChecks.wrongWidthsAreClearErrors(method) }
}
