import Foundation
import Tensors

/// The maximum mean discrepancy between two distributions P and Q given samples x ~ P and y ~ Q
/// (Gretton et al., "A kernel two-sample test", JMLR 2012): the distance between their mean
/// embeddings in a kernel's feature space,
///
///     MMD²(P, Q) = E k(x, x′) + E k(y, y′) − 2 E k(x, y),
///
/// zero exactly when P = Q for a characteristic kernel (Gaussian, inverse multiquadric).
public enum MaximumMeanDiscrepancy {
    /// A kernel of the squared distance ‖a − b‖².
    public enum Kernel: Sendable, Equatable, Codable {
        /// exp(−‖a − b‖²/(2σ²)).
        case gaussian(bandwidth: Double)
        /// Σₛ exp(−‖a − b‖²/(2σₛ²)): several length scales at once.
        case multiScaleGaussian(bandwidths: [Double])
        /// Σ_C C/(C + ‖a − b‖²): heavy tails, so far-apart sets still get gradients (the WAE
        /// paper's choice, Tolstikhin et al. 2018, §4).
        case inverseMultiquadric(scales: [Double])

        /// The WAE paper's inverse multiquadric for codes of dimension d and a prior N(0, σ²I):
        /// C = 2·d·σ² × {0.1, 0.2, 0.5, 1, 2, 5, 10}.
        public static func waeInverseMultiquadric(dimension: Int, priorVariance: Double = 1) -> Kernel {
            .inverseMultiquadric(scales: [0.1, 0.2, 0.5, 1, 2, 5, 10].map { 2 * Double(dimension) * priorVariance * $0 })
        }

        /// k at squared distance `r`.
        public func value(squaredDistance r: Double) -> Double {
            switch self {
            case .gaussian(let sigma): Foundation.exp(-r / (2 * sigma * sigma))
            case .multiScaleGaussian(let sigmas): sigmas.reduce(0) { $0 + Foundation.exp(-r / (2 * $1 * $1)) }
            case .inverseMultiquadric(let scales): scales.reduce(0) { $0 + $1 / ($1 + r) }
            }
        }

