import Foundation
import Tensors

/// Entropic optimal transport between the uniform distributions on two sets of points, by
/// Sinkhorn's iterations in the log domain (Peyré & Cuturi, *Computational Optimal Transport*,
/// 2019, §4.4; Feydy et al., "Interpolating between optimal transport and MMD using Sinkhorn
/// divergences", AISTATS 2019): dual potentials f, g with
///
///     fᵢ ← −ε log Σⱼ bⱼ exp((gⱼ − Cᵢⱼ)/ε),   gⱼ ← −ε log Σᵢ aᵢ exp((fᵢ − Cᵢⱼ)/ε),
///
/// updated together and averaged with the previous ones (the symmetric form), while ε falls
/// geometrically from the cost's diameter to its target (ε-scaling), so the iterations neither
/// overflow at small ε (the plain kernel exp(−C/ε) underflows to 0 for ε ≪ C) nor crawl.
/// Ground cost Cᵢⱼ = ‖xᵢ − yⱼ‖² (squared Euclidean, POT's `ot.dist`).
public enum Sinkhorn {
    /// How the iterations run.
    public struct Configuration: Sendable, Equatable, Codable {
        /// ε, the entropic regularisation, in the cost's units.
        public var epsilon: Double
        /// Iterations at the target ε stop when the L1 error of the plan's row marginal,
        /// Σᵢ |Σⱼ Pᵢⱼ − aᵢ|, falls below this.
        public var tolerance: Double
        /// Iterations at most, annealing included.
        public var maximumIterations: Int
        /// ε is multiplied by this from one annealing step to the next (0 < s < 1; geomloss's 0.5).
        public var annealingFactor: Double

        public init(epsilon: Double, tolerance: Double = 1e-6, maximumIterations: Int = 10_000, annealingFactor: Double = 0.5) {
            (self.epsilon, self.tolerance, self.maximumIterations, self.annealingFactor) = (epsilon, tolerance, maximumIterations, annealingFactor)
        }

