import Tensors

extension Sinkhorn {
    /// The Sinkhorn divergence S_ε between the rows of `x` and `y` as a graph node for training
    /// (the Wasserstein autoencoder's penalty, the translator's alignment). Its gradient follows
    /// the envelope theorem (Feydy et al. 2019, §3.2): at converged potentials, ∂OT_ε/∂Cᵢⱼ = Pᵢⱼ,
    /// so ∂OT_ε/∂xᵢ = Σⱼ Pᵢⱼ·2(xᵢ − yⱼ), one pass over the final plan instead of back-propagation
    /// through every iteration; memory stays O(n·m). With `debiased` false, OT_ε(x, y) alone.
    public static func loss(_ x: Variable, _ y: Variable, configuration: Configuration, debiased: Bool = true) throws -> Variable {
        if debiased { for n in [x.shape[0], y.shape[0]] { try checkCostMemory(n, n) } }
        let crossed = try solve(x.value, y.value, configuration: configuration)
        let cross = try node(crossed, x, y)
        guard debiased else { return cross }
        let selfX = symmetric(costMatrix(x.value, x.value), n: x.shape[0], configuration: configuration)
        let selfY = symmetric(costMatrix(y.value, y.value), n: y.shape[0], configuration: configuration)
        return cross - (try selfNode(selfX, x)) * 0.5 - (try selfNode(selfY, y)) * 0.5
    }

    /// OT_ε(x, y) with ∂/∂x = 2(diag(P1)·x − P·y) and ∂/∂y = 2(diag(Pᵀ1)·y − Pᵀ·x).
    static func node(_ result: Result, _ x: Variable, _ y: Variable) throws -> Variable {
        let plan = try planTensor(result)
        return Variable(Tensor(Float(result.value)), parents: [x, y]) { g in
            let scale = 2 * g.scalar
            let gx = (x.value * plan.sum(alongAxis: 1).reshaped([x.shape[0], 1]) - matmul(plan, y.value)) * scale
            let gy = (y.value * plan.sum(alongAxis: 0).reshaped([y.shape[0], 1]) - matmul(plan, transposeA: true, x.value)) * scale
            return [x.requiresGradient ? gx : nil, y.requiresGradient ? gy : nil]
        }
    }

    /// OT_ε(x, x): C depends on x on both sides, so ∂/∂xₖ = 4(rₖxₖ − (P·x)ₖ) with P symmetric.
    static func selfNode(_ result: Result, _ x: Variable) throws -> Variable {
        let plan = try planTensor(result)
        return Variable(Tensor(Float(result.value)), parents: [x]) { g in
            [(x.value * plan.sum(alongAxis: 1).reshaped([x.shape[0], 1]) - matmul(plan, x.value)) * (4 * g.scalar)]
        }
    }

    static func planTensor(_ result: Result) throws -> Tensor {
        try Tensor(shape: [result.f.count, result.g.count], scalars: result.plan.map(Float.init))
    }
}
