import CLatentKernels
import Foundation

/// The eigendecomposition A = V·diag(λ)·Vᵀ of a real symmetric matrix, eigenvalues in
/// descending order.
///
/// Householder tridiagonalisation (Golub & Van Loan, Matrix Computations, 4th ed., Alg. 8.3.1)
/// followed by the implicit QL algorithm with Wilkinson-style shifts (Bowdler, Martin, Reinsch
/// & Wilkinson 1968, "tql2"), all in Double. The eigenvectors are kept as rows so that every
/// plane rotation updates two contiguous rows.
public struct SymmetricEigendecomposition: Sendable {
    /// λ₁ ≥ λ₂ ≥ … ≥ λₙ.
    public let eigenvalues: [Double]
    /// `n × n`; row i is the unit eigenvector of λᵢ.
    public let eigenvectors: Matrix

    /// Decomposes the symmetric matrix `a` (only its symmetry is assumed, not checked beyond
    /// shape; the lower triangle is mirrored from the upper).
    /// - Throws: ``TensorError/notFactorizable(_:)`` when `a` is not square, holds NaN or
    ///   infinity, or QL fails to converge.
    public init(_ a: Matrix) throws {
        var work = try Self.symmetrized(a)
        let n = a.rows
        var d = [Double](repeating: 0, count: n), e = [Double](repeating: 0, count: n)
        var z = Matrix.identity(n)
        if n > 0 {
            Self.tridiagonalize(&work, &d, &e, &z)
            try Self.ql(&d, &e, &z)
        }
        let order = (0..<n).sorted { d[$0] > d[$1] }
        var sorted = Matrix(rows: n, columns: n, values: [Double](repeating: 0, count: n * n))
        for (row, source) in order.enumerated() {
            sorted.values.replaceSubrange((row * n)..<((row + 1) * n), with: z.values[(source * n)..<((source + 1) * n)])
        }
        eigenvalues = order.map { d[$0] }
        eigenvectors = sorted
    }

    /// All eigenvalues, and eigenvectors for the `vectors` largest only: what PCA needs.
    ///
    /// After the same tridiagonalisation, the eigenvalues come from QL without rotations
    /// (O(n²)), each wanted eigenvector of the tridiagonal T from inverse iteration on T − λI
    /// (LU with partial pivoting, Gram–Schmidt against vectors of nearby eigenvalues), and the
    /// back-transformation applies the Householder reflections to those vectors alone: the
    /// strategy of LAPACK's dsyevx (Golub & Van Loan, §8.4.2 and §8.2.2). For k ≪ n this skips
    /// the O(n³) accumulation of Q and of the rotations.
    public init(_ a: Matrix, vectors k: Int) throws {
        try self.init(a, vectorsFor: { _ in k })
    }

    /// All eigenvalues, and eigenvectors for as many of the largest as `count` says once it has
    /// seen the eigenvalues (λ₁ ≥ … ≥ λₙ): PCA choosing k by explained variance.
    public init(_ a: Matrix, vectorsFor count: ([Double]) -> Int) throws {
        var work = try Self.symmetrized(a)
        let n = a.rows
        var d = [Double](repeating: 0, count: n), e = [Double](repeating: 0, count: n)
        var unused = Matrix(rows: 0, columns: 0, values: [])
        var betas: [Double] = []
        if n > 0 { betas = Self.tridiagonalize(&work, &d, &e, &unused, accumulate: false) }
        let (diagonal, offDiagonal) = (d, e)
        if n > 0 { try Self.ql(&d, &e, &unused, vectors: false) }
        let values = d.sorted(by: >)
        let k = count(values)
        guard k >= 0, k <= n else {
            throw TensorError.notFactorizable("symmetric eigendecomposition: \(k) eigenvectors requested of a \(n)×\(n) matrix")
        }
        var vectors = Matrix(rows: k, columns: n, values: [Double](repeating: 0, count: k * n))
        let norm = zip(diagonal, offDiagonal).reduce(0.0) { max($0, abs($1.0) + 2 * abs($1.1)) }
        var found: [[Double]] = []
        for index in 0..<k {
            var y = Self.inverseIteration(diagonal, offDiagonal, eigenvalue: values[index], index: index, norm: norm,
                                          orthogonalTo: zip(values, found).filter { abs($0.0 - values[index]) <= 1e-3 * max(norm, .leastNormalMagnitude) }.map(\.1))
            found.append(y)
            // v = H₀H₁⋯H_{n−3}·y: the last reflection first.
            work.values.withUnsafeBufferPointer { w in
                y.withUnsafeMutableBufferPointer { v in
                    let level = ComputeSettings.current.cpuLevel.kernelLevel
                    for j in stride(from: n - 3, through: 0, by: -1) where betas[j] != 0 {
                        reflect(v.baseAddress! + j + 1, w.baseAddress! + j * n + j + 1, betas[j], n - j - 1, level)
                    }
                }
            }
            vectors.values.replaceSubrange((index * n)..<((index + 1) * n), with: y)
        }
        eigenvalues = values
        eigenvectors = vectors
    }

