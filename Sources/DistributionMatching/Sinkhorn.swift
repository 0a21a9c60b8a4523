import Foundation
import Tensors

/// Entropic optimal transport between two weighted sets of points, by Sinkhorn's iterations in
/// the log domain (Peyré & Cuturi, *Computational Optimal Transport*, 2019, §4.4; Feydy et al.,
/// "Interpolating between optimal transport and MMD using Sinkhorn divergences", AISTATS 2019):
/// dual potentials f, g with
///
///     fᵢ ← −ε log Σⱼ bⱼ exp((gⱼ − Cᵢⱼ)/ε),   gⱼ ← −ε log Σᵢ aᵢ exp((fᵢ − Cᵢⱼ)/ε),
///
/// while ε falls geometrically to its target (ε-scaling, Schmitzer 2019, §3.2), so the
/// iterations neither overflow at small ε (the plain kernel exp(−C/ε) underflows to 0 for
/// ε ≪ C) nor crawl. Ground cost Cᵢⱼ = ‖xᵢ − yⱼ‖² (squared Euclidean, POT's `ot.dist`), kept in
/// Float32. A level's first half-iterations are each one pass of a vectorised log-sum-exp over
/// it (`SinkhornCost`); the rest run in the stabilised scaling domain, a matrix–vector product
/// each (`Scaling`, Schmitzer 2019, Algorithm 2).
public enum Sinkhorn {
    /// ε, the entropic regularisation: absolute, or a fraction of the data's mean ground cost, so
    /// that one setting means the same blur for points in the unit cube and for images.
    public enum Regularisation: Sendable, Equatable, Codable, CustomStringConvertible {
        /// ε in the ground cost's units.
        case absolute(Double)
        /// ε = r · Σᵢⱼ aᵢbⱼCᵢⱼ, r times the mean cost between the two sets (POT users' habit of a
        /// fraction of the cost's scale; geomloss's blur plays the same part).
        case fractionOfMeanCost(Double)

        /// The default: 5 % of the mean cost (ε = 0.05 on points whose squared distances are
        /// about 1; about 5 on Fashion-MNIST images, whose mean squared distance is about 100).
        public static let `default` = Regularisation.fractionOfMeanCost(0.05)

        /// The number given: ε, or the fraction of the mean cost.
        public var number: Double {
            switch self { case .absolute(let value), .fractionOfMeanCost(let value): value }
        }

        /// ε for a cost whose mean under the weights is `meanCost`. A cost that is 0 everywhere
        /// (every point the same) has no scale: any ε gives OT_ε = 0, and the fraction is taken as ε.
        public func resolved(meanCost: Double) -> Double {
            switch self {
            case .absolute(let epsilon): epsilon
            case .fractionOfMeanCost(let fraction): meanCost > 0 ? fraction * meanCost : fraction
            }
        }

        public var description: String {
            switch self {
            case .absolute(let epsilon): "ε = \(epsilon)"
            case .fractionOfMeanCost(let fraction): "ε = \(fraction) × the mean cost"
            }
        }
    }

    /// How the iterations run.
    public struct Configuration: Sendable, Equatable, Codable {
        /// ε, the entropic regularisation.
        public var epsilon: Regularisation
        /// Iterations at the target ε stop when the L1 error of the plan's row marginal,
        /// Σᵢ |Σⱼ Pᵢⱼ − aᵢ|, falls below this (0: run all `maximumIterations`, POT's
        /// `stopThr=0`). The exponents are Float32, so the error is that of the plan to
        /// Float32's precision.
        public var tolerance: Double
        /// Iterations at most, annealing included.
        public var maximumIterations: Int
        /// ε is multiplied by this from one annealing step to the next (0 < s < 1; geomloss's 0.5).
        public var annealingFactor: Double

        public init(epsilon: Regularisation = .default, tolerance: Double = 1e-6, maximumIterations: Int = 10_000, annealingFactor: Double = 0.5) {
            (self.epsilon, self.tolerance, self.maximumIterations, self.annealingFactor) = (epsilon, tolerance, maximumIterations, annealingFactor)
        }

        public func validate() throws {
            guard epsilon.number > 0, epsilon.number.isFinite else { throw MatchingError("Sinkhorn's ε must be positive, got \(epsilon)") }
            guard tolerance >= 0 else { throw MatchingError("Sinkhorn's tolerance must not be negative, got \(tolerance)") }
            guard maximumIterations >= 1 else { throw MatchingError("Sinkhorn needs at least 1 iteration, got \(maximumIterations)") }
            guard annealingFactor > 0, annealingFactor < 1 else { throw MatchingError("the ε annealing factor must lie in (0, 1), got \(annealingFactor)") }
        }
    }

    /// What the iterations reached.
    public struct Result: Sendable {
        /// OT_ε = ⟨a, f⟩ + ⟨b, g⟩, the dual objective at the potentials reached.
        public let value: Double
        /// ⟨P, C⟩, the transport cost of the plan alone (POT's `sinkhorn2`).
        public let transportCost: Double
        /// Iterations run, annealing included.
        public let iterations: Int
        /// Σᵢ |Σⱼ Pᵢⱼ − aᵢ| before the last half-step on f (which makes the rows exact).
        public let marginalError: Double
        /// Whether `marginalError` fell below the tolerance at the target ε.
        public let converged: Bool
        /// The potentials f (`n`) and g (`m`).
        public let f: [Double], g: [Double]
        /// ε, resolved against the data's mean cost.
        public let epsilon: Double
        /// The problem solved, from which the plan follows.
        let problem: SinkhornCost

