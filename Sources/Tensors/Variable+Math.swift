// Unary functions on Variables, each with its derivative beside its value.

extension Variable {
    /// Applies an elementwise function whose derivative is `derivative(x, y)` (y = f(x)).
    private func elementwise(_ y: Tensor, _ derivative: @escaping (_ x: Tensor, _ y: Tensor) -> Tensor) -> Variable {
        let x = value
        return Variable(y, parents: [self]) { g in [g * derivative(x, y)] }
    }

    /// (eˣ)′ = eˣ
    public func exp() -> Variable { elementwise(value.exp()) { _, y in y } }
    /// (ln x)′ = 1/x
    public func log() -> Variable { elementwise(value.log()) { x, _ in 1 / x } }
    /// (ln(1 + x))′ = 1/(1 + x)
    public func log1p() -> Variable { elementwise(value.log1p()) { x, _ in 1 / (x + 1) } }
    /// (√x)′ = 1/(2√x)
    public func sqrt() -> Variable { elementwise(value.sqrt()) { _, y in 0.5 / y } }
    /// (x²)′ = 2x
    public func squared() -> Variable { elementwise(value.squared()) { x, _ in x * 2 } }
    /// |x|′ = sign x (0 at 0)
    public func abs() -> Variable { elementwise(value.abs()) { x, _ in x.mapped { $0 > 0 ? 1 : $0 < 0 ? -1 : 0 } } }
    /// tanh′ = 1 − tanh²
    public func tanh() -> Variable { elementwise(value.tanh()) { _, y in y.mapped { 1 - $0 * $0 } } }
    /// σ′ = σ(1 − σ)
    public func sigmoid() -> Variable { elementwise(value.sigmoid()) { _, y in y.mapped { $0 * (1 - $0) } } }
    /// softplus′ = σ
    public func softplus() -> Variable { elementwise(value.softplus()) { x, _ in x.sigmoid() } }
    /// relu′ = [x > 0]
    public func relu() -> Variable { elementwise(value.relu()) { x, _ in x.mapped { $0 > 0 ? 1 : 0 } } }
    /// leaky-relu′ = 1 for x > 0, slope otherwise
    public func leakyRelu(slope: Float) -> Variable {
        elementwise(value.leakyRelu(slope: slope)) { x, _ in x.mapped { $0 > 0 ? 1 : slope } }
    }
    /// elu′ = 1 for x > 0, y + α otherwise
    public func elu(alpha: Float = 1) -> Variable {
        elementwise(value.elu(alpha: alpha)) { x, y in x.broadcasting(y, "elu") { $0 > 0 ? 1 : $1 + alpha } }
    }
    /// clamp′ = 1 inside [lower, upper], 0 outside
    public func clamped(to lower: Float, _ upper: Float) -> Variable {
        elementwise(value.clamped(to: lower, upper)) { x, _ in x.mapped { $0 >= lower && $0 <= upper ? 1 : 0 } }
    }
    /// (xᵖ)′ = p·xᵖ⁻¹
    public func pow(_ exponent: Float) -> Variable {
        elementwise(value.pow(exponent)) { x, _ in x.pow(exponent - 1) * exponent }
    }
}
