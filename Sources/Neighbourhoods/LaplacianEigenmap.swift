import Foundation
import Tensors

/// The eigenvectors of a connected graph's normalised Laplacian L = I − D^(−1/2) W D^(−1/2)
/// with the smallest eigenvalues after the trivial one: the Laplacian eigenmap (Belkin & Niyogi
/// 2003, "Laplacian eigenmaps for dimensionality reduction and data representation", §3, the
/// generalised problem Lf = λDf in its symmetric form), UMAP's spectral initialisation
/// (McInnes et al. 2018, §4.3 and Appendix).
///
/// The smallest eigenvalues of L are the largest of M = D^(−1/2) W D^(−1/2), whose top
/// eigenvector D^(1/2)·1 is known and projected out. The next `dimensions` are found by a
/// restarted Krylov method (Stewart 2001, "A Krylov–Schur algorithm for large eigenproblems"):
/// a basis of ``basisSize`` vectors by Lanczos steps, each fully re-orthogonalised (classical
/// Gram–Schmidt twice), the projected matrix's eigenpairs by the dense solver, then a restart
/// that keeps the better half of the Ritz vectors; until every wanted Ritz pair's residual
/// ‖Mv − θv‖ is at most `tolerance`. Sparse products are split over rows and every sum runs in
/// one order, so the result does not depend on the thread count. Like ARPACK's Lanczos (which
/// umap-learn calls), a single-vector Krylov method finds one vector of a multiple eigenvalue's
/// space and then the next eigenvalue: the data graphs UMAP lays out have simple eigenvalues,
/// and any vectors of the smallest eigenvalues serve as a start.
public struct LaplacianEigenmap: Sendable {
    /// `count × dimensions`, row-major: vertex i's coordinates along the eigenvectors, each of unit norm.
    public let coordinates: [Double]
    /// Their eigenvalues of L, ascending (0 < λ₂ ≤ λ₃ … for a connected graph).
    public let eigenvalues: [Double]
    /// Whether every wanted pair reached the tolerance within ``maximumRestarts``.
    public let converged: Bool
    /// Products with M the solver took.
    public let products: Int

    /// Basis vectors a cycle builds (ARPACK's ncv, umap-learn's lower bound 2k + 1 raised to keep restarts few).
    public static let basisSize = 32
    /// Restarts at most before the best Ritz vectors are returned unconverged.
    public static let maximumRestarts = 300

    /// The eigenmap of the connected `graph` (at least `dimensions + 2` vertices, no isolated vertex),
    /// started from a vector drawn from `generator`.
    public init(graph: WeightedGraph, dimensions: Int, tolerance: Double, using generator: inout RandomGenerator,
                settings: ComputeSettings = .current) throws {
        let n = graph.count
        guard dimensions >= 1, n >= dimensions + 2 else {
            throw NeighbourError("a Laplacian eigenmap of \(dimensions) dimensions needs at least \(dimensions + 2) vertices; got \(n)")
        }
        var degree = [Double](repeating: 0, count: n)
        for i in 0..<n { for e in graph.rowStart[i]..<graph.rowStart[i + 1] { degree[i] += Double(graph.weights[e]) } }
        if let isolated = degree.firstIndex(where: { !($0 > 0) }) {
            throw NeighbourError("vertex \(isolated) has no edge: a Laplacian eigenmap needs a connected graph (lay out components apart)")
        }
        let root = degree.map { $0.squareRoot() }
        // M's entries wᵢⱼ / √(dᵢdⱼ), beside the graph's columns.
        var scaled = [Double](repeating: 0, count: graph.edgeCount)
        for i in 0..<n {
            for e in graph.rowStart[i]..<graph.rowStart[i + 1] { scaled[e] = Double(graph.weights[e]) / (root[i] * root[Int(graph.columns[e])]) }
        }
        let norm = root.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let trivial = root.map { $0 / norm }
        let operatorM = NormalisedAdjacency(graph: graph, values: scaled, settings: settings)
        guard Self.basisSize - 1 > dimensions, n - 1 > dimensions else {
            throw NeighbourError("a Laplacian eigenmap of \(dimensions) dimensions needs more than \(dimensions + 1) vertices; got \(n)")
        }
        let start = (0..<n).map { _ in generator.nextNormal() }
        let solver = try KrylovSchur(count: dimensions, dimension: n, deflating: [trivial], start: start, tolerance: tolerance, basisSize: Self.basisSize,
                                     maximumRestarts: Self.maximumRestarts, apply: operatorM.apply)
        var coordinates = [Double](repeating: 0, count: n * dimensions)
        for c in 0..<dimensions { for i in 0..<n { coordinates[i * dimensions + c] = solver.eigenvectors[c][i] } }
        self.coordinates = coordinates
        eigenvalues = solver.eigenvalues.map { 1 - $0 }
        converged = solver.converged
        products = solver.products
    }
}

/// M = D^(−1/2) W D^(−1/2) as a product with vectors, split over fixed row ranges.
struct NormalisedAdjacency {
    let graph: WeightedGraph
    let values: [Double]
    let settings: ComputeSettings

    func apply(_ v: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: v.count)
        graph.rowStart.withUnsafeBufferPointer { starts in
            graph.columns.withUnsafeBufferPointer { columns in
                values.withUnsafeBufferPointer { values in
                    v.withUnsafeBufferPointer { x in
                        out.withUnsafeMutableBufferPointer { y in
                            let a = (UInt(bitPattern: starts.baseAddress), UInt(bitPattern: columns.baseAddress), UInt(bitPattern: values.baseAddress),
                                     UInt(bitPattern: x.baseAddress), UInt(bitPattern: y.baseAddress))
                            forEachChunk(of: v.count, minimumChunk: 4096, settings: settings) { rows in
                                let starts = UnsafePointer<Int>(bitPattern: a.0)!, columns = UnsafePointer<Int32>(bitPattern: a.1)!
                                let values = UnsafePointer<Double>(bitPattern: a.2)!, x = UnsafePointer<Double>(bitPattern: a.3)!
                                let y = UnsafeMutablePointer<Double>(bitPattern: a.4)!
                                for i in rows {
                                    var sum = 0.0
                                    for e in starts[i]..<starts[i + 1] { sum += values[e] * x[Int(columns[e])] }
                                    y[i] = sum
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
