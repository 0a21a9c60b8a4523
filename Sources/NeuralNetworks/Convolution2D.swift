import Tensors

/// A 2-D convolution over NHWC images, y = f(x ⋆ W + b), as `torch.nn.Conv2d` with a square
/// kernel, one stride and zero padding on every side.
///
/// Shapes: `x: n × H × W × C`, `weight: C′ × k × k × C` (PyTorch's `C′ × C × k × k` with the
/// input channels last: `weight.permute(0, 2, 3, 1)` in PyTorch gives it), `bias: C′`,
/// `y: n × H′ × W′ × C′` with H′ = (H + 2p − k)/s + 1 (`ConvolutionGeometry`; a stride that
/// does not divide H + 2p − k is refused rather than dropping the image's last rows). Forward
/// and backward run on `convolution2d(_:weight:bias:geometry:then:settings:)` and its gradients:
/// indirect convolutions where the kernels take the channel counts, else im2col and the GEMM.
public final class Convolution2D: Layer {
    /// `[outputChannels, kernel, kernel, inputChannels]`
    public let weight: Variable
    /// `[outputChannels]`
    public let bias: Variable
    public let stride: Int, padding: Int
    public let activation: Activation

    public var inputChannels: Int { weight.shape[3] }
    public var outputChannels: Int { weight.shape[0] }
    public var kernel: Int { weight.shape[1] }

    /// A layer with weights from `initializer` (fan-in C·k², fan-out C′·k², as PyTorch counts
    /// them) and zero biases.
    public init(inputChannels: Int, outputChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                activation: Activation = .linear, initializer: Initializer = .fanInUniform, using generator: inout RandomGenerator) {
        require(inputChannels > 0 && outputChannels > 0 && kernel > 0 && stride > 0 && padding >= 0 && padding < kernel,
                "Convolution2D(inputChannels: \(inputChannels), outputChannels: \(outputChannels), kernel: \(kernel), stride: \(stride), padding: \(padding)) needs positive sizes and padding below the kernel")
        weight = Variable(initializer.weights(shape: [outputChannels, kernel, kernel, inputChannels], fanIn: inputChannels * kernel * kernel,
                                              fanOut: outputChannels * kernel * kernel, using: &generator), requiresGradient: true)
        bias = Variable(.zeros([outputChannels]), requiresGradient: true)
        (self.stride, self.padding, self.activation) = (stride, padding, activation)
    }

    /// A layer with the given parameters (loaded models, checks against finite differences).
    public init(weight: Variable, bias: Variable, stride: Int, padding: Int, activation: Activation = .linear) {
        require(weight.shape.count == 4 && weight.shape[1] == weight.shape[2] && bias.shape == [weight.shape[0]],
                "Convolution2D: weight \(weight.shape) and bias \(bias.shape) do not fit ([C′, k, k, C] and [C′])")
        (self.weight, self.bias, self.stride, self.padding, self.activation) = (weight, bias, stride, padding, activation)
    }

    public var namedParameters: [(name: String, parameter: Variable)] { [("weight", weight), ("bias", bias)] }

    /// The geometry over images of `shape` (`[n, H, W, C]`).
    public func geometry(input shape: [Int]) -> ConvolutionGeometry {
        require(shape.count == 4 && shape[3] == inputChannels, "Convolution2D(\(inputChannels) → \(outputChannels)): input shape \(shape) is not [n, H, W, \(inputChannels)]")
        guard let geometry = ConvolutionGeometry(height: shape[1], width: shape[2], channels: inputChannels, kernel: kernel, stride: stride, padding: padding) else {
            preconditionFailure("Convolution2D(kernel \(kernel), stride \(stride), padding \(padding)) does not fit an input of shape \(shape)")
        }
        return geometry
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        convolution2d(input, weight: weight.value, bias: bias.value, geometry: geometry(input: input.shape), then: activation.pointwiseMap)
    }

    /// y = f(x ⋆ W + b) with its pullback: δ = g·f′(y), then ∂W, ∂b and (when x needs it) ∂x
    /// from `convolution2dGradients(_:images:weight:geometry:inputGradient:settings:)`.
    public func callAsFunction(_ input: Variable) -> Variable {
        let geometry = geometry(input: input.shape)
        let (x, w, activation) = (input.value, weight.value, activation)
        let y = convolution2d(x, weight: w, bias: bias.value, geometry: geometry, then: activation.pointwiseMap)
        let needsInput = input.requiresGradient
        return Variable(y, parents: [input, weight, bias]) { g in
            let gradients = convolution2dGradients(g, images: x, weight: w, geometry: geometry, output: y, pullback: activation.pointwisePullback,
                                                   inputGradient: needsInput)
            return [gradients.images, gradients.weight, gradients.bias]
        }
    }
}
