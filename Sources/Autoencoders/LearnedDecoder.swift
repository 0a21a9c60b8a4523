import DataFormats
import Foundation
import NeuralNetworks
import Tensors

/// DECODE learned after an embedding: a network g from codes to samples, trained on the pairs
/// (yᵢ, xᵢ) of the training samples and the codes the embedding gave them, minimising
/// Σᵢ ‖xᵢ − g(yᵢ)‖² (a Gaussian likelihood; or the Bernoulli cross-entropy of data in [0, 1]).
/// It makes a projective method (t-SNE, UMAP, MDS, Isomap) an autoencoder, and its codes a
/// generator: the lecture's last slide, "the decoding (injection) function of any dimensionality
/// reduction method can be used for generative data modeling".
///
/// Codes enter centred and divided by one scale, their root mean square (one scale for every
/// axis keeps the embedding's geometry: a distance means the same along each). With squared
/// error the network's outputs are the samples' deviations from their mean in units of one
/// scale, the samples' root mean square deviation, so that its loss is the distortion up to
/// that constant; with cross-entropy its outputs are logits and DECODE their sigmoid.
/// Shapes: `codes: n × d` → `samples: n × D`.
public struct LearnedDecoder: Sendable, Equatable {
    /// What decoder an embedding gets, and how it is trained.
    public struct Configuration: Codable, Sendable, Equatable {
        /// Whether a network is learned.
        public enum Kind: String, Codable, Sendable, CaseIterable {
            /// A multilayer perceptron d → hidden… → D, trained after the embedding.
            case mlp
            /// No network: DECODE averages the training samples of the codes nearest the code,
            /// weighted by the embedding's own similarity of codes (nothing to train; a code
            /// between clusters decodes to a blend of their samples).
            case none
        }

        public var kind: Kind
        /// The hidden layers' widths, from the code to the output.
        public var hidden: [Int]
        /// The hidden layers' activation.
        public var activation: Activation
        /// The reconstruction cost: squared error (mse; the distortion itself) or binary
        /// cross-entropy (bce; a sigmoid output, for data in [0, 1]).
        public var loss: Loss
        /// Passes over the (code, sample) pairs; nil: ``defaultEpochs``, or more where they make
        /// fewer than ``defaultSteps`` optimiser steps (small data).
        public var epochs: Int?
        /// Pairs per mini-batch.
        public var batchSize: Int
        /// Adam's step size.
        public var learningRate: Float

        /// Widths that grow towards the output, as a decoder's do.
        public static let defaultHidden = [256, 512]
        /// Default passes over the pairs.
        public static let defaultEpochs = 40
        /// The fewest optimiser steps the default epochs make: 40 epochs of 500 samples in
        /// batches of 128 are 160 steps, too few to fit a decoder.
        public static let defaultSteps = 4_000

        public init(kind: Kind = .mlp, hidden: [Int] = defaultHidden, activation: Activation = .relu, loss: Loss = .squaredError,
                    epochs: Int? = nil, batchSize: Int = 128, learningRate: Float = 1e-3) {
            (self.kind, self.hidden, self.activation, self.loss, self.epochs, self.batchSize, self.learningRate) =
                (kind, hidden, activation, loss, epochs, batchSize, learningRate)
        }

        /// The trainer's configuration for `samples` pairs: Adam, no held-out pairs (every code
        /// of the embedding is a training code).
        func training(samples: Int) -> TrainingConfiguration {
            var training = TrainingConfiguration(epochs: epochs ?? Self.defaultEpochs, batchSize: batchSize, learningRate: learningRate, heldOutFraction: 0)
            if epochs == nil { training.minimumSteps = Self.defaultSteps }
            training.epochs = training.epochs(forSamples: samples)
            training.minimumSteps = nil
            return training
        }

        /// Checks the ranges and, for cross-entropy, that `samples` lie in [0, 1]: before an
        /// embedding is fitted, so that a decoder that cannot be trained fails at once.
        public func check(_ samples: Tensor, method: String) throws {
            guard kind == .mlp else { return }
            try checkRanges("\(method)'s decoder")
            let features = samples.columns
            if loss == .binaryCrossEntropy, let bad = samples.scalars.firstIndex(where: { !(0...1).contains($0) }) {
                throw AutoencoderError("\(method): the decoder's bce loss needs data in [0, 1] (found \(samples.scalars[bad]) at row \(bad / features), "
                                       + "column \(bad % features)); scale the data to [0, 1] (`scaling: .minMax`) or use `decoderLoss: .squaredError`")
            }
        }

