import Foundation
import Tensors

extension Sinkhorn {
    /// Sinkhorn's iterations in the scaling (kernel) domain at one ε, stabilised by absorption
    /// (Schmitzer, "Stabilized sparse scaling algorithms for entropy regularized transport
    /// problems", SIAM J. Sci. Comput. 2019, Algorithm 2): with potentials f = f̃ + ε log u and
    /// g = g̃ + ε log v and the kernel K̃ᵢⱼ = exp((f̃ᵢ + g̃ⱼ − Cᵢⱼ)/ε) (Float32, `n × m`),
    ///
    ///     v ← 1 / K̃ᵀ(a ∘ u),   u ← 1 / K̃(b ∘ v),
    ///
    /// the same updates as the log domain's, each a matrix–vector product: one multiply-add a
    /// cost instead of an exponential. When a scaling leaves [e^−τ, e^τ], it is absorbed into the
    /// potentials and K̃ recomputed, so K̃'s entries near the plan's support stay O(1) and the
    /// ones that underflow (below e^−87) weigh under e^(2τ − 87) of the mass.
    struct Scaling {
        let problem: SinkhornCost
        let epsilon: Double
        private(set) var fTilde: [Double], gTilde: [Double]
        private(set) var u: [Double], v: [Double]
        private(set) var kernel: Tensor
        /// τ: scalings beyond e^±τ are absorbed.
        static let absorptionThreshold = 20.0

        /// Starts at potentials (f, g) (all absorbed: u = v = 1).
        init(_ problem: SinkhornCost, f: [Double], g: [Double], epsilon: Double) {
            (self.problem, self.epsilon, fTilde, gTilde) = (problem, epsilon, f, g)
            (u, v) = ([Double](repeating: 1, count: f.count), [Double](repeating: 1, count: g.count))
            kernel = problem.kernel(f: f, g: g, epsilon: epsilon)
        }

        /// The memory of K̃ fits beside the cost.
        static func fits(_ problem: SinkhornCost) -> Bool {
            !MemoryBudget.exceeds(2 * problem.n * problem.m * MemoryLayout<Float>.size)
        }

        /// f and g.
        var potentials: (f: [Double], g: [Double]) {
            (zip(fTilde, u).map { $0 + epsilon * Foundation.log($1) }, zip(gTilde, v).map { $0 + epsilon * Foundation.log($1) })
        }

        /// One iteration (columns, then rows), returning the row marginal's L1 error of the plan
        /// before the row half-step, or nil, changing nothing, when a sum is 0 or not finite (the
        /// kernel lost a row's or column's mass to underflow: the log domain must take over).
        mutating func step() -> Double? {
            let columnSums = problem.multiplyColumns(kernel, by: Self.weighted(problem.logA, u))
            guard columnSums.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
            let nextV = columnSums.map { 1 / $0 }
            let rowSums = problem.multiplyRows(kernel, by: Self.weighted(problem.logB, nextV))
            guard rowSums.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
            var error = 0.0
            for i in 0..<problem.n where problem.logA[i] > -.infinity { error += Foundation.exp(problem.logA[i]) * Swift.abs(u[i] * rowSums[i] - 1) }
            (u, v) = (rowSums.map { 1 / $0 }, nextV)
            absorbIfNeeded()
            return error
        }

        /// One averaged step f ← ½(f + T(f)) of a symmetric problem (K̃ symmetric, u the one
        /// scaling): u ← √(u / K̃(a ∘ u)); returns the row marginal's error before it, or nil.
        mutating func symmetricStep() -> Double? {
            let rowSums = problem.multiplyRows(kernel, by: Self.weighted(problem.logA, u))
            guard rowSums.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
            var error = 0.0
            for i in 0..<problem.n where problem.logA[i] > -.infinity { error += Foundation.exp(problem.logA[i]) * Swift.abs(u[i] * rowSums[i] - 1) }
            u = zip(u, rowSums).map { ($0 / $1).squareRoot() }
            v = u
            absorbIfNeeded()
            return error
        }

        private mutating func absorbIfNeeded() {
            let bound = Self.absorptionThreshold
            guard u.contains(where: { Swift.abs(Foundation.log($0)) > bound }) || v.contains(where: { Swift.abs(Foundation.log($0)) > bound }) else { return }
            (fTilde, gTilde) = potentials
            (u, v) = ([Double](repeating: 1, count: u.count), [Double](repeating: 1, count: v.count))
            kernel = problem.kernel(f: fTilde, g: gTilde, epsilon: epsilon)
        }

        /// wᵢ · exp(log weightᵢ), in Float for the kernels.
        static func weighted(_ logWeights: [Double], _ scaling: [Double]) -> [Float] {
            zip(logWeights, scaling).map { $0 > -.infinity ? Float(Foundation.exp($0) * $1) : 0 }
        }
    }
}
