import DataFormats
import Foundation
import Neighbourhoods
import NeuralNetworks
import Tensors

/// Uniform manifold approximation and projection (McInnes, Healy & Melville 2018, "UMAP:
/// Uniform manifold approximation and projection for dimension reduction"): codes y₁ … yₙ whose
/// fuzzy graph, vᵢⱼ = 1/(1 + a‖yᵢ − yⱼ‖^(2b)), matches the data's fuzzy simplicial set μ
/// (`FuzzySimplicialSet`) in the cross entropy
///
///     C = Σᵢⱼ μᵢⱼ log(μᵢⱼ/vᵢⱼ) + (1 − μᵢⱼ) log((1 − μᵢⱼ)/(1 − vᵢⱼ))     (§3.2, eq. under Definition 10),
///
/// minimised by stochastic gradient descent: each edge sampled in proportion to μᵢⱼ, its
/// attraction followed by ``Configuration/negativeSampleRate`` repulsions from points drawn
/// uniformly (Algorithm 5).
///
/// As an autoencoder: ENCODE places new samples against the fixed embedding by their fuzzy
/// membership to the training samples (umap-learn's `transform`; ``place(_:settings:)``);
/// DECODE is a network trained after the embedding on the pairs (code, sample) (``LearnedDecoder``),
/// or with `decoder.kind` `.none` the mean of the training samples whose codes lie nearest the
/// code, weighted by the same curve 1/(1 + a·d^(2b)). Shapes: `samples: n × D`, `codes: n × d` (d = ``Configuration/components``).
/// The model keeps the training samples (`reference: n × D`) and their codes (`embedding: n × d`).
public struct UMAP: PlainEmbeddingModel {
    /// Hyperparameters; the defaults are umap-learn 0.5's.
    public struct Configuration: EmbeddingConfiguration {
        /// How the codes start.
        public enum Initialisation: String, Codable, Sendable, Equatable, CaseIterable {
            /// The graph Laplacian's eigenvectors (`LaplacianEigenmap`); a disconnected graph's
            /// components each laid out so, apart from one another.
            case spectral
            /// The samples' first principal components.
            case pca
            /// Uniform in [−10, 10]ᵈ.
            case random
        }

        /// d, the width of the codes.
        public var components: Int
        /// k, the neighbours of each sample's fuzzy set, the sample itself counted (umap-learn's
        /// `n_neighbors`): larger k sees more of the global structure.
        public var neighbours: Int
        /// The distance within which codes count as identical to the curve: smaller packs clusters tighter.
        public var minimumDistance: Double
        /// The scale over which the curve decays beyond `minimumDistance`.
        public var spread: Double
        /// Epochs of gradient descent; nil: 500 for up to 10 000 samples, else 200.
        public var epochs: Int?
        /// α₀, the step size, falling linearly to 0 over the epochs.
        public var learningRate: Double
        /// Negative samples after each sampled edge.
        public var negativeSampleRate: Int
        /// γ, the weight of the repulsive term.
        public var repulsionStrength: Double
        /// How the codes start.
        public var initialisation: Initialisation
        /// Epochs that place new samples in ENCODE.
        public var transformEpochs: Int
        /// Training codes nearest a code whose samples DECODE averages without a learned decoder.
        public var decodingNeighbours: Int
        /// The decoder learned after the embedding.
        public var decoder: LearnedDecoder.Configuration

        public init(components: Int = 2, neighbours: Int = 15, minimumDistance: Double = 0.1, spread: Double = 1, epochs: Int? = nil,
                    learningRate: Double = 1, negativeSampleRate: Int = 5, repulsionStrength: Double = 1, initialisation: Initialisation = .spectral,
                    transformEpochs: Int = 100, decodingNeighbours: Int = 10, decoder: LearnedDecoder.Configuration = .init()) {
            self.components = components
            self.neighbours = neighbours
            self.minimumDistance = minimumDistance
            self.spread = spread
            self.epochs = epochs
            self.learningRate = learningRate
            self.negativeSampleRate = negativeSampleRate
            self.repulsionStrength = repulsionStrength
            self.initialisation = initialisation
            self.transformEpochs = transformEpochs
            self.decodingNeighbours = decodingNeighbours
            self.decoder = decoder
        }

        /// Below this many samples the nearest neighbours are exact (umap-learn's 4 096), above
        /// NN-descent with pynndescent's defaults.
        public static let exactNeighboursLimit = 4_096
        /// Up to this many samples the default is ``smallDataEpochs``, above ``largeDataEpochs``.
        public static let smallDataLimit = 10_000, smallDataEpochs = 500, largeDataEpochs = 200
        /// The spectral solver's tolerance on a Ritz pair's residual (umap-learn's `eigsh` tol).
        public static let spectralTolerance = 1e-4
        /// The initial codes are scaled so that the largest coordinate is 10, jittered by
        /// Gaussian noise of standard deviation 10⁻⁴, then each coordinate mapped onto [0, 10]
        /// (umap-learn's `noisy_scale_coords` and the rescaling after it).
        public static let initialRange = 10.0, initialNoise = 1e-4

        /// The epochs of a fit on n samples.
        public func epochs(samples n: Int) -> Int { epochs ?? (n <= Self.smallDataLimit ? Self.smallDataEpochs : Self.largeDataEpochs) }

        /// The curve 1/(1 + a·d^(2b)) these hyperparameters give.
        public var curve: UMAPCurve { UMAPCurve(minimumDistance: minimumDistance, spread: spread) }

