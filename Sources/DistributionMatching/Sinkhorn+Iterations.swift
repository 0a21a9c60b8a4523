import Foundation
import Tensors

extension Sinkhorn {
    /// An annealing level moves on once its marginal error is below this, or after this many
    /// iterations: it only has to warm-start the next.
    static let annealingTolerance = 1e-3, annealingIterations = 100

    /// ε-scaling starts at this fraction of the mean cost (or the diameter, if smaller), never
    /// below the target: there Sinkhorn converges in tens of iterations from zero potentials.
    /// Measured (`latent-benchmarks sinkhorn`'s problems, 2026-12-05): starting at the diameter
    /// instead took 22 + 10 + 10 iterations for the benchmark's divergence at ε = 0.05 (this
    /// start: 12 + 3 + 3) and no fewer anywhere else (300 and 2 000 Fashion-MNIST images at
    /// ε = 0.05, 0.01, 0.005 of the mean cost; 2 000 planar points at 0.05, 0.005, 0.0005), while
    /// no annealing at all converged slower at the smallest ε (marginal error 1.2e-5 against
    /// 1.9e-6 after 10 000 iterations).
    static let annealingStartFraction = 0.05

    static func annealingStart(_ problem: SinkhornCost, target: Double) -> Double {
        Swift.max(target, Swift.min(problem.largest, annealingStartFraction * problem.mean))
    }

    /// Log-domain iterations a level runs before the scaling domain takes over: the first
    /// steps after ε changes move the potentials most, and each absorption costs a new kernel.
    static let logIterationsBeforeScaling = 2

    /// The iterations of OT_ε on one problem: alternating exact half-steps (each the minimiser
    /// of the dual given the other potential), ε-scaling from `annealingStartFraction` of the
    /// mean cost, and the row
    /// marginal's error measured for free from successive f (`SinkhornCost/rowMarginalError`).
    /// A level's first iterations run in the log domain, the rest in the stabilised scaling
    /// domain (`Scaling`) where the kernel fits in memory; the log domain takes over again
    /// when a kernel's row or column underflows.
    static func iterate(_ problem: SinkhornCost, epsilon target: Double, configuration: Configuration) -> Result {
        var epsilon = annealingStart(problem, target: target)
        var g = [Double](repeating: 0, count: problem.m)
        var f = problem.rowSoftMinimum(g, epsilon: epsilon).f
        var (iterations, levelIterations, error) = (0, 0, Double.infinity)
        var scaling: Scaling?
        var scalingFailed = false
        let scalingFits = Scaling.fits(problem)
        while iterations < configuration.maximumIterations {
            let final = epsilon <= target
            if scaling == nil, !scalingFailed, scalingFits, levelIterations >= logIterationsBeforeScaling {
                scaling = Scaling(problem, f: f, g: g, epsilon: epsilon)
            }
            if var state = scaling {
                if let measured = state.step() {
                    (error, scaling) = (measured, state)
                } else {
                    ((f, g), scaling, scalingFailed) = (state.potentials, nil, true)
                }
            }
            if scaling == nil {
                g = problem.columnSoftMinimum(f, epsilon: epsilon)
                let next = problem.rowSoftMinimum(g, epsilon: epsilon).f
                error = problem.rowMarginalError(before: f, after: next, epsilon: epsilon)
                f = next
            }
            iterations += 1
            levelIterations += 1
            if final {
                if error < configuration.tolerance { break }
            } else if error < Swift.max(configuration.tolerance, annealingTolerance) || levelIterations >= annealingIterations {
                if let state = scaling { ((f, g), scaling) = (state.potentials, nil) }
                epsilon = Swift.max(epsilon * configuration.annealingFactor, target)
                (levelIterations, scalingFailed) = (0, false)
            }
        }
        if let state = scaling { (f, g) = state.potentials }
        // The last half-step on f makes the rows of the plan carry a exactly, and ⟨P, C⟩ is the
        // average of the rows' softmax costs (geomloss's final extrapolation).
        let (last, means) = problem.rowSoftMinimum(g, epsilon: epsilon, means: true)
        return finish(problem, f: last, g: g, means: means, epsilon: epsilon, target: target, iterations: iterations, error: error, configuration: configuration)
    }

    /// OT_ε(α, α) for a set against itself: f = g by symmetry, and the averaged iteration
    /// f ← ½(f + T_ε(f)) (Feydy et al. 2019, §3.1) converges in a few steps where the
    /// alternating one crawls (every point's nearest neighbour is itself, so near-ties abound).
    /// ε falls by one annealing factor per step down to the target (geomloss's schedule, from
    /// `annealingStartFraction` of the mean cost); at the
    /// target the scaling domain takes over as in `iterate(_:epsilon:configuration:)`.
    static func symmetric(_ problem: SinkhornCost, epsilon target: Double, configuration: Configuration) -> Result {
        var f = [Double](repeating: 0, count: problem.n)
        var epsilon = annealingStart(problem, target: target)
        var (iterations, finalIterations, error) = (0, 0, Double.infinity)
        var scaling: Scaling?
        var scalingFailed = false
        let scalingFits = Scaling.fits(problem)
        while iterations < configuration.maximumIterations {
            let final = epsilon <= target
            if final, scaling == nil, !scalingFailed, scalingFits, finalIterations >= logIterationsBeforeScaling {
                scaling = Scaling(problem, f: f, g: f, epsilon: epsilon)
            }
            if var state = scaling {
                if let measured = state.symmetricStep() {
                    (error, scaling) = (measured, state)
                } else {
                    (f, scaling, scalingFailed) = (state.potentials.f, nil, true)
                }
            }
            if scaling == nil {
                let next = problem.rowSoftMinimum(f, epsilon: epsilon).f
                if final { error = problem.rowMarginalError(before: f, after: next, epsilon: epsilon) }
                for i in f.indices { f[i] = 0.5 * (f[i] + next[i]) }
            }
            iterations += 1
            if !final {
                epsilon = Swift.max(epsilon * configuration.annealingFactor, target)
            } else {
                finalIterations += 1
                if error < configuration.tolerance { break }
            }
        }
        if let state = scaling { f = state.potentials.f }
        let means = problem.rowSoftMinimum(f, epsilon: epsilon, means: true).means
        // The value at the symmetric potential: 2⟨a, f⟩; the cost is that of the plan whose rows
        // the last half-step made exact.
        let value = 2 * zip(problem.logA, f).reduce(0.0) { $0 + ($1.0 > -.infinity ? Foundation.exp($1.0) * $1.1 : 0) }
        let transport = zip(problem.logA, means).reduce(0.0) { $0 + ($1.0 > -.infinity ? Foundation.exp($1.0) * $1.1 : 0) }
        return Result(value: value, transportCost: transport, iterations: iterations, marginalError: error,
                      converged: epsilon <= target && error < configuration.tolerance, f: f, g: f, epsilon: epsilon, problem: problem)
    }

    static func finish(_ problem: SinkhornCost, f: [Double], g: [Double], means: [Double], epsilon: Double, target: Double,
                       iterations: Int, error: Double, configuration: Configuration) -> Result {
        func weighted(_ logWeights: [Double], _ values: [Double]) -> Double {
            zip(logWeights, values).reduce(0.0) { $0 + ($1.0 > -.infinity ? Foundation.exp($1.0) * $1.1 : 0) }
        }
        let value = weighted(problem.logA, f) + weighted(problem.logB, g)
        return Result(value: value, transportCost: weighted(problem.logA, means), iterations: iterations, marginalError: error,
                      converged: epsilon <= target && error < configuration.tolerance, f: f, g: g, epsilon: epsilon, problem: problem)
    }
}
