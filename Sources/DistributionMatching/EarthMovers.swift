import Foundation
import Tensors

/// The exact earth mover's distance between the uniform distributions on two sets of equal size:
/// the optimal plan is then a permutation (Birkhoff–von Neumann; Peyré & Cuturi 2019, §3.1),
/// found by the Hungarian algorithm with potentials (Kuhn 1955; Jonker & Volgenant 1987),
/// O(n³). EMD = (1/n) Σᵢ C(xᵢ, y_σ(i)) with the squared-Euclidean ground cost (POT's `ot.emd2`
/// on `ot.dist`).
public enum EarthMovers {
    /// The sets this large at most (the cost matrix is kept in Double, n² values).
    public static let sizeLimit = 10_000

    /// The distance and the optimal assignment σ (row i of `x` goes to row σ(i) of `y`).
    public static func exact(_ x: Tensor, _ y: Tensor) throws -> (distance: Double, assignment: [Int]) {
        guard x.rank == 2, y.rank == 2, x.columns == y.columns, x.rows >= 1 else {
            throw MatchingError("the earth mover's distance compares sets of one width: got shapes \(x.shape) and \(y.shape)")
        }
        guard x.rows == y.rows else {
            throw MatchingError("the exact earth mover's distance here needs sets of equal size (an assignment); got \(x.rows) and \(y.rows) rows: subsample one, or use Sinkhorn")
        }
        guard x.rows <= sizeLimit else { throw MatchingError("the exact earth mover's distance takes at most \(sizeLimit) points a side (O(n³) time, n² memory); got \(x.rows)") }
        try x.checkFinite("the first set")
        try y.checkFinite("the second set")
        let n = x.rows
        // The cost matrix in Double and the solver's vectors: n² values.
        let bytes = n * n * MemoryLayout<Double>.size
        guard !MemoryBudget.exceeds(bytes) else {
            throw MatchingError(MemoryBudget.refusal(bytes, for: "the exact earth mover's distance's \(n) × \(n) cost matrix") + "; subsample the sets")
        }
        var cost = [Double](repeating: 0, count: n * n)
        forEachSquaredDistance(x, y) { i, row in for j in 0..<n { cost[i * n + j] = row[j] } }
        let assignment = hungarian(cost, n: n)
        return ((0..<n).reduce(0.0) { $0 + cost[$1 * n + assignment[$1]] } / Double(n), assignment)
    }

    /// The minimum-cost perfect assignment of an `n × n` cost matrix (row-major): shortest
    /// augmenting paths with dual potentials u, v kept feasible (uᵢ + vⱼ ≤ Cᵢⱼ), one row added
    /// at a time.
    static func hungarian(_ cost: [Double], n: Int) -> [Int] {
        // 1-based with a virtual column 0, as in the classical formulation; the O(n³) inner loop
        // runs on raw buffers (no bounds checks, no copy-on-write checks).
        var u = [Double](repeating: 0, count: n + 1), v = [Double](repeating: 0, count: n + 1)
        var matchedRow = [Int](repeating: 0, count: n + 1)  // matchedRow[j]: the row assigned to column j
        var way = [Int](repeating: 0, count: n + 1)
        var minimum = [Double](repeating: .infinity, count: n + 1)
        var used = [Bool](repeating: false, count: n + 1)
        cost.withUnsafeBufferPointer { cost in
            u.withUnsafeMutableBufferPointer { u in
                v.withUnsafeMutableBufferPointer { v in
                    matchedRow.withUnsafeMutableBufferPointer { matchedRow in
                        way.withUnsafeMutableBufferPointer { way in
                            minimum.withUnsafeMutableBufferPointer { minimum in
                                used.withUnsafeMutableBufferPointer { used in
                                    for row in 1...n {
                                        matchedRow[0] = row
                                        var column0 = 0
                                        for j in 0...n { minimum[j] = .infinity; used[j] = false }
                                        repeat {
                                            used[column0] = true
                                            let i0 = matchedRow[column0]
                                            let costRow = cost.baseAddress! + (i0 - 1) * n - 1  // costRow[j] = C[i0 − 1][j − 1]
                                            let ui0 = u[i0]
                                            var delta = Double.infinity, column1 = 0
                                            for j in 1...n where !used[j] {
                                                let reduced = costRow[j] - ui0 - v[j]
                                                if reduced < minimum[j] { minimum[j] = reduced; way[j] = column0 }
                                                if minimum[j] < delta { delta = minimum[j]; column1 = j }
                                            }
                                            for j in 0...n {
                                                if used[j] { u[matchedRow[j]] += delta; v[j] -= delta } else { minimum[j] -= delta }
                                            }
                                            column0 = column1
                                        } while matchedRow[column0] != 0
                                        repeat {
                                            let previous = way[column0]
                                            matchedRow[column0] = matchedRow[previous]
                                            column0 = previous
                                        } while column0 != 0
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var assignment = [Int](repeating: 0, count: n)
        for j in 1...n { assignment[matchedRow[j] - 1] = j - 1 }
        return assignment
    }
}
