import DataFormats
import Foundation
import Neighbourhoods
import NeuralNetworks
import Tensors

/// Parametric t-SNE (van der Maaten 2009, "Learning a parametric embedding by preserving local
/// structure", AISTATS): an encoder network f trained so that, within each mini-batch of B
/// samples, the Student-t similarities of the codes yᵢ = f(xᵢ) match the samples' Gaussian
/// affinities in KL(P‖Q) (the paper's eq. 3–5 on a batch): P as t-SNE computes it among the
/// batch (each sample's 3·perplexity nearest others in the batch, σ calibrated to the
/// perplexity, symmetrised), and with wᵢⱼ = (1 + ‖yᵢ − yⱼ‖²/α)^(−α),
///
///     KL(P‖Q) = Σ pᵢⱼ log pᵢⱼ + α Σ pᵢⱼ log(1 + ‖yᵢ − yⱼ‖²/α) + log Σ_{i≠j} wᵢⱼ.
///
/// ENCODE of a new sample is one forward pass; DECODE the learned decoder of every projective
/// method (``LearnedDecoder``). Shapes: `samples: n × D`, `codes: n × d`.
public struct ParametricTSNE: ParametricEmbedding {
    /// Hyperparameters: t-SNE's perplexity and kernel, the encoder's and its training's.
    public struct Configuration: ParametricEmbeddingConfiguration {
        /// d, the width of the codes.
        public var components: Int
        /// The effective number of neighbours of each sample's Gaussian, within its batch.
        public var perplexity: Double
        /// α, the Student-t kernel's degrees of freedom (van der Maaten 2009 suggests d − 1; 1 is t-SNE's).
        public var degreesOfFreedom: Double
        /// The encoder's hidden widths (ReLU).
        public var hidden: [Int]
        /// Passes over the samples.
        public var epochs: Int
        /// Samples per mini-batch: the affinities and the KL divergence are the batch's.
        public var batchSize: Int
        /// Adam's step size.
        public var learningRate: Float
        /// Training codes nearest a code whose samples DECODE averages without a learned decoder.
        public var decodingNeighbours: Int
        /// The decoder learned after the encoder.
        public var decoder: LearnedDecoder.Configuration

        public init(components: Int = 2, perplexity: Double = 30, degreesOfFreedom: Double = 1, hidden: [Int] = [100, 100, 100], epochs: Int = 50,
                    batchSize: Int = 1_000, learningRate: Float = 1e-3, decodingNeighbours: Int = 10, decoder: LearnedDecoder.Configuration = .init()) {
            (self.components, self.perplexity, self.degreesOfFreedom, self.hidden, self.epochs) = (components, perplexity, degreesOfFreedom, hidden, epochs)
            (self.batchSize, self.learningRate, self.decodingNeighbours, self.decoder) = (batchSize, learningRate, decodingNeighbours, decoder)
        }

        /// The B × B matrices a batch holds at once (squared distances, affinities, kernel and
        /// their gradients), for the memory check.
        static let batchMatrices = 6

        func validate(samples n: Int) throws {
            try checkRanges(ParametricTSNE.methodName)
            let batch = Swift.min(batchSize, n)
            let bytes = batch * batch * MemoryLayout<Float>.size * Self.batchMatrices
            guard !MemoryBudget.exceeds(bytes) else {
                throw AutoencoderError("parametric t-SNE: " + MemoryBudget.refusal(bytes, for: "the \(batch) × \(batch) matrices of a batch") + "; lower `batchSize`")
            }
            guard TSNE.Configuration.neighbours(perplexity: perplexity) <= batch - 1 else {
                throw AutoencoderError("parametric t-SNE: perplexity \(perplexity) needs batches of more than \(TSNE.Configuration.neighbours(perplexity: perplexity)) "
                                       + "samples (its 3·perplexity nearest within the batch); batches hold \(batch): lower `perplexity` or raise `batchSize`")
            }
        }
    }

    /// What the fit measured: the batches' KL divergence in each epoch.
    public struct Summary: Codable, Sendable, Equatable {
        public var epochs: Int
        /// The mean KL(P‖Q) of each epoch's batches.
        public var klDivergence: [Float]
        enum CodingKeys: String, CodingKey { case epochs, klDivergence = "kl_divergence" }
    }

