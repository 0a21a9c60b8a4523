import Foundation
import NeuralNetworks
import Tensors

extension VariationalAutoencoder: LikelihoodModel {
    /// Samples evaluated together: bounds the memory of a block's K decoder passes to about
    /// `likelihoodBlock × D` values each.
    static let likelihoodBlock = 1000

    /// −ELBO(x) = −E_q[log p(x | z)] + KL[q(z | x) ‖ N(0, I)] per sample, in nats: the
    /// reconstruction term from one reparametrised draw, the KL term in closed form (Kingma &
    /// Welling 2014, eq. 10 and appendix B), β = 1 whatever the training's β, since only then is
    /// it a bound on −log p(x) (for a conditional VAE, on −log p(x | y)). `samples: n × D`.
    public func negativeEvidenceLowerBound(_ samples: Tensor, using generator: inout RandomGenerator) throws -> [Double] {
        let (mean, logVariance) = try posterior(samples)
        let z = mean + (logVariance * 0.5).exp() * Tensor.randomNormal(mean.shape, using: &generator)
        let reconstruction = configuration.likelihood.negativeLogLikelihoodPerSample(decoder(withLabelColumns(z, of: samples)), dataColumns(samples),
                                                                                    logVariance: outputLogVariance)
        let kl = rowSums((logVariance.exp() + mean.squared() - logVariance - 1) * 0.5)
        return zip(reconstruction, kl).map { $0 + $1 }
    }

    /// The importance-weighted bound (Burda et al. 2016, eq. 8) per sample, in nats:
    ///
    ///     −log p(x) ≤ −log (1/K) Σₖ p(x | zₖ) p(zₖ) / q(zₖ | x),  zₖ ~ q(z | x),
    ///
    /// which tightens as K grows (theorem 1) and tends to −log p(x); K = 1 is a one-draw
    /// estimate of −ELBO. The log-weights are summed in Double by a running log-sum-exp, one
    /// draw of a block of samples at a time. `samples: n × D`.
    public func negativeLogLikelihood(_ samples: Tensor, importanceSamples: Int, using generator: inout RandomGenerator) throws -> [Double] {
        guard importanceSamples >= 1 else {
            throw AutoencoderError("vae: the number of importance samples must be at least 1, got \(importanceSamples)")
        }
        let n = samples.rows
        var result: [Double] = []
        result.reserveCapacity(n)
        for start in stride(from: 0, to: n, by: Self.likelihoodBlock) {
            let block = samples.rows(start..<min(start + Self.likelihoodBlock, n))
            let (mean, logVariance) = try posterior(block)
            let deviation = (logVariance * 0.5).exp()
            // log N(z; 0, I) − log N(z; μ, σ²) = −½‖z‖² + ½‖ε‖² + ½ Σⱼ log σⱼ² (the 2π terms cancel).
            let halfLogDeterminant = rowSums(logVariance * 0.5)
            var logSum = [Double](repeating: -.infinity, count: block.rows)
            for _ in 0..<importanceSamples {
                let epsilon = Tensor.randomNormal(mean.shape, using: &generator)
                let z = mean + deviation * epsilon
                let reconstruction = configuration.likelihood.negativeLogLikelihoodPerSample(decoder(withLabelColumns(z, of: block)), dataColumns(block),
                                                                                            logVariance: outputLogVariance)
                let (zNorms, epsilonNorms) = (rowSums(z.squared()), rowSums(epsilon.squared()))
                for i in 0..<block.rows {
                    let logWeight = -reconstruction[i] - 0.5 * zNorms[i] + 0.5 * epsilonNorms[i] + halfLogDeterminant[i]
                    logSum[i] = logAddExp(logSum[i], logWeight)
                }
            }
            result += logSum.map { Foundation.log(Double(importanceSamples)) - $0 }
        }
        return result
    }
}

extension VariationalAutoencoder {
    /// x without a conditional VAE's label columns.
    func dataColumns(_ samples: Tensor) -> Tensor {
        configuration.conditionClasses == 0 ? samples : samples.columns(0..<(samples.columns - configuration.conditionClasses))
    }
}

/// log(eᵃ + eᵇ) without overflow.
func logAddExp(_ a: Double, _ b: Double) -> Double {
    let high = Swift.max(a, b)
    guard high > -.infinity else { return -.infinity }
    return high + Foundation.log1p(Foundation.exp(Swift.min(a, b) - high))
}

/// The sum of each row of a matrix, in Double.
func rowSums(_ matrix: Tensor) -> [Double] {
    let d = matrix.columns
    return matrix.withUnsafeBufferPointer { p in
        (0..<matrix.rows).map { i in (0..<d).reduce(0.0) { $0 + Double(p[i * d + $1]) } }
    }
}
