import Tensors

/// One layer of a network's blueprint: what it is and its sizes, without values. The sizes it
/// reads come from the layer before (``NetworkLayout`` infers them).
///
/// Written as text, layers read `dense 400 relu`, `conv 32 k4 s2 p1 relu`,
/// `convT 32 k4 s2 p1 op0 relu`, `reshape 7x7x64`, `flatten`, `upsample 2` (the activation
/// defaults to linear; k, s, p and op to 3, 1, 0 and 0), and a list of them is separated by
/// commas.
public enum LayerSpecification: Codable, Sendable, Hashable, CustomStringConvertible {
    /// ``Dense``: a flat input of any width to `outputs`.
    case dense(outputs: Int, activation: Activation)
    /// ``Convolution2D``: an `H × W × C` image to `H′ × W′ × channels`.
    case convolution(channels: Int, kernel: Int, stride: Int, padding: Int, activation: Activation)
    /// ``TransposedConvolution2D``: an `h × w × C` image to `H × W × channels`.
    case transposedConvolution(channels: Int, kernel: Int, stride: Int, padding: Int, outputPadding: Int, activation: Activation)
    /// ``Reshape``: each sample viewed as `shape` (as many values).
    case reshape([Int])
    /// ``Flatten``: each sample as one flat vector.
    case flatten
    /// ``UpsampleNearest``: an image enlarged `factor` times in height and width.
    case upsample(factor: Int)

    /// Whether the layer has weights (and takes its index in the state's names).
    public var hasParameters: Bool {
        switch self {
        case .dense, .convolution, .transposedConvolution: true
        case .reshape, .flatten, .upsample: false
        }
    }

    public var description: String {
        func suffix(_ activation: Activation) -> String { activation == .linear ? "" : " \(activation.rawValue)" }
        return switch self {
        case .dense(let outputs, let activation): "dense \(outputs)\(suffix(activation))"
        case .convolution(let c, let k, let s, let p, let activation): "conv \(c) k\(k) s\(s) p\(p)\(suffix(activation))"
        case .transposedConvolution(let c, let k, let s, let p, let op, let activation):
            "convT \(c) k\(k) s\(s) p\(p)\(op == 0 ? "" : " op\(op)")\(suffix(activation))"
        case .reshape(let shape): "reshape \(shape.map(String.init).joined(separator: "x"))"
        case .flatten: "flatten"
        case .upsample(let factor): "upsample \(factor)"
        }
    }

    /// The shape of one sample after this layer, given the shape before it.
    /// - Throws: ``NetworkLayoutError`` naming what does not fit.
    public func outputShape(input: [Int]) throws -> [Int] {
        func image() throws -> (Int, Int, Int) {
            guard input.count == 3 else {
                throw NetworkLayoutError("takes an image (height × width × channels) but receives \(Self.text(input))\(input.count == 1 ? "; add 'reshape' before it" : "")")
            }
            return (input[0], input[1], input[2])
        }
        switch self {
        case .dense(let outputs, _):
            guard outputs >= 1 else { throw NetworkLayoutError("needs at least 1 output") }
            guard input.count == 1 else { throw NetworkLayoutError("takes a flat input but receives \(Self.text(input)); add 'flatten' before it") }
            return [outputs]
        case .convolution(let channels, let kernel, let stride, let padding, _):
            let (h, w, c) = try image()
            try Self.checkSizes(channels: channels, kernel: kernel, stride: stride, padding: padding)
            guard let g = ConvolutionGeometry(height: h, width: w, channels: c, kernel: kernel, stride: stride, padding: padding) else {
                let (spanY, spanX) = (h + 2 * padding - kernel, w + 2 * padding - kernel)
                if spanY < 0 || spanX < 0 {
                    throw NetworkLayoutError("kernel \(kernel) is larger than the \(h + 2 * padding) × \(w + 2 * padding) padded input (\(Self.text(input)) with padding \(padding))")
                }
                let span = spanY % stride != 0 ? (h, spanY) : (w, spanX)
                throw NetworkLayoutError("stride \(stride) does not divide \(span.0) + 2·\(padding) − \(kernel) = \(span.1) for the input \(Self.text(input)): the last rows or columns would be dropped; change the padding or the image size")
            }
            return [g.outputHeight, g.outputWidth, channels]
        case .transposedConvolution(let channels, let kernel, let stride, let padding, let outputPadding, _):
            let (h, w, _) = try image()
            try Self.checkSizes(channels: channels, kernel: kernel, stride: stride, padding: padding)
            guard outputPadding >= 0, outputPadding < stride else { throw NetworkLayoutError("output padding \(outputPadding) must lie in [0, stride \(stride))") }
            guard let g = ConvolutionGeometry(transposedFromHeight: h, width: w, channels: channels, kernel: kernel, stride: stride,
                                              padding: padding, outputPadding: outputPadding) else {
                throw NetworkLayoutError("gives an empty image from the input \(Self.text(input))")
            }
            return [g.height, g.width, channels]
        case .reshape(let shape):
            guard !shape.isEmpty, shape.allSatisfy({ $0 >= 1 }) else { throw NetworkLayoutError("needs positive sizes, got \(shape)") }
            guard shape.reduce(1, *) == input.reduce(1, *) else {
                throw NetworkLayoutError("to \(Self.text(shape)) (\(shape.reduce(1, *)) values) does not fit the input \(Self.text(input)) (\(input.reduce(1, *)) values)")
            }
            return shape
        case .flatten:
            return [input.reduce(1, *)]
        case .upsample(let factor):
            let (h, w, c) = try image()
            guard factor >= 1 else { throw NetworkLayoutError("needs a factor of at least 1, got \(factor)") }
            return [h * factor, w * factor, c]
        }
    }

