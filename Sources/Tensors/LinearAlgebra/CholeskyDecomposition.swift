import Foundation

/// The Cholesky factorisation A = L·Lᵀ of a symmetric positive-definite matrix, in Double.
///
/// Serves Gaussian densities: log det A = 2 Σ log Lᵢᵢ, and A⁻¹b by two triangular solves.
public struct CholeskyDecomposition: Sendable {
    /// `n × n`, lower triangular with a positive diagonal.
    public let lower: Matrix

    /// - Throws: ``TensorError/notFactorizable(_:)`` naming the pivot when A is not positive
    ///   definite, or when it is not square or holds NaN or infinity.
    public init(_ a: Matrix) throws {
        guard a.rows == a.columns else { throw TensorError.notFactorizable("Cholesky needs a square matrix, got \(a.rows)×\(a.columns)") }
        try a.checkFinite("Cholesky decomposition")
        let n = a.rows
        var l = Matrix(rows: n, columns: n, values: [Double](repeating: 0, count: n * n))
        for j in 0..<n {
            var diagonal = a[j, j]
            for k in 0..<j { diagonal -= l[j, k] * l[j, k] }
            guard diagonal > 0 else {
                throw TensorError.notFactorizable("Cholesky: matrix is not positive definite (pivot \(j) is \(diagonal))")
            }
            let root = diagonal.squareRoot()
            l[j, j] = root
            for i in (j + 1)..<max(n, j + 1) {
                var s = a[i, j]
                for k in 0..<j { s -= l[i, k] * l[j, k] }
                l[i, j] = s / root
            }
        }
        lower = l
    }

    /// log det A = 2 Σ log Lᵢᵢ.
    public var logDeterminant: Double { (0..<lower.rows).reduce(0) { $0 + 2 * Foundation.log(lower[$1, $1]) } }

    /// x with A·x = b: forward substitution L·y = b, then back substitution Lᵀ·x = y.
    public func solve(_ b: [Double]) -> [Double] {
        let n = lower.rows
        require(b.count == n, "Cholesky solve: right-hand side has \(b.count) values, matrix is \(n)×\(n)")
        var y = b
        for i in 0..<n {
            for k in 0..<i { y[i] -= lower[i, k] * y[k] }
            y[i] /= lower[i, i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for k in (i + 1)..<max(n, i + 1) { y[i] -= lower[k, i] * y[k] }
            y[i] /= lower[i, i]
        }
        return y
    }
}
