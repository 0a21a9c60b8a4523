import DataFormats
import DistributionMatching
import Foundation
import Neighbourhoods
import NeuralNetworks
import Tensors

/// Multidimensional scaling: codes whose distances reproduce the samples' Euclidean distances
/// δᵢⱼ. Classical scaling (Torgerson 1952, ``ClassicalScaling``) matches inner products by an
/// eigendecomposition: on Euclidean distances it is PCA. Metric scaling by SMACOF (de Leeuw
/// 1977, "Applications of convex analysis to multidimensional scaling"; Borg & Groenen 2005,
/// Modern Multidimensional Scaling, ch. 8) minimises the raw stress
///
///     σ(Y) = Σᵢ<ⱼ (‖yᵢ − yⱼ‖ − δᵢⱼ)²
///
/// by the Guttman transform Y ← (1/n) B(Y) Y (eq. 8.29), which never increases it, from several
/// starts; Kruskal's stress-1, √(σ / Σᵢ<ⱼ ‖yᵢ − yⱼ‖²), is reported.
///
/// As an autoencoder: ENCODE places a new sample by the same criterion with the training codes
/// fixed (classical: Gower's formula; metric: the Guttman update of that one point); DECODE is a
/// network trained after the embedding on the pairs (code, sample) (``LearnedDecoder``), or with
/// `decoder.kind` `.none` the training samples' mean weighted by inverse squared code distances
/// (Shepard 1968) over the nearest training codes. Shapes:
/// `samples: n × D`, `codes: n × d`. The model keeps the training samples and their codes, and
/// for classical scaling the column means of Δ².
public struct MDS: EmbeddingModel {
    /// Hyperparameters.
    public struct Configuration: EmbeddingConfiguration {
        /// Which criterion the codes minimise.
        public enum Scaling: String, Codable, Sendable, Equatable, CaseIterable {
            /// Torgerson's: the inner products the squared distances imply, by eigenvectors.
            case classical
            /// SMACOF on the raw stress of the distances themselves.
            case metric
        }

        /// d, the width of the codes.
        public var components: Int
        /// Which criterion.
        public var scaling: Scaling
        /// SMACOF's starts: the classical solution, then uniform random ones; the lowest stress wins.
        public var initialisations: Int
        /// SMACOF's iterations per start, at most.
        public var iterations: Int
        /// SMACOF stops when an iteration lowers the stress by less than this fraction of Σ‖yᵢ − yⱼ‖² (scikit-learn's eps).
        public var tolerance: Double
        /// Training codes nearest a code whose samples DECODE averages without a learned decoder.
        public var decodingNeighbours: Int
        /// The decoder learned after the embedding.
        public var decoder: LearnedDecoder.Configuration

        public init(components: Int = 2, scaling: Scaling = .classical, initialisations: Int = 4, iterations: Int = 300, tolerance: Double = 1e-6,
                    decodingNeighbours: Int = 10, decoder: LearnedDecoder.Configuration = .init()) {
            (self.components, self.scaling, self.initialisations, self.iterations, self.tolerance, self.decodingNeighbours, self.decoder) =
                (components, scaling, initialisations, iterations, tolerance, decodingNeighbours, decoder)
        }

        /// Samples at most: every method here holds the n × n distances in memory (8n² bytes
        /// twice over: 400 MB at 5 000). Isomap's landmarks (issue 32) serve larger sets.
        public static let maximumSamples = 5_000
        /// Updates of a new sample's code in metric ENCODE, at most.
        public static let placementIterations = 200
    }

    /// One SMACOF iteration, as it is reported.
    public struct Progress: Sendable {
        /// Which start (0: the classical solution) and how many updates into it.
        public var start: Int, iteration: Int
        /// The raw stress Σᵢ<ⱼ (‖yᵢ − yⱼ‖ − δᵢⱼ)², which no update raises, and Kruskal's stress-1.
        public var rawStress: Double, stress: Double
    }

