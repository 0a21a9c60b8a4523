import DistributionMatching
import Testing
import TestSupport
import Tensors

/// The exact transport plan between weighted sets of any sizes, proved optimal by its own duals.
@Suite struct ExactTransport {
    /// A problem: points, weights (nil: uniform) and a name for the report.
    struct Case: CustomStringConvertible, Sendable {
        let name: String, a: Tensor, weightsA: [Double]?, b: Tensor, weightsB: [Double]?
        var description: String { name }

        static func random(_ n: Int, _ m: Int, dimension: Int = 3, weighted: Bool = true, seed: UInt64) -> Case {
            var generator = RandomGenerator(seed: seed)
            let a = Tensor.randomNormal([n, dimension], using: &generator), b = Tensor.randomNormal([m, dimension], using: &generator) + 0.5
            let weights = { (count: Int) in (0..<count).map { _ in Double(generator.nextUniform()) + 0.01 } }
            return Case(name: "\(n) × \(m)\(weighted ? ", random weights" : ", uniform")", a: a, weightsA: weighted ? weights(n) : nil,
                        b: b, weightsB: weighted ? weights(m) : nil)
        }
    }

    static let cases: [Case] = {
        var generator = RandomGenerator(seed: 9)
        let points = Tensor.randomNormal([6, 2], using: &generator)
        let duplicated = Tensor.concatenate([points, points, points.rows(0..<2)])
        return [
            .random(1, 1, seed: 1), .random(5, 3, seed: 2), .random(3, 5, seed: 3), .random(40, 30, seed: 4), .random(200, 150, seed: 5),
            .random(60, 60, weighted: false, seed: 6),  // an assignment: as degenerate as it gets
            Case(name: "duplicate points", a: duplicated, weightsA: nil, b: points, weightsB: [1, 2, 3, 1, 2, 3]),
            Case(name: "zero weights", a: points, weightsA: [0, 1, 0, 2, 1, 0], b: duplicated, weightsB: (0..<14).map { $0 % 3 == 0 ? 0 : 1 }),
            Case(name: "all points equal", a: Tensor.zeros([7, 2]), weightsA: nil, b: Tensor.zeros([4, 2]), weightsB: [1, 1, 1, 5]),
            Case(name: "integer weights, many ties", a: points, weightsA: [1, 1, 1, 1, 1, 1], b: points.rows(0..<3), weightsB: [2, 2, 2]),
        ]
    }()

    /// Squared distances in Double, as the solver computes them.
    static func costs(_ a: Tensor, _ b: Tensor) -> [Double] {
        var cost: [Double] = []
        forEachSquaredDistance(a, b) { _, row in cost += row }
        return cost
    }

    /// Optimality by LP duality: the plan's marginals are the weights, it has at most n + m − 1
    /// non-zeros, the duals are feasible (uᵢ + vⱼ ≤ Cᵢⱼ) and tight where mass moves, and the
    /// dual objective equals the cost. Any feasible plan costs at least the dual objective, so
    /// this plan is optimal.
    @Test(arguments: cases)
    func thePlanIsOptimalByItsDuals(_ problem: Case) throws {
        let plan = try EarthMovers.exact(a: problem.a, weightsA: problem.weightsA, b: problem.b, weightsB: problem.weightsB)
        let (n, m) = (problem.a.rows, problem.b.rows)
        let normalise = { (w: [Double]?, count: Int) -> [Double] in
            let w = w ?? [Double](repeating: 1, count: count)
            let total = w.reduce(0, +)
            return w.map { $0 / total }
        }
        let (a, b) = (normalise(problem.weightsA, n), normalise(problem.weightsB, m))
        let cost = Self.costs(problem.a, problem.b)
        let scale = max(cost.max() ?? 1, 1e-300)
        #expect(zip(plan.marginalA, a).allSatisfy { abs($0 - $1) <= 1e-12 } && zip(plan.marginalB, b).allSatisfy { abs($0 - $1) <= 1e-12 }, "\(problem)")
        #expect(plan.mass.count <= n + m - 1 && plan.mass.allSatisfy { $0 > 0 }, "\(problem): \(plan.mass.count) non-zeros")
        for i in 0..<n { for j in 0..<m { #expect(plan.dualA[i] + plan.dualB[j] <= cost[i * m + j] + 1e-10 * scale, "\(problem): dual infeasible at \(i), \(j)") } }
        for (i, j) in zip(plan.from, plan.to) { #expect(abs(cost[i * m + j] - plan.dualA[i] - plan.dualB[j]) <= 1e-10 * scale, "\(problem): slack at \(i), \(j)") }
        let primal = zip(zip(plan.from, plan.to), plan.mass).reduce(0.0) { $0 + cost[$1.0.0 * m + $1.0.1] * $1.1 }
        #expect(primal == plan.cost)
        #expect(abs(plan.cost - plan.dualObjective(weightsA: a, weightsB: b)) <= 1e-9 * max(plan.cost, 1e-12 * scale), "\(problem): \(plan.cost)")
    }

    /// Any cost matrix: on a 2 × 3 problem small enough to enumerate, the optimum of the LP
    /// (found by scanning the one free parameter of its vertices) is the plan's.
    @Test func anyCostMatrix() throws {
        // a = (0.5, 0.5), b = (0.2, 0.3, 0.5), C = [[1, 4, 2], [3, 1, 5]]: P₂₃ free once P₁₁, P₁₂ fixed.
        let cost: [Double] = [1, 4, 2, 3, 1, 5]
        let plan = try EarthMovers.exact(cost: cost, weightsA: [1, 1], weightsB: [2, 3, 5])
        // Row 1 sends 0.5, row 2 sends 0.5; the cheapest: row 1 → column 3 (0.5 at 2), row 2 →
        // columns 1 (0.2 at 3) and 2 (0.3 at 1): 1 + 0.6 + 0.3 = 1.9.
        #expect(abs(plan.cost - 1.9) < 1e-12, "\(plan)")
        #expect(plan.mass.count <= 4)
    }

    @Test func badInputsAreClearErrors() throws {
        let a = Tensor.zeros([3, 2]), b = Tensor.zeros([2, 2])
        let cases: [(() throws -> TransportPlan, String)] = [
            ({ try EarthMovers.exact(a: a, weightsA: [1, -1, 1], b: b) }, "the first set's weight 1 is -1.0: weights must be finite and non-negative"),
            ({ try EarthMovers.exact(a: a, b: b, weightsB: [.nan, 1]) }, "the second set's weight 0 is nan"),
            ({ try EarthMovers.exact(a: a, b: b, weightsB: [0, 0]) }, "the second set's weights sum to 0"),
            ({ try EarthMovers.exact(cost: [1, 2, 3], weightsA: [1, 1], weightsB: [1, 1]) }, "got 2 and 2 weights and 3 costs"),
            ({ try EarthMovers.exact(cost: [1, .infinity], weightsA: [1], weightsB: [1, 1]) }, "row 0, column 1"),
            ({ try EarthMovers.exact(a: a, b: Tensor.zeros([2, 3])) }, "one width"),
            ({ try EarthMovers.exact(a: Case.random(30, 30, seed: 1).a, b: Case.random(30, 30, seed: 2).b, maximumIterations: 3) },
             "found no optimum within 3 pivots (the limit); raise it"),
        ]
        for (call, message) in cases {
            #expect { _ = try call() } throws: { "\($0)".contains(message) }
        }
    }
}
