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
/// to the sources (through its k nearest training samples); DECODE averages the samples of the
/// nearest training codes by inverse squared distance, until a learned decoder replaces it.
/// Shapes: `samples: n × D`, `codes: n × d`. The model keeps the training samples, their codes,
/// the geodesic distances from the sources (`S × n`) and the scaling's eigenvectors.
public struct Isomap: Autoencoder {
    /// Hyperparameters.
    public struct Configuration: Codable, Sendable, Equatable {
        /// d, the width of the codes.
        public var components: Int
        /// k of the neighbourhood graph (scikit-learn's default is 5; 10 keeps more data sets connected).
        public var neighbours: Int
        /// L, the landmarks above ``landmarkThreshold`` samples; nil: min(n, 1 000) there, every sample below.
        public var landmarks: Int?
        /// Training codes nearest a code whose samples DECODE averages.
        public var decodingNeighbours: Int

        public init(components: Int = 2, neighbours: Int = 10, landmarks: Int? = nil, decodingNeighbours: Int = 10) {
            (self.components, self.neighbours, self.landmarks, self.decodingNeighbours) = (components, neighbours, landmarks, decodingNeighbours)
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

    public var inputSize: Int { reference.columns }
    public var codeSize: Int { embedding.columns }

    init(configuration: Configuration, reference: Tensor, embedding: Tensor, geodesics: Tensor, eigenvectors: Tensor, columnMeans: Tensor,
         summary: Summary) {
        (self.configuration, self.reference, self.embedding, self.geodesics, self.eigenvectors, self.columnMeans, self.summary) =
            (configuration, reference, embedding, geodesics, eigenvectors, columnMeans, summary)
    }

    public var stateTensors: [(name: String, tensor: Tensor)] {
        [("reference", reference), ("embedding", embedding), ("geodesics", geodesics), ("eigenvectors", eigenvectors), ("column_means", columnMeans)]
    }

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
        guard let summary = try state.value(of: ModelFileSchema.isomapSummary, file: file), summary.eigenvalues.count == d else {
            throw DataFormatError(file, .entry("__metadata__"), "an Isomap model needs its '\(ModelFileSchema.isomapSummary.key)' entry with \(d) eigenvalues")
        }
        self.init(configuration: configuration, reference: reference, embedding: embedding, geodesics: geodesics, eigenvectors: vectors,
                  columnMeans: means, summary: summary)
    }

    public func modelFile() throws -> SafeTensorsFile {
        var file = try SafeTensorsFile(method: Self.methodName, configuration: configuration, tensors: stateTensors)
        try file.set(ModelFileSchema.isomapSummary, to: summary)
        return file
    }

    /// DECODE: Σⱼ wⱼ xⱼ / Σⱼ wⱼ over the ``Configuration/decodingNeighbours`` training codes
    /// nearest z, wⱼ = 1/‖z − yⱼ‖².
    public func decodeUnchecked(_ codes: Tensor) throws -> Tensor {
        try neighbourAverage(of: codes, embedding: embedding, reference: reference, neighbours: configuration.decodingNeighbours) {
            $0 > 0 ? 1 / $0 : .infinity
        }
    }
}

extension Isomap.Configuration: HyperparameterDeclaring {
    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.components, "components", "d, the width of the codes.", .atLeast(1)),
        .init(\.neighbours, "neighbours", "k of the neighbourhood graph whose shortest paths give the geodesic distances.", .atLeast(1)),
        .init(\.landmarks, "landmarks", "L, the sources of landmark Isomap; default every sample up to 2 000, else 1 000.", .atLeast(2)),
        .init(\.decodingNeighbours, "decodingNeighbours", "Training codes nearest a code whose samples DECODE averages.", .atLeast(1)),
    ]

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
        decodingNeighbours = try c.decode(.decodingNeighbours, or: decodingNeighbours)
    }
}
