import Foundation
import Tensors

/// The exact earth mover's distance (the Wasserstein-2 distance squared, on the squared-Euclidean
/// ground cost) between weighted sets of any sizes, and its optimal plan, by the network simplex
/// (the network simplex, `NetworkSimplex`; POT's `ot.emd2` and `ot.emd` on `ot.dist`). On sets of equal size with
/// uniform weights the plan is a permutation (Birkhoff–von Neumann; Peyré & Cuturi 2019, §3.1);
/// the network simplex also beats the Hungarian algorithm there (measured: 0.08 s against 0.22 s
/// at 1 000 × 1 000 in 50-D, 0.63 s against 1.33 s at 2 000 × 2 000), so it is the one solver.
public enum EarthMovers {
    /// The sets this large at most (the cost matrix is kept in Double, n·m values).
    public static let sizeLimit = 10_000

    /// Pivots the network simplex may take before it gives up (POT's `numItermax` is 10⁵, too
    /// few for large sets: 2 000 × 2 000 points in 50-D took 102 811 pivots).
    public static let defaultMaximumIterations = 10_000_000

    /// The optimal transport plan between the weighted sets `a` (`n × d`, weights `weightsA`)
    /// and `b` (`m × d`, weights `weightsB`) under the squared-Euclidean cost
    /// Cᵢⱼ = ‖aᵢ − bⱼ‖² (POT's `ot.emd` on `ot.dist`), by the network simplex. Weights are
    /// non-negative, one per row, each set's normalised to sum to 1 (nil: uniform).
    ///
    /// - Throws: on sets of different widths, non-finite values, bad weights, more than
    ///   ``sizeLimit`` points a side, a cost matrix beyond the memory budget, or no optimum
    ///   within `maximumIterations` pivots.
    public static func exact(a: Tensor, weightsA: [Double]? = nil, b: Tensor, weightsB: [Double]? = nil,
                             maximumIterations: Int = defaultMaximumIterations) throws -> TransportPlan {
        guard a.rank == 2, b.rank == 2, a.columns == b.columns, a.rows >= 1, b.rows >= 1 else {
            throw MatchingError("the earth mover's distance compares non-empty sets of one width: got shapes \(a.shape) and \(b.shape)")
        }
        guard a.rows <= sizeLimit, b.rows <= sizeLimit else {
            throw MatchingError("the exact earth mover's distance takes at most \(sizeLimit) points a side (n × m costs); got \(a.rows) and \(b.rows)")
        }
        try a.checkFinite("the first set")
        try b.checkFinite("the second set")
        let (n, m) = (a.rows, b.rows)
        let bytes = n * m * MemoryLayout<Double>.size
        guard !MemoryBudget.exceeds(bytes) else {
            throw MatchingError(MemoryBudget.refusal(bytes, for: "the exact earth mover's distance's \(n) × \(m) cost matrix") + "; subsample the sets")
        }
        var cost = [Double](repeating: 0, count: n * m)
        forEachSquaredDistance(a, b) { i, row in for j in 0..<m { cost[i * m + j] = row[j] } }
        return try exact(cost: cost, weightsA: weightsA ?? uniform(n), weightsB: weightsB ?? uniform(m), maximumIterations: maximumIterations)
    }

