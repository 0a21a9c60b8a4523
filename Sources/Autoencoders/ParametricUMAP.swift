import DataFormats
import Foundation
import NeuralNetworks
import Tensors

/// Parametric UMAP (Sainburg, McInnes & Gentner 2021, "Parametric UMAP embeddings for
/// representation and semisupervised learning", Neural Computation 33): UMAP's cross entropy
/// between the data's fuzzy simplicial set μ and the codes' fuzzy graph, minimised over the
/// weights of an encoder network f instead of over free codes, so that ENCODE of a new sample is
/// one forward pass. For an edge (i, j) of weight μᵢⱼ and codes yᵢ = f(xᵢ), with
/// uᵢⱼ = log a + b·log(‖yᵢ − yⱼ‖² + ε), the similarity is q = 1/(1 + e^u) and
///
///     −log q = softplus(u)  (attraction),     −log(1 − q) = softplus(−u)  (repulsion),
///
/// so the batch loss is Σₑ μₑ [softplus(uₑ) + γ Σₛ softplus(−u_{e,s})] / Σₑ μₑ over a batch of
/// edges, s running over ``Configuration/negativeSampleRate`` negative samples: the tails of
/// other edges of the batch (Sainburg et al.'s shuffled batch). Edges enter weighted by μ once an
/// epoch rather than repeated in proportion to μ (the same expected gradient). DECODE is the
/// learned decoder of every projective method (``LearnedDecoder``).
/// Shapes: `samples: n × D`, `codes: n × d`; the model keeps the training samples, their codes
/// and the encoder D → hidden… → d.
public struct ParametricUMAP: ParametricEmbedding {
    /// Hyperparameters; the graph's and the curve's are umap-learn's, the encoder's Sainburg et al.'s.
    public struct Configuration: ParametricEmbeddingConfiguration {
        /// d, the width of the codes.
        public var components: Int
        /// k, the neighbours of each sample's fuzzy set, the sample itself counted.
        public var neighbours: Int
        /// The distance within which codes count as identical (min_dist).
        public var minimumDistance: Double
        /// The scale over which the similarity of codes decays beyond `minimumDistance`.
        public var spread: Double
        /// Negative samples for each edge of a batch.
        public var negativeSampleRate: Int
        /// γ, the weight of the repulsive term.
        public var repulsionStrength: Double
        /// The encoder's hidden widths (ReLU).
        public var hidden: [Int]
        /// Passes over the graph's edges.
        public var epochs: Int
        /// Edges per mini-batch.
        public var batchSize: Int
        /// Adam's step size.
        public var learningRate: Float
        /// λ of the decoder's reconstruction loss trained with the encoder (Sainburg et al.'s
        /// autoencoding variant): the batch loss becomes the cross entropy plus λ times the
        /// decoder's loss on the edges' heads; 0 trains the decoder after the encoder instead.
        public var reconstructionWeight: Double
        /// Training codes nearest a code whose samples DECODE averages without a learned decoder.
        public var decodingNeighbours: Int
        /// The decoder, learned after the encoder or, with a `reconstructionWeight`, with it.
        public var decoder: LearnedDecoder.Configuration

        public init(components: Int = 2, neighbours: Int = 15, minimumDistance: Double = 0.1, spread: Double = 1, negativeSampleRate: Int = 5,
                    repulsionStrength: Double = 1, hidden: [Int] = [100, 100, 100], epochs: Int = 20, batchSize: Int = 1_000,
                    learningRate: Float = 1e-3, reconstructionWeight: Double = 0, decodingNeighbours: Int = 10,
                    decoder: LearnedDecoder.Configuration = .init()) {
            (self.components, self.neighbours, self.minimumDistance, self.spread, self.negativeSampleRate, self.repulsionStrength) =
                (components, neighbours, minimumDistance, spread, negativeSampleRate, repulsionStrength)
            (self.hidden, self.epochs, self.batchSize, self.learningRate, self.reconstructionWeight, self.decodingNeighbours, self.decoder) =
                (hidden, epochs, batchSize, learningRate, reconstructionWeight, decodingNeighbours, decoder)
        }

        /// ε under the logarithm of a squared distance: a finite repulsion between coinciding codes
        /// (Sainburg et al.'s 10⁻⁴).
        public static let distanceFloor: Float = 1e-4

        /// a and b of the curve 1/(1 + a·d^(2b)) fitted to `minimumDistance` and `spread`.
        public var curve: UMAPCurve { UMAPCurve(minimumDistance: minimumDistance, spread: spread) }

        func validate(samples n: Int) throws {
            try checkRanges(ParametricUMAP.methodName)
            guard neighbours <= n else {
                throw AutoencoderError("parametric UMAP: `neighbours` = \(neighbours) needs at least \(neighbours) samples; got \(n): lower `neighbours` to at most \(n)")
            }
            guard minimumDistance <= spread else {
                throw AutoencoderError("parametric UMAP: `minimumDistance` (\(minimumDistance)) must not exceed `spread` (\(spread))")
            }
            guard reconstructionWeight == 0 || decoder.kind == .mlp else {
                throw AutoencoderError("parametric UMAP: `reconstructionWeight` trains the decoder network with the encoder: it needs `decoder: .mlp`")
            }
        }
    }

    /// What the fit found.
    public struct Summary: Codable, Sendable, Equatable {
        /// Undirected edges of the fuzzy graph, and the epochs over them.
        public var edges: Int, epochs: Int
        /// Whether the neighbours were exact (else NN-descent).
        public var exactNeighbours: Bool
        /// The curve's a and b.
        public var a: Double, b: Double
        /// The encoder's loss in each epoch (the cross entropy per unit of edge weight).
        public var loss: [Float]

