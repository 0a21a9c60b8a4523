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
        var values = [Double](repeating: 0, count: n * n)
        // Row-major buffers, each sum in the order of the definition (Lᵢⱼ's terms k = 0 ..< j).
        try a.values.withUnsafeBufferPointer { a in
            try values.withUnsafeMutableBufferPointer { l in
                for j in 0..<n {
                    var diagonal = a[j * n + j]
                    for k in 0..<j { diagonal -= l[j * n + k] * l[j * n + k] }
                    guard diagonal > 0 else {
                        throw TensorError.notFactorizable("Cholesky: matrix is not positive definite (pivot \(j) is \(diagonal))")
                    }
                    let root = diagonal.squareRoot()
                    l[j * n + j] = root
                    for i in (j + 1)..<max(n, j + 1) {
                        var s = a[i * n + j]
                        for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                        l[i * n + j] = s / root
                    }
                }
            }
        }
        lower = Matrix(rows: n, columns: n, values: values)
    }

    /// log det A = 2 Σ log Lᵢᵢ.
    public var logDeterminant: Double { (0..<lower.rows).reduce(0) { $0 + 2 * Foundation.log(lower[$1, $1]) } }

    /// X with A·X = B for the m columns of B (`n × m`) at once: each column's substitutions are
    /// those of the one-column `solve` term for term, so the result equals solving the columns
    /// one by one bit for bit; running the columns side by side lets their chains of dependent
    /// subtractions overlap (a single column waits on each one).
    public func solve(_ b: Matrix) -> Matrix {
        let (n, m) = (lower.rows, b.columns)
        require(b.rows == n, "Cholesky solve: right-hand sides have \(b.rows) rows, matrix is \(n)×\(n)")
        var y = b.values
        lower.values.withUnsafeBufferPointer { l in
            y.withUnsafeMutableBufferPointer { y in
                for i in 0..<n {
                    for k in 0..<i {
                        let factor = l[i * n + k]
                        for c in 0..<m { y[i * m + c] -= factor * y[k * m + c] }
                    }
                    for c in 0..<m { y[i * m + c] /= l[i * n + i] }
                }
                for i in stride(from: n - 1, through: 0, by: -1) {
                    for k in (i + 1)..<max(n, i + 1) {
                        let factor = l[k * n + i]
                        for c in 0..<m { y[i * m + c] -= factor * y[k * m + c] }
                    }
                    for c in 0..<m { y[i * m + c] /= l[i * n + i] }
                }
            }
        }
        return Matrix(rows: n, columns: m, values: y)
    }

    /// x with A·x = b: forward substitution L·y = b, then back substitution Lᵀ·x = y.
    public func solve(_ b: [Double]) -> [Double] {
        let n = lower.rows
        require(b.count == n, "Cholesky solve: right-hand side has \(b.count) values, matrix is \(n)×\(n)")
        var y = b
        lower.values.withUnsafeBufferPointer { l in
            y.withUnsafeMutableBufferPointer { y in
                for i in 0..<n {
                    for k in 0..<i { y[i] -= l[i * n + k] * y[k] }
                    y[i] /= l[i * n + i]
                }
                for i in stride(from: n - 1, through: 0, by: -1) {
                    for k in (i + 1)..<max(n, i + 1) { y[i] -= l[k * n + i] * y[k] }
                    y[i] /= l[i * n + i]
                }
            }
        }
        return y
    }
}