    public static let methodName = "parametric-tsne"
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

    public static var summaryEntry: MetadataEntry<Summary> { ModelFileSchema.parametricTSNESummary }

    public init(configuration: Configuration, reference: Tensor, embedding: Tensor, encoder: LayerStack, summary: Summary, decoder: LearnedDecoder?) {
        (self.configuration, self.reference, self.embedding, self.encoder, self.summary, self.decoder) =
            (configuration, reference, embedding, encoder, summary, decoder)
    }





    /// Without a learned decoder, training codes weigh in by the Student-t kernel.
    public func neighbourWeight(squaredDistance: Double) -> Double {
        Foundation.pow(1 + squaredDistance / configuration.degreesOfFreedom, -configuration.degreesOfFreedom)
    }

    /// The encoder's KL divergence by epoch, then the decoder's training.
    public var trainingHistory: TrainingHistory? {
        let encoding = TrainingHistory.Stage(name: Self.encoderStage, loss: "KL(P‖Q) within a batch",
                                             record: TrainingRecord(trainLoss: summary.klDivergence, keptEpoch: summary.klDivergence.count))
        return TrainingHistory(stages: [encoding] + (decoder.map { [$0.historyStage] } ?? []))
    }

    /// KL(P‖Q) of `codes` (`B × d`) against joint affinities `affinities` (`B × B`, symmetric,
    /// a zero diagonal, summing to 1): Σ pᵢⱼ log pᵢⱼ (a constant) + α Σ pᵢⱼ log(1 + dᵢⱼ²/α) + log Σ_{i≠j} wᵢⱼ.
    public static func klDivergence(codes: Variable, affinities: Tensor, degreesOfFreedom: Float) -> Variable {
        let batch = codes.shape[0]
        let norms = codes.squared().sum(alongAxis: 1)
        let squared = (norms.reshaped([batch, 1]) + norms.reshaped([1, batch]) - matmul(codes, codes, transposeB: true) * 2).relu()
        let logKernel = (squared * (1 / degreesOfFreedom) + 1).log()
        let attraction = (logKernel * Variable(affinities)).sum() * degreesOfFreedom
        // w = exp(−α log(1 + d²/α)); the diagonal's w = 1 leaves the normaliser.
        let normaliser = (logKernel * -degreesOfFreedom).exp().sum() - Float(batch)
        let entropy = affinities.scalars.reduce(0.0) { $0 + ($1 > 0 ? Double($1) * Foundation.log(Double($1)) : 0) }
        return attraction + normaliser.log() + Float(entropy)
    }

    /// The joint affinities of a batch (`B × D`): t-SNE's conditional Gaussians over each
    /// sample's 3·perplexity nearest others in the batch, (P_c + P_cᵀ)/2B, dense `B × B`.
    public static func batchAffinities(_ batch: Tensor, perplexity: Double, settings: ComputeSettings = .current) throws -> Tensor {
        let b = batch.rows
        let k = Swift.min(TSNE.Configuration.neighbours(perplexity: perplexity), b - 1)
        let graph = try NearestNeighbours.exact(batch, k: k, settings: settings)
        let conditional = TSNE.conditionalAffinities(squared: graph.distances, k: k, perplexity: perplexity, settings: settings)
        var joint = [Float](repeating: 0, count: b * b)
        let scale = 1 / Float(2 * b)
        for i in 0..<b {
            for (slot, j) in graph.neighbours(of: i).enumerated() {
                let p = conditional[i * k + slot] * scale
                joint[i * b + Int(j)] += p
                joint[Int(j) * b + i] += p
            }
        }
        return try Tensor(shape: [b, b], scalars: joint)
    }

