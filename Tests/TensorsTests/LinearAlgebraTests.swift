import Foundation
import Testing
import TestSupport
import Tensors

private func randomSymmetric(_ n: Int, seed: UInt64) -> Matrix {
    let a = Matrix(randomTensor([n, n], seed: seed))
    var s = a * a.transposed
    for i in 0..<n { s[i, i] += 0.1 }
    return s
}

private func maxAbs(_ a: Matrix, _ b: Matrix) -> Double { zip(a.values, b.values).map { abs($0 - $1) }.max() ?? 0 }

@Suite struct SymmetricEigen {
    @Test(arguments: [1, 2, 3, 10, 57])
    func reconstructsAndIsOrthonormal(n: Int) throws {
        let a = randomSymmetric(n, seed: UInt64(n))
        let e = try SymmetricEigendecomposition(a)
        let v = e.eigenvectors  // rows are eigenvectors
        var lambda = Matrix(rows: n, columns: n, values: [Double](repeating: 0, count: n * n))
        for i in 0..<n { lambda[i, i] = e.eigenvalues[i] }
        let scale = e.eigenvalues.map(abs).max()!
        #expect(maxAbs(v.transposed * lambda * v, a) < 1e-10 * scale * Double(n))
        #expect(maxAbs(v * v.transposed, .identity(n)) < 1e-12 * Double(n))
        #expect(zip(e.eigenvalues, e.eigenvalues.dropFirst()).allSatisfy { $0 >= $1 })
    }

    @Test func knownSpectrum() throws {
        // The path graph's Laplacian-like tridiagonal (2, −1): λₖ = 2 − 2cos(kπ/(n+1)).
        let n = 12
        var a = Matrix(rows: n, columns: n, values: [Double](repeating: 0, count: n * n))
        for i in 0..<n { a[i, i] = 2; if i > 0 { a[i, i - 1] = -1; a[i - 1, i] = -1 } }
        let e = try SymmetricEigendecomposition(a)
        let expected = (1...n).map { 2 - 2 * cos(Double($0) * .pi / Double(n + 1)) }.sorted(by: >)
        for (value, reference) in zip(e.eigenvalues, expected) { #expect(abs(value - reference) < 1e-12) }
    }

    @Test func repeatedEigenvaluesAndZeroMatrix() throws {
        let e = try SymmetricEigendecomposition(Matrix.identity(5))
        #expect(e.eigenvalues.allSatisfy { abs($0 - 1) < 1e-15 })
        let z = try SymmetricEigendecomposition(Matrix(rows: 4, columns: 4, values: [Double](repeating: 0, count: 16)))
        #expect(z.eigenvalues == [0, 0, 0, 0])
        // The partial solver (PCA's) on a zero matrix, the covariance of constant data, gives
        // orthonormal unit vectors: it used to give NaN (0/0 in inverse iteration).
        let partial = try SymmetricEigendecomposition(Matrix(rows: 4, columns: 4, values: [Double](repeating: 0, count: 16)), vectors: 3)
        #expect(partial.eigenvalues == [0, 0, 0, 0])
        #expect(maxAbs(partial.eigenvectors * partial.eigenvectors.transposed, .identity(3)) == 0)
    }

    /// Eigenvectors do not depend on the matrix's scale, from 10⁻¹⁵⁰ to 10¹⁵⁰ (wider than any
    /// covariance of Float data; past it, Householder's squares leave Double's range).
    @Test(arguments: [1e-150, 1e-80, 1e-20, 1.0, 1e80, 1e150])
    func eigenvectorsAreScaleInvariant(scale: Double) throws {
        let b = Matrix(randomTensor([6, 6], seed: 3))
        let a = b * b.transposed
        let reference = try SymmetricEigendecomposition(a, vectors: 3)
        let scaled = try SymmetricEigendecomposition(Matrix(rows: 6, columns: 6, values: a.values.map { $0 * scale }), vectors: 3)
        for i in 0..<3 {
            let dot = (0..<6).reduce(0.0) { $0 + reference.eigenvectors[i, $1] * scaled.eigenvectors[i, $1] }
            #expect(abs(abs(dot) - 1) < 1e-9, "vector \(i) at scale \(scale): |cos| = \(abs(dot))")
            #expect(abs(scaled.eigenvalues[i] / scale - reference.eigenvalues[i]) <= 1e-9 * reference.eigenvalues[0])
        }
    }

    @Test func badInputIsAnError() {
        #expect(throws: TensorError.self) { try SymmetricEigendecomposition(Matrix(rows: 2, columns: 3, values: [Double](repeating: 0, count: 6))) }
        #expect(throws: TensorError.self) { try SymmetricEigendecomposition(Matrix(rows: 1, columns: 1, values: [.nan])) }
    }
}

@Suite struct QR {
    @Test(arguments: [(1, 1), (5, 3), (40, 40), (200, 17)])
    func factorsAreOrthonormalAndTriangular(m: Int, n: Int) throws {
        let a = Matrix(randomTensor([m, n], seed: UInt64(m * n)))
        let qr = try QRDecomposition(a)
        #expect(maxAbs(qr.q * qr.r, a) < 1e-12 * Double(m))
        #expect(maxAbs(qr.q.transposed * qr.q, .identity(n)) < 1e-12 * Double(m))
        for i in 0..<n {
            #expect(qr.r[i, i] >= 0)
            for j in 0..<i { #expect(qr.r[i, j] == 0) }
        }
    }

    @Test func rankDeficientColumns() throws {
        // The second column repeats the first: R₂₂ must vanish, Q·R still equals A.
        let a = Matrix(rows: 3, columns: 2, values: [1, 1, 2, 2, 3, 3])
        let qr = try QRDecomposition(a)
        #expect(abs(qr.r[1, 1]) < 1e-12)
        #expect(maxAbs(qr.q * qr.r, a) < 1e-12)
    }

    @Test func wideMatrixIsAnError() {
        #expect(throws: TensorError.self) { try QRDecomposition(Matrix(rows: 2, columns: 3, values: [Double](repeating: 1, count: 6))) }
    }
}

@Suite struct Cholesky {
    @Test func factorsSolvesAndGivesTheDeterminant() throws {
        let a = randomSymmetric(8, seed: 21)
        let c = try CholeskyDecomposition(a)
        #expect(maxAbs(c.lower * c.lower.transposed, a) < 1e-12)
        let x = (0..<8).map { Double($0) - 3.5 }
        let b = (0..<8).map { i in (0..<8).reduce(0.0) { $0 + a[i, $1] * x[$1] } }
        #expect(zip(c.solve(b), x).allSatisfy { abs($0 - $1) < 1e-9 })
        let eigen = try SymmetricEigendecomposition(a)
        #expect(abs(c.logDeterminant - eigen.eigenvalues.map { log($0) }.reduce(0, +)) < 1e-9)
    }

