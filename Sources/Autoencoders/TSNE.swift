import DataFormats
import Foundation
import Neighbourhoods
import NeuralNetworks
import Tensors

/// t-distributed stochastic neighbour embedding (van der Maaten & Hinton 2008, "Visualizing
/// data using t-SNE", JMLR 9): codes y₁ … yₙ whose Student-t similarities
/// qᵢⱼ = wᵢⱼ / Σₖₗ wₖₗ, wᵢⱼ = (1 + ‖yᵢ − yⱼ‖²/α)^(−α), match the data's Gaussian neighbour
/// affinities pᵢⱼ in the Kullback–Leibler divergence KL(P‖Q) = Σ pᵢⱼ log(pᵢⱼ/qᵢⱼ) (eq. 2–4;
/// α = 1 is the paper's kernel, smaller α heavier tails: Kobak et al. 2019).
///
/// As an autoencoder: ENCODE places new samples against the fixed embedding, each by its own
/// affinities to the training samples (openTSNE's `transform`; ``encodeUnchecked(_:)``); DECODE
/// is a network trained after the embedding on the pairs (code, sample) (``LearnedDecoder``), or
/// with `decoder.kind` `.none` the mean of the training samples whose codes lie nearest the code,
/// weighted by the same Student-t kernel.
/// Shapes: `samples: n × D`, `codes: n × d` (d = ``Configuration/components``, 2 by default).
/// The model keeps the training samples (`reference: n × D`) and their codes (`embedding: n × d`).
public struct TSNE: PlainEmbeddingModel {
    /// Hyperparameters; the defaults are openTSNE 1.0's (Poličar, Stražar & Zupan 2024).
    public struct Configuration: EmbeddingConfiguration {
        /// How the repulsive forces Σⱼ qᵢⱼ wᵢⱼ^(1/α) (yᵢ − yⱼ) and the normaliser Σ wₖₗ are computed.
        public enum Repulsion: String, Codable, Sendable, Equatable, CaseIterable {
            /// Exact below ``TSNE/Configuration/exactRepulsionLimit`` points (or when the codes
            /// are not 2-D), interpolation above.
            case automatic
            /// Every pair: O(n²) per iteration.
            case exact
            /// FFT-accelerated interpolation (Linderman et al. 2019, FIt-SNE): charges spread
            /// onto Lagrange nodes, the kernel convolved by FFT, potentials read back; O(n) per
            /// iteration plus the grid's FFT. 2-D codes only.
            case interpolation
        }

        /// d, the width of the codes.
        public var components: Int
        /// The effective number of neighbours each point's Gaussian holds (its entropy is
        /// log(perplexity)); 3·perplexity nearest neighbours carry the affinities.
        public var perplexity: Double
        /// The factor on P in the first phase, which lets clusters form before they repel.
        public var earlyExaggeration: Double
        /// Iterations of the exaggerated phase.
        public var earlyExaggerationIterations: Int
        /// Iterations of the second, unexaggerated phase.
        public var iterations: Int
        /// η; nil: max(n/e, 200) in each phase of exaggeration e (openTSNE's "auto": Belkina et
        /// al. 2019 for the exaggerated phase).
        public var learningRate: Double?
        /// The momentum of the exaggerated phase.
        public var initialMomentum: Double
        /// The momentum of the second phase.
        public var finalMomentum: Double
        /// α, the Student-t kernel's degrees of freedom: 1 is t-SNE's Cauchy kernel, below 1
        /// heavier tails that split clusters finer (Kobak et al. 2019).
        public var degreesOfFreedom: Double
        /// How repulsion is computed.
        public var repulsion: Repulsion
        /// The longest step one point may take in one iteration (openTSNE's `max_step_norm`).
        public var maximumStep: Double
        /// The perplexity of a new sample's affinities to the training samples in ENCODE.
        public var transformPerplexity: Double
        /// Iterations that place new samples in ENCODE.
        public var transformIterations: Int
        /// Training codes nearest a code whose samples DECODE averages without a learned decoder.
        public var decodingNeighbours: Int
        /// The decoder learned after the embedding.
        public var decoder: LearnedDecoder.Configuration

