import Foundation
import Tensors

/// The decoder's distribution p(x | z), whose parameters the decoder's output holds: what the
/// reconstruction term of a VAE measures (−log p(x | z), in nats) and what DECODE returns (its
/// mean). Kingma & Welling (2014), appendix C: Bernoulli and Gaussian decoders.
public enum Likelihood: String, Codable, Sendable, CaseIterable {
    /// Independent Bernoulli pixels, the output their logits: −log p = Σⱼ BCE(σ(ηⱼ), xⱼ);
    /// for data in [0, 1] (on grey levels a cross-entropy, not a normalised density).
    case bernoulli
    /// N(μ, σ²I) with σ² fixed by the method's configuration, the output μ:
    /// −log p = Σⱼ [(xⱼ − μⱼ)²/(2σ²) + ½ log(2πσ²)].
    case gaussian
    /// N(μ, diag σ²) with one learned log σⱼ² per feature, shared by all samples.
    case learnedGaussian = "gaussian-learned-variance"
    /// The continuous Bernoulli (Loaiza-Ganem & Cunningham 2019), the output its logits: the
    /// Bernoulli's cross-entropy made a proper density on [0, 1] by log C(η):
    /// −log p = Σⱼ [BCE(σ(ηⱼ), xⱼ) − log C(ηⱼ)].
    case continuousBernoulli = "continuous-bernoulli"

    /// Whether the data must lie in [0, 1].
    public var needsUnitInterval: Bool { self == .bernoulli || self == .continuousBernoulli }

    /// Whether the variance is a parameter (the `logVariance` of the other functions).
    public var hasVariance: Bool { self == .gaussian || self == .learnedGaussian }

    /// −log p(x | output), mean over the samples (`output, targets: n × D`; `logVariance: 1 × D`,
    /// for the Gaussians only, a constant or a parameter).
    public func negativeLogLikelihood(_ output: Variable, _ targets: Tensor, logVariance: Variable? = nil) -> Variable {
        let n = Float(targets.shape[0]), d = Float(targets.shape[1])
        switch self {
        case .bernoulli:
            return binaryCrossEntropy(logits: output, targets: targets)
        case .continuousBernoulli:
            return binaryCrossEntropy(logits: output, targets: targets) - output.continuousBernoulliLogNormalizer().sum() / n
        case .gaussian, .learnedGaussian:
            guard let s = logVariance else { preconditionFailure("a Gaussian likelihood needs its log-variance") }
            // ½ [(1/n) Σᵢⱼ (xᵢⱼ − μᵢⱼ)² e^{−sⱼ} + Σⱼ sⱼ + D log 2π]
            let weighted = ((output - Variable(targets)).squared() * (-s).exp()).sum() / n
            return (weighted + s.sum() + d * Float(Foundation.log(2 * Double.pi))) * 0.5
        }
    }

    /// −log p(xᵢ | outputᵢ) for each sample, in Double (`output, targets: n × D`).
    public func negativeLogLikelihoodPerSample(_ output: Tensor, _ targets: Tensor, logVariance: Tensor? = nil) -> [Double] {
        let perElement: Tensor
        switch self {
        case .bernoulli: perElement = output.softplus() - output * targets
        case .continuousBernoulli: perElement = output.softplus() - output * targets - output.continuousBernoulliLogNormalizer()
        case .gaussian, .learnedGaussian:
            guard let s = logVariance else { preconditionFailure("a Gaussian likelihood needs its log-variance") }
            perElement = ((output - targets).squared() * (-s).exp() + s + Float(Foundation.log(2 * Double.pi))) * 0.5
        }
        let d = perElement.shape[1]
        return perElement.withUnsafeBufferPointer { p in
            (0..<perElement.shape[0]).map { i in (0..<d).reduce(0.0) { $0 + Double(p[i * d + $1]) } }
        }
    }

    /// E[x | output], what DECODE returns: σ(η), the continuous Bernoulli's mean, or μ.
    public func mean(_ output: Tensor) -> Tensor {
        switch self {
        case .bernoulli: output.sigmoid()
        case .continuousBernoulli: output.continuousBernoulliMean()
        case .gaussian, .learnedGaussian: output
        }
    }

    /// Draws x ~ p(x | output) (`n × D`): Bernoulli pixels, continuous-Bernoulli values by
    /// inverting their CDF, or μ + σ·N(0, 1).
    public func sample(_ output: Tensor, logVariance: Tensor? = nil, using generator: inout RandomGenerator) -> Tensor {
        var result = output
        let d = output.shape[1]
        let deviation = logVariance.map { ($0 * 0.5).exp().scalars } ?? []
        result.withUnsafeMutableBufferPointer { p in
            for i in p.indices {
                let eta = Double(p[i])
                switch self {
                case .bernoulli:
                    p[i] = Double(generator.nextUniform()) < 1 / (1 + Foundation.exp(-eta)) ? 1 : 0
                case .continuousBernoulli:
                    // F⁻¹(u) = log(1 + u(e^η − 1)) / η, from F(x) = (e^{ηx} − 1)/(e^η − 1).
                    let u = Double(generator.nextUniform())
                    p[i] = Swift.abs(eta) < 1e-6 ? Float(u) : Float(Foundation.log1p(u * Foundation.expm1(eta)) / eta)
                case .gaussian, .learnedGaussian:
                    p[i] += deviation[i % d] * Float(generator.nextNormal())
                }
            }
        }
        return result
    }
}
