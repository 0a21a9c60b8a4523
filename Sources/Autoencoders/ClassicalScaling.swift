import Foundation
import Tensors

/// Classical multidimensional scaling (Torgerson 1952, "Multidimensional scaling: I. Theory and
/// method", Psychometrika 17; Gower 1966): coordinates whose inner products best match those the
/// squared dissimilarities Δ² imply,
///
///     B = −½ J Δ² J,   J = I − 11ᵀ/n,   Y = V_d Λ_d^(1/2),
///
/// V_d and Λ_d the d largest eigenpairs of B (only positive eigenvalues give coordinates). On
/// Euclidean distances B is the Gram matrix of the centred samples, and Y their principal
/// component scores. A new point with squared dissimilarities δ² to the n points lands at
/// y = −½ Λ_d^(−1/2) V_dᵀ (δ² − μ), μ the column means of Δ² (Gower 1968, the out-of-sample
/// formula of landmark MDS: de Silva & Tenenbaum 2004): for a training point, its own row.
/// The eigenpairs come from `KrylovSchur` with products with B, never B's decomposition:
/// O(n²) a product.
public struct ClassicalScaling: Sendable {
    /// `n × d`, row-major.
    public let coordinates: [Double]
    /// λ₁ ≥ … ≥ λ_d, B's largest eigenvalues.
    public let eigenvalues: [Double]
    /// V_d, `d` unit vectors of n.
    let eigenvectors: [[Double]]
    /// μ, the column means of Δ².
    let columnMeans: [Double]

    /// The dimensions the coordinates have.
    public var dimensions: Int { eigenvalues.count }

    /// The tolerance on a Ritz pair's residual, relative to B's largest eigenvalue.
    public static let tolerance = 1e-9

    /// Scales the `n × n` squared dissimilarities (`squared[i·n + j]`, symmetric, zero diagonal) to `dimensions`.
    public init(squared: [Double], count n: Int, dimensions d: Int, using generator: inout RandomGenerator, settings: ComputeSettings = .current) throws {
        guard n >= 2, squared.count == n * n, d >= 1, d < n else {
            throw AutoencoderError("classical scaling of \(n) points to \(d) dimensions needs 1 ≤ d < n and an n × n matrix; got \(squared.count) values")
        }
        var means = [Double](repeating: 0, count: n)
        for i in 0..<n { for j in 0..<n { means[j] += squared[i * n + j] } }
        means = means.map { $0 / Double(n) }
        let grand = means.reduce(0, +) / Double(n)
        // B = −½(Δ²ᵢⱼ − μᵢ − μⱼ + μ̄), applied as a product without forming B.
        var b = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { b[i * n + j] = -0.5 * (squared[i * n + j] - means[i] - means[j] + grand) } }
        let apply: ([Double]) -> [Double] = { x in
            var out = [Double](repeating: 0, count: n)
            b.withUnsafeBufferPointer { matrix in
                x.withUnsafeBufferPointer { v in
                    out.withUnsafeMutableBufferPointer { y in
                        let a = (UInt(bitPattern: matrix.baseAddress), UInt(bitPattern: v.baseAddress), UInt(bitPattern: y.baseAddress))
                        forEachChunk(of: n, minimumChunk: 64, settings: settings) { rows in
                            let (m, v, y) = (UnsafePointer<Double>(bitPattern: a.0)!, UnsafePointer<Double>(bitPattern: a.1)!, UnsafeMutablePointer<Double>(bitPattern: a.2)!)
                            for i in rows {
                                var sum = 0.0
                                for j in 0..<n { sum += m[i * n + j] * v[j] }
                                y[i] = sum
                            }
                        }
                    }
                }
            }
            return out
        }
        // The scale of B for a relative tolerance: its largest diagonal entry bounds no eigenvalue, but sets the units.
        let scale = Swift.max((0..<n).map { b[$0 * n + $0] }.max() ?? 1, .leastNormalMagnitude)
        let start = (0..<n).map { _ in generator.nextNormal() }
        let solver = try KrylovSchur(count: d, dimension: n, start: start, tolerance: Self.tolerance * scale, basisSize: Swift.max(32, 2 * d + 2),
                                     apply: apply)
        guard solver.converged else { throw AutoencoderError("classical scaling: the eigenvectors of B did not converge in \(solver.products) products") }
        // Eigenvalues below 10⁻¹⁰ of the largest are rounding: the points do not span those directions.
        let floor = 1e-10 * Swift.max(solver.eigenvalues.first ?? 0, 0)
        guard let last = solver.eigenvalues.last, last > floor else {
            throw AutoencoderError("classical scaling: B has only \(solver.eigenvalues.filter { $0 > floor }.count) positive eigenvalues of the \(d) asked "
                                   + "(the points span fewer dimensions): lower the components")
        }
        var coordinates = [Double](repeating: 0, count: n * d)
        for c in 0..<d {
            let root = solver.eigenvalues[c].squareRoot()
            // The sign of each axis fixed so that its largest-magnitude entry is positive.
            let v = solver.eigenvectors[c]
            let sign: Double = (v.max(by: { abs($0) < abs($1) }) ?? 1) < 0 ? -1 : 1
            for i in 0..<n { coordinates[i * d + c] = sign * v[i] * root }
        }
        self.coordinates = coordinates
        eigenvalues = solver.eigenvalues
        eigenvectors = (0..<d).map { c in
            let v = solver.eigenvectors[c]
            let sign: Double = (v.max(by: { abs($0) < abs($1) }) ?? 1) < 0 ? -1 : 1
            return v.map { $0 * sign }
        }
        columnMeans = means
    }

    /// The coordinates of a new point from its squared dissimilarities to the n points.
    public func place(squared: [Double]) -> [Double] {
        (0..<dimensions).map { c in
            var sum = 0.0
            for j in 0..<squared.count { sum += eigenvectors[c][j] * (squared[j] - columnMeans[j]) }
            return -0.5 * sum / eigenvalues[c].squareRoot()
        }
    }
}
