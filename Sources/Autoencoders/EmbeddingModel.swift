import DataFormats
import NeuralNetworks
import Tensors

/// The configuration of a projective method: the width of its codes, and the decoder learned
/// after its embedding (``LearnedDecoder``).
public protocol EmbeddingConfiguration: HyperparameterDeclaring, Codable, Sendable, Equatable {
    /// d, the width of the codes.
    var components: Int { get }
    /// The decoder learned after the embedding, and how.
    var decoder: LearnedDecoder.Configuration { get set }
    /// Training codes nearest a code whose samples DECODE averages without a learned decoder.
    var decodingNeighbours: Int { get }
}

extension EmbeddingConfiguration {
    /// The decoder's hyperparameters as this configuration declares them: `decoder` (its
    /// kind), `decoderHidden`, `decoderEpochs`, … (`--decoder`, `--decoder-hidden`, …).
    public static var decoderHyperparameters: [Hyperparameter<Self>] {
        LearnedDecoder.Configuration.hyperparameters.map { parameter in
            let name = parameter.name == "kind" ? "decoder" : "decoder" + parameter.name.prefix(1).uppercased() + parameter.name.dropFirst()
            return parameter.nested(at: \Self.decoder, as: name)
        }
    }
}

/// A projective method's model (t-SNE, UMAP, MDS, Isomap): the training samples, the codes the
/// embedding gave them, what the fit measured, and the decoder learned from the pairs. DECODE is
/// the learned decoder (``LearnedDecoder``), or without one the mean of the training samples of
/// the codes nearest the code, weighted by the method's similarity of codes
/// (``neighbourWeight(squaredDistance:)``). Shapes: `reference: n × D`, `embedding: n × d`.
public protocol EmbeddingModel: Autoencoder where Configuration: EmbeddingConfiguration {
    associatedtype Summary: Codable & Sendable & Equatable
    /// The training samples, `n × D`: ENCODE places a new sample against them.
    var reference: Tensor { get }
    /// Their codes, `n × d`.
    var embedding: Tensor { get }
    /// What the fit measured.
    var summary: Summary { get }
    /// DECODE, learned after the embedding; nil for ``LearnedDecoder/Configuration/Kind/none``.
    var decoder: LearnedDecoder? { get }
    /// Where the model file keeps ``summary``.
    static var summaryEntry: MetadataEntry<Summary> { get }
    /// The weight of a training code at squared distance `squaredDistance` from a code, in
    /// DECODE without a learned decoder (∞ takes the codes there alone).
    func neighbourWeight(squaredDistance: Double) -> Double
    /// What the model keeps besides the samples, their codes and the decoder.
    var ownTensors: [(name: String, tensor: Tensor)] { get }
}

extension EmbeddingModel {
    public var inputSize: Int { reference.columns }
    public var codeSize: Int { embedding.columns }
    public var ownTensors: [(name: String, tensor: Tensor)] { [] }

    public var stateTensors: [(name: String, tensor: Tensor)] {
        [("reference", reference), ("embedding", embedding)] + ownTensors + (decoder?.namedTensors ?? [])
    }

    /// The decoder's training, when one was learned.
    public var trainingHistory: TrainingHistory? { decoder.map { TrainingHistory(stages: [$0.historyStage]) } }

    /// The model file: configuration, state, the summary and the decoder's training history.
    public func modelFile() throws -> SafeTensorsFile {
        var file = try SafeTensorsFile(method: Self.methodName, configuration: configuration, tensors: stateTensors)
        try file.set(Self.summaryEntry, to: summary)
        try file.set(ModelFileSchema.trainingHistory, to: trainingHistory)
        return file
    }

    /// DECODE: the learned decoder, or Σⱼ wⱼ xⱼ / Σⱼ wⱼ over the ``EmbeddingConfiguration/decodingNeighbours``
    /// training codes yⱼ nearest z, wⱼ = ``neighbourWeight(squaredDistance:)`` of ‖z − yⱼ‖².
    public func decodeUnchecked(_ codes: Tensor) throws -> Tensor {
        if let decoder { return decoder(codes) }
        return try neighbourAverage(of: codes, embedding: embedding, reference: reference, neighbours: configuration.decodingNeighbours,
                                    similarity: neighbourWeight)
    }

    /// The training samples and their codes in a model file: `[n, D]` and `[n, d]`, n ≥ 2.
    static func storedEmbedding(_ configuration: Configuration, state: SafeTensorsFile, file: String) throws -> (reference: Tensor, embedding: Tensor) {
        let reference = try state.tensor("reference", file: file), embedding = try state.tensor("embedding", file: file)
        guard reference.rank == 2, embedding.rank == 2, reference.rows == embedding.rows, embedding.columns == configuration.components,
              reference.rows >= 2 else {
            throw DataFormatError(file, .entry("tensor 'embedding'"), "shape \(embedding.shape) with reference \(reference.shape): "
                                  + "expected [n, \(configuration.components)] and [n, D], n ≥ 2")
        }
        return (reference, embedding)
    }