    /// What the fit found.
    public struct Summary: Codable, Sendable, Equatable {
        /// Kruskal's stress-1 of the codes against the samples' distances.
        public var stress: Double
        /// B's largest eigenvalues (classical scaling: the variance along each code axis times n).
        public var eigenvalues: [Double]
        /// SMACOF's iterations in the winning start (0 for classical scaling).
        public var iterations: Int
        /// Which start won (0: the classical solution).
        public var bestInitialisation: Int

        enum CodingKeys: String, CodingKey {
            case stress, eigenvalues, iterations, bestInitialisation = "best_initialisation"
        }
    }

    public static let methodName = "mds"
    public let configuration: Configuration
    /// The training samples, `n × D`.
    public let reference: Tensor
    /// Their codes, `n × d`.
    public let embedding: Tensor
    /// The column means of Δ², `n` (classical ENCODE's μ).
    public let columnMeans: Tensor
    public let summary: Summary

    /// DECODE, learned after the embedding; nil without one.
    public let decoder: LearnedDecoder?

    public static var summaryEntry: MetadataEntry<Summary> { ModelFileSchema.mdsSummary }

    init(configuration: Configuration, reference: Tensor, embedding: Tensor, columnMeans: Tensor, summary: Summary, decoder: LearnedDecoder?) {
        (self.configuration, self.reference, self.embedding, self.columnMeans, self.summary, self.decoder) =
            (configuration, reference, embedding, columnMeans, summary, decoder)
    }

    public var ownTensors: [(name: String, tensor: Tensor)] { [("column_means", columnMeans)] }

    public init(configuration: Configuration, state: SafeTensorsFile, file: String) throws {
        let (reference, embedding) = try Self.storedEmbedding(configuration, state: state, file: file)
        let means = try state.tensor("column_means", shape: [reference.rows], file: file)
        let summary = try Self.storedSummary(state: state, file: file, expected: " with \(configuration.components) eigenvalues") {
            $0.eigenvalues.count == configuration.components
        }
        self.init(configuration: configuration, reference: reference, embedding: embedding, columnMeans: means, summary: summary,
                  decoder: try Self.storedDecoder(configuration, reference: reference, embedding: embedding, state: state, file: file))
    }

    /// Without a learned decoder, training codes weigh in by inverse squared distance,
    /// wⱼ = 1/‖z − yⱼ‖² (a code on a training code decodes to its sample).
    public func neighbourWeight(squaredDistance: Double) -> Double { squaredDistance > 0 ? 1 / squaredDistance : .infinity }
}

extension MDS.Configuration: HyperparameterDeclaring {
    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.components, "components", "d, the width of the codes.", .atLeast(1)),
        .init(\.scaling, "scaling", "classical (Torgerson: eigenvectors; PCA on Euclidean distances) or metric (SMACOF on the stress)."),
        .init(\.initialisations, "initialisations", "SMACOF's starts: the classical solution, then random ones; the lowest stress wins.", .atLeast(1)),
        .init(\.iterations, "iterations", "SMACOF's iterations per start, at most.", .atLeast(1)),
        .init(\.tolerance, "tolerance", "SMACOF stops when an iteration lowers the stress by less than this fraction of the squared code distances.",
              .greaterThan(0)),
        .init(\.decodingNeighbours, "decodingNeighbours", "Training codes nearest a code whose samples DECODE averages without a learned decoder.", .atLeast(1)),
    ] + decoderHyperparameters

    public static var defaults: Self { Self() }
}

/// Hyperparameters added after a file was written read as their defaults.
extension MDS.Configuration {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        components = try c.decode(.components, or: components)
        scaling = try c.decode(.scaling, or: scaling)
        initialisations = try c.decode(.initialisations, or: initialisations)
        iterations = try c.decode(.iterations, or: iterations)
        tolerance = try c.decode(.tolerance, or: tolerance)
        decodingNeighbours = try c.decode(.decodingNeighbours, or: decodingNeighbours)
        self.decoder = try c.decode(.decoder, or: .absent)
    }
}
