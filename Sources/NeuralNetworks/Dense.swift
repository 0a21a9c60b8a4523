import Tensors

/// A fully connected layer y = f(x·Wᵀ + b).
///
/// Shapes: `x: n × inputs`, `W: outputs × inputs` (as `torch.nn.Linear`), `b: outputs`,
/// `y: n × outputs`. Forward and backward are fused: the value runs as one GEMM with the
/// bias and f applied in place; the pullback turns g into g·f′(y) once, then
/// ∂W = (g·f′)ᵀ·x, ∂x = (g·f′)·W and ∂b = Σₙ(g·f′), each product a single GEMM.
public final class Dense: Layer {
    /// `[outputs, inputs]`
    public let weight: Variable
    /// `[outputs]`
    public let bias: Variable
    public let activation: Activation

    public var inputs: Int { weight.shape[1] }
    public var outputs: Int { weight.shape[0] }

    /// A layer with weights from `initializer` and zero biases.
    public init(inputs: Int, outputs: Int, activation: Activation = .linear,
                initializer: Initializer = .xavier, using generator: inout RandomGenerator) {
        require(inputs > 0 && outputs > 0, "Dense(inputs: \(inputs), outputs: \(outputs)) needs positive sizes")
        weight = Variable(initializer.weights(inputs: inputs, outputs: outputs, using: &generator), requiresGradient: true)
        bias = Variable(.zeros([outputs]), requiresGradient: true)
        self.activation = activation
    }

    /// A layer whose parameters are the given Variables (shared with another graph, or checked
    /// against finite differences).
    public init(weight: Variable, bias: Variable, activation: Activation = .linear) {
        require(weight.shape.count == 2 && bias.shape == [weight.shape[0]],
                     "Dense: weight \(weight.shape) and bias \(bias.shape) do not fit ([outputs, inputs] and [outputs])")
        (self.weight, self.bias, self.activation) = (weight, bias, activation)
    }

    /// A layer with the given parameters (loaded models, unrolled RBMs).
    public init(weight: Tensor, bias: Tensor, activation: Activation = .linear) {
        require(weight.rank == 2 && bias.shape == [weight.shape[0]],
                     "Dense: weight \(weight.shape) and bias \(bias.shape) do not fit ([outputs, inputs] and [outputs])")
        self.weight = Variable(weight, requiresGradient: true)
        self.bias = Variable(bias, requiresGradient: true)
        self.activation = activation
    }

    public var namedParameters: [(name: String, parameter: Variable)] { [("weight", weight), ("bias", bias)] }

    /// f(x·Wᵀ + b) without a graph.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        require(input.rank == 2 && input.shape[1] == inputs,
                "Dense(inputs: \(inputs), outputs: \(outputs)): input shape \(input.shape) is not [n, \(inputs)]")
        return affine(input, weight.value, bias: bias.value, activation: activation)
    }

    /// f(x·Wᵀ + b) with its derivatives recorded.
    public func callAsFunction(_ input: Variable) -> Variable {
        require(input.value.rank == 2 && input.shape[1] == inputs,
                "Dense(inputs: \(inputs), outputs: \(outputs)): input shape \(input.shape) is not [n, \(inputs)]")
        return dense(input, weight: weight, bias: bias, activation: activation)
    }
}

/// y = f(x·Wᵀ + b) as one graph node: `x: n × inputs`, `weight: outputs × inputs`,
/// `bias: outputs`. The pullback forms δ = g·f′(y) and ∂b = Σₙ δ in one pass, then ∂x = δ·W
/// (only when x needs it) and ∂W = δᵀ·x, each one GEMM. ∂W is left as its product
/// (`GradientTerm.product`): formed when read, or by Adam with `.fusedIntoProducts` block by
/// block and spent at once.
public func dense(_ x: Variable, weight: Variable, bias: Variable, activation: Activation) -> Variable {
    let (input, w) = (x.value, weight.value)
    require(input.rank == 2 && w.rank == 2 && input.shape[1] == w.shape[1] && bias.shape == [w.shape[0]],
            "dense: input \(input.shape), weight \(w.shape) and bias \(bias.shape) do not fit ([n, i], [o, i], [o])")
    let y = affine(input, w, bias: bias.value, activation: activation)
    return Variable(y, parents: [x, weight, bias], terms: { g in
        let (delta, biasGradient) = activation.pullbackWithBiasGradient(g, output: y)
        let gradientX = x.requiresGradient ? matmul(delta, w) : nil
        return [gradientX.map(GradientTerm.tensor), .product(DeferredProduct(delta, transposeA: true, input)), .tensor(biasGradient)]
    })
}

/// f(x·Wᵀ + b) (or f(x·W + b) with `transposeWeight: false`) without a graph, as one product
/// whose tiles take the bias and f as they finish (`affineProduct`;
/// f without a vector kernel runs after it): the forward pass of ``Dense``, and the conditional
/// means of an RBM. Shapes: `x: n × i`, `weight: o × i` (or `i × o`), `bias: o`.
public func affine(_ x: Tensor, _ weight: Tensor, transposeWeight: Bool = true, bias: Tensor, activation: Activation) -> Tensor {
    var y = affineProduct(x, weight, transposeB: transposeWeight, bias: bias, activation: activation.epilogue ?? .linear)
    if activation.epilogue == nil { activation.apply(inPlace: &y) }
    return y
}