        /// Files written before decoders were learned read as `none`: they decode as they did.
        public static let absent = Configuration(kind: .none)
    }

    public let configuration: Configuration
    /// The codes' mean (`[d]`) and their root mean square about it (`[1]`).
    public let codeMean: Tensor, codeScale: Tensor
    /// The samples' mean (`[D]`) and their root mean square deviation (`[1]`) for squared
    /// error; zeros and one for cross-entropy (the network's outputs are logits of the samples).
    public let outputMean: Tensor, outputScale: Tensor
    /// g: d → hidden… → D, the last layer linear (sigmoid for cross-entropy).
    public let network: LayerStack
    public let record: TrainingRecord

    /// The decoder's name in a training history and a progress line.
    public static let stageName = "decoder"

    /// DECODE: `codes: n × d` → `n × D`.
    public func callAsFunction(_ codes: Tensor) -> Tensor {
        network((codes - codeMean) * (1 / codeScale.scalars[0])) * outputScale.scalars[0] + outputMean
    }

    /// Trains a decoder of `codes` (`n × d`) to `samples` (`n × D`), its weights and batches
    /// drawn with `generator`; nil for ``Configuration/Kind/none``. `progress` hears every batch
    /// and may throw to stop.
    /// - Throws: for codes and samples of different counts or non-finite codes, cross-entropy on
    ///   data outside [0, 1], or a training that diverges.
    public static func fit(codes: Tensor, samples: Tensor, configuration: Configuration, method: String, using generator: inout RandomGenerator,
                           progress: @escaping (TrainingProgress) throws -> Void = { _ in }) throws -> LearnedDecoder? {
        guard configuration.kind == .mlp else { return nil }
        try configuration.check(samples, method: method)
        let (n, d, features) = (codes.rows, codes.columns, samples.columns)
        guard samples.rows == n, n >= 1, codes.rank == 2, samples.rank == 2 else {
            throw AutoencoderError("\(method)'s decoder trains on one code per sample: got codes \(codes.shape) and samples \(samples.shape)")
        }
        try codes.checkFinite("\(method)'s codes")
        let bce = configuration.loss == .binaryCrossEntropy
        let (codeMean, codeScale) = centre(codes)
        let (outputMean, outputScale) = bce ? (Tensor.zeros([features]), Tensor([1])) : centre(samples)
        let inputs = (codes - codeMean) * (1 / codeScale.scalars[0])
        let targets = (samples - outputMean) * (1 / outputScale.scalars[0])
        let widths = [d] + configuration.hidden + [features]
        let activations = Array(repeating: configuration.activation, count: configuration.hidden.count) + [Activation.linear]
        let initializer: Initializer = [.relu, .leakyRelu, .elu].contains(configuration.activation) ? .he : .xavier
        let network = LayerStack.trainable(widths: widths, activations: activations, initializer: initializer, using: &generator)
        // The pairs travel as one row each, the code's columns first, so that the trainer's
        // batches keep them together.
        let pairs = Tensor.concatenate([inputs, targets], alongAxis: 1)
        let loss = configuration.loss
        let record = try Trainer(configuration.training(samples: n), phase: stageName).run(
            parameters: network.namedParameters(prefix: stageName), samples: pairs, heldOut: nil, using: &generator,
            hooks: TrainingHooks(progress: progress),
            loss: { batch in loss(network(Variable(batch.columns(0..<d))), batch.columns(d..<(d + features))) },
            heldOutLoss: { rows in
                let output = network(rows.columns(0..<d)), target = rows.columns(d..<(d + features))
                return Double(loss(Variable(output), target).value.scalars[0])
            })
        var stack = LayerStack(network)
        if bce {
            stack = LayerStack(layers: stack.layers.dropLast() + [LayerStack.Layer(weight: stack.layers.last!.weight, bias: stack.layers.last!.bias, activation: .sigmoid)])
        }
        return LearnedDecoder(configuration: configuration, codeMean: codeMean, codeScale: codeScale, outputMean: outputMean, outputScale: outputScale,
                              network: stack, record: record)
    }

    /// The columns' means, and the root mean square of every value about them (one number, `[1]`;
    /// 1 where every row is the same).
    static func centre(_ x: Tensor) -> (mean: Tensor, scale: Tensor) {
        let mean = x.mean(alongAxis: 0)
        let centred = x - mean
        let total = centred.withUnsafeBufferPointer { $0.reduce(0.0) { $0 + Double($1) * Double($1) } }
        let rms = (total / Double(max(x.count, 1))).squareRoot()
        return (mean, Tensor([rms > 0 && rms.isFinite ? Float(rms) : 1]))
    }