    /// The summary in a model file, which `isValid` must accept (`expected` says what it needs).
    static func storedSummary(state: SafeTensorsFile, file: String, expected: String = "", isValid: (Summary) -> Bool = { _ in true }) throws -> Summary {
        guard let summary = try state.value(of: summaryEntry, file: file), isValid(summary) else {
            throw DataFormatError(file, .entry("__metadata__"), "a \(methodName) model needs its '\(summaryEntry.key)' entry\(expected)")
        }
        return summary
    }

    /// The decoder a model file holds for `reference` and `embedding` (nil when its configuration has none).
    static func storedDecoder(_ configuration: Configuration, reference: Tensor, embedding: Tensor, state: SafeTensorsFile, file: String) throws -> LearnedDecoder? {
        try LearnedDecoder.load(configuration.decoder, codeSize: embedding.columns, features: reference.columns, from: state, file: file)
    }

    /// The decoder of `codes` (`n × d`) for `samples` (`n × D`), drawn from a generator of its
    /// own seed (drawn where the fit starts, so that a resumed fit trains the same decoder).
    static func learnDecoder(codes: Tensor, samples: Tensor, configuration: Configuration, seed: UInt64,
                             progress: @escaping (TrainingProgress) throws -> Void) throws -> LearnedDecoder? {
        var generator = RandomGenerator(seed: seed)
        return try LearnedDecoder.fit(codes: codes, samples: samples, configuration: configuration.decoder, method: methodName, using: &generator,
                                      progress: progress)
    }
}

/// A projective model whose state is only its samples, their codes, its summary and its decoder
/// (t-SNE, UMAP): its model file reads back by one initialiser.
public protocol PlainEmbeddingModel: EmbeddingModel {
    init(configuration: Configuration, reference: Tensor, embedding: Tensor, summary: Summary, decoder: LearnedDecoder?)
}

extension PlainEmbeddingModel {
    public init(configuration: Configuration, state: SafeTensorsFile, file: String) throws {
        let (reference, embedding) = try Self.storedEmbedding(configuration, state: state, file: file)
        self.init(configuration: configuration, reference: reference, embedding: embedding, summary: try Self.storedSummary(state: state, file: file),
                  decoder: try Self.storedDecoder(configuration, reference: reference, embedding: embedding, state: state, file: file))
    }
}

/// The configuration of a parametric embedding: its encoder's hidden widths.
public protocol ParametricEmbeddingConfiguration: EmbeddingConfiguration {
    /// The encoder's hidden widths (ReLU), from the sample to the code.
    var hidden: [Int] { get }
}

/// A parametric embedding (parametric t-SNE, parametric UMAP): an encoder network f trained with
/// the method's loss, the training samples' codes f(xᵢ), and ENCODE one forward pass of f.
public protocol ParametricEmbedding: EmbeddingModel where Configuration: ParametricEmbeddingConfiguration {
    /// f: D → hidden… → d.
    var encoder: LayerStack { get }
    init(configuration: Configuration, reference: Tensor, embedding: Tensor, encoder: LayerStack, summary: Summary, decoder: LearnedDecoder?)
}

extension ParametricEmbedding {
    /// The encoder's widths and activations for samples of `features`: ReLU hidden layers, a linear code.
    static func encoderLayout(_ configuration: Configuration, features: Int) -> (widths: [Int], activations: [Activation]) {
        ([features] + configuration.hidden + [configuration.components], Array(repeating: .relu, count: configuration.hidden.count) + [.linear])
    }

    public var ownTensors: [(name: String, tensor: Tensor)] { encoder.namedTensors("encoder") }

    public init(configuration: Configuration, state: SafeTensorsFile, file: String) throws {
        let (reference, embedding) = try Self.storedEmbedding(configuration, state: state, file: file)
        let layout = Self.encoderLayout(configuration, features: reference.columns)
        self.init(configuration: configuration, reference: reference, embedding: embedding,
                  encoder: try LayerStack.load("encoder", widths: layout.widths, activations: layout.activations, from: state, file: file),
                  summary: try Self.storedSummary(state: state, file: file),
                  decoder: try Self.storedDecoder(configuration, reference: reference, embedding: embedding, state: state, file: file))
    }

    /// ENCODE: one forward pass of the encoder.
    public func encodeUnchecked(_ samples: Tensor) -> Tensor { encoder(samples) }

    /// The encoder's name in a training history and a progress line.
    public static var encoderStage: String { "encoder" }
}
