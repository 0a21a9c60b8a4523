import Tensors

/// How a layer's weights start.
///
/// The lecture's warning (Hinton & Salakhutdinov 2006): with large initial weights deep
/// autoencoders find poor local minima, with small ones the early gradients vanish.
public enum Initializer: String, Codable, Sendable, CaseIterable {
    /// N(0, ``smallNormalDeviation``²), as in Hinton's RBM code (`0.1*randn`).
    case smallNormal = "small-normal"
    /// Glorot & Bengio (2010), eq. 16: U(−a, a) with a = √(6 / (fan_in + fan_out)).
    case xavier
    /// He et al. (2015), eq. 10: N(0, 2 / fan_in), for ReLU layers.
    case he
    /// U(−1/√fan_in, 1/√fan_in): PyTorch's default for `nn.Linear` weights (He et al.'s uniform
    /// rule with a = √5), with which its examples (the VAE's) are tuned.
    case fanInUniform = "fan-in-uniform"

    /// The standard deviation of ``smallNormal``.
    public static let smallNormalDeviation: Float = 0.1

    /// A weight matrix `[outputs, inputs]`.
    public func weights(inputs: Int, outputs: Int, using generator: inout RandomGenerator) -> Tensor {
        weights(shape: [outputs, inputs], fanIn: inputs, fanOut: outputs, using: &generator)
    }

    /// Weights of any `shape` whose scale follows `fanIn` and `fanOut`: the inputs and outputs
    /// each weight's unit connects (for a convolution C·k² and C′·k², as PyTorch counts them).
    public func weights(shape: [Int], fanIn: Int, fanOut: Int, using generator: inout RandomGenerator) -> Tensor {
        switch self {
        case .smallNormal:
            return .randomNormal(shape, standardDeviation: Self.smallNormalDeviation, using: &generator)
        case .xavier:
            let bound = (6 / Float(fanIn + fanOut)).squareRoot()
            return .randomUniform(shape, lower: -bound, upper: bound, using: &generator)
        case .he:
            return .randomNormal(shape, standardDeviation: (2 / Float(fanIn)).squareRoot(), using: &generator)
        case .fanInUniform:
            let bound = 1 / Float(fanIn).squareRoot()
            return .randomUniform(shape, lower: -bound, upper: bound, using: &generator)
        }
    }
}
