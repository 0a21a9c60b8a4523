import Tensors

/// A network built from a ``NetworkLayout``: rows in (`n × ∏inputShape`), rows out
/// (`n × ∏outputShape`), each sample viewed in its layer's shape between (NHWC images for the
/// convolutions). Parameters are named `I.weight`, `I.bias` by the layer's index in the layout,
/// as in a `torch.nn.Sequential` whose parameterless layers keep their indices.
public final class Network: Layer {
    public let layout: NetworkLayout
    public let layers: [any Layer]

    /// Fresh layers with weights from `initializer` and zero biases, drawn in layer order.
    public init(_ layout: NetworkLayout, initializer: Initializer, using generator: inout RandomGenerator) {
        self.layout = layout
        var shape = layout.inputShape
        var layers: [any Layer] = []
        for (index, specification) in layout.layers.enumerated() {
            layers.append(Self.layer(specification, input: shape) { kind in
                switch kind {
                case .dense(let inputs, let outputs, let activation):
                    Dense(inputs: inputs, outputs: outputs, activation: activation, initializer: initializer, using: &generator)
                case .convolution(let inputs, let outputs, let kernel, let stride, let padding, let activation):
                    Convolution2D(inputChannels: inputs, outputChannels: outputs, kernel: kernel, stride: stride, padding: padding,
                                  activation: activation, initializer: initializer, using: &generator)
                case .transposed(let inputs, let outputs, let kernel, let stride, let padding, let outputPadding, let activation):
                    TransposedConvolution2D(inputChannels: inputs, outputChannels: outputs, kernel: kernel, stride: stride, padding: padding,
                                            outputPadding: outputPadding, activation: activation, initializer: initializer, using: &generator)
                }
            })
            shape = layout.shapes[index]
        }
        self.layers = layers
    }

    /// Layers holding the given parameters, in ``NetworkLayout/parameterShapes`` order (a
    /// loaded model, a snapshot trained further).
    public init(_ layout: NetworkLayout, parameters: [Tensor]) {
        let expected = layout.parameterShapes
        require(parameters.map(\.shape) == expected.map(\.shape),
                "Network: parameters of shapes \(parameters.map(\.shape)) do not fit the layout's \(expected.map(\.shape))")
        self.layout = layout
        var next = parameters.makeIterator()
        var shape = layout.inputShape
        var layers: [any Layer] = []
        for (index, specification) in layout.layers.enumerated() {
            layers.append(Self.layer(specification, input: shape) { kind in
                let (weight, bias) = (Variable(next.next()!, requiresGradient: true), Variable(next.next()!, requiresGradient: true))
                return switch kind {
                case .dense(_, _, let activation): Dense(weight: weight, bias: bias, activation: activation)
                case .convolution(_, _, _, let stride, let padding, let activation):
                    Convolution2D(weight: weight, bias: bias, stride: stride, padding: padding, activation: activation)
                case .transposed(_, _, _, let stride, let padding, let outputPadding, let activation):
                    TransposedConvolution2D(weight: weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding, activation: activation)
                }
            })
            shape = layout.shapes[index]
        }
        self.layers = layers
    }

    /// A weighted layer's kind with its sizes, the input's channels or width filled in.
    enum WeightedLayer {
        case dense(inputs: Int, outputs: Int, Activation)
        case convolution(inputs: Int, outputs: Int, kernel: Int, stride: Int, padding: Int, Activation)
        case transposed(inputs: Int, outputs: Int, kernel: Int, stride: Int, padding: Int, outputPadding: Int, Activation)
    }

    private static func layer(_ specification: LayerSpecification, input shape: [Int], weighted: (WeightedLayer) -> any Layer) -> any Layer {
        switch specification {
        case .dense(let outputs, let activation): weighted(.dense(inputs: shape[0], outputs: outputs, activation))
        case .convolution(let channels, let kernel, let stride, let padding, let activation):
            weighted(.convolution(inputs: shape[2], outputs: channels, kernel: kernel, stride: stride, padding: padding, activation))
        case .transposedConvolution(let channels, let kernel, let stride, let padding, let outputPadding, let activation):
            weighted(.transposed(inputs: shape[2], outputs: channels, kernel: kernel, stride: stride, padding: padding, outputPadding: outputPadding, activation))
        case .reshape(let target): Reshape(target)
        case .flatten: Flatten()
        case .upsample(let factor): UpsampleNearest(factor: factor)
        }
    }

    public var namedParameters: [(name: String, parameter: Variable)] {
        layers.enumerated().flatMap { index, layer in layer.namedParameters(prefix: "\(index)") }
    }

    private func inputView(_ shape: [Int]) -> [Int] {
        require(shape.count == 2 && shape[1] == layout.inputWidth,
                "Network (\(layout)): input shape \(shape) is not [n, \(layout.inputWidth)]")
        return [shape[0]] + layout.inputShape
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        let output = layers.reduce(input.reshaped(inputView(input.shape))) { $1($0) }
        return output.shape.count == 2 ? output : output.reshaped([input.shape[0], layout.outputWidth])
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        layers.reduce(input.reshaped(inputView(input.shape))) { $1($0) }.reshaped([input.shape[0], layout.outputWidth])
    }
}