    init(configuration: Configuration, codeMean: Tensor, codeScale: Tensor, outputMean: Tensor, outputScale: Tensor, network: LayerStack, record: TrainingRecord) {
        (self.configuration, self.codeMean, self.codeScale, self.outputMean, self.outputScale, self.network, self.record) =
            (configuration, codeMean, codeScale, outputMean, outputScale, network, record)
    }

    /// Named like a PyTorch module's state: `decoder.code_mean`, `decoder.0.weight`, ….
    public var namedTensors: [(name: String, tensor: Tensor)] {
        [("\(Self.stageName).code_mean", codeMean), ("\(Self.stageName).code_scale", codeScale),
         ("\(Self.stageName).output_mean", outputMean), ("\(Self.stageName).output_scale", outputScale)] + network.namedTensors(Self.stageName)
    }

    /// The decoder of a model file whose configuration asks for one (nil for `none`), for codes
    /// of width `codeSize` and samples of `features`; its record from the file's training history.
    public static func load(_ configuration: Configuration, codeSize: Int, features: Int, from state: SafeTensorsFile, file: String) throws -> LearnedDecoder? {
        guard configuration.kind == .mlp else { return nil }
        let name = stageName
        let widths = [codeSize] + configuration.hidden + [features]
        let activations = Array(repeating: configuration.activation, count: configuration.hidden.count)
            + [configuration.loss == .binaryCrossEntropy ? Activation.sigmoid : .linear]
        let record = try TrainingHistory.read(from: state, path: file)?.stages.first { $0.name == name }?.record ?? TrainingRecord()
        return LearnedDecoder(configuration: configuration, codeMean: try state.tensor("\(name).code_mean", shape: [codeSize], file: file),
                              codeScale: try positiveScale(state, "\(name).code_scale", file: file),
                              outputMean: try state.tensor("\(name).output_mean", shape: [features], file: file),
                              outputScale: try positiveScale(state, "\(name).output_scale", file: file),
                              network: try LayerStack.load(name, widths: widths, activations: activations, from: state, file: file), record: record)
    }

    private static func positiveScale(_ state: SafeTensorsFile, _ name: String, file: String) throws -> Tensor {
        let scale = try state.tensor(name, shape: [1], file: file)
        guard scale.scalars[0] > 0 else { throw DataFormatError(file, .entry("tensor '\(name)'"), "is \(scale.scalars[0]), expected a positive scale") }
        return scale
    }

    /// The decoder's stage of a training history.
    public var historyStage: TrainingHistory.Stage {
        TrainingHistory.Stage(name: Self.stageName, loss: "\(configuration.loss.displayName) per sample"
                              + (configuration.loss == .squaredError ? ", in units of the samples' root mean square deviation" : ""), record: record)
    }
}

extension LearnedDecoder.Configuration: HyperparameterDeclaring {
    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.kind, "kind", "The decoder learned after the embedding: mlp (a network from codes to samples) or none (DECODE averages the samples of the nearest codes)."),
        .init(\.hidden, "hidden", "The decoder network's hidden widths, from the code to the output.", each: .atLeast(1)),
        .init(\.activation, "activation", "The decoder network's hidden activation."),
        .init(\.loss, "loss", "The decoder's reconstruction cost: mse (the distortion) or bce (sigmoid output, data in [0, 1])."),
        .init(\.epochs, "epochs", "Passes of the decoder's training over the (code, sample) pairs.", .atLeast(1),
              default: .rule("\(defaultEpochs), or more for \(defaultSteps) steps on small data")),
        .init(\.batchSize, "batchSize", "Pairs per mini-batch of the decoder's training.", .atLeast(1)),
        .init(\.learningRate, "learningRate", "The step size of the decoder's Adam.", .greaterThan(0)),
    ]

    public static var defaults: Self { Self() }
}

extension LearnedDecoder.Configuration {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        kind = try c.decode(.kind, or: kind)
        hidden = try c.decode(.hidden, or: hidden)
        activation = try c.decode(.activation, or: activation)
        loss = try c.decode(.loss, or: loss)
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs)
        batchSize = try c.decode(.batchSize, or: batchSize)
        learningRate = try c.decode(.learningRate, or: learningRate)
    }
}
