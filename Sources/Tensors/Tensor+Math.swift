import CLatentKernels
import Foundation

extension Tensor {
    /// eˣ
    public func exp() -> Tensor { mapped { Foundation.exp($0) } }
    /// ln x
    public func log() -> Tensor { mapped { Foundation.log($0) } }
    /// ln(1 + x), accurate for small x.
    public func log1p() -> Tensor { mapped { Foundation.log1p($0) } }
    /// √x
    public func sqrt() -> Tensor { mapped { $0.squareRoot() } }
    /// x²
    public func squared() -> Tensor { mapped { $0 * $0 } }
    /// |x|
    public func abs() -> Tensor { mapped { Swift.abs($0) } }
    /// tanh x
    public func tanh() -> Tensor { mapped { Foundation.tanh($0) } }
    /// σ(x) = 1 / (1 + e⁻ˣ), by the vectorised kernel at `level` (relative error below 1e-6).
    public func sigmoid(level: CPULevel = ComputeSettings.current.cpuLevel) -> Tensor {
        var result = self
        result.formSigmoid(level: level)
        return result
    }

    /// Replaces every value x by σ(x), in place.
    public mutating func formSigmoid(level: CPULevel = ComputeSettings.current.cpuLevel) {
        require(CPULevel.supported.contains(level), "sigmoid: CPU level \(level) is not supported here")
        withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            latent_sigmoid(level.kernelLevel, base, base, p.count)
        }
    }
    /// softplus(x) = ln(1 + eˣ), computed as max(x, 0) + ln(1 + e^−|x|) so it never overflows.
    public func softplus() -> Tensor { mapped { Swift.max($0, 0) + Foundation.log1p(Foundation.exp(-Swift.abs($0))) } }
    /// max(x, 0)
    public func relu() -> Tensor { mapped { Swift.max($0, 0) } }

    /// Replaces every value x by max(x, 0), in place (NaN stays NaN).
    public mutating func formRelu() {
        withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            latent_relu(base, p.count)
        }
    }

    /// The rectifier's pullback: `gradient` where `output` (= max(x, 0)) is positive, else 0.
    public static func reluPullback(_ gradient: Tensor, output: Tensor) -> Tensor {
        require(gradient.shape == output.shape, "reluPullback: gradient \(gradient.shape) and output \(output.shape) differ in shape")
        return Tensor(shape: output.shape) { out in
            output.withUnsafeBufferPointer { y in
                gradient.withUnsafeBufferPointer { g in
                    guard let base = out.baseAddress else { return }
                    latent_relu_backward(y.baseAddress!, g.baseAddress!, base, out.count)
                }
            }
        }
    }
    /// x for x > 0, slope·x otherwise.
    public func leakyRelu(slope: Float) -> Tensor { mapped { $0 > 0 ? $0 : slope * $0 } }
    /// x for x > 0, α(eˣ − 1) otherwise (Clevert et al. 2016).
    public func elu(alpha: Float = 1) -> Tensor { mapped { $0 > 0 ? $0 : alpha * Foundation.expm1($0) } }
    /// Values limited to `[lower, upper]`.
    public func clamped(to lower: Float, _ upper: Float) -> Tensor {
        require(lower <= upper, "clamped(to: \(lower), \(upper)): lower bound above upper bound")
        return mapped { Swift.min(Swift.max($0, lower), upper) }
    }
    /// xᵖ
    public func pow(_ exponent: Float) -> Tensor { mapped { Foundation.pow($0, exponent) } }
}