    /// A unit eigenvector of the tridiagonal (diagonal, offDiagonal) for `eigenvalue`: three
    /// solves of (T − λI)x = b from a start that differs per index, each followed by
    /// orthogonalisation against `others` (vectors of eigenvalues in the same cluster).
    private static func inverseIteration(_ diagonal: [Double], _ offDiagonal: [Double], eigenvalue: Double, index: Int,
                                         norm: Double, orthogonalTo others: [[Double]]) -> [Double] {
        let n = diagonal.count
        guard n > 1 else { return [1] }
        // T = 0 (data with no variance): every vector is an eigenvector; the unit vectors are
        // orthonormal. Otherwise T/‖T‖ has the same eigenvectors and keeps the solves below
        // within Double's range however small ‖T‖ is (a floor of ε‖T‖ near 10⁻³⁰⁰ overflowed).
        guard norm > 0 else { return (0..<n).map { $0 == index % n ? 1 : 0 } }
        let (diagonal, offDiagonal, eigenvalue) = (diagonal.map { $0 / norm }, offDiagonal.map { $0 / norm }, eigenvalue / norm)
        // LU with partial pivoting of T − λI; U has two superdiagonals.
        var u0 = [Double](repeating: 0, count: n), u1 = u0, u2 = u0, multipliers = u0
        var swapped = [Bool](repeating: false, count: n)
        u0[0] = diagonal[0] - eigenvalue
        u1[0] = offDiagonal[0]
        for i in 0..<(n - 1) {
            let (sub, diag, sup) = (offDiagonal[i], diagonal[i + 1] - eigenvalue, i + 1 < n - 1 ? offDiagonal[i + 1] : 0)
            if abs(u0[i]) >= abs(sub) {
                let m = u0[i] == 0 ? 0 : sub / u0[i]
                multipliers[i] = m
                u0[i + 1] = diag - m * u1[i]
                u1[i + 1] = sup - m * u2[i]
            } else {
                let m = u0[i] / sub
                multipliers[i] = m
                swapped[i] = true
                let (old1, old2) = (u1[i], u2[i])
                (u0[i], u1[i], u2[i]) = (sub, diag, sup)
                u0[i + 1] = old1 - m * diag
                u1[i + 1] = old2 - m * sup
            }
        }
        // λ is an eigenvalue, so U is (nearly) singular: tiny pivots become ε‖T‖, which makes
        // each solve amplify the wanted eigenvector enormously.
        let floor = Double.ulpOfOne
        for i in 0..<n where abs(u0[i]) < floor { u0[i] = u0[i] < 0 ? -floor : floor }
        var x = (0..<n).map { 1 + 0.1 * sin(Double(($0 + 1) * (index + 3))) }
        for _ in 0..<3 {
            var b = x
            for i in 0..<(n - 1) {
                if swapped[i] { b.swapAt(i, i + 1) }
                b[i + 1] -= multipliers[i] * b[i]
            }
            for i in stride(from: n - 1, through: 0, by: -1) {
                var s = b[i]
                if i + 1 < n { s -= u1[i] * b[i + 1] }
                if i + 2 < n { s -= u2[i] * b[i + 2] }
                b[i] = s / u0[i]
            }
            for other in others {
                let projection = zip(b, other).reduce(0) { $0 + $1.0 * $1.1 }
                for i in 0..<n { b[i] -= projection * other[i] }
            }
            let length = b.reduce(0) { $0 + $1 * $1 }.squareRoot()
            x = length > 0 ? b.map { $0 / length } : b
        }
        return x
    }

