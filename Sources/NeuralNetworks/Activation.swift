import Foundation
import Tensors

/// Elementwise nonlinearities of a layer.
public enum Activation: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    /// f(x) = x
    case linear
    /// f(x) = 1 / (1 + e⁻ˣ): the logistic units of Kramer (1991) and Hinton & Salakhutdinov (2006).
    case sigmoid
    /// f(x) = tanh x
    case tanh
    /// f(x) = max(x, 0)
    case relu
    /// f(x) = x for x > 0, ``leakyReluSlope``·x otherwise.
    case leakyRelu = "leaky-relu"
    /// f(x) = x for x > 0, eˣ − 1 otherwise (Clevert, Unterthiner & Hochreiter 2016, α = 1).
    case elu
    /// f(x) = ln(1 + eˣ)
    case softplus

    /// The negative-side slope of ``leakyRelu`` (Maas, Hannun & Ng 2013).
    public static let leakyReluSlope: Float = 0.01

    public var description: String { rawValue }

    /// f applied to a tensor (no graph).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .linear: x
        case .sigmoid: x.sigmoid()
        case .tanh: x.tanh()
        case .relu: x.relu()
        case .leakyRelu: x.leakyRelu(slope: Self.leakyReluSlope)
        case .elu: x.elu()
        case .softplus: x.softplus()
        }
    }

    /// f applied to a Variable, recording its derivative.
    /// `positive` where a > 0, else `negative`.
    static func step(_ a: Tensor, positive: Float, negative: Float) -> Tensor {
        Tensor(shape: a.shape) { out in
            a.withUnsafeBufferPointer { x in for i in x.indices { out[i] = x[i] > 0 ? positive : negative } }
        }
    }

    /// σ′(a) as a graph of the pre-activation `a`: what an exact input gradient of a network is
    /// made of, so that a penalty on that gradient can itself be differentiated (WGAN-GP). For
    /// the piecewise-linear units σ′ is piecewise constant, and a constant here.
    public func derivative(at a: Variable) -> Variable {
        let slope = Self.leakyReluSlope
        switch self {
        case .linear: return Variable(Tensor(repeating: 1, shape: a.shape))
        case .sigmoid:
            let s = a.sigmoid()
            return s * (1 - s)
        case .tanh: return 1 - a.tanh().squared()
        case .relu: return Variable(Self.step(a.value, positive: 1, negative: 0))
        case .leakyRelu: return Variable(Self.step(a.value, positive: 1, negative: slope))
        case .elu:
            let positive = Self.step(a.value, positive: 1, negative: 0)
            return Variable(positive) + Variable(1 - positive) * a.exp()
        case .softplus: return a.sigmoid()
        }
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        switch self {
        case .linear: x
        case .sigmoid: x.sigmoid()
        case .tanh: x.tanh()
        case .relu: x.relu()
        case .leakyRelu: x.leakyRelu(slope: Self.leakyReluSlope)
        case .elu: x.elu()
        case .softplus: x.softplus()
        }
    }

    /// Replaces every value x by f(x), in place (layers that own their output).
    public func apply(inPlace y: inout Tensor) {
        guard self != .linear else { return }
        let level = ComputeSettings.current.cpuLevel
        y.withUnsafeMutableBufferPointer { v in
            guard let base = v.baseAddress else { return }
            apply(base, count: v.count, level: level)
        }
    }

    /// f applied in place to `count` values at `values`: the form a kernel applies chunk by
    /// chunk while its output is in cache.
    public func apply(_ values: UnsafeMutablePointer<Float>, count: Int, level: CPULevel) {
        let slope = Self.leakyReluSlope
        let v = values
        switch self {
        case .linear: return
        case .sigmoid: Kernels.sigmoid(level: level, v, count: count)
        case .relu: Kernels.relu(v, count: count)
        case .tanh: for i in 0..<count { v[i] = Foundation.tanh(v[i]) }
        case .leakyRelu: for i in 0..<count where v[i] < 0 { v[i] *= slope }
        case .elu: for i in 0..<count where v[i] < 0 { v[i] = Foundation.expm1(v[i]) }
        case .softplus: for i in 0..<count { v[i] = max(v[i], 0) + Foundation.log1p(Foundation.exp(-abs(v[i]))) }
        }
    }

    /// out = g·f′(x) given y = f(x), over `count` values (`out` may be `g`'s storage).
    public func pullback(output y: UnsafePointer<Float>, gradient g: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
        let slope = Self.leakyReluSlope
        switch self {
        case .linear: if UnsafePointer(out) != g { out.update(from: g, count: count) }
        case .relu: Kernels.reluPullback(output: y, gradient: g, into: out, count: count)
        case .sigmoid: for i in 0..<count { out[i] = g[i] * y[i] * (1 - y[i]) }
        case .tanh: for i in 0..<count { out[i] = g[i] * (1 - y[i] * y[i]) }
        case .leakyRelu: for i in 0..<count { out[i] = y[i] > 0 ? g[i] : g[i] * slope }
        case .elu: for i in 0..<count { out[i] = y[i] > 0 ? g[i] : g[i] * (y[i] + 1) }
        // softplus′(x) = σ(x) = 1 − e^(−y)
        case .softplus: for i in 0..<count { out[i] = -g[i] * Foundation.expm1(-y[i]) }
        }
    }

    /// f as a kernel's per-chunk map (nil for the identity); the CPU level is the caller's.
    public var pointwiseMap: PointwiseMap? {
        guard self != .linear else { return nil }
        let (activation, level) = (self, ComputeSettings.current.cpuLevel)
        return { values, count in activation.apply(values, count: count, level: level) }
    }

    /// f's pullback as a kernel's per-chunk map (nil for the identity, whose δ is g).
    public var pointwisePullback: PointwisePullback? {
        guard self != .linear else { return nil }
        let activation = self
        return { y, g, delta, count in activation.pullback(output: y, gradient: g, into: delta, count: count) }
    }

    /// f as a fused product's epilogue, nil where f has no vector kernel (tanh, ELU, softplus).
    public var epilogue: EpilogueActivation? {
        switch self {
        case .linear: .linear
        case .sigmoid: .sigmoid
        case .relu: .relu
        case .leakyRelu: .leakyRelu(slope: Self.leakyReluSlope)
        case .tanh, .elu, .softplus: nil
        }
    }

    /// δ = g·f′(x) given y = f(x), and Σₙ δ (a dense layer's bias gradient), in one pass where
    /// f has a vector kernel (`pullbackWithColumnSums`).
    func pullbackWithBiasGradient(_ gradient: Tensor, output y: Tensor) -> (delta: Tensor, biasGradient: Tensor) {
        if let epilogue {
            let (delta, sums) = pullbackWithColumnSums(epilogue, output: y, gradient: gradient)
            return (delta, sums)
        }
        let delta = derivativeProduct(gradient, output: y)
        return (delta, pullbackWithColumnSums(.linear, output: delta, gradient: delta).columnSums)
    }

    /// g·f′(x) given y = f(x), as a new tensor: the form the fused dense layer needs, where y
    /// is at hand and x may not be.
    func derivativeProduct(_ gradient: Tensor, output y: Tensor) -> Tensor {
        if self == .linear { return gradient }
        let activation = self
        return Tensor(shape: y.shape) { out in
            y.withUnsafeBufferPointer { y in
                gradient.withUnsafeBufferPointer { g in
                    let (uy, ug, uo) = (UInt(bitPattern: y.baseAddress), UInt(bitPattern: g.baseAddress), UInt(bitPattern: out.baseAddress))
                    // Elements are independent: split across threads (a hidden layer's batch is ~10⁵).
                    forEachChunk(of: g.count, minimumChunk: 1 << 14) { range in
                        guard let y = UnsafePointer<Float>(bitPattern: uy), let g = UnsafePointer<Float>(bitPattern: ug),
                              let out = UnsafeMutablePointer<Float>(bitPattern: uo) else { return }
                        activation.pullback(output: y + range.lowerBound, gradient: g + range.lowerBound, into: out + range.lowerBound, count: range.count)
                    }
                }
            }
        }
    }
}