    /// The optimal transport plan for the cost matrix `cost` (row-major `n × m`, finite) between
    /// weights `weightsA` (n) and `weightsB` (m), non-negative, each normalised to sum to 1.
    public static func exact(cost: [Double], weightsA: [Double], weightsB: [Double],
                             maximumIterations: Int = defaultMaximumIterations) throws -> TransportPlan {
        let (n, m) = (weightsA.count, weightsB.count)
        guard n >= 1, m >= 1, cost.count == n * m else {
            throw MatchingError("transport needs n ≥ 1 and m ≥ 1 weights and an n × m cost matrix; got \(n) and \(m) weights and \(cost.count) costs")
        }
        if let bad = cost.firstIndex(where: { !$0.isFinite }) {
            throw MatchingError("the cost matrix holds \(cost[bad]) at row \(bad / m), column \(bad % m): costs must be finite")
        }
        let a = try normalised(weightsA, "the first set's"), b = try normalised(weightsB, "the second set's")
        guard maximumIterations >= 1 else { throw MatchingError("the network simplex needs at least 1 pivot, got a limit of \(maximumIterations)") }
        // Points without mass take no part in the LP: solve among the others, then give them
        // the largest duals that stay feasible.
        let rows = (0..<n).filter { a[$0] > 0 }, columns = (0..<m).filter { b[$0] > 0 }
        let (k, l) = (rows.count, columns.count)
        var reduced = [Double](repeating: 0, count: k * l)
        for (r, i) in rows.enumerated() { for (c, j) in columns.enumerated() { reduced[r * l + c] = cost[i * m + j] } }
        let largest = reduced.reduce(0) { max($0, abs($1)) }
        let scale = largest > 0 ? largest : 1
        var iterations = 0
        let solved: (arcs: [Int], flow: [Double], potential: [Double]) = try reduced.withUnsafeBufferPointer { matrix in
            // Artificial arcs cost more than half of any real arc: a unit sent from a source
            // through the root to a sink then always costs more than sending it directly.
            var simplex = NetworkSimplex(cost: matrix, a: rows.map { a[$0] }, b: columns.map { b[$0] }, artificialCost: scale)
            let block = max(16, Int(Double(k * l).squareRoot().rounded(.up)))
            while let entering = simplex.enteringArc(blockSize: block, tolerance: scale * 1e-13) {
                guard iterations < maximumIterations else {
                    throw MatchingError("the network simplex found no optimum within \(maximumIterations) pivots (the limit); raise it")
                }
                simplex.pivot(entering)
                iterations += 1
            }
            return (simplex.predecessorArc, simplex.flow, simplex.potential)
        }
        // The plan: real tree arcs that carry mass.
        var entries: [(Int, Int, Double)] = []
        for v in 0..<(k + l) where solved.arcs[v] < k * l && solved.flow[v] > 0 {
            let arc = solved.arcs[v]
            entries.append((rows[arc / l], columns[arc % l], solved.flow[v]))
        }
        entries.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        // Duals: uᵢ = −πᵢ, vⱼ = π_j make every reduced cost Cᵢⱼ − uᵢ − vⱼ the simplex's.
        var u = [Double](repeating: .nan, count: n), v = [Double](repeating: .nan, count: m)
        for (r, i) in rows.enumerated() { u[i] = -solved.potential[r] }
        for (c, j) in columns.enumerated() { v[j] = solved.potential[k + c] }
        for i in 0..<n where a[i] == 0 { u[i] = columns.map { cost[i * m + $0] - v[$0] }.min()! }
        for j in 0..<m where b[j] == 0 { v[j] = (0..<n).map { cost[$0 * m + j] - u[$0] }.min()! }
        let shift = (zip(u, a).reduce(0.0) { $0 + $1.0 * $1.1 } - zip(v, b).reduce(0.0) { $0 + $1.0 * $1.1 }) / 2
        return TransportPlan(rows: n, columns: m, from: entries.map(\.0), to: entries.map(\.1), mass: entries.map(\.2),
                             cost: entries.reduce(0.0) { $0 + $1.2 * cost[$1.0 * m + $1.1] },
                             dualA: u.map { $0 - shift }, dualB: v.map { $0 + shift }, iterations: iterations)
    }

    static func uniform(_ n: Int) -> [Double] { [Double](repeating: 1 / Double(n), count: n) }

    /// `weights` divided by their sum, after checking each (finite, non-negative) and the sum (positive).
    static func normalised(_ weights: [Double], _ name: String) throws -> [Double] {
        if let bad = weights.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw MatchingError("\(name) weight \(bad) is \(weights[bad]): weights must be finite and non-negative")
        }
        let total = weights.reduce(0, +)
        guard total > 0 else { throw MatchingError("\(name) weights sum to 0: at least one must be positive") }
        return weights.map { $0 / total }
    }
}
