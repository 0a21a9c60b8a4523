import Tensors

/// An optimal transport plan between two weighted sets, its cost and its certificate.
///
/// The plan P (`n × m`) is kept sparse: a basic solution of the transportation LP has at most
/// n + m − 1 non-zeros. The duals u (`n`), v (`m`) are feasible, uᵢ + vⱼ ≤ Cᵢⱼ, and equal
/// the cost on every non-zero (complementary slackness), so ⟨u, a⟩ + ⟨v, b⟩ = ⟨P, C⟩: they
/// prove the plan optimal. They are fixed up to u + c, v − c; here ⟨u, a⟩ = ⟨v, b⟩ (as POT's
/// `center_dual`).
public struct TransportPlan: Sendable, Equatable {
    /// The sets' sizes n and m.
    public let rows: Int, columns: Int
    /// The non-zeros of P: `mass[k]` moves from row `from[k]` of the first set to row `to[k]` of
    /// the second, sorted by (from, to).
    public let from: [Int], to: [Int], mass: [Double]
    /// ⟨P, C⟩, summed in Double.
    public let cost: Double
    /// The duals of the first set's and the second set's marginal constraints.
    public let dualA: [Double], dualB: [Double]
    /// Pivots of the network simplex.
    public let iterations: Int

    /// Σⱼ Pᵢⱼ for each i: the first set's weights, to rounding.
    public var marginalA: [Double] {
        var sums = [Double](repeating: 0, count: rows)
        for (i, p) in zip(from, mass) { sums[i] += p }
        return sums
    }

    /// Σᵢ Pᵢⱼ for each j: the second set's weights, to rounding.
    public var marginalB: [Double] {
        var sums = [Double](repeating: 0, count: columns)
        for (j, p) in zip(to, mass) { sums[j] += p }
        return sums
    }

    /// The dual objective ⟨u, a⟩ + ⟨v, b⟩ for weights a and b: the plan's cost at an optimum.
    public func dualObjective(weightsA a: [Double], weightsB b: [Double]) -> Double {
        zip(dualA, a).reduce(0.0) { $0 + $1.0 * $1.1 } + zip(dualB, b).reduce(0.0) { $0 + $1.0 * $1.1 }
    }
}