    /// Decomposes a symmetric Float32 tensor.
    public init(_ a: Tensor) throws {
        guard a.rank == 2 else { throw TensorError.notFactorizable("symmetric eigendecomposition needs a matrix, got shape \(a.shape)") }
        try self.init(Matrix(a))
    }

    /// A checked copy of `a` with the lower triangle mirrored from the upper.
    private static func symmetrized(_ a: Matrix) throws -> Matrix {
        guard a.rows == a.columns else {
            throw TensorError.notFactorizable("symmetric eigendecomposition needs a square matrix, got \(a.rows)×\(a.columns)")
        }
        try a.checkFinite("symmetric eigendecomposition")
        var work = a
        for i in 0..<a.rows { for j in 0..<i { work[i, j] = work[j, i] } }
        return work
    }

    /// A = Q·T·Qᵀ with T tridiagonal (diagonal d, off-diagonal e[i] between i and i+1) and
    /// z = Qᵀ. Step k reflects row k's tail to α·e₁ and applies the reflection to both sides of
    /// the trailing block B as one symmetric rank-2 update: B ← B − v·wᵀ − w·vᵀ with p = βBv,
    /// w = p − (β/2)(vᵀp)v (Golub & Van Loan, Algorithm 8.3.1).
    ///
    /// Only the upper triangle is kept, and each row of step k's update is fused with its share of
    /// step k + 1's product B·v (`latent_dsyr2_symv`): the trailing block is read and written once
    /// per step instead of read three times, and the 784×784 matrix of PCA on images does not fit
    /// in L2, so memory traffic is what this costs.
    @discardableResult
    private static func tridiagonalize(_ a: inout Matrix, _ d: inout [Double], _ e: inout [Double], _ z: inout Matrix,
                                       accumulate: Bool = true) -> [Double] {
        let n = a.rows
        let level = ComputeSettings.current.cpuLevel.kernelLevel
        var betas = [Double](repeating: 0, count: n)
        var p = [Double](repeating: 0, count: n), w = [Double](repeating: 0, count: n)
        let zeros = [Double](repeating: 0, count: n)
        a.values.withUnsafeMutableBufferPointer { buffer in
            let a = buffer.baseAddress!
            /// Reflects row k's tail, records d[k], e[k] and β_k; returns β_k.
            func reflectRow(_ k: Int) -> Double {
                let (beta, alpha) = householder(a + k * n + k + 1, n - k - 1)
                d[k] = a[k * n + k]
                e[k] = beta == 0 ? a[k * n + k + 1] : alpha
                betas[k] = beta
                return beta
            }
            if n > 2 {
                // p = B₀v₀ for step 0, before any update: the fused kernel with a zero update.
                var beta = reflectRow(0)
                zeros.withUnsafeBufferPointer { zero in
                    p.withUnsafeMutableBufferPointer { p in
                        for i in 0..<(n - 1) { p[i] = 0 }
                        for i in 1..<n {
                            latent_dsyr2_symv(level, a + i * n + i, n - i, 0, zero.baseAddress!, 0, zero.baseAddress!,
                                              a + 1 + (i - 1), p.baseAddress! + (i - 1))
                        }
                    }
                }
                for k in 0..<(n - 2) {
                    let m = n - k - 1
                    let v = a + k * n + k + 1  // v_k, stored in row k right of the diagonal
                    let update = beta != 0
                    if update {
                        var vp = 0.0
                        for i in 0..<m { p[i] *= beta; vp += v[i] * p[i] }
                        let half = 0.5 * beta * vp
                        for i in 0..<m { w[i] = p[i] - half * v[i] }
                    } else {
                        for i in 0..<m { w[i] = 0 }
                    }
                    w.withUnsafeMutableBufferPointer { w in
                        p.withUnsafeMutableBufferPointer { p in
                            let (w, p) = (w.baseAddress!, p.baseAddress!)
                            // Row k + 1 first: the next reflection is read from it.
                            latent_daxpy2(level, -v[0], w, -w[0], v, a + (k + 1) * n + k + 1, m)
                            let hasNext = k + 1 < n - 2
                            beta = hasNext ? reflectRow(k + 1) : 0
                            let u = a + (k + 1) * n + k + 2  // v_{k+1}
                            for i in 0..<(m - 1) { p[i] = 0 }
                            for i in (k + 2)..<n {
                                let r = i - k - 1  // row i's index in step k's block
                                let row = a + i * n + i
                                if hasNext {
                                    latent_dsyr2_symv(level, row, n - i, -v[r], w + r, -w[r], v + r, u + (r - 1), p + (r - 1))
                                } else {
                                    latent_daxpy2(level, -v[r], w + r, -w[r], v + r, row, n - i)
                                }
                            }
                        }
                    }
                }
            }
            if n >= 2 {
                d[n - 2] = a[(n - 2) * n + n - 2]
                e[n - 2] = a[(n - 2) * n + n - 1]
            }
            d[n - 1] = a[(n - 1) * n + n - 1]
            e[n - 1] = 0
            // Qᵀ = H_{n−3}⋯H₀, accumulated right to left so each step touches only the
            // trailing block where the product differs from the identity.
            guard accumulate else { return }
            z.values.withUnsafeMutableBufferPointer { zb in
                let z = zb.baseAddress!
                for k in stride(from: n - 3, through: 0, by: -1) where betas[k] != 0 {
                    let m = n - k - 1
                    let v = UnsafePointer(a + k * n + k + 1)
                    for i in 0..<m { reflect(z + (k + 1 + i) * n + k + 1, v, betas[k], m, level) }
                }
            }
        }
        return betas
    }

