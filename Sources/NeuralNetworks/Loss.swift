import Foundation
import Tensors

/// Reconstruction losses and the VAE's KL term. Each is a mean over the samples (rows) of a
/// sum over features, so a loss value reads per sample, like Hinton & Salakhutdinov's
/// per-image squared error.
public enum Loss: String, Codable, Sendable, CaseIterable {
    /// Σⱼ (x̂ⱼ − xⱼ)², mean over samples.
    case squaredError = "mse"
    /// −Σⱼ [xⱼ log σ(zⱼ) + (1 − xⱼ) log(1 − σ(zⱼ))] from logits z, mean over samples.
    case binaryCrossEntropy = "bce"

    /// The loss's name in words, for axis labels and reports.
    public var displayName: String {
        switch self {
        case .squaredError: "squared error"
        case .binaryCrossEntropy: "binary cross-entropy"
        }
    }

    /// The loss of `output` against `target` (`n × d` each). For ``binaryCrossEntropy``
    /// `output` holds logits, so the sigmoid and the logarithm combine stably.
    public func callAsFunction(_ output: Variable, _ target: Tensor) -> Variable {
        switch self {
        case .squaredError: NeuralNetworks.squaredError(output, target)
        case .binaryCrossEntropy: NeuralNetworks.binaryCrossEntropy(logits: output, targets: target)
        }
    }
}

private func checkMatrices(_ a: [Int], _ b: [Int], _ name: String) {
    require(a == b && a.count == 2 && a[0] > 0, "\(name): output shape \(a) and target shape \(b) must be one non-empty [n, d]")
}

/// (1/n) Σᵢ Σⱼ (ŷᵢⱼ − yᵢⱼ)², with ∂/∂ŷ = 2(ŷ − y)/n.
public func squaredError(_ output: Variable, _ target: Tensor) -> Variable {
    checkMatrices(output.shape, target.shape, "squaredError")
    let n = Float(target.shape[0])
    // One pass: the differences are kept for the pullback, their squares summed in Double
    // over four independent accumulators (one chain of additions would bound the speed).
    var partial = (0.0, 0.0, 0.0, 0.0)
    let difference = Tensor(shape: target.shape) { d in
        output.value.withUnsafeBufferPointer { y in
            target.withUnsafeBufferPointer { t in
                var i = 0
                while i + 4 <= d.count {
                    let e0 = y[i] - t[i], e1 = y[i + 1] - t[i + 1], e2 = y[i + 2] - t[i + 2], e3 = y[i + 3] - t[i + 3]
                    d[i] = e0; d[i + 1] = e1; d[i + 2] = e2; d[i + 3] = e3
                    partial.0 += Double(e0 * e0); partial.1 += Double(e1 * e1)
                    partial.2 += Double(e2 * e2); partial.3 += Double(e3 * e3)
                    i += 4
                }
                while i < d.count {
                    let e = y[i] - t[i]
                    d[i] = e
                    partial.0 += Double(e * e)
                    i += 1
                }
            }
        }
    }
    let total = (partial.0 + partial.1) + (partial.2 + partial.3)
    return Variable(Tensor(Float(total / Double(n))), parents: [output]) { g in [difference * (2 * g.scalar / n)] }
}

/// (1/n) Σᵢ Σⱼ [max(z, 0) − z·t + ln(1 + e^−|z|)], the binary cross-entropy of σ(z) against
/// targets t ∈ [0, 1], never overflowing; ∂/∂z = (σ(z) − t)/n.
public func binaryCrossEntropy(logits: Variable, targets: Tensor) -> Variable {
    checkMatrices(logits.shape, targets.shape, "binaryCrossEntropy")
    // One vectorised pass gives the sum and the residual σ(z) − t the pullback scales.
    var residual = Tensor.uninitialized(targets.shape)
    let level = ComputeSettings.current.cpuLevel
    let total = logits.value.withUnsafeBufferPointer { z in
        targets.withUnsafeBufferPointer { t in
            residual.withUnsafeMutableBufferPointer { r in
                Kernels.binaryCrossEntropy(level: level, logits: z.baseAddress!, targets: t.baseAddress!, residual: r.baseAddress!, count: z.count)
            }
        }
    }
    let n = Float(targets.shape[0])
    return Variable(Tensor(Float(total / Double(n))), parents: [logits]) { g in
        [residual * (g.scalar / n)]
    }
}

/// KL[N(μ, diag σ²) ‖ N(0, I)] = −½ Σⱼ (1 + log σⱼ² − μⱼ² − σⱼ²), mean over samples
/// (Kingma & Welling 2014, Appendix B). Shapes: `mean, logVariance: n × d`.
public func gaussianKL(mean: Variable, logVariance: Variable) -> Variable {
    checkMatrices(mean.shape, logVariance.shape, "gaussianKL")
    let n = Float(mean.shape[0])
    let perElement = (1 + logVariance - mean.squared() - logVariance.exp())
    return perElement.sum() * (-0.5 / n)
}

/// The cross-entropy of softmax(`logits`) against one-hot `targets` (`n × C` each), mean over
/// samples: (1/n) Σᵢ [log Σ_c exp zᵢc − Σ_c tᵢc zᵢc], stable through the log-sum-exp.
public func softmaxCrossEntropy(logits: Variable, targets: Tensor) -> Variable {
    checkMatrices(logits.shape, targets.shape, "softmaxCrossEntropy")
    return (logits.logSumExp(alongAxis: 1).sum() - (logits * Variable(targets)).sum()) / Float(targets.shape[0])
}
