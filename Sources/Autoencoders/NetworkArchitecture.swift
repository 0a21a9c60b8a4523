import DataFormats
import Foundation
import NeuralNetworks
import Tensors

/// The kind of networks a method's encoder and decoder are: dense layers on flattened samples,
/// the declared convolutional networks for images, or layer lists of the user's.
///
/// Written as text (the command line's `--architecture`): `mlp`, `conv`, or an encoder and a
/// decoder layer list separated by `|` (`LayerSpecification/init(parsing:)`), for example
/// `conv 32 k4 s2 p1 relu, conv 64 k4 s2 p1 relu, flatten | dense 3136 relu, reshape 7x7x64,
/// convT 32 k4 s2 p1 relu, convT 1 k4 s2 p1`. The encoder list ends where the method's code
/// layer (or the VAE's heads μ and log σ²) begins; the decoder list reads the code and ends in
/// the data's width.
public enum NetworkArchitecture: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Dense layers of the method's hidden widths (the flattened sample in, the decoder mirroring
    /// the encoder).
    case mlp
    /// The declared convolutional encoder and decoder for the samples' image shape
    /// (``convolutionalLayers(imageShape:activation:)``).
    case conv
    /// The given layer lists; an encoder that starts with a convolution, a transposed
    /// convolution or an upsampling reads each sample in its image shape, any other the flat row.
    case layers(encoder: [LayerSpecification], decoder: [LayerSpecification])

    /// The largest number of stride-2 stages of the convolutional architecture.
    public static let maximumStages = 4
    /// Channels of the first stage; each further stage doubles them.
    public static let firstStageChannels = 32
    /// The smallest side a stage may leave: a stage halves sides that are even and at least twice this.
    public static let smallestSide = 4

    /// An architecture from its text: `mlp`, `conv`, or `ENCODER LAYERS | DECODER LAYERS`.
    /// - Throws: `NetworkLayoutError` naming what does not parse.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch trimmed.lowercased() {
        case "mlp": self = .mlp
        case "conv": self = .conv
        default:
            let parts = trimmed.split(separator: "|", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw NetworkLayoutError("an architecture is mlp, conv, or an encoder's and a decoder's layer lists separated by '|'; got '\(text)'")
            }
            self = .layers(encoder: try LayerSpecification.list(parsing: String(parts[0])), decoder: try LayerSpecification.list(parsing: String(parts[1])))
        }
    }

    /// Stored as its text.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        do { self = try Self(parsing: try container.decode(String.self)) } catch let error as NetworkLayoutError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public var description: String {
        switch self {
        case .mlp: "mlp"
        case .conv: "conv"
        case .layers(let encoder, let decoder): encoder.map(\.description).joined(separator: ", ") + " | " + decoder.map(\.description).joined(separator: ", ")
        }
    }

    /// The declared convolutional networks for images of `imageShape` (`[H, W]` or `[H, W, C]`):
    /// S stages, S the number of times both sides can be halved while even and leaving at
    /// least ``smallestSide`` (at most ``maximumStages``); stage i is a convolution to 32·2ⁱ
    /// channels, kernel 4, stride 2, padding 1. The encoder is the stages, then `flatten`; the
    /// decoder a dense layer to the last stage's values, `reshape` to its image, and the stages
    /// mirrored as transposed convolutions, the last to C channels and linear (logits or means).
    /// For 28 × 28 × 1: conv 32, conv 64, flatten (3 136 values) | dense 3136, reshape 7x7x64,
    /// convT 32, convT 1 — the issue's network.
    /// - Throws: `NetworkLayoutError` when no stage fits the image.
    public static func convolutionalLayers(imageShape: [Int], activation: Activation) throws -> (encoder: [LayerSpecification], decoder: [LayerSpecification]) {
        let (height, width, channels) = try imageSize(imageShape)
        var (h, w) = (height, width)
        var stageChannels: [Int] = []
        while stageChannels.count < maximumStages, h % 2 == 0, w % 2 == 0, h / 2 >= smallestSide, w / 2 >= smallestSide {
            (h, w) = (h / 2, w / 2)
            stageChannels.append(firstStageChannels << stageChannels.count)
        }
        guard let last = stageChannels.last else {
            throw NetworkLayoutError("the convolutional architecture halves images with stride-2 convolutions: height and width must be even and at least \(2 * smallestSide), got \(height) × \(width); use `architecture: .mlp` or a layer list")
        }
        let encoder = stageChannels.map { LayerSpecification.convolution(channels: $0, kernel: 4, stride: 2, padding: 1, activation: activation) } + [.flatten]
        let targets = Array(stageChannels.dropLast().reversed()) + [channels]
        let decoder: [LayerSpecification] = [.dense(outputs: h * w * last, activation: activation), .reshape([h, w, last])]
            + targets.enumerated().map { index, target in
                .transposedConvolution(channels: target, kernel: 4, stride: 2, padding: 1, outputPadding: 0,
                                       activation: index == targets.count - 1 ? .linear : activation)
            }
        return (encoder, decoder)
    }

    /// (H, W, C) of an image shape `[H, W]` or `[H, W, C]`.
    static func imageSize(_ shape: [Int]) throws -> (Int, Int, Int) {
        guard (shape.count == 2 || shape.count == 3), shape.allSatisfy({ $0 >= 1 }) else {
            throw NetworkLayoutError("an image shape is [height, width] or [height, width, channels], got \(shape)")
        }
        return (shape[0], shape[1], shape.count == 3 ? shape[2] : 1)
    }

    /// The encoder up to the code (its output flat) and the decoder from `codeWidth` to the
    /// samples' `features`, as layouts: for `mlp` dense layers of `hidden` with `activation`
    /// and a decoder output of `outputActivation`; for `conv` and layer lists on samples of
    /// `imageShape`. `extraInputs` columns (a conditional model's label one-hot) follow each
    /// flat sample into an `mlp` encoder; other architectures take none.
    /// - Throws: `NetworkLayoutError` naming the layer and shapes that do not fit (an image
    ///   shape missing or not holding `features` values, an encoder that does not end flat, a
    ///   decoder whose output is not the samples' width or image).
    public func layouts(features: Int, imageShape: [Int]?, hidden: [Int], activation: Activation, codeWidth: Int,
                        outputActivation: Activation = .linear, extraInputs: Int = 0, method: String) throws -> (encoder: NetworkLayout, decoder: NetworkLayout) {
        let image: [Int]? = try imageShape.map { shape in
            let (h, w, c) = try Self.imageSize(shape)
            guard h * w * c == features else {
                throw NetworkLayoutError("\(method): the image shape \(shape) holds \(h * w * c) values, but the samples have \(features) features")
            }
            return [h, w, c]
        }
        let encoderLayers: [LayerSpecification], decoderLayers: [LayerSpecification]
        let spatial: Bool
        switch self {
        case .mlp:
            encoderLayers = hidden.map { .dense(outputs: $0, activation: activation) }
            decoderLayers = hidden.reversed().map { .dense(outputs: $0, activation: activation) } + [.dense(outputs: features, activation: outputActivation)]
            spatial = false
        case .conv:
            guard let image else {
                throw NetworkLayoutError("\(method): `architecture: .conv` needs samples with an image shape (IDX images, NPY arrays of n × H × W or n × H × W × C); these are flat rows of \(features) features")
            }
            var layers = try Self.convolutionalLayers(imageShape: image, activation: activation)
            if outputActivation != .linear, case .transposedConvolution(let c, let k, let s, let p, let op, _) = layers.decoder.last {
                layers.decoder[layers.decoder.count - 1] = .transposedConvolution(channels: c, kernel: k, stride: s, padding: p, outputPadding: op, activation: outputActivation)
            }
            (encoderLayers, decoderLayers, spatial) = (layers.encoder, layers.decoder, true)
        case .layers(let encoder, let decoder):
            (encoderLayers, decoderLayers) = (encoder, decoder)
            switch encoder.first {
            case .convolution, .transposedConvolution, .upsample: spatial = true
            default: spatial = false
            }
        }
        if spatial, image == nil {
            throw NetworkLayoutError("\(method): the encoder starts with a convolution, which needs samples with an image shape; these are flat rows of \(features) features")
        }
        if extraInputs > 0, self != .mlp {
            throw NetworkLayoutError("\(method): a conditional model's label columns join a flat input: use `architecture: .mlp`")
        }
        let encoder = try NetworkLayout(inputShape: spatial ? image! : [features + extraInputs], layers: encoderLayers, name: "\(method) encoder")
        guard encoder.outputShape.count == 1 else {
            throw NetworkLayoutError("\(method) encoder: its last layer gives \(encoder.outputShape.map(String.init).joined(separator: " × ")); end it with flatten, where the code layer begins")
        }
        let decoder = try NetworkLayout(inputShape: [codeWidth], layers: decoderLayers, name: "\(method) decoder")
        let output = decoder.outputShape
        guard decoder.outputWidth == features, output.count == 1 || output == image else {
            throw NetworkLayoutError("\(method) decoder: its last layer gives \(output.map(String.init).joined(separator: " × ")) (\(decoder.outputWidth) values), but the samples are \(image.map { $0.map(String.init).joined(separator: " × ") } ?? "\(features) features")")
        }
        return (encoder, decoder)
    }
}