        enum CodingKeys: String, CodingKey { case edges, epochs, exactNeighbours = "exact_neighbours", a, b, loss }
    }

    public static let methodName = "parametric-umap"
    public let configuration: Configuration
    /// The training samples, `n × D`.
    public let reference: Tensor
    /// Their codes, f(xᵢ), `n × d`.
    public let embedding: Tensor
    /// f: D → hidden… → d.
    public let encoder: LayerStack
    public let summary: Summary
    /// DECODE, learned after the encoder; nil without one.
    public let decoder: LearnedDecoder?

    public static var summaryEntry: MetadataEntry<Summary> { ModelFileSchema.parametricUMAPSummary }

    public init(configuration: Configuration, reference: Tensor, embedding: Tensor, encoder: LayerStack, summary: Summary, decoder: LearnedDecoder?) {
        (self.configuration, self.reference, self.embedding, self.encoder, self.summary, self.decoder) =
            (configuration, reference, embedding, encoder, summary, decoder)
    }





    /// Without a learned decoder, training codes weigh in by the curve.
    public func neighbourWeight(squaredDistance: Double) -> Double { 1 / (1 + summary.a * Foundation.pow(squaredDistance, summary.b)) }

    /// The batch loss Σₑ μₑ [softplus(uₑ) + γ Σₛ softplus(−u_{e,s})] / Σₑ μₑ for codes of the
    /// edges' heads and tails (`B × d` each) and their weights (`[B]`); the s-th negative sample
    /// of edge e is the tail of edge (e + s) mod B (s over 1 … B − 1, cyclically).
    public static func crossEntropy(heads: Variable, tails: Variable, weights: Tensor, negativeRate: Int, curve: UMAPCurve,
                                    repulsion: Float) -> Variable {
        let batch = heads.shape[0]
        let (logA, b) = (Float(Foundation.log(curve.a)), Float(curve.b))
        func u(_ other: Variable) -> Variable { ((heads - other).squared().sum(alongAxis: 1) + Configuration.distanceFloor).log() * b + logA }
        var perEdge = u(tails).softplus()
        if negativeRate > 0, batch > 1 {
            for s in 1...negativeRate {
                // Never the edge's own tail: shifts run over 1 … B − 1.
                let shift = 1 + (s - 1) % (batch - 1)
                perEdge = perEdge + (Float(0) - u(tails.gatherRows((0..<batch).map { ($0 + shift) % batch }))).softplus() * repulsion
            }
        }
        let total = weights.scalars.reduce(0, +)
        return (perEdge * Variable(weights)).sum() / max(total, .leastNormalMagnitude)
    }
}

extension ParametricUMAP.Configuration: HyperparameterDeclaring {
    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.components, "components", "d, the width of the codes (2 to draw them).", .within(1, 8)),
        .init(\.neighbours, "neighbours", "k of each sample's fuzzy set, the sample itself counted (umap-learn's n_neighbors).", .atLeast(2)),
        .init(\.minimumDistance, "minimumDistance", "The distance within which codes count as identical (min_dist): smaller packs clusters tighter.",
              .atLeast(0)),
        .init(\.spread, "spread", "The scale over which the similarity of codes decays beyond minimumDistance.", .greaterThan(0)),
        .init(\.negativeSampleRate, "negativeSampleRate", "Negative samples for each edge of a batch: tails of the batch's other edges.", .atLeast(0)),
        .init(\.repulsionStrength, "repulsionStrength", "γ, the weight of the repulsive term.", .greaterThan(0)),
        .init(\.hidden, "hidden", "The encoder's hidden widths (ReLU), from the sample to the code.", each: .atLeast(1)),
        .init(\.epochs, "epochs", "Passes of the encoder's training over the graph's edges.", .atLeast(1)),
        .init(\.batchSize, "batchSize", "Edges per mini-batch of the encoder's training.", .atLeast(2)),
        .init(\.learningRate, "learningRate", "The step size of the encoder's Adam.", .greaterThan(0)),
        .init(\.reconstructionWeight, "reconstructionWeight", "λ of the decoder's reconstruction loss trained with the encoder; 0 trains the decoder after it.",
              .atLeast(0)),
        .init(\.decodingNeighbours, "decodingNeighbours", "Training codes nearest a code whose samples DECODE averages without a learned decoder.", .atLeast(1)),
    ] + decoderHyperparameters

    public static var defaults: Self { Self() }
}

/// Hyperparameters added after a file was written read as their defaults.
extension ParametricUMAP.Configuration {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        components = try c.decode(.components, or: components)
        neighbours = try c.decode(.neighbours, or: neighbours)
        minimumDistance = try c.decode(.minimumDistance, or: minimumDistance)
        spread = try c.decode(.spread, or: spread)
        negativeSampleRate = try c.decode(.negativeSampleRate, or: negativeSampleRate)
        repulsionStrength = try c.decode(.repulsionStrength, or: repulsionStrength)
        hidden = try c.decode(.hidden, or: hidden)
        epochs = try c.decode(.epochs, or: epochs)
        batchSize = try c.decode(.batchSize, or: batchSize)
        learningRate = try c.decode(.learningRate, or: learningRate)
        reconstructionWeight = try c.decode(.reconstructionWeight, or: reconstructionWeight)
        decodingNeighbours = try c.decode(.decodingNeighbours, or: decodingNeighbours)
        self.decoder = try c.decode(.decoder, or: .absent)
    }
}
