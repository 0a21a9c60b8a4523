import Foundation
import Testing
import Tensors

/// The restarted Krylov solver against the dense decomposition.
@Suite struct KrylovSchurTests {
    /// On random symmetric matrices (a spectrum with a gap and a crowded tail), the largest
    /// eigenpairs equal the dense solver's, with and without a deflated vector.
    @Test(arguments: [(60, UInt64(1)), (300, UInt64(2))])
    func equalsTheDenseDecomposition(n: Int, seed: UInt64) throws {
        var generator = RandomGenerator(seed: seed)
        var a = Matrix(rows: n, columns: n, values: [Double](repeating: 0, count: n * n))
        for i in 0..<n { for j in i..<n { let v = generator.nextNormal() / Double(n).squareRoot(); a.values[i * n + j] = v; a.values[j * n + i] = v } }
        let dense = try SymmetricEigendecomposition(a)
        let apply: ([Double]) -> [Double] = { x in (0..<n).map { i in (0..<n).reduce(0.0) { $0 + a.values[i * n + $1] * x[$1] } } }
        let start = (0..<n).map { _ in generator.nextNormal() }
        let top = try KrylovSchur(count: 3, dimension: n, start: start, tolerance: 1e-10, apply: apply)
        #expect(top.converged)
        for c in 0..<3 {
            #expect(abs(top.eigenvalues[c] - dense.eigenvalues[c]) < 1e-9)
            let v = top.eigenvectors[c], av = apply(v)
            let residual = zip(av, v).reduce(0.0) { $0 + ($1.0 - top.eigenvalues[c] * $1.1) * ($1.0 - top.eigenvalues[c] * $1.1) }.squareRoot()
            #expect(residual < 1e-9)
        }
        // With the top eigenvector deflated, the next ones come.
        let first = (0..<n).map { dense.eigenvectors.values[$0] }
        let rest = try KrylovSchur(count: 2, dimension: n, deflating: [first], start: start, tolerance: 1e-10, apply: apply)
        #expect(abs(rest.eigenvalues[0] - dense.eigenvalues[1]) < 1e-9 && abs(rest.eigenvalues[1] - dense.eigenvalues[2]) < 1e-9)
    }
}
