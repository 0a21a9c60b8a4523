import Tensors

extension Sinkhorn {
    /// A Sinkhorn loss and what its iterations reached: the graph node, and whether every
    /// problem behind it converged (an unconverged plan gives a biased value and gradient).
    public struct Loss {
        /// The loss as a graph node.
        public let value: Variable
        /// Whether every problem solved (one, or three when debiased) converged.
        public let converged: Bool
        /// The largest marginal error among them, and the iterations they took in all.
        public let marginalError: Double, iterations: Int
    }

    /// The Sinkhorn divergence S_ε between the rows of `x` and `y` as a graph node for training
    /// (the Wasserstein autoencoder's penalty, the translator's alignment). Its gradient follows
    /// the envelope theorem (Feydy et al. 2019, §3.2): at converged potentials, ∂OT_ε/∂Cᵢⱼ = Pᵢⱼ,
    /// so ∂OT_ε/∂xᵢ = Σⱼ Pᵢⱼ·2(xᵢ − yⱼ), one pass over the final plan instead of back-propagation
    /// through every iteration; memory stays O(n·m). With `debiased` false, OT_ε(x, y) alone.
    /// An unconverged solve is returned, not thrown: ``Loss/converged`` says so.
    public static func loss(_ x: Variable, _ y: Variable, configuration: Configuration, debiased: Bool = true) throws -> Loss {
        guard debiased else {
            let crossed = try solve(x.value, y.value, configuration: configuration)
            return Loss(value: node(crossed, x, y), converged: crossed.converged, marginalError: crossed.marginalError, iterations: crossed.iterations)
        }
        let solved = try divergence(x.value, y.value, configuration: configuration)
        let value = node(solved.crossed, x, y) - selfNode(solved.selfX, x) * 0.5 - selfNode(solved.selfY, y) * 0.5
        return Loss(value: value, converged: solved.converged, marginalError: solved.marginalError, iterations: solved.iterations)
    }

    /// OT_ε(x, y) with ∂/∂x = 2(diag(P1)·x − P·y) and ∂/∂y = 2(diag(Pᵀ1)·y − Pᵀ·x).
    static func node(_ result: Result, _ x: Variable, _ y: Variable) -> Variable {
        let plan = result.plan
        return Variable(Tensor(Float(result.value)), parents: [x, y]) { g in
            let scale = 2 * g.scalar
            let gx = (x.value * plan.sum(alongAxis: 1).reshaped([x.shape[0], 1]) - matmul(plan, y.value)) * scale
            let gy = (y.value * plan.sum(alongAxis: 0).reshaped([y.shape[0], 1]) - matmul(plan, transposeA: true, x.value)) * scale
            return [x.requiresGradient ? gx : nil, y.requiresGradient ? gy : nil]
        }
    }

    /// OT_ε(x, x): C depends on x on both sides, so ∂/∂xₖ = 4(rₖxₖ − (P·x)ₖ) with P symmetric.
    static func selfNode(_ result: Result, _ x: Variable) -> Variable {
        let plan = result.plan
        return Variable(Tensor(Float(result.value)), parents: [x]) { g in
            [(x.value * plan.sum(alongAxis: 1).reshaped([x.shape[0], 1]) - matmul(plan, x.value)) * (4 * g.scalar)]
        }
    }
}