    /// Several right-hand sides at once: each column the one-column solve's, bit for bit.
    @Test(arguments: [1, 3, 10])
    func columnsAtOnceAreColumnsOneByOne(columns: Int) throws {
        let a = randomSymmetric(30, seed: 22)
        let c = try CholeskyDecomposition(a)
        var generator = RandomGenerator(seed: 23)
        let b = Matrix(Tensor.randomNormal([30, columns], using: &generator))
        let together = c.solve(b)
        for column in 0..<columns {
            let alone = c.solve((0..<30).map { b[$0, column] })
            #expect((0..<30).map { together[$0, column].bitPattern } == alone.map(\.bitPattern), "column \(column)")
        }
    }

    @Test func indefiniteMatrixNamesThePivot() {
        let a = Matrix(rows: 2, columns: 2, values: [1, 2, 2, 1])
        do {
            _ = try CholeskyDecomposition(a)
            Issue.record("an indefinite matrix was factored")
        } catch {
            #expect("\(error)".contains("pivot 1"))
        }
    }
}

@Suite struct PartialEigen {
    @Test(arguments: [(1, 1), (5, 2), (40, 6), (120, 10)])
    func matchesTheFullDecomposition(n: Int, k: Int) throws {
        let a = randomSymmetricForPartial(n, seed: UInt64(n))
        let full = try SymmetricEigendecomposition(a)
        let partial = try SymmetricEigendecomposition(a, vectors: k)
        let scale = full.eigenvalues.map(abs).max()!
        #expect(zip(full.eigenvalues, partial.eigenvalues).allSatisfy { abs($0 - $1) <= 1e-10 * scale })
        for i in 0..<k {
            let v = Array(partial.eigenvectors.values[(i * n)..<((i + 1) * n)])
            // A·v = λv, and the same vector as the full solver's up to sign.
            let av = (0..<n).map { r in (0..<n).reduce(0.0) { $0 + a[r, $1] * v[$1] } }
            let residual = zip(av, v).map { abs($0 - partial.eigenvalues[i] * $1) }.max()!
            #expect(residual < 1e-9 * scale, "vector \(i): residual \(residual)")
            let reference = Array(full.eigenvectors.values[(i * n)..<((i + 1) * n)])
            #expect(abs(abs(zip(v, reference).reduce(0) { $0 + $1.0 * $1.1 }) - 1) < 1e-8)
        }
    }

    @Test func repeatedEigenvaluesGiveOrthonormalVectors() throws {
        // diag(3, 3, 3, 1, 1) rotated: a three-fold top eigenvalue.
        let q = try QRDecomposition(Matrix(randomTensor([5, 5], seed: 4))).q
        var lambda = Matrix.identity(5)
        for i in 0..<3 { lambda[i, i] = 3 }
        let a = q * lambda * q.transposed
        let partial = try SymmetricEigendecomposition(a, vectors: 3)
        let v = partial.eigenvectors
        #expect(zip((v * v.transposed).values, Matrix.identity(3).values).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(partial.eigenvalues.prefix(3).allSatisfy { abs($0 - 3) < 1e-12 })
    }
}

private func randomSymmetricForPartial(_ n: Int, seed: UInt64) -> Matrix {
    let a = Matrix(randomTensor([n, n], seed: seed))
    return a * a.transposed
}