    /// Implicit QL on the tridiagonal (d, e), rotating the rows of z along.
    private static func ql(_ d: inout [Double], _ e: inout [Double], _ z: inout Matrix, vectors: Bool = true) throws {
        let n = d.count
        let level = ComputeSettings.current.cpuLevel.kernelLevel
        let epsilon = Double.ulpOfOne
        var shift = 0.0, scale = 0.0
        let maxIterations = 30 * max(n, 1)
        var iterations = 0
        try z.values.withUnsafeMutableBufferPointer { zb in
            let z = zb.baseAddress
            for l in 0..<n {
                scale = max(scale, abs(d[l]) + abs(e[l]))
                var m = l
                while m < n - 1 && abs(e[m]) > epsilon * scale { m += 1 }
                if m > l {
                    repeat {
                        iterations += 1
                        guard iterations <= maxIterations else {
                            throw TensorError.notFactorizable("symmetric eigendecomposition: QL did not converge after \(maxIterations) iterations (n = \(n))")
                        }
                        // Shift from the leading 2×2 block.
                        var g = d[l]
                        var p = (d[l + 1] - g) / (2 * e[l])
                        var r = hypot(p, 1)
                        if p < 0 { r = -r }
                        d[l] = e[l] / (p + r)
                        d[l + 1] = e[l] * (p + r)
                        let dl1 = d[l + 1]
                        var h = g - d[l]
                        for i in (l + 2)..<max(n, l + 2) { d[i] -= h }
                        shift += h
                        // Chase the bulge from m up to l with plane rotations.
                        p = d[m]
                        var c = 1.0, c2 = 1.0, c3 = 1.0, s = 0.0, s2 = 0.0
                        let el1 = e[l + 1]
                        for i in stride(from: m - 1, through: l, by: -1) {
                            c3 = c2
                            c2 = c
                            s2 = s
                            g = c * e[i]
                            h = c * p
                            r = hypot(p, e[i])
                            e[i + 1] = s * r
                            s = e[i] / r
                            c = p / r
                            p = c * d[i] - s * g
                            d[i + 1] = h + s * (c * g + s * d[i])
                            if vectors, let z { latent_drot(level, z + i * n, z + (i + 1) * n, n, c, s) }
                        }
                        p = -s * s2 * c3 * el1 * e[l] / dl1
                        e[l] = s * p
                        d[l] = c * p
                    } while abs(e[l]) > epsilon * scale
                }
                d[l] += shift
                e[l] = 0
            }
        }
    }
}
