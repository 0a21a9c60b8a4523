import DataFormats
import Foundation
import Neighbourhoods
import NeuralNetworks
import Tensors

/// Isometric feature mapping (Tenenbaum, de Silva & Langford 2000, "A global geometric framework
/// for nonlinear dimensionality reduction", Science 290): classical scaling of geodesic
/// distances, the lengths of shortest paths through the k-nearest-neighbour graph, so that codes
/// unroll a curved manifold. Above ``Configuration/landmarkThreshold`` samples, landmark Isomap
/// (de Silva & Tenenbaum 2003, "Global versus local methods in nonlinear dimensionality
/// reduction"): paths from L landmarks only, classical scaling of the landmarks,
/// every point placed by the landmark formula (the landmarks drawn at random).
///
/// As an autoencoder: ENCODE places a new sample by the same formula from its geodesic distances
/// to the sources (through its k nearest training samples); DECODE is a network trained after the
/// embedding on the pairs (code, sample) (``LearnedDecoder``), or with `decoder.kind` `.none` the
/// average of the samples of the nearest training codes by inverse squared distance.
/// Shapes: `samples: n × D`, `codes: n × d`. The model keeps the training samples, their codes,
/// the geodesic distances from the sources (`S × n`) and the scaling's eigenvectors.
public struct Isomap: EmbeddingModel {
    /// Hyperparameters.
    public struct Configuration: EmbeddingConfiguration {
        /// d, the width of the codes.
        public var components: Int
        /// k of the neighbourhood graph (scikit-learn's default is 5; 10 keeps more data sets connected).
        public var neighbours: Int
        /// L, the landmarks above ``landmarkThreshold`` samples; nil: min(n, 1 000) there, every sample below.
        public var landmarks: Int?
        /// ε of an ε-graph, joining every pair of samples within it, instead of the k-nearest-neighbour
        /// graph; nil: the k nearest.
        public var radius: Double?
        /// Training codes nearest a code whose samples DECODE averages without a learned decoder.
        public var decodingNeighbours: Int
        /// The decoder learned after the embedding.
        public var decoder: LearnedDecoder.Configuration

        public init(components: Int = 2, neighbours: Int = 10, landmarks: Int? = nil, radius: Double? = nil, decodingNeighbours: Int = 10,
                    decoder: LearnedDecoder.Configuration = .init()) {
            (self.components, self.neighbours, self.landmarks, self.radius, self.decodingNeighbours, self.decoder) =
                (components, neighbours, landmarks, radius, decodingNeighbours, decoder)
        }

        /// Up to this many samples every sample is a source (exact Isomap); above, landmarks.
        public static let landmarkThreshold = 2_000
        /// Landmarks by default above the threshold.
        public static let defaultLandmarks = 1_000
        /// Below this many samples the neighbours are exact, above NN-descent.
        public static let exactNeighboursLimit = 5_000

        /// The sources of n samples: every one, or the landmarks.
        func sources(samples n: Int) -> Int {
            if let landmarks { return Swift.min(landmarks, n) }
            return n <= Self.landmarkThreshold ? n : Swift.min(Self.defaultLandmarks, n)
        }
    }

    /// What the fit found.
    public struct Summary: Codable, Sendable, Equatable {
        /// The sources of the geodesic distances (n for exact Isomap, else L landmarks).
        public var sources: Int
        /// Edges of the neighbourhood graph (undirected).
        public var edges: Int
        /// The scaling's eigenvalues.
        public var eigenvalues: [Double]
        /// Whether the neighbours were exact (else NN-descent).
        public var exactNeighbours: Bool

        enum CodingKeys: String, CodingKey { case sources, edges, eigenvalues, exactNeighbours = "exact_neighbours" }
    }

    public static let methodName = "isomap"
    public let configuration: Configuration
    /// The training samples, `n × D`.
    public let reference: Tensor
    /// Their codes, `n × d`.
    public let embedding: Tensor
    /// Geodesic distances from each source to every training sample, `S × n`.
    public let geodesics: Tensor
    /// The scaling of the sources: V_d (`S × d`) and μ, the column means of the sources' squared geodesics (`S`).
    public let eigenvectors: Tensor, columnMeans: Tensor
    public let summary: Summary