    private static func checkSizes(channels: Int, kernel: Int, stride: Int, padding: Int) throws {
        guard channels >= 1, kernel >= 1, stride >= 1 else { throw NetworkLayoutError("needs at least 1 channel, a kernel and a stride of at least 1") }
        guard padding >= 0, padding < kernel else { throw NetworkLayoutError("padding \(padding) must lie in [0, kernel \(kernel))") }
    }

    /// A shape as messages write it: `7 × 7 × 64`, or `3136 values` for a flat one.
    static func text(_ shape: [Int]) -> String { shape.count == 1 ? "\(shape[0]) values" : shape.map(String.init).joined(separator: " × ") }
}

/// A layer list or network that does not fit its input; the message names the layer.
public struct NetworkLayoutError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A network's blueprint: the shape of one input sample and the layers after it, each layer's
/// sizes checked against what the layer before it gives. Inputs arrive as rows (`n × ∏shape`)
/// and are viewed in `inputShape`; the output is flattened back to rows.
public struct NetworkLayout: Codable, Sendable, Hashable, CustomStringConvertible {
    /// One sample's shape: `[D]` for a flat vector, `[H, W, C]` for an NHWC image.
    public let inputShape: [Int]
    public let layers: [LayerSpecification]
    /// The shape after each layer.
    public let shapes: [[Int]]

    /// A layout whose layers fit one another.
    /// - Throws: ``NetworkLayoutError`` naming the first layer (its index and text) that does not
    ///   fit, and the shapes.
    public init(inputShape: [Int], layers: [LayerSpecification], name: String = "network") throws {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 >= 1 }) else { throw NetworkLayoutError("\(name): the input shape \(inputShape) needs positive sizes") }
        var shapes: [[Int]] = []
        var shape = inputShape
        for (index, layer) in layers.enumerated() {
            do { shape = try layer.outputShape(input: shape) } catch let error as NetworkLayoutError {
                throw NetworkLayoutError("\(name), layer \(index) (\(layer)): \(error.description)")
            }
            shapes.append(shape)
        }
        (self.inputShape, self.layers, self.shapes) = (inputShape, layers, shapes)
    }

    private enum CodingKeys: String, CodingKey { case inputShape, layers }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(inputShape: try container.decode([Int].self, forKey: .inputShape), layers: try container.decode([LayerSpecification].self, forKey: .layers))
        } catch let error as NetworkLayoutError {
            throw DecodingError.dataCorruptedError(forKey: .layers, in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(inputShape, forKey: .inputShape)
        try container.encode(layers, forKey: .layers)
    }

    /// One sample's shape after the last layer.
    public var outputShape: [Int] { shapes.last ?? inputShape }
    /// Values per input sample and per output sample.
    public var inputWidth: Int { inputShape.reduce(1, *) }
    public var outputWidth: Int { outputShape.reduce(1, *) }

    /// The parameters' names and shapes, as ``Network/namedParameters`` names them.
    public var parameterShapes: [(name: String, shape: [Int])] {
        var shape = inputShape
        var result: [(String, [Int])] = []
        for (index, layer) in layers.enumerated() {
            switch layer {
            case .dense(let outputs, _):
                result += [("\(index).weight", [outputs, shape[0]]), ("\(index).bias", [outputs])]
            case .convolution(let channels, let kernel, _, _, _):
                result += [("\(index).weight", [channels, kernel, kernel, shape[2]]), ("\(index).bias", [channels])]
            case .transposedConvolution(let channels, let kernel, _, _, _, _):
                result += [("\(index).weight", [shape[2], kernel, kernel, channels]), ("\(index).bias", [channels])]
            case .reshape, .flatten, .upsample: break
            }
            shape = shapes[index]
        }
        return result
    }

    /// Multiply-adds of one sample's forward pass (a backward pass takes about twice as many).
    public var multiplyAdds: Int {
        var shape = inputShape, total = 0
        for (index, layer) in layers.enumerated() {
            let out = shapes[index]
            switch layer {
            case .dense(let outputs, _): total += outputs * shape[0]
            case .convolution(_, let kernel, _, _, _): total += out.reduce(1, *) * kernel * kernel * shape[2]
            case .transposedConvolution(_, let kernel, _, _, _, _): total += shape.reduce(1, *) * kernel * kernel * out[2]
            case .reshape, .flatten, .upsample: break
            }
            shape = out
        }
        return total
    }

    public var description: String { "\(LayerSpecification.text(inputShape)) → " + layers.map(\.description).joined(separator: ", ") }
}

extension NetworkLayout {
    /// The same layout with its last weighted layer's activation replaced: a decoder trained on
    /// logits (`.linear`) and used with its sigmoid.
    public func replacingOutputActivation(with activation: Activation) throws -> NetworkLayout {
        guard let index = layers.lastIndex(where: \.hasParameters) else { return self }
        var layers = self.layers
        layers[index] = switch layers[index] {
        case .dense(let outputs, _): .dense(outputs: outputs, activation: activation)
        case .convolution(let c, let k, let s, let p, _): .convolution(channels: c, kernel: k, stride: s, padding: p, activation: activation)
        case .transposedConvolution(let c, let k, let s, let p, let op, _):
            .transposedConvolution(channels: c, kernel: k, stride: s, padding: p, outputPadding: op, activation: activation)
        case let other: other
        }
        return try NetworkLayout(inputShape: inputShape, layers: layers)
    }
}
