import Foundation
import Tensors

/// A mixture of K Gaussians in d dimensions, p(z) = Σₖ πₖ N(z; μₖ, Σₖ): the density of a
/// model's codes that makes any decoder a generator (draw z ~ p, DECODE z). Fitted by EM
/// (`fit(_:configuration:using:)`; Bishop, *Pattern Recognition and Machine Learning*,
/// §9.2.2), its size chosen by the Bayesian information criterion (Schwarz 1978).
///
/// Everything is in Double; Σₖ is kept as its Cholesky factor Lₖ (Σₖ = LₖLₖᵀ), which gives
/// log det Σₖ = 2 Σᵢ log Lₖ,ᵢᵢ, the Mahalanobis distance ‖Lₖ⁻¹(z − μₖ)‖² by forward
/// substitution, and draws μₖ + Lₖε.
public struct GaussianMixture: Sendable, Equatable {
    /// The covariance matrices' form.
    public enum Covariance: String, Codable, Sendable, CaseIterable {
        /// Any symmetric positive-definite Σₖ: d(d + 1)/2 parameters per component.
        case full
        /// Σₖ diagonal (axes independent within a component): d parameters per component.
        case diagonal
    }

    public let covariance: Covariance
    /// πₖ, positive, summing to 1.
    public let weights: [Double]
    /// μₖ, K rows of d.
    public let means: [[Double]]
    /// Lₖ, lower triangular with a positive diagonal (zero below it for ``Covariance/diagonal``).
    public let factors: [Matrix]

    public var components: Int { weights.count }
    public var dimension: Int { means.first?.count ?? 0 }

    /// A mixture of the given weights, means and covariance matrices (each `d × d`).
    /// - Throws: when the sizes disagree, a weight is not positive or the weights do not sum to
    ///   1, or a covariance matrix is not positive definite.
    public init(covariance: Covariance, weights: [Double], means: [[Double]], covariances: [Matrix]) throws {
        let k = weights.count, d = means.first?.count ?? 0
        guard k >= 1, means.count == k, covariances.count == k, d >= 1, means.allSatisfy({ $0.count == d }),
              covariances.allSatisfy({ $0.rows == d && $0.columns == d }) else {
            throw AutoencoderError("a Gaussian mixture needs K ≥ 1 weights, K means of d ≥ 1 values and K d × d covariances; got \(k) weights, \(means.map(\.count)) means, \(covariances.map { [$0.rows, $0.columns] }) covariances")
        }
        guard weights.allSatisfy({ $0 > 0 && $0.isFinite }), Swift.abs(weights.reduce(0, +) - 1) < 1e-6 else {
            throw AutoencoderError("Gaussian mixture weights must be positive and sum to 1; got \(weights)")
        }
        let factors = try covariances.enumerated().map { index, matrix in
            var matrix = matrix
            if covariance == .diagonal {
                for i in 0..<d { for j in 0..<d where i != j { matrix[i, j] = 0 } }
            }
            do { return try CholeskyDecomposition(matrix).lower } catch {
                throw AutoencoderError("Gaussian mixture component \(index): the covariance is not positive definite (\(error))")
            }
        }
        self.init(covariance: covariance, weights: weights, means: means, factors: factors)
    }

    init(covariance: Covariance, weights: [Double], means: [[Double]], factors: [Matrix]) {
        (self.covariance, self.weights, self.means, self.factors) = (covariance, weights, means, factors)
    }

    /// Σₖ = LₖLₖᵀ.
    public var covariances: [Matrix] { factors.map { $0 * $0.transposed } }

    /// The free parameters: K − 1 weights, K·d means and K·d(d + 1)/2 (full) or K·d (diagonal)
    /// covariance entries; what BIC charges for.
    public var parameterCount: Int {
        let (k, d) = (components, dimension)
        return (k - 1) + k * d + k * (covariance == .full ? d * (d + 1) / 2 : d)
    }

