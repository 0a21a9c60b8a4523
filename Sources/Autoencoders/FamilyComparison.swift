import DataFormats
import Foundation
import Neighbourhoods
import NeuralNetworks
import Tensors

/// The lecture's two families side by side: autoencoders (PCA, the deep autoencoder, the VAE),
/// whose DECODE is learned with ENCODE, and projective methods (MDS, Isomap, t-SNE, UMAP and
/// their parametric forms), whose
/// codes are placed first and whose DECODE is learned after them (``LearnedDecoder``). Each is
/// fitted to the same training samples at the same code size with its defaults, and measured on
/// test samples it never saw: how it keeps neighbourhoods (trustworthiness, continuity, k-NN
/// accuracy of the test codes among themselves; ``NeighbourhoodMetrics``), what DECODE loses
/// (squared error per test sample), what its decoder generates through a density fitted to its
/// training codes (MMD², precision and recall against the test samples; ``GenerationMetrics``),
/// and how long the fit took.
public struct FamilyComparison: Codable, Sendable, Equatable {
    /// A method of the comparison, fitted with its defaults at a code size.
    public enum Method: String, Codable, Sendable, CaseIterable {
        case pca, deepAutoencoder = "deep-autoencoder", vae, mds, isomap, tsne, umap, parametricTSNE = "parametric-tsne", parametricUMAP = "parametric-umap"

        /// The VAE's fewest optimiser steps: the PyTorch example's 10 epochs of 60 000 images in
        /// batches of 128 (its defaults' 10 epochs of a small set are a few hundred steps, too few).
        public static let vaeSteps = 4_690

        /// Whether the method learns DECODE with ENCODE (an autoencoder) or after its codes (projective).
        public var family: Family { [.mds, .isomap, .tsne, .umap, .parametricTSNE, .parametricUMAP].contains(self) ? .projective : .autoencoder }

        /// Fits the method to `samples` (`n × D`) with `codeSize`-wide codes and its defaults
        /// (those of its `latent fit` command for these data); `progress` hears the batches of
        /// what trains by batches and may throw to stop.
        public func fit(_ samples: Tensor, codeSize: Int, using generator: inout RandomGenerator,
                        progress: @escaping (TrainingProgress) throws -> Void = { _ in }) throws -> any Autoencoder {
            switch self {
            case .pca:
                return try PCA.fit(samples, configuration: .init(components: .count(codeSize)), using: &generator)
            case .deepAutoencoder:
                let fromData = DeepAutoencoder.dataDefaults(for: samples)
                let configuration = DeepAutoencoder.Configuration(
                    hidden: DeepAutoencoder.Configuration.defaultHidden(features: samples.columns, codeSize: codeSize), codeSize: codeSize,
                    outputActivation: fromData.outputActivation, loss: fromData.loss, inputScaling: fromData.inputScaling)
                return try DeepAutoencoder.fit(samples, configuration: configuration, using: &generator, context: FitContext(progress: progress))
            case .vae:
                let unit = liesInUnitInterval(samples)
                var configuration = VariationalAutoencoder.Configuration(
                    codeSize: codeSize, likelihood: VariationalAutoencoder.Configuration.defaultLikelihood(unitInterval: unit))
                configuration.training.minimumSteps = Self.vaeSteps
                return try VariationalAutoencoder.fit(samples, configuration: configuration, using: &generator, context: FitContext(progress: progress))
            case .mds:
                return try MDS.fit(samples, configuration: .init(components: codeSize), using: &generator, decoderProgress: progress)
            case .isomap:
                return try Isomap.fit(samples, configuration: .init(components: codeSize), using: &generator, decoderProgress: progress)
            case .tsne:
                return try TSNE.fit(samples, configuration: .init(components: codeSize), using: &generator, decoderProgress: progress)
            case .umap:
                return try UMAP.fit(samples, configuration: .init(components: codeSize), using: &generator, decoderProgress: progress)
            case .parametricTSNE:
                return try ParametricTSNE.fit(samples, configuration: .init(components: codeSize), using: &generator, progress: progress)
            case .parametricUMAP:
                return try ParametricUMAP.fit(samples, configuration: .init(components: codeSize), using: &generator, progress: progress)
            }
        }
    }

    /// Which family a method belongs to.
    public enum Family: String, Codable, Sendable {
        case autoencoder, projective
    }

    /// One method's measures.
    public struct Row: Codable, Sendable, Equatable {
        public var method: Method
        public var family: Family
        public var codeSize: Int
        /// Of the test codes, at ``NeighbourhoodMetrics/defaultK`` neighbours.
        public var trustworthiness: Double, continuity: Double
        /// Of the test codes among themselves, when the data have labels.
        public var knnAccuracy: Double?
        /// Σ‖x − DECODE(ENCODE(x))‖² per test sample.
        public var testSSEPerSample: Double
        /// Of as many samples as test samples, decoded from the density of the training codes.
        public var mmd2: Double, precision: Double, recall: Double
        public var seconds: Double

        enum CodingKeys: String, CodingKey {
            case method, family, codeSize = "code_size", trustworthiness, continuity, knnAccuracy = "knn_accuracy",
                 testSSEPerSample = "test_sse_per_sample", mmd2, precision, recall, seconds
        }
    }

    public var rows: [Row]

    public init(rows: [Row]) { self.rows = rows }

    /// Measures `model`, fitted in `seconds` to `train` (`n × D`), on `test`: neighbourhoods
    /// of its test codes (k-NN accuracy with `testLabels`), the test error, and
    /// `test.rows` samples drawn through a Gaussian mixture fitted to its training codes
    /// (``CodeDensity``) against the test samples.
    public static func measure(_ model: any Autoencoder, method: Method, train: Tensor, test: Tensor, testLabels: [Int]?, seconds: Double,
                               using generator: inout RandomGenerator, settings: ComputeSettings = .current) throws -> Row {
        let codes = try model.encode(test)
        let neighbourhoods = try NeighbourhoodMetrics.measure(samples: test, codes: codes, labels: testLabels, using: &generator, settings: settings)
        let error = try model.distortion(test) / Double(test.rows)
        let density = try CodeDensity.fit(model, samples: train, using: &generator).density
        let generated = try model.generate(test.rows, codesFrom: .codeDensity, density: density, using: &generator).samples
        let quality = try GenerationMetrics(generated: generated, test: test, using: &generator)
        return Row(method: method, family: method.family, codeSize: model.codeSize, trustworthiness: neighbourhoods.trustworthiness,
                   continuity: neighbourhoods.continuity, knnAccuracy: neighbourhoods.knnAccuracy, testSSEPerSample: error,
                   mmd2: quality.maximumMeanDiscrepancy, precision: quality.precision, recall: quality.recall, seconds: seconds)
    }
}