        public init(components: Int = 2, perplexity: Double = 30, earlyExaggeration: Double = 12, earlyExaggerationIterations: Int = 250,
                    iterations: Int = 500, learningRate: Double? = nil, initialMomentum: Double = 0.5, finalMomentum: Double = 0.8,
                    degreesOfFreedom: Double = 1, repulsion: Repulsion = .automatic, maximumStep: Double = 5, transformPerplexity: Double = 5,
                    transformIterations: Int = 250, decodingNeighbours: Int = 10, decoder: LearnedDecoder.Configuration = .init()) {
            self.components = components
            self.perplexity = perplexity
            self.earlyExaggeration = earlyExaggeration
            self.earlyExaggerationIterations = earlyExaggerationIterations
            self.iterations = iterations
            self.learningRate = learningRate
            self.initialMomentum = initialMomentum
            self.finalMomentum = finalMomentum
            self.degreesOfFreedom = degreesOfFreedom
            self.repulsion = repulsion
            self.maximumStep = maximumStep
            self.transformPerplexity = transformPerplexity
            self.transformIterations = transformIterations
            self.decodingNeighbours = decodingNeighbours
            self.decoder = decoder
        }

        /// Below this many points the exact repulsion is as fast as the interpolation's grid.
        public static let exactRepulsionLimit = 1_000
        /// Below this many samples the exact nearest neighbours are found (by GEMM tiles);
        /// above, NN-descent (Neighbourhoods).
        public static let exactNeighboursLimit = 5_000
        /// NN-descent for the affinities' 3·perplexity neighbours: 20 candidates a round and a
        /// stop when a round improves fewer than 1 % of the entries. Measured on Fashion-MNIST at
        /// k = 90 (BENCHMARKS.md): recall 0.996 in 2.1 s at 20 000 images (pynndescent's
        /// defaults, 60 candidates and 0.1 %: 0.9999 in 5.7 s), 70 000 in 10.7 s instead of 23 s;
        /// the far neighbours carry little of a perplexity-30 Gaussian's mass.
        public static let neighbourSearch = NearestNeighbours.Descent(candidates: 20, delta: 0.01)
        /// The standard deviation of the PCA initialisation's first coordinate (openTSNE).
        public static let initialScale = 1e-4
        /// Gains grow by this when a gradient changes sign, shrink by `gainDecay` (then plus
        /// `minimumGain`) when it keeps it (Jacobs 1988, as in openTSNE).
        static let gainIncrease = 0.2, gainDecay = 0.8, minimumGain = 0.01
        /// ENCODE's optimisation (openTSNE's `transform` defaults): the step size, the
        /// exaggeration, the momentum, the largest gradient norm, and the neighbours whose
        /// codes' median starts each new point.
        static let transformLearningRate = 0.1, transformExaggeration = 1.5, transformMomentum = 0.8, transformGradientLimit = 0.25
        static let transformStartNeighbours = 25

        /// The nearest neighbours that carry the affinities of a perplexity (openTSNE: ⌊3·perplexity⌋).
        static func neighbours(perplexity: Double) -> Int { Int(3 * perplexity) }

        /// Whether the repulsion is exact for `n` points.
        func exactRepulsion(points n: Int) -> Bool {
            switch repulsion {
            case .exact: true
            case .interpolation: false
            case .automatic: n < Self.exactRepulsionLimit || components != 2
            }
        }

        /// Checks the ranges, then the configuration against n samples.
        func validate(samples n: Int) throws {
            try checkRanges(TSNE.methodName)
            let k = Self.neighbours(perplexity: perplexity)
            guard k <= n - 1 else {
                throw AutoencoderError("t-SNE: perplexity \(perplexity) needs at least \(k + 1) samples (its affinities use the 3·perplexity = \(k) "
                                       + "nearest neighbours of each); got \(n): lower `perplexity` below n/3 = \(String(format: "%.3g", Double(n - 1) / 3))")
            }
            if repulsion == .interpolation, components != 2 {
                throw AutoencoderError("t-SNE: the interpolated repulsion needs 2-D codes (`components` = 2); got \(components): use the exact repulsion")
            }
        }
    }

    /// One iteration of the optimisation, as it is reported.
    public struct Progress: Sendable {
        /// Iterations done, of `total` (both phases).
        public var iteration: Int, total: Int
        /// Whether the iteration was in the exaggerated phase.
        public var exaggerated: Bool
        /// KL(P‖Q) of the codes (unexaggerated P), every ``TSNE/klInterval`` iterations and at the end.
        public var klDivergence: Double?
    }

    /// What the fit measured: the final KL divergence and its course.
    public struct Summary: Codable, Sendable, Equatable {
        /// KL(P‖Q) of the final codes.
        public var klDivergence: Double
        /// KL(P‖Q) every ``TSNE/klInterval`` iterations.
        public var klCourse: [Double]
        /// Whether the repulsion was exact (else interpolated).
        public var exactRepulsion: Bool
        /// Whether the nearest neighbours were exact (else NN-descent).
        public var exactNeighbours: Bool

        enum CodingKeys: String, CodingKey {
            case klDivergence = "kl_divergence", klCourse = "kl_course", exactRepulsion = "exact_repulsion", exactNeighbours = "exact_neighbours"
        }
    }