    /// Fits the encoder to `samples` (`n × D`): Adam on each batch's KL divergence, then the
    /// decoder (``Configuration/decoder``) on the pairs (f(x), x). `progress` hears the batches
    /// of both and may throw to stop.
    public static func fit(_ samples: Tensor, configuration: Configuration, using generator: inout RandomGenerator,
                           settings: ComputeSettings = .current, progress: @escaping (TrainingProgress) throws -> Void = { _ in }) throws -> ParametricTSNE {
        try checkTrainingSamples(samples, method: "parametric t-SNE", minimumCount: 2)
        try configuration.validate(samples: samples.rows)
        try configuration.decoder.check(samples, method: "parametric t-SNE")
        let layout = encoderLayout(configuration, features: samples.columns)
        let encoder = LayerStack.trainable(widths: layout.widths, activations: layout.activations, initializer: .he, using: &generator)
        let training = TrainingConfiguration(epochs: configuration.epochs, batchSize: configuration.batchSize, learningRate: configuration.learningRate,
                                             heldOutFraction: 0)
        let (perplexity, dof) = (configuration.perplexity, Float(configuration.degreesOfFreedom))
        // A last batch too small for the perplexity's neighbours adds no loss. The exact neighbours
        // of a batch throw only for k ≥ B (excluded here) or beyond the memory budget, which
        // `validate` has checked for the batch's B × B matrices.
        let loss: (Tensor) -> Variable = { batch in
            guard TSNE.Configuration.neighbours(perplexity: perplexity) <= batch.rows - 1,
                  let affinities = try? batchAffinities(batch, perplexity: perplexity, settings: settings) else {
                return (encoder(Variable(batch)) * 0).sum()
            }
            return klDivergence(codes: encoder(Variable(batch)), affinities: affinities, degreesOfFreedom: dof)
        }
        let record = try Trainer(training, phase: encoderStage).run(
            parameters: encoder.namedParameters(prefix: "encoder"), samples: samples, heldOut: nil, using: &generator,
            hooks: TrainingHooks(progress: progress), loss: loss, heldOutLoss: { Double(loss($0).value.scalars[0]) })
        let stack = LayerStack(encoder)
        let embedding = stack(samples)
        try embedding.checkFinite("parametric t-SNE's codes")
        let decoder = try learnDecoder(codes: embedding, samples: samples, configuration: configuration, seed: generator.next(), progress: progress)
        return ParametricTSNE(configuration: configuration, reference: samples, embedding: embedding, encoder: stack,
                              summary: Summary(epochs: configuration.epochs, klDivergence: record.trainLoss), decoder: decoder)
    }
}

extension ParametricTSNE.Configuration: HyperparameterDeclaring {
    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.components, "components", "d, the width of the codes (2 to draw them).", .within(1, 8)),
        .init(\.perplexity, "perplexity", "The effective number of neighbours of each sample's Gaussian, within its batch.", .greaterThan(0)),
        .init(\.degreesOfFreedom, "degreesOfFreedom", "α of the Student-t kernel: 1 is t-SNE's; van der Maaten (2009) suggests d − 1.", .greaterThan(0)),
        .init(\.hidden, "hidden", "The encoder's hidden widths (ReLU), from the sample to the code.", each: .atLeast(1)),
        .init(\.epochs, "epochs", "Passes of the encoder's training over the samples.", .atLeast(1)),
        .init(\.batchSize, "batchSize", "Samples per mini-batch, among which the affinities and the KL divergence are computed.", .atLeast(2)),
        .init(\.learningRate, "learningRate", "The step size of the encoder's Adam.", .greaterThan(0)),
        .init(\.decodingNeighbours, "decodingNeighbours", "Training codes nearest a code whose samples DECODE averages without a learned decoder.", .atLeast(1)),
    ] + decoderHyperparameters

    public static var defaults: Self { Self() }
}

/// Hyperparameters added after a file was written read as their defaults.
extension ParametricTSNE.Configuration {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        components = try c.decode(.components, or: components)
        perplexity = try c.decode(.perplexity, or: perplexity)
        degreesOfFreedom = try c.decode(.degreesOfFreedom, or: degreesOfFreedom)
        hidden = try c.decode(.hidden, or: hidden)
        epochs = try c.decode(.epochs, or: epochs)
        batchSize = try c.decode(.batchSize, or: batchSize)
        learningRate = try c.decode(.learningRate, or: learningRate)
        decodingNeighbours = try c.decode(.decodingNeighbours, or: decodingNeighbours)
        self.decoder = try c.decode(.decoder, or: .absent)
    }
}
