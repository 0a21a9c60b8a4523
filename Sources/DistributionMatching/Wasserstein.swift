import Foundation
import Tensors

/// Wasserstein distances with closed forms: between samples on a line, averaged over random lines
/// (sliced), and between Gaussians. Ground cost |a − b|^p; W_p = (min over couplings of
/// E|a − b|^p)^(1/p) (Peyré & Cuturi, *Computational Optimal Transport*, 2019, §2.6 and §9.1).
public enum Wasserstein {
    /// W_p between the uniform distributions on `x` and `y` (any sizes): on a line the optimal
    /// coupling matches quantiles, W_p^p = ∫₀¹ |F⁻¹(t) − G⁻¹(t)|^p dt (Peyré & Cuturi, remark
    /// 2.30), summed exactly over the intervals between the breakpoints i/n and j/m.
    public static func oneDimensional(_ x: [Double], _ y: [Double], p: Double = 2) throws -> Double {
        try Foundation.pow(oneDimensionalPower(x.sorted(), y.sorted(), p: p), 1 / p)
    }

    /// W_p^p of sorted samples.
    static func oneDimensionalPower(_ x: [Double], _ y: [Double], p: Double) throws -> Double {
        guard !x.isEmpty, !y.isEmpty else { throw MatchingError("a Wasserstein distance needs at least one sample on each side") }
        guard p >= 1, p.isFinite else { throw MatchingError("the Wasserstein order p must be at least 1, got \(p)") }
        let (n, m) = (x.count, y.count)
        var (i, j) = (0, 0)
        var (t, total) = (0, 0.0)  // t in units of 1/(n·m), so breakpoints compare exactly
        // Walk the merged breakpoints (i + 1)/n and (j + 1)/m; between two of them both quantile
        // functions are constant.
        while i < n && j < m {
            let next = Swift.min((i + 1) * m, (j + 1) * n)
            total += Double(next - t) * Foundation.pow(Swift.abs(x[i] - y[j]), p)
            t = next
            if (i + 1) * m == next { i += 1 }
            if (j + 1) * n == next { j += 1 }
        }
        return total / Double(n * m)
    }

    /// Directions of the sliced distance when none are given: POT's default.
    public static let defaultProjections = 50

    /// The sliced Wasserstein distance (Rabin et al. 2011; Bonneel et al. 2015):
    /// SW_p = (mean over `projections` random directions θ of W_p^p(θ·x, θ·y))^(1/p), the
    /// directions drawn uniformly on the sphere from `generator`, as POT's
    /// `sliced_wasserstein_distance` computes it. `x: n × d`, `y: m × d`.
    public static func sliced(_ x: Tensor, _ y: Tensor, projections: Int = defaultProjections, p: Double = 2,
                              using generator: inout RandomGenerator) throws -> Double {
        guard x.rank == 2, y.rank == 2, x.columns == y.columns, x.rows >= 1, y.rows >= 1 else {
            throw MatchingError("a sliced Wasserstein distance compares sets of one width: got shapes \(x.shape) and \(y.shape)")
        }
        guard projections >= 1 else { throw MatchingError("a sliced Wasserstein distance needs at least 1 projection, got \(projections)") }
        // The projections of both sets are held at once, in Float32: refuse what cannot fit.
        let (values, overflow) = (x.rows + y.rows + x.columns).multipliedReportingOverflow(by: projections)
        let bytes = overflow || values > Int.max / MemoryLayout<Float>.size ? Int.max : values * MemoryLayout<Float>.size
        guard !MemoryBudget.exceeds(bytes) else {
            throw MatchingError(MemoryBudget.refusal(bytes, for: "\(projections) projections of \(x.rows) + \(y.rows) points") + "; use fewer projections or subsample")
        }
        try x.checkFinite("the first set")
        try y.checkFinite("the second set")
        let directions = unitDirections(projections, dimension: x.columns, using: &generator)  // P × d
        let (px, py) = (matmul(x, directions, transposeB: true), matmul(y, directions, transposeB: true))
        var total = 0.0
        for k in 0..<projections {
            let a = (0..<x.rows).map { Double(px[$0, k]) }.sorted(), b = (0..<y.rows).map { Double(py[$0, k]) }.sorted()
            total += try oneDimensionalPower(a, b, p: p)
        }
        return Foundation.pow(total / Double(projections), 1 / p)
    }

    /// `count` directions uniform on the unit sphere in `dimension` dimensions (normalised
    /// Gaussian draws), `count × dimension`.
    public static func unitDirections(_ count: Int, dimension: Int, using generator: inout RandomGenerator) -> Tensor {
        var directions = Tensor.randomNormal([count, dimension], using: &generator)
        directions.withUnsafeMutableBufferPointer { p in
            for k in 0..<count {
                let norm = (0..<dimension).reduce(0.0) { $0 + Double(p[k * dimension + $1]) * Double(p[k * dimension + $1]) }.squareRoot()
                for j in 0..<dimension { p[k * dimension + j] = Float(Double(p[k * dimension + j]) / Swift.max(norm, .leastNormalMagnitude)) }
            }
        }
        return directions
    }

    /// W₂ between N(μ₁, Σ₁) and N(μ₂, Σ₂) in closed form (Dowson & Landau 1982; Peyré & Cuturi,
    /// remark 2.31): W₂² = ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2(Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}), the trace
    /// term the squared Bures distance between the covariances.
    public static func gaussian(mean1: [Double], covariance1: Matrix, mean2: [Double], covariance2: Matrix) throws -> Double {
        let d = mean1.count
        guard d >= 1, mean2.count == d, [covariance1, covariance2].allSatisfy({ $0.rows == d && $0.columns == d }) else {
            throw MatchingError("W₂ between Gaussians needs two means of d values and two d × d covariances; got \(mean1.count), \(mean2.count), \([covariance1.rows, covariance1.columns]), \([covariance2.rows, covariance2.columns])")
        }
        let root1 = try squareRoot(covariance1)
        let cross = try squareRoot(root1 * covariance2 * root1)
        let trace = (0..<d).reduce(0.0) { $0 + covariance1[$1, $1] + covariance2[$1, $1] - 2 * cross[$1, $1] }
        let meanTerm = zip(mean1, mean2).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        return Swift.max(meanTerm + trace, 0).squareRoot()
    }

    /// The symmetric positive semi-definite square root V·diag(√λ)·Vᵀ (negative rounding
    /// residue in λ clipped to 0).
    static func squareRoot(_ a: Matrix) throws -> Matrix {
        let eigen = try SymmetricEigendecomposition(a)
        guard let smallest = eigen.eigenvalues.min(), smallest > -1e-8 * Swift.max(1, eigen.eigenvalues.map(Swift.abs).max() ?? 1) else {
            throw MatchingError("a covariance must be positive semi-definite; it has the eigenvalue \(eigen.eigenvalues.min() ?? .nan)")
        }
        let d = a.rows
        var result = Matrix(rows: d, columns: d, values: [Double](repeating: 0, count: d * d))
        for (k, lambda) in eigen.eigenvalues.enumerated() {
            let root = Swift.max(lambda, 0).squareRoot()
            // Row k of `eigenvectors` is the eigenvector of λₖ.
            for i in 0..<d { for j in 0..<d { result[i, j] += root * eigen.eigenvectors[k, i] * eigen.eigenvectors[k, j] } }
        }
        return result
    }
}