extension NetworkArchitecture {
    /// D, the features of a stored model's samples: the image shape's values; else the
    /// reshape an encoder list starts with; else the width of `firstWeight` (the first tensor
    /// that reads the flat sample) less the `extraInputs` label columns beside it.
    public func storedFeatures(imageShape: [Int]?, firstWeight: String, extraInputs: Int = 0, state: SafeTensorsFile, file: String) throws -> Int {
        if let imageShape { return imageShape.reduce(1, *) }
        if case .layers(let encoder, _) = self, case .reshape(let shape) = encoder.first { return shape.reduce(1, *) }
        let weight = try state.tensor(firstWeight, file: file)
        guard weight.rank == 2, weight.shape[1] > extraInputs else {
            throw DataFormatError(file, .entry("tensor '\(firstWeight)'"), "has shape \(weight.shape), expected [outputs, D\(extraInputs > 0 ? " + \(extraInputs)" : "")]")
        }
        return weight.shape[1] - extraInputs
    }
}

extension TrainedNetwork {
    /// The parameters of `layout` named `PREFIX.I.weight|bias` in a model file, each checked
    /// against the shape the layout gives it.
    public static func load(_ prefix: String, layout: NetworkLayout, from state: SafeTensorsFile, file: String) throws -> TrainedNetwork {
        TrainedNetwork(layout: layout, parameters: try layout.parameterShapes.map { try state.tensor("\(prefix).\($0.name)", shape: $0.shape, file: file) })
    }
}