        public func validate() throws {
            guard epsilon > 0, epsilon.isFinite else { throw MatchingError("Sinkhorn's ε must be positive, got \(epsilon)") }
            guard tolerance > 0 else { throw MatchingError("Sinkhorn's tolerance must be positive, got \(tolerance)") }
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
        /// Σᵢ |Σⱼ Pᵢⱼ − aᵢ| at the end.
        public let marginalError: Double
        public let converged: Bool
        /// The potentials f (`n`) and g (`m`).
        public let f: [Double], g: [Double]
        /// The ground cost C (`n × m`, row-major, Float) and ε, from which the plan follows:
        /// Pᵢⱼ = aᵢbⱼ exp((fᵢ + gⱼ − Cᵢⱼ)/ε).
        let cost: [Float]
        let epsilon: Double

        /// Pᵢⱼ, row-major `n × m`.
        public var plan: [Double] {
            let (n, m) = (f.count, g.count)
            let logMass = -Foundation.log(Double(n)) - Foundation.log(Double(m))
            var p = [Double](repeating: 0, count: n * m)
            for i in 0..<n { for j in 0..<m { p[i * m + j] = Foundation.exp(logMass + (f[i] + g[j] - Double(cost[i * m + j])) / epsilon) } }
            return p
        }
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

    /// Iterations between measurements of the marginal error (a measurement costs as much as
    /// half an iteration).
    static let checkEvery = 5
    /// An annealing level moves on once its marginal error is below this, or after this many
    /// iterations: it only has to warm-start the next.
    static let annealingTolerance = 1e-3, annealingIterations = 100

    /// The squared-Euclidean cost matrix of `x` (`n × d`) and `y` (`m × d`), Float, row-major.
    static func costMatrix(_ x: Tensor, _ y: Tensor) -> [Float] {
        var cost = [Float](repeating: 0, count: x.rows * y.rows)
        forEachSquaredDistance(x, y) { i, row in for j in row.indices { cost[i * y.rows + j] = Float(row[j]) } }
        return cost
    }

    /// Entropic OT between the uniform distributions on the rows of `x` and `y`.
    public static func solve(_ x: Tensor, _ y: Tensor, configuration: Configuration) throws -> Result {
        guard x.rank == 2, y.rank == 2, x.columns == y.columns, x.rows >= 1, y.rows >= 1 else {
            throw MatchingError("Sinkhorn compares sets of one width: got shapes \(x.shape) and \(y.shape)")
        }
        try configuration.validate()
        try checkCostMemory(x.rows, y.rows)
        try x.checkFinite("the first set")
        try y.checkFinite("the second set")
        return iterate(cost: costMatrix(x, y), n: x.rows, m: y.rows, configuration: configuration)
    }

    /// The iterations on a given cost matrix (`n × m`, row-major).
    static func iterate(cost: [Float], n: Int, m: Int, configuration: Configuration) -> Result {
        let (logA, logB) = (-Foundation.log(Double(n)), -Foundation.log(Double(m)))
        var (f, g) = ([Double](repeating: 0, count: n), [Double](repeating: 0, count: m))
        let diameter = Double(cost.max() ?? 0)
        // ε-scaling: from the diameter (where one iteration nearly solves it) down to the target.
        var epsilon = Swift.max(diameter, configuration.epsilon)
        var iterations = 0
        var error = Double.infinity
        // ε-scaling (Schmitzer 2019, §3.2): each ε warm-starts the next, so the iterations at the
        // target ε begin near their fixed point. Every level runs alternating updates (each the
        // exact minimiser given the other potential) until its marginal error is small or its
        // share of iterations is spent; the target level runs to `tolerance`.
        while iterations < configuration.maximumIterations {
            let final = epsilon <= configuration.epsilon
            let levelTolerance = final ? configuration.tolerance : Swift.max(configuration.tolerance, Self.annealingTolerance)
            var levelIterations = 0
            while iterations < configuration.maximumIterations {
                f = softMinimum(cost, n: n, m: m, potential: g, logWeight: logB, epsilon: epsilon, overRows: false)
                g = softMinimum(cost, n: n, m: m, potential: f, logWeight: logA, epsilon: epsilon, overRows: true)
                iterations += 1
                levelIterations += 1
                if !final && levelIterations >= Self.annealingIterations { break }
                if levelIterations % checkEvery == 0 || iterations == configuration.maximumIterations {
                    error = marginalError(cost, n: n, m: m, f: f, g: g, epsilon: epsilon)
                    if error < levelTolerance { break }
                }
            }
            if final { break }
            epsilon = Swift.max(epsilon * configuration.annealingFactor, configuration.epsilon)
        }
        if error.isInfinite { error = marginalError(cost, n: n, m: m, f: f, g: g, epsilon: epsilon) }
        // A last half-step on f makes the row marginal exact, so ⟨P, C⟩ is the cost of a plan
        // whose rows carry exactly a (geomloss's final extrapolation).
        f = softMinimum(cost, n: n, m: m, potential: g, logWeight: logB, epsilon: epsilon, overRows: false)
        let value = f.reduce(0, +) / Double(n) + g.reduce(0, +) / Double(m)
        var transport = 0.0
        for i in 0..<n { for j in 0..<m {
            let c = Double(cost[i * m + j])
            transport += Foundation.exp(logA + logB + (f[i] + g[j] - c) / epsilon) * c
        } }
        return Result(value: value, transportCost: transport, iterations: iterations, marginalError: error,
                      converged: error < configuration.tolerance, f: f, g: g, cost: cost, epsilon: epsilon)
    }

    /// −ε log Σ_k w exp((potential_k − C)/ε) for each row (over columns k = j; `overRows` false)
    /// or each column (over rows k = i), by a stable log-sum-exp; rows or columns in parallel.
    static func softMinimum(_ cost: [Float], n: Int, m: Int, potential: [Double], logWeight: Double, epsilon: Double, overRows: Bool) -> [Double] {
        let count = overRows ? m : n
        var result = [Double](repeating: 0, count: count)
        result.withUnsafeMutableBufferPointer { out in
            let address = UInt(bitPattern: out.baseAddress)
            forEachChunk(of: count, minimumChunk: Swift.max(1, (1 << 15) / Swift.max(overRows ? n : m, 1))) { range in
                let out = UnsafeMutablePointer<Double>(bitPattern: address)!
                let length = overRows ? n : m
                var terms = [Double](repeating: 0, count: length)
                for index in range {
                    var high = -Double.infinity
                    for k in 0..<length {
                        let c = Double(overRows ? cost[k * m + index] : cost[index * m + k])
                        let t = (potential[k] - c) / epsilon
                        terms[k] = t
                        if t > high { high = t }
                    }
                    var sum = 0.0
                    for k in 0..<length { sum += Foundation.exp(terms[k] - high) }
                    out[index] = -epsilon * (logWeight + high + Foundation.log(sum))
                }
            }
        }
        return result
    }

    /// Σᵢ |Σⱼ Pᵢⱼ − 1/n|.
    static func marginalError(_ cost: [Float], n: Int, m: Int, f: [Double], g: [Double], epsilon: Double) -> Double {
        let logMass = -Foundation.log(Double(n)) - Foundation.log(Double(m))
        var error = 0.0
        for i in 0..<n {
            var row = 0.0
            for j in 0..<m { row += Foundation.exp(logMass + (f[i] + g[j] - Double(cost[i * m + j])) / epsilon) }
            error += Swift.abs(row - 1 / Double(n))
        }
        return error
    }

    /// The Sinkhorn divergence S_ε(α, β) = OT_ε(α, β) − ½OT_ε(α, α) − ½OT_ε(β, β) (Feydy et
    /// al. 2019, eq. 3): debiased, so S_ε(α, α) = 0, and never negative when the iterations
    /// converge; it tends to OT as ε → 0 and to an MMD as ε → ∞.
    public static func divergence(_ x: Tensor, _ y: Tensor, configuration: Configuration) throws -> (value: Double, crossed: Result) {
        for n in [x.rows, y.rows] { try checkCostMemory(n, n) }
        let crossed = try solve(x, y, configuration: configuration)
        let (xx, yy) = (symmetric(costMatrix(x, x), n: x.rows, configuration: configuration),
                        symmetric(costMatrix(y, y), n: y.rows, configuration: configuration))
        return (crossed.value - 0.5 * xx.value - 0.5 * yy.value, crossed)
    }

    /// OT_ε(α, α) for a set against itself: f = g by symmetry, and the averaged iteration
    /// f ← ½(f + T_ε(f)) (Feydy et al. 2019, §3.1) converges in a few steps where the
    /// alternating one crawls (every point's nearest neighbour is itself, so near-ties abound).
    static func symmetric(_ cost: [Float], n: Int, configuration: Configuration) -> Result {
        let logA = -Foundation.log(Double(n))
        var f = [Double](repeating: 0, count: n)
        var epsilon = Swift.max(Double(cost.max() ?? 0), configuration.epsilon)
        var (iterations, error) = (0, Double.infinity)
        while iterations < configuration.maximumIterations {
            let next = softMinimum(cost, n: n, m: n, potential: f, logWeight: logA, epsilon: epsilon, overRows: false)
            for i in 0..<n { f[i] = 0.5 * (f[i] + next[i]) }
            iterations += 1
            if epsilon > configuration.epsilon {
                epsilon = Swift.max(epsilon * configuration.annealingFactor, configuration.epsilon)
            } else if iterations % checkEvery == 0 {
                error = marginalError(cost, n: n, m: n, f: f, g: f, epsilon: epsilon)
                if error < configuration.tolerance { break }
            }
        }
        if error.isInfinite { error = marginalError(cost, n: n, m: n, f: f, g: f, epsilon: epsilon) }
        let value = 2 * f.reduce(0, +) / Double(n)
        var transport = 0.0
        for i in 0..<n { for j in 0..<n {
            let c = Double(cost[i * n + j])
            transport += Foundation.exp(2 * logA + (f[i] + f[j] - c) / epsilon) * c
        } }
        return Result(value: value, transportCost: transport, iterations: iterations, marginalError: error,
                      converged: error < configuration.tolerance, f: f, g: f, cost: cost, epsilon: epsilon)
    }
}