        /// Pᵢⱼ = aᵢbⱼ exp((fᵢ + gⱼ − Cᵢⱼ)/ε), `n × m`.
        public var plan: Tensor { problem.plan(f: f, g: g, epsilon: epsilon) }
    }

    /// Refuses sets whose cost matrix (Float32, n·m values) would not fit the memory limit
    /// (``MemoryBudget``), before it is allocated.
    static func checkCostMemory(_ n: Int, _ m: Int) throws {
        let (count, overflow) = n.multipliedReportingOverflow(by: m)
        let bytes = overflow ? Int.max : count.multipliedReportingOverflow(by: MemoryLayout<Float>.size).partialValue
        guard !overflow, count <= Int.max / MemoryLayout<Float>.size, !MemoryBudget.exceeds(bytes) else {
            throw MatchingError(MemoryBudget.refusal(bytes, for: "Sinkhorn's \(n) × \(m) cost matrix") + "; subsample the sets")
        }
    }

    static func checkSets(_ x: Tensor, _ y: Tensor) throws {
        guard x.rank == 2, y.rank == 2, x.columns == y.columns, x.rows >= 1, y.rows >= 1 else {
            throw MatchingError("Sinkhorn compares sets of one width: got shapes \(x.shape) and \(y.shape)")
        }
        try x.checkFinite("the first set")
        try y.checkFinite("the second set")
    }

    static func weights(_ given: [Double]?, count: Int, _ name: String) throws -> [Double] {
        guard let given else { return EarthMovers.uniform(count) }
        guard given.count == count else { throw MatchingError("\(name) weights: \(given.count) for \(count) points") }
        return try EarthMovers.normalised(given, name)
    }

    /// Entropic OT between the weighted rows of `x` (`n × d`, weights `weightsA`, nil: uniform)
    /// and `y` (`m × d`, `weightsB`); weights are non-negative, normalised to sum to 1.
    public static func solve(_ x: Tensor, _ y: Tensor, weightsA: [Double]? = nil, weightsB: [Double]? = nil,
                             configuration: Configuration) throws -> Result {
        try checkSets(x, y)
        try configuration.validate()
        try checkCostMemory(x.rows, y.rows)
        let problem = SinkhornCost(squaredEuclideanBetween: x, y, weightsA: try weights(weightsA, count: x.rows, "the first set's"),
                                   weightsB: try weights(weightsB, count: y.rows, "the second set's"))
        return iterate(problem, epsilon: configuration.epsilon.resolved(meanCost: problem.mean), configuration: configuration)
    }

    /// The Sinkhorn divergence S_ε(α, β) = OT_ε(α, β) − ½OT_ε(α, α) − ½OT_ε(β, β) (Feydy et
    /// al. 2019, eq. 3): debiased, so S_ε(α, α) = 0, and never negative when the iterations
    /// converge; it tends to OT as ε → 0 and to an MMD as ε → ∞. A relative ε is resolved
    /// against the mean cost between α and β, and all three problems use it.
    public static func divergence(_ x: Tensor, _ y: Tensor, weightsA: [Double]? = nil, weightsB: [Double]? = nil,
                                  configuration: Configuration) throws -> Divergence {
        try checkSets(x, y)
        try configuration.validate()
        for (n, m) in [(x.rows, y.rows), (x.rows, x.rows), (y.rows, y.rows)] { try checkCostMemory(n, m) }
        let (a, b) = (try weights(weightsA, count: x.rows, "the first set's"), try weights(weightsB, count: y.rows, "the second set's"))
        let crossedProblem = SinkhornCost(squaredEuclideanBetween: x, y, weightsA: a, weightsB: b)
        let epsilon = configuration.epsilon.resolved(meanCost: crossedProblem.mean)
        let crossed = iterate(crossedProblem, epsilon: epsilon, configuration: configuration)
        let selfX = symmetric(SinkhornCost(squaredEuclideanBetween: x, x, weightsA: a, weightsB: a), epsilon: epsilon, configuration: configuration)
        let selfY = symmetric(SinkhornCost(squaredEuclideanBetween: y, y, weightsA: b, weightsB: b), epsilon: epsilon, configuration: configuration)
        return Divergence(value: crossed.value - 0.5 * selfX.value - 0.5 * selfY.value, crossed: crossed, selfX: selfX, selfY: selfY)
    }

    /// S_ε and the three problems it solved.
    public struct Divergence: Sendable {
        /// S_ε(α, β).
        public let value: Double
        /// OT_ε(α, β), OT_ε(α, α) and OT_ε(β, β).
        public let crossed: Result, selfX: Result, selfY: Result

        /// Whether all three problems converged.
        public var converged: Bool { crossed.converged && selfX.converged && selfY.converged }
        /// The iterations of the three problems, summed.
        public var iterations: Int { crossed.iterations + selfX.iterations + selfY.iterations }
        /// The largest marginal error of the three.
        public var marginalError: Double { Swift.max(crossed.marginalError, selfX.marginalError, selfY.marginalError) }
    }
}
