import Foundation

/// The largest eigenvalues of a large symmetric operator and their eigenvectors, from products
/// with it alone: a restarted Krylov method (Stewart 2001, "A Krylov–Schur algorithm for large
/// eigenproblems", SIAM J. Matrix Anal. Appl. 23(3)).
///
/// A basis of `basisSize` orthonormal vectors by Lanczos steps, each product fully
/// re-orthogonalised (classical Gram–Schmidt twice, Giraud et al. 2005) against the basis and
/// the `deflating` vectors (known eigenvectors, kept out of the search), the projected matrix's
/// eigenpairs by ``SymmetricEigendecomposition``, then a restart that keeps the better half of
/// the Ritz vectors; until every wanted Ritz pair's residual ‖Av − θv‖ is at most `tolerance`,
/// or `maximumRestarts` restarts (the best Ritz pairs are then returned, marked unconverged).
/// Every sum runs in one order: the result depends on `apply`'s results alone. Like ARPACK's
/// Lanczos, a single-vector method finds one vector of a multiple eigenvalue's space.
public struct KrylovSchur: Sendable {
    /// The `count` largest eigenvalues found, descending.
    public let eigenvalues: [Double]
    /// Their unit eigenvectors, each of the operator's dimension.
    public let eigenvectors: [[Double]]
    /// Whether every wanted pair reached the tolerance.
    public let converged: Bool
    /// Products with the operator taken.
    public let products: Int

    /// The `count` largest eigenpairs of the symmetric operator `apply` on vectors of
    /// `dimension`, orthogonal to the orthonormal `deflating` vectors, from the vector `start`.
    public init(count: Int, dimension n: Int, deflating: [[Double]] = [], start: [Double], tolerance: Double, basisSize: Int = 32,
                maximumRestarts: Int = 300, apply: ([Double]) -> [Double]) throws {
        let m = Swift.min(basisSize, n - deflating.count), keep = Swift.max(count + 1, m / 2)
        guard count >= 1, m > count, start.count == n else {
            throw TensorError.notFactorizable("Krylov–Schur: \(count) eigenpairs of a \(n)-dimensional operator (\(deflating.count) deflated) "
                                              + "need a basis of more than \(count) vectors")
        }
        var first = start
        Self.orthogonalise(&first, against: deflating)
        guard Self.length(first) > 0 else { throw TensorError.notFactorizable("Krylov–Schur: the start vector lies in the deflated space") }
        var basis = [Self.normalised(first)]
        var h = [Double](repeating: 0, count: m * m)
        var (products, restarts, converged) = (0, 0, false)
        var ritzValues: [Double] = [], ritzVectors: [[Double]] = []
        while true {
            // Extend the basis to m vectors; the last product leaves the residual f, of norm β.
            var residual: [Double] = [], beta = 0.0
            for j in (basis.count - 1)..<m {
                var w = apply(basis[j])
                products += 1
                let before = Self.length(w)
                Self.orthogonalise(&w, against: deflating)
                let coefficients = Self.orthogonalise(&w, against: basis)
                for (t, c) in coefficients.enumerated() where t <= j {
                    h[t * m + j] = c
                    h[j * m + t] = c
                }
                var length = Self.length(w)
                // What is left of a product inside the basis's span is rounding, not a direction:
                // the span is invariant (β = 0), and the basis goes on from a fresh vector.
                if length <= Self.breakdown * before { length = 0 }
                if j + 1 < m {
                    if length > 0 {
                        basis.append(w.map { $0 / length })
                    } else {
                        var fresh = Self.freshVector(n, index: j)
                        Self.orthogonalise(&fresh, against: deflating)
                        Self.orthogonalise(&fresh, against: basis)
                        let l = Self.length(fresh)
                        guard l > 0 else { break }
                        basis.append(fresh.map { $0 / l })
                    }
                } else {
                    (residual, beta) = (length > 0 ? w.map { $0 / length } : w, length)
                }
            }
            let size = basis.count
            var projected = Matrix(rows: size, columns: size, values: [Double](repeating: 0, count: size * size))
            for r in 0..<size { for c in 0..<size { projected.values[r * size + c] = h[r * m + c] } }
            let small = try SymmetricEigendecomposition(projected)
            // A Ritz pair's residual is β·|the last component of its small eigenvector|.
            let residuals = (0..<size).map { beta * abs(small.eigenvectors.values[$0 * size + size - 1]) }
            converged = beta == 0 || residuals.prefix(count).allSatisfy { $0 <= tolerance }
            let final = converged || restarts == maximumRestarts || beta == 0
            let kept = final ? count : Swift.min(keep, size - 1)
            ritzVectors = (0..<kept).map { r in
                var v = [Double](repeating: 0, count: n)
                for t in 0..<size {
                    let s = small.eigenvectors.values[r * size + t]
                    basis[t].withUnsafeBufferPointer { b in for i in 0..<n { v[i] += s * b[i] } }
                }
                return v
            }
            ritzValues = Array(small.eigenvalues.prefix(kept))
            if final { break }
            restarts += 1
            // The restart: the kept Ritz vectors, the operator diagonal on them, then the residual.
            basis = ritzVectors
            h = [Double](repeating: 0, count: m * m)
            for (r, theta) in ritzValues.enumerated() { h[r * m + r] = theta }
            basis.append(residual)
        }
        (eigenvalues, eigenvectors, self.converged, self.products) = (ritzValues, ritzVectors, converged, products)
    }

    /// A product whose part outside the basis is below this fraction of its length has none.
    static let breakdown = 1e-10

    /// A vector of pseudo-random entries in [−1, 1) (SplitMix64 of its index): the basis's
    /// continuation after an invariant span, the same on every run.
    static func freshVector(_ n: Int, index: Int) -> [Double] {
        var state = UInt64(index) &* 0x9E37_79B9_7F4A_7C15 &+ 0x2545_F491_4F6C_DD1D
        return (0..<n).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Double(z >> 11) * 0x1p-52 - 1
        }
    }

    /// Removes from `v` its components along the orthonormal `vectors`, twice over; returns the coefficients.
    @discardableResult
    static func orthogonalise(_ v: inout [Double], against vectors: [[Double]]) -> [Double] {
        var total = [Double](repeating: 0, count: vectors.count)
        guard !vectors.isEmpty else { return total }
        for _ in 0..<2 {
            let coefficients = vectors.map { dot($0, v) }
            v.withUnsafeMutableBufferPointer { out in
                for (u, c) in zip(vectors, coefficients) { u.withUnsafeBufferPointer { b in for i in 0..<out.count { out[i] -= c * b[i] } } }
            }
            for t in total.indices { total[t] += coefficients[t] }
        }
        return total
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in
            var sum = 0.0
            for i in 0..<x.count { sum += x[i] * y[i] }
            return sum
        } }
    }

    static func length(_ v: [Double]) -> Double { dot(v, v).squareRoot() }

    static func normalised(_ v: [Double]) -> [Double] {
        let l = length(v)
        return v.map { $0 / l }
    }
}
