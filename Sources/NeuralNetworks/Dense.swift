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
    public func callAsFunction(_ input: Tensor) -> Tensor { forward(input, weight.value, bias.value) }

    private func forward(_ x: Tensor, _ w: Tensor, _ b: Tensor) -> Tensor {
        require(x.rank == 2 && x.shape[1] == inputs,
                     "Dense(inputs: \(inputs), outputs: \(outputs)): input shape \(x.shape) is not [n, \(inputs)]")
        // Start from the broadcast bias so the GEMM adds onto it (β = 1).
        var y = Tensor.zeros([x.shape[0], outputs]) + b
        gemm(x, w, transposeB: true, beta: 1, into: &y)
        return activation(y)
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        let (x, w, activation) = (input.value, weight.value, self.activation)
        let y = forward(x, w, bias.value)
        return Variable(y, parents: [input, weight, bias]) { g in
            var delta = g
            activation.multiplyDerivative(&delta, output: y)
            let gradientX: Tensor? = input.requiresGradient ? matmul(delta, w) : nil
            return [gradientX, matmul(delta, transposeA: true, x), delta.sum(alongAxis: 0)]
        }
    }
}