    /// DECODE, learned after the embedding; nil without one.
    public let decoder: LearnedDecoder?

    init(configuration: Configuration, reference: Tensor, embedding: Tensor, geodesics: Tensor, eigenvectors: Tensor, columnMeans: Tensor,
         summary: Summary, decoder: LearnedDecoder?) {
        (self.configuration, self.reference, self.embedding, self.geodesics, self.eigenvectors, self.columnMeans, self.summary, self.decoder) =
            (configuration, reference, embedding, geodesics, eigenvectors, columnMeans, summary, decoder)
    }

    public static var summaryEntry: MetadataEntry<Summary> { ModelFileSchema.isomapSummary }

    public var ownTensors: [(name: String, tensor: Tensor)] { [("geodesics", geodesics), ("eigenvectors", eigenvectors), ("column_means", columnMeans)] }

    public init(configuration: Configuration, state: SafeTensorsFile, file: String) throws {
        let reference = try state.tensor("reference", file: file), embedding = try state.tensor("embedding", file: file)
        let geodesics = try state.tensor("geodesics", file: file), vectors = try state.tensor("eigenvectors", file: file)
        let means = try state.tensor("column_means", file: file)
        let (n, d) = (reference.rows, configuration.components)
        guard reference.rank == 2, embedding.shape == [n, d], geodesics.rank == 2, geodesics.columns == n, vectors.shape == [geodesics.rows, d],
              means.count == geodesics.rows else {
            throw DataFormatError(file, .entry("tensor 'geodesics'"), "shapes \(reference.shape), \(embedding.shape), \(geodesics.shape), \(vectors.shape), "
                                  + "\(means.shape): expected [n, D], [n, \(d)], [S, n], [S, \(d)] and [S]")
        }
        let summary = try Self.storedSummary(state: state, file: file, expected: " with \(d) eigenvalues") { $0.eigenvalues.count == d }
        self.init(configuration: configuration, reference: reference, embedding: embedding, geodesics: geodesics, eigenvectors: vectors,
                  columnMeans: means, summary: summary,
                  decoder: try Self.storedDecoder(configuration, reference: reference, embedding: embedding, state: state, file: file))
    }

    /// Without a learned decoder, training codes weigh in by inverse squared distance, wⱼ = 1/‖z − yⱼ‖².
    public func neighbourWeight(squaredDistance: Double) -> Double { squaredDistance > 0 ? 1 / squaredDistance : .infinity }
}

extension Isomap.Configuration: HyperparameterDeclaring {
    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.components, "components", "d, the width of the codes.", .atLeast(1)),
        .init(\.neighbours, "neighbours", "k of the neighbourhood graph whose shortest paths give the geodesic distances.", .atLeast(1)),
        .init(\.landmarks, "landmarks", "L, the sources of landmark Isomap; default every sample up to 2 000, else 1 000.", .atLeast(2)),
        .init(\.radius, "radius", "ε of an ε-graph joining every pair of samples within it, instead of the k nearest (then `neighbours` is unused).",
              .greaterThan(0)),
        .init(\.decodingNeighbours, "decodingNeighbours", "Training codes nearest a code whose samples DECODE averages without a learned decoder.", .atLeast(1)),
    ] + decoderHyperparameters

    public static var defaults: Self { Self() }
}

/// Hyperparameters added after a file was written read as their defaults.
extension Isomap.Configuration {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        components = try c.decode(.components, or: components)
        neighbours = try c.decode(.neighbours, or: neighbours)
        landmarks = try c.decodeIfPresent(Int.self, forKey: .landmarks)
        radius = try c.decodeIfPresent(Double.self, forKey: .radius)
        decodingNeighbours = try c.decode(.decodingNeighbours, or: decodingNeighbours)
        self.decoder = try c.decode(.decoder, or: .absent)
    }
}