    /// Iterations between two evaluations of the KL divergence (openTSNE's logging interval).
    public static let klInterval = 50

    public static let methodName = "tsne"
    public let configuration: Configuration
    /// The training samples, `n × D`: ENCODE finds a new sample's neighbours among them.
    public let reference: Tensor
    /// Their codes, `n × d`.
    public let embedding: Tensor
    public let summary: Summary

    /// DECODE, learned after the embedding; nil without one.
    public let decoder: LearnedDecoder?

    public static var summaryEntry: MetadataEntry<Summary> { ModelFileSchema.tsneSummary }

    public init(configuration: Configuration, reference: Tensor, embedding: Tensor, summary: Summary, decoder: LearnedDecoder?) {
        (self.configuration, self.reference, self.embedding, self.summary, self.decoder) = (configuration, reference, embedding, summary, decoder)
    }

    /// Without a learned decoder, training codes weigh in by the embedding's Student-t kernel,
    /// wⱼ = (1 + ‖z − yⱼ‖²/α)^(−α): a code among training codes decodes to their samples.
    public func neighbourWeight(squaredDistance: Double) -> Double {
        Foundation.pow(1 + squaredDistance / configuration.degreesOfFreedom, -configuration.degreesOfFreedom)
    }
}

extension TSNE.Configuration: HyperparameterDeclaring {
    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.components, "components", "d, the width of the codes (2 to draw them; the interpolated repulsion needs 2).", .within(1, 8)),
        .init(\.perplexity, "perplexity", "The effective number of neighbours of each point's Gaussian; its 3·perplexity nearest neighbours carry the affinities.",
              .greaterThan(0)),
        .init(\.earlyExaggeration, "earlyExaggeration", "The factor on the affinities in the first phase.", .atLeast(1)),
        .init(\.earlyExaggerationIterations, "earlyExaggerationIterations", "Iterations of the exaggerated phase.", .atLeast(0)),
        .init(\.iterations, "iterations", "Iterations of the second, unexaggerated phase.", .atLeast(0)),
        .init(\.learningRate, "learningRate", "η; default max(n/e, 200) in each phase of exaggeration e.", .greaterThan(0)),
        .init(\.initialMomentum, "initialMomentum", "The momentum of the exaggerated phase.", .from(0, below: 1)),
        .init(\.finalMomentum, "finalMomentum", "The momentum of the second phase.", .from(0, below: 1)),
        .init(\.degreesOfFreedom, "degreesOfFreedom", "α of the Student-t kernel: 1 is t-SNE's, below 1 heavier tails (finer clusters).", .greaterThan(0)),
        .init(\.repulsion, "repulsion", "How repulsion is computed: automatic, exact or interpolation (FIt-SNE)."),
        .init(\.maximumStep, "maximumStep", "The longest step a point may take in one iteration.", .greaterThan(0)),
        .init(\.transformPerplexity, "transformPerplexity", "The perplexity of a new sample's affinities in ENCODE.", .greaterThan(0)),
        .init(\.transformIterations, "transformIterations", "Iterations that place new samples in ENCODE.", .atLeast(0)),
        .init(\.decodingNeighbours, "decodingNeighbours", "Training codes nearest a code whose samples DECODE averages without a learned decoder.", .atLeast(1)),
    ] + decoderHyperparameters

    public static var defaults: Self { Self() }
}

/// Hyperparameters added after a file was written read as their defaults.
extension TSNE.Configuration {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        components = try c.decode(.components, or: components)
        perplexity = try c.decode(.perplexity, or: perplexity)
        earlyExaggeration = try c.decode(.earlyExaggeration, or: earlyExaggeration)
        earlyExaggerationIterations = try c.decode(.earlyExaggerationIterations, or: earlyExaggerationIterations)
        iterations = try c.decode(.iterations, or: iterations)
        learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate)
        initialMomentum = try c.decode(.initialMomentum, or: initialMomentum)
        finalMomentum = try c.decode(.finalMomentum, or: finalMomentum)
        degreesOfFreedom = try c.decode(.degreesOfFreedom, or: degreesOfFreedom)
        repulsion = try c.decode(.repulsion, or: repulsion)
        maximumStep = try c.decode(.maximumStep, or: maximumStep)
        transformPerplexity = try c.decode(.transformPerplexity, or: transformPerplexity)
        transformIterations = try c.decode(.transformIterations, or: transformIterations)
        decodingNeighbours = try c.decode(.decodingNeighbours, or: decodingNeighbours)
        self.decoder = try c.decode(.decoder, or: .absent)
    }
}