        /// Throws unless every bandwidth or scale is positive and finite.
        public func validate() throws {
            let values: [Double] = switch self {
            case .gaussian(let sigma): [sigma]
            case .multiScaleGaussian(let sigmas): sigmas
            case .inverseMultiquadric(let scales): scales
            }
            guard !values.isEmpty, values.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw MatchingError("kernel bandwidths and scales must be positive and finite, got \(values)")
            }
        }
    }

    /// Which estimate of MMD² from finite samples.
    public enum Estimator: String, Sendable, Codable, CaseIterable {
        /// The U-statistic (Gretton et al. 2012, eq. 3): within-set sums without the diagonal,
        /// ÷ n(n − 1) and ÷ m(m − 1); unbiased, so it can come out slightly negative when P = Q.
        case unbiased
        /// The V-statistic (eq. 5): every pair, ÷ n² and ÷ m²; never negative, biased upward.
        case biased
    }

    /// MMD² of the rows of `x` (`n × d`) and `y` (`m × d`), accumulated in Double.
    public static func squared(_ x: Tensor, _ y: Tensor, kernel: Kernel, estimator: Estimator = .unbiased) throws -> Double {
        try check(x, y, estimator: estimator)
        try kernel.validate()
        let (n, m) = (Double(x.rows), Double(y.rows))
        let unbiased = estimator == .unbiased
        let (xx, yy) = (withinSetSum(x, kernel, includingDiagonal: !unbiased), withinSetSum(y, kernel, includingDiagonal: !unbiased))
        let xy = kernelSum(x, y, kernel, upperTriangle: false)
        return unbiased ? xx / (n * (n - 1)) + yy / (m * (m - 1)) - 2 * xy / (n * m) : xx / (n * n) + yy / (m * m) - 2 * xy / (n * m)
    }

    /// Σ_{i≠j} k(xᵢ, xⱼ) = 2 Σ_{i<j}, plus n·k(0) for the diagonal when asked.
    static func withinSetSum(_ x: Tensor, _ kernel: Kernel, includingDiagonal: Bool) -> Double {
        2 * kernelSum(x, x, kernel, upperTriangle: true) + (includingDiagonal ? Double(x.rows) * kernel.value(squaredDistance: 0) : 0)
    }

    /// Σᵢⱼ k(aᵢ, bⱼ), or with `upperTriangle` (a and b the same set) Σ_{i<j}, which needs half
    /// the products. Distances come from GEMM by
    /// blocks of rows; the kernel values of a block are summed across threads in fixed groups of
    /// rows, added in order, so the sum does not depend on the thread count.
    static func kernelSum(_ a: Tensor, _ b: Tensor, _ kernel: Kernel, upperTriangle: Bool) -> Double {
        let (aNorms, bNorms) = (rowSquaredNorms(a), rowSquaredNorms(b))
        let m = b.rows
        let block = Swift.max(rowsPerGroup, (1 << 22) / Swift.max(m, 1) / rowsPerGroup * rowsPerGroup)
        var total = 0.0
        for start in stride(from: 0, to: a.rows, by: block) {
            let rows = start..<Swift.min(start + block, a.rows)
            // Same set: only columns from this block's first row on can lie above the diagonal.
            let first = upperTriangle ? start : 0
            let width = m - first
            let products = matmul(a.rows(rows), upperTriangle ? b.rows(first..<m) : b, transposeB: true)
            let groups = (rows.count + rowsPerGroup - 1) / rowsPerGroup
            var partial = [Double](repeating: 0, count: groups)
            products.withUnsafeBufferPointer { p in
                partial.withUnsafeMutableBufferPointer { out in
                    let (up, uo) = (UInt(bitPattern: p.baseAddress), UInt(bitPattern: out.baseAddress))
                    forEachChunk(of: groups, minimumChunk: 1) { range in
                        let (p, out) = (UnsafePointer<Float>(bitPattern: up)!, UnsafeMutablePointer<Double>(bitPattern: uo)!)
                        for group in range {
                            var sum = 0.0
                            for offset in (group * rowsPerGroup)..<Swift.min((group + 1) * rowsPerGroup, rows.count) {
                                let i = rows.lowerBound + offset
                                for column in (upperTriangle ? i + 1 - first : 0)..<width {
                                    let j = first + column
                                    let r = Swift.max(aNorms[i] + bNorms[j] - 2 * Double(p[offset * width + column]), 0)
                                    sum += kernel.value(squaredDistance: r)
                                }
                            }
                            out[group] = sum
                        }
                    }
                }
            }
            for value in partial { total += value }
        }
        return total
    }

    /// Rows whose kernel values one task sums.
    static let rowsPerGroup = 16

    /// The pooled sets this many rows at most are tested (the pooled kernel matrix is kept, in Double).
    public static let permutationTestLimit = 10_000

    /// A permutation test of P = Q (Gretton et al. 2012, §6): the statistic MMD²(x, y) against
    /// its values when the pooled rows are split at random into sets of the same sizes,
    /// `permutations` times; p = (1 + #{permuted ≥ observed}) / (1 + permutations), which is
    /// never 0 and is uniform under the null.
    public static func permutationTest(_ x: Tensor, _ y: Tensor, kernel: Kernel, estimator: Estimator = .unbiased, permutations: Int,
                                       using generator: inout RandomGenerator) throws -> (statistic: Double, pValue: Double) {
        try check(x, y, estimator: estimator)
        try kernel.validate()
        guard permutations >= 1 else { throw MatchingError("a permutation test needs at least 1 permutation, got \(permutations)") }
        let (n, m) = (x.rows, y.rows)
        let total = n + m
        guard total <= permutationTestLimit else {
            throw MatchingError("a permutation test keeps the pooled kernel matrix: \(total) rows need \(total * total * 8 / 1_000_000) MB; at most \(permutationTestLimit) rows (subsample first)")
        }
        let bytes = total * total * MemoryLayout<Double>.size
        guard !MemoryBudget.exceeds(bytes) else {
            throw MatchingError(MemoryBudget.refusal(bytes, for: "a permutation test's pooled \(total) × \(total) kernel matrix") + " (subsample first)")
        }
        var gram = [Double](repeating: 0, count: total * total)
        let pooled = Tensor.concatenate([x, y])
        forEachSquaredDistance(pooled, pooled) { i, row in
            for j in 0..<total { gram[i * total + j] = kernel.value(squaredDistance: row[j]) }
        }
        func statistic(_ order: [Int]) -> Double {
            var (xx, yy, xy) = (0.0, 0.0, 0.0)
            var inX = [Bool](repeating: false, count: total)
            for index in order.prefix(n) { inX[index] = true }
            for i in 0..<total {
                for j in 0..<total where i != j || estimator == .biased {
                    let k = gram[i * total + j]
                    switch (inX[i], inX[j]) {
                    case (true, true): xx += k
                    case (false, false): yy += k
                    default: xy += k
                    }
                }
            }
            let (dn, dm) = (Double(n), Double(m))
            // xy counted both ways round.
            return estimator == .unbiased ? xx / (dn * (dn - 1)) + yy / (dm * (dm - 1)) - xy / (dn * dm)
                                          : xx / (dn * dn) + yy / (dm * dm) - xy / (dn * dm)
        }
        let observed = statistic(Array(0..<total))
        var atLeast = 0
        for _ in 0..<permutations where statistic(generator.permutation(total)) >= observed { atLeast += 1 }
        return (observed, Double(1 + atLeast) / Double(1 + permutations))
    }

    private static func check(_ x: Tensor, _ y: Tensor, estimator: Estimator) throws {
        guard x.rank == 2, y.rank == 2, x.columns == y.columns, x.columns >= 1 else {
            throw MatchingError("MMD² compares sets of one width: got shapes \(x.shape) and \(y.shape)")
        }
        let least = estimator == .unbiased ? 2 : 1
        guard x.rows >= least, y.rows >= least else {
            throw MatchingError("the \(estimator.rawValue) MMD² needs at least \(least) samples in each set, got \(x.rows) and \(y.rows)")
        }
        try x.checkFinite("the first set")
        try y.checkFinite("the second set")
    }
}

/// Errors of distribution matching: each says what does not fit.
public struct MatchingError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
