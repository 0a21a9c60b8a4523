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
    let difference = output.value - target
    let n = Float(target.shape[0])
    let value = Float(difference.squared().sumInDouble() / Double(n))
    return Variable(Tensor(value), parents: [output]) { g in [difference * (2 * g.scalar / n)] }
}

/// (1/n) Σᵢ Σⱼ [max(z, 0) − z·t + ln(1 + e^−|z|)], the binary cross-entropy of σ(z) against
/// targets t ∈ [0, 1], never overflowing; ∂/∂z = (σ(z) − t)/n.
public func binaryCrossEntropy(logits: Variable, targets: Tensor) -> Variable {
    checkMatrices(logits.shape, targets.shape, "binaryCrossEntropy")
    let z = logits.value
    var total = 0.0
    z.withUnsafeBufferPointer { z in
        targets.withUnsafeBufferPointer { t in
            for i in z.indices {
                let zi = Double(z[i])
                total += max(zi, 0) - zi * Double(t[i]) + Foundation.log1p(Foundation.exp(-abs(zi)))
            }
        }
    }
    let n = Float(targets.shape[0])
    return Variable(Tensor(Float(total / Double(n))), parents: [logits]) { g in
        [(z.sigmoid() - targets) * (g.scalar / n)]
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
