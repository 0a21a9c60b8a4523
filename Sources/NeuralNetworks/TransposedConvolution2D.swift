import Tensors

/// A transposed 2-D convolution over NHWC images, y = f(col2im(x·W) + b): the adjoint of a
/// convolution in its input, as `torch.nn.ConvTranspose2d` with a square kernel. It inverts a
/// convolution's downsampling: with kernel 4, stride 2, padding 1 it doubles H and W.
///
/// Shapes: `x: n × h × w × C`, `weight: C × k × k × C′` (PyTorch's `C × C′ × k × k` with the
/// output channels last: `weight.permute(0, 2, 3, 1)`), `bias: C′`, `y: n × H × W × C′` with
/// H = (h − 1)·s − 2p + k + output padding.
public final class TransposedConvolution2D: Layer {
    /// `[inputChannels, kernel, kernel, outputChannels]`
    public let weight: Variable
    /// `[outputChannels]`
    public let bias: Variable
    public let stride: Int, padding: Int, outputPadding: Int
    public let activation: Activation

    public var inputChannels: Int { weight.shape[0] }
    public var outputChannels: Int { weight.shape[3] }
    public var kernel: Int { weight.shape[1] }

    /// A layer with weights from `initializer` (fan-in C′·k², as PyTorch counts it for
    /// transposed convolutions) and zero biases.
    public init(inputChannels: Int, outputChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
                activation: Activation = .linear, initializer: Initializer = .fanInUniform, using generator: inout RandomGenerator) {
        require(inputChannels > 0 && outputChannels > 0 && kernel > 0 && stride > 0 && padding >= 0 && padding < kernel
                && outputPadding >= 0 && outputPadding < stride,
                "TransposedConvolution2D(inputChannels: \(inputChannels), outputChannels: \(outputChannels), kernel: \(kernel), stride: \(stride), padding: \(padding), outputPadding: \(outputPadding)) needs positive sizes, padding below the kernel and output padding below the stride")
        weight = Variable(initializer.weights(shape: [inputChannels, kernel, kernel, outputChannels], fanIn: outputChannels * kernel * kernel,
                                              fanOut: inputChannels * kernel * kernel, using: &generator), requiresGradient: true)
        bias = Variable(.zeros([outputChannels]), requiresGradient: true)
        (self.stride, self.padding, self.outputPadding, self.activation) = (stride, padding, outputPadding, activation)
    }

    /// A layer with the given parameters.
    public init(weight: Variable, bias: Variable, stride: Int, padding: Int, outputPadding: Int = 0, activation: Activation = .linear) {
        require(weight.shape.count == 4 && weight.shape[1] == weight.shape[2] && bias.shape == [weight.shape[3]],
                "TransposedConvolution2D: weight \(weight.shape) and bias \(bias.shape) do not fit ([C, k, k, C′] and [C′])")
        (self.weight, self.bias, self.stride, self.padding, self.outputPadding, self.activation) = (weight, bias, stride, padding, outputPadding, activation)
    }

    public var namedParameters: [(name: String, parameter: Variable)] { [("weight", weight), ("bias", bias)] }

    /// The geometry from inputs of `shape` (`[n, h, w, C]`).
    public func geometry(input shape: [Int]) -> ConvolutionGeometry {
        require(shape.count == 4 && shape[3] == inputChannels, "TransposedConvolution2D(\(inputChannels) → \(outputChannels)): input shape \(shape) is not [n, h, w, \(inputChannels)]")
        guard let geometry = ConvolutionGeometry(transposedFromHeight: shape[1], width: shape[2], channels: outputChannels, kernel: kernel,
                                                 stride: stride, padding: padding, outputPadding: outputPadding) else {
            preconditionFailure("TransposedConvolution2D(kernel \(kernel), stride \(stride), padding \(padding)) gives no image from an input of shape \(shape)")
        }
        return geometry
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        transposedConvolution2d(input, weight: weight.value, bias: bias.value, geometry: geometry(input: input.shape), then: activation.pointwiseMap)
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        let geometry = geometry(input: input.shape)
        let (x, w, activation) = (input.value, weight.value, activation)
        let y = transposedConvolution2d(x, weight: w, bias: bias.value, geometry: geometry, then: activation.pointwiseMap)
        let needsInput = input.requiresGradient
        return Variable(y, parents: [input, weight, bias]) { g in
            let gradients = transposedConvolution2dGradients(g, input: x, weight: w, geometry: geometry, output: y, pullback: activation.pointwisePullback,
                                                             inputGradient: needsInput)
            return [gradients.input, gradients.weight, gradients.bias]
        }
    }
}