        /// Checks the ranges, then the configuration against n samples.
        func validate(samples n: Int) throws {
            try checkRanges(UMAP.methodName)
            guard neighbours <= n else {
                throw AutoencoderError("UMAP: `neighbours` = \(neighbours) needs at least \(neighbours) samples (each sample's fuzzy set holds it and its "
                                       + "\(neighbours - 1) nearest others); got \(n): lower `neighbours` to at most \(n)")
            }
            guard minimumDistance <= spread else {
                throw AutoencoderError("UMAP: `minimumDistance` = \(minimumDistance) exceeds `spread` = \(spread): the curve cannot fall from 1 "
                                       + "beyond min_dist faster than its spread; keep minimumDistance ≤ spread")
            }
        }
    }

    /// One epoch of the optimisation, as it is reported.
    public struct Progress: Sendable {
        /// Epochs done, of `total`.
        public var epoch: Int, total: Int
    }

    /// What the fit found: the graph it embedded and how the codes started.
    public struct Summary: Codable, Sendable, Equatable {
        /// Epochs of gradient descent.
        public var epochs: Int
        /// Undirected edges of the fuzzy graph after those too weak to be sampled were dropped.
        public var edges: Int
        /// Connected components of that graph (laid out apart when more than one).
        public var connectedComponents: Int
        /// Whether every spectral layout reached its tolerance (nil: not spectral).
        public var spectralConverged: Bool?
        /// Whether the nearest neighbours were exact (else NN-descent).
        public var exactNeighbours: Bool
        /// The curve's a and b.
        public var a: Double, b: Double

        enum CodingKeys: String, CodingKey {
            case epochs, edges, connectedComponents = "connected_components", spectralConverged = "spectral_converged",
                 exactNeighbours = "exact_neighbours", a, b
        }
    }

    public static let methodName = "umap"
    public let configuration: Configuration
    /// The training samples, `n × D`: ENCODE finds a new sample's neighbours among them.
    public let reference: Tensor
    /// Their codes, `n × d`.
    public let embedding: Tensor
    public let summary: Summary

    /// DECODE, learned after the embedding; nil without one.
    public let decoder: LearnedDecoder?

    public static var summaryEntry: MetadataEntry<Summary> { ModelFileSchema.umapSummary }

    public init(configuration: Configuration, reference: Tensor, embedding: Tensor, summary: Summary, decoder: LearnedDecoder?) {
        (self.configuration, self.reference, self.embedding, self.summary, self.decoder) = (configuration, reference, embedding, summary, decoder)
    }

    /// Without a learned decoder, training codes weigh in by the curve, vⱼ = 1/(1 + a‖z − yⱼ‖^(2b)):
    /// a code among training codes decodes to their samples.
    public func neighbourWeight(squaredDistance: Double) -> Double { 1 / (1 + summary.a * Foundation.pow(squaredDistance, summary.b)) }
}

extension UMAP.Configuration: HyperparameterDeclaring {
    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.components, "components", "d, the width of the codes (2 to draw them).", .within(1, 8)),
        .init(\.neighbours, "neighbours", "k of each sample's fuzzy set, the sample itself counted (umap-learn's n_neighbors).", .atLeast(2)),
        .init(\.minimumDistance, "minimumDistance", "The distance within which codes count as identical (min_dist): smaller packs clusters tighter.",
              .atLeast(0)),
        .init(\.spread, "spread", "The scale over which the similarity of codes decays beyond minimumDistance.", .greaterThan(0)),
        .init(\.epochs, "epochs", "Epochs of gradient descent; default 500 up to 10 000 samples, else 200.", .atLeast(1)),
        .init(\.learningRate, "learningRate", "The initial step size, falling linearly to 0.", .greaterThan(0)),
        .init(\.negativeSampleRate, "negativeSampleRate", "Negative samples after each sampled edge.", .atLeast(1)),
        .init(\.repulsionStrength, "repulsionStrength", "γ, the weight of the repulsive term.", .greaterThan(0)),
        .init(\.initialisation, "initialisation", "How the codes start: spectral (graph Laplacian eigenvectors), pca or random."),
        .init(\.transformEpochs, "transformEpochs", "Epochs that place new samples in ENCODE.", .atLeast(0)),
        .init(\.decodingNeighbours, "decodingNeighbours", "Training codes nearest a code whose samples DECODE averages without a learned decoder.", .atLeast(1)),
    ] + decoderHyperparameters

    public static var defaults: Self { Self() }
}

/// Hyperparameters added after a file was written read as their defaults.
extension UMAP.Configuration {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        components = try c.decode(.components, or: components)
        neighbours = try c.decode(.neighbours, or: neighbours)
        minimumDistance = try c.decode(.minimumDistance, or: minimumDistance)
        spread = try c.decode(.spread, or: spread)
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs)
        learningRate = try c.decode(.learningRate, or: learningRate)
        negativeSampleRate = try c.decode(.negativeSampleRate, or: negativeSampleRate)
        repulsionStrength = try c.decode(.repulsionStrength, or: repulsionStrength)
        initialisation = try c.decode(.initialisation, or: initialisation)
        transformEpochs = try c.decode(.transformEpochs, or: transformEpochs)
        decodingNeighbours = try c.decode(.decodingNeighbours, or: decodingNeighbours)
        self.decoder = try c.decode(.decoder, or: .absent)
    }
}
