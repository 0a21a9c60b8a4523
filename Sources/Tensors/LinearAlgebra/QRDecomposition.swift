import CLatentKernels

/// The thin QR decomposition A = Q·R of an m×n matrix with m ≥ n: Q is m×n with orthonormal
/// columns, R is n×n upper triangular with a non-negative diagonal.
///
/// Householder reflections (Golub & Van Loan, Alg. 5.2.1), in Double, on the columns of A
/// stored as contiguous rows. Serves randomized SVD (Halko, Martinsson & Tropp 2011, Alg. 4.4).
public struct QRDecomposition: Sendable {
    /// `m × n`, orthonormal columns.
    public let q: Matrix
    /// `n × n`, upper triangular.
    public let r: Matrix

    /// - Throws: ``TensorError/notFactorizable(_:)`` when m < n or A holds NaN or infinity.
    public init(_ a: Matrix) throws {
        let (m, n) = (a.rows, a.columns)
        let level = ComputeSettings.current.cpuLevel.kernelLevel
        guard m >= n else { throw TensorError.notFactorizable("thin QR needs at least as many rows as columns, got \(m)×\(n)") }
        try a.checkFinite("QR decomposition")
        var w = a.transposed  // row j = column j of A
        var r = Matrix(rows: n, columns: n, values: [Double](repeating: 0, count: n * n))
        var betas = [Double](repeating: 0, count: n)
        w.values.withUnsafeMutableBufferPointer { wb in
            let w = wb.baseAddress!
            for j in 0..<n {
                let v = w + j * m + j
                let (beta, alpha) = householder(v, m - j)
                betas[j] = beta
                r[j, j] = beta == 0 ? v[0] : alpha
                for l in (j + 1)..<max(n, j + 1) {
                    let column = w + l * m + j
                    if beta != 0 { reflect(column, v, beta, m - j, level) }
                    r[j, l] = column[0]
                }
            }
        }
        // Columns of Q = H₀⋯H_{n−1}·eᵢ, built as rows of Qᵀ.
        var qt = Matrix(rows: n, columns: m, values: [Double](repeating: 0, count: n * m))
        for i in 0..<n { qt[i, i] = 1 }
        w.values.withUnsafeBufferPointer { wb in
            qt.values.withUnsafeMutableBufferPointer { qb in
                for j in stride(from: n - 1, through: 0, by: -1) where betas[j] != 0 {
                    let v = wb.baseAddress! + j * m + j
                    for i in 0..<n { reflect(qb.baseAddress! + i * m + j, v, betas[j], m - j, level) }
                }
            }
        }
        // A non-negative diagonal makes the factors unique.
        for j in 0..<n where r[j, j] < 0 {
            for l in j..<n { r[j, l] = -r[j, l] }
            for i in 0..<m { qt[j, i] = -qt[j, i] }
        }
        q = qt.transposed
        self.r = r
    }
}