    /// log πₖ + log N(zᵢ; μₖ, Σₖ) for each point and component, `n × K` row-major
    /// (`points: n × d`).
    public func componentLogDensities(_ points: Tensor) -> [Double] {
        precondition(points.rank == 2 && points.columns == dimension, "GaussianMixture: points must be n × \(dimension), got \(points.shape)")
        let (n, k, d) = (points.rows, components, dimension)
        let constants = (0..<k).map { c -> Double in
            let halfLogDeterminant: Double = (0..<d).reduce(0.0) { $0 + Foundation.log(factors[c][$1, $1]) }
            return Foundation.log(weights[c]) - 0.5 * Double(d) * Foundation.log(2 * Double.pi) - halfLogDeterminant
        }
        let diagonal = covariance == .diagonal
        var result = [Double](repeating: 0, count: n * k)
        let (means, lowers) = (self.means, self.factors.map(\.values))
        points.withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { out in
                let (ux, uo) = (UInt(bitPattern: x.baseAddress), UInt(bitPattern: out.baseAddress))
                forEachChunk(of: n, minimumChunk: Swift.max(1, (1 << 14) / Swift.max(k * d, 1))) { rows in
                    let (x, out) = (UnsafePointer<Float>(bitPattern: ux)!, UnsafeMutablePointer<Double>(bitPattern: uo)!)
                    var y = [Double](repeating: 0, count: d)
                    for i in rows {
                        for c in 0..<k {
                            let (mean, lower) = (means[c], lowers[c])
                            var distance = 0.0
                            // y = L⁻¹(x − μ) by forward substitution; ‖y‖² is the Mahalanobis distance.
                            for a in 0..<d {
                                var value = Double(x[i * d + a]) - mean[a]
                                if !diagonal { for b in 0..<a { value -= lower[a * d + b] * y[b] } }
                                value /= lower[a * d + a]
                                y[a] = value
                                distance += value * value
                            }
                            out[i * k + c] = constants[c] - 0.5 * distance
                        }
                    }
                }
            }
        }
        return result
    }

    /// log p(zᵢ) for each point (`points: n × d`).
    public func logDensity(_ points: Tensor) -> [Double] {
        let k = components
        let joint = componentLogDensities(points)
        return (0..<points.rows).map { i in logSumExp(joint[(i * k)..<((i + 1) * k)]) }
    }

    /// The Bayesian information criterion −2 log L + p log n on `points` (lower is better).
    public func bayesianInformationCriterion(_ points: Tensor) -> Double {
        -2 * logDensity(points).reduce(0, +) + Double(parameterCount) * Foundation.log(Double(points.rows))
    }

    /// `count` draws (`count × d`): a component k with probability πₖ, then μₖ + Lₖε.
    public func sample(count: Int, using generator: inout RandomGenerator) throws -> Tensor {
        guard count >= 1 else { throw AutoencoderError("the number of samples must be at least 1, got \(count)") }
        let d = dimension
        var cumulative: [Double] = []
        var total = 0.0
        for weight in weights { total += weight; cumulative.append(total) }
        var scalars: [Float] = []
        scalars.reserveCapacity(count * d)
        for _ in 0..<count {
            let u = generator.nextUniformDouble() * total
            let c = cumulative.firstIndex(where: { u < $0 }) ?? components - 1
            let epsilon = (0..<d).map { _ in generator.nextNormal() }
            for a in 0..<d {
                var value = means[c][a]
                for b in 0...a { value += factors[c][a, b] * epsilon[b] }
                scalars.append(Float(value))
            }
        }
        return try Tensor(shape: [count, d], scalars: scalars)
    }
}

/// log Σ eᵛ of `values` without overflow.
func logSumExp(_ values: ArraySlice<Double>) -> Double {
    guard let high = values.max(), high > -.infinity else { return -.infinity }
    return high + Foundation.log(values.reduce(0.0) { $0 + Foundation.exp($1 - high) })
}
