import Foundation
import Tensors

extension MDS {
    /// ENCODE of new samples with the training codes fixed, each alone. Classical scaling:
    /// Gower's formula, y = −½ Λ⁻¹ Yᵀ (δ² − μ) (``ClassicalScaling``, with V Λ^(1/2) = Y the
    /// training codes), which for Euclidean distances is the projection onto the principal
    /// axes. Metric scaling: that formula with the metric codes as a start, then the Guttman update of the new code alone,
    /// z ← (1/n) Σⱼ (yⱼ + δⱼ (z − yⱼ)/‖z − yⱼ‖), which never raises Σⱼ (‖z − yⱼ‖ − δⱼ)², until it
    /// moves less than 10⁻⁹ of the codes' scale or ``Configuration/placementIterations`` pass.
    public func encodeUnchecked(_ samples: Tensor) -> Tensor {
        let (m, n, d) = (samples.rows, reference.rows, codeSize)
        let codes = embedding.scalars.map { Double($0) }, means = columnMeans.scalars.map { Double($0) }
        let scale = codes.reduce(0) { Swift.max($0, abs($1)) }
        var out = [Float](repeating: 0, count: m * d)
        let width = samples.columns
        let (x, r) = (samples.scalars, reference.scalars)
        // Distances summed directly, in one order: a sample's code does not depend on its batch.
        for i in 0..<m {
            let squared = (0..<n).map { j in
                var total = 0.0
                for c in 0..<width { let e = Double(x[i * width + c]) - Double(r[j * width + c]); total += e * e }
                return total
            }
            var z = (0..<d).map { c in
                var sum = 0.0
                for j in 0..<n { sum += codes[j * d + c] * (squared[j] - means[j]) }
                return -0.5 * sum / summary.eigenvalues[c]
            }
            if configuration.scaling == .metric {
                let delta = squared.map { $0.squareRoot() }
                for _ in 0..<Configuration.placementIterations {
                    var next = [Double](repeating: 0, count: d)
                    for j in 0..<n {
                        var s = 0.0
                        for c in 0..<d { let t = z[c] - codes[j * d + c]; s += t * t }
                        let ratio = s > 0 ? delta[j] / s.squareRoot() : 0
                        for c in 0..<d { next[c] += codes[j * d + c] + ratio * (z[c] - codes[j * d + c]) }
                    }
                    next = next.map { $0 / Double(n) }
                    let step = zip(next, z).reduce(0.0) { Swift.max($0, abs($1.0 - $1.1)) }
                    z = next
                    if step <= 1e-9 * scale { break }
                }
            }
            for c in 0..<d { out[i * d + c] = Float(z[c]) }
        }
        return (try? Tensor(shape: [m, d], scalars: out)) ?? Tensor(repeating: .nan, shape: [m, d])
    }
}
