import DataFormats
import DistributionMatching
import Foundation
import Testing
import TestSupport
import Tensors

/// The Sinkhorn solver (Float32 kernels, ε-scaling, log and scaling domains) against a plain
/// Double log-domain iteration written here, and its properties: weights, relative ε, the
/// thread count, the domains, the stopping rule.
@Suite struct SinkhornTests {
    static func points(_ n: Int, _ d: Int, shift: Float = 0, seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor.randomNormal([n, d], using: &generator) + shift
    }

    /// Points on the grid of eighths: their squared distances, and the GEMM's products, are
    /// exact in Float32, so the solver and the Double reference solve the very same problem.
    static func gridPoints(_ n: Int, _ d: Int, shift: Float = 0, seed: UInt64) -> Tensor {
        let x = points(n, d, shift: shift, seed: seed)
        return try! Tensor(shape: x.shape, scalars: x.scalars.map { ($0 * 8).rounded() / 8 })
    }

    /// OT_ε by alternating log-domain half-steps in Double from zero potentials, no annealing,
    /// until the row marginal's L1 error is below 1e-12: (value, ⟨P, C⟩).
    static func reference(_ x: Tensor, _ y: Tensor, a: [Double], b: [Double], epsilon: Double) -> (value: Double, cost: Double) {
        let (n, m, d) = (x.rows, y.rows, x.columns)
        var cost = [Double](repeating: 0, count: n * m)
        for i in 0..<n { for j in 0..<m { cost[i * m + j] = (0..<d).reduce(0.0) { $0 + pow(Double(x[i, $1]) - Double(y[j, $1]), 2) } } }
        func softMinimum(_ potential: [Double], _ weights: [Double], count: Int, entry: (Int, Int) -> Double) -> [Double] {
            (0..<count).map { k in
                let terms = potential.indices.filter { weights[$0] > 0 }.map { Foundation.log(weights[$0]) + (potential[$0] - entry(k, $0)) / epsilon }
                let high = terms.max()!
                return -epsilon * (high + Foundation.log(terms.reduce(0) { $0 + Foundation.exp($1 - high) }))
            }
        }
        var (f, g) = ([Double](repeating: 0, count: n), [Double](repeating: 0, count: m))
        var converged = false
        for _ in 0..<200_000 {
            f = softMinimum(g, b, count: n) { cost[$0 * m + $1] }
            g = softMinimum(f, a, count: m) { cost[$1 * m + $0] }
            var error = 0.0
            for i in 0..<n {
                var row = 0.0
                for j in 0..<m { row += a[i] * b[j] * Foundation.exp((f[i] + g[j] - cost[i * m + j]) / epsilon) }
                error += abs(row - a[i])
            }
            if error < 1e-12 { converged = true; break }
        }
        precondition(converged, "the Double reference did not converge: choose a larger ε")
        f = softMinimum(g, b, count: n) { cost[$0 * m + $1] }
        var transport = 0.0
        for i in 0..<n { for j in 0..<m { transport += a[i] * b[j] * Foundation.exp((f[i] + g[j] - cost[i * m + j]) / epsilon) * cost[i * m + j] } }
        let value = zip(a, f).reduce(0.0) { $0 + ($1.0 > 0 ? $1.0 * $1.1 : 0) } + zip(b, g).reduce(0.0) { $0 + ($1.0 > 0 ? $1.0 * $1.1 : 0) }
        return (value, transport)
    }

    struct Problem: CustomStringConvertible, Sendable {
        let name: String, n: Int, m: Int, d: Int, shift: Float, epsilon: Double, weighted: Bool
        var description: String { name }
    }

    static let problems = [
        Problem(name: "uniform, ε = 0.5", n: 40, m: 30, d: 3, shift: 1, epsilon: 0.5, weighted: false),
        Problem(name: "weighted with zeros, ε = 0.2", n: 37, m: 45, d: 2, shift: 0.5, epsilon: 0.2, weighted: true),
        // ε two hundred times below the largest cost: exponents in the hundreds (entry-wise
        // rounding of Float32 exponents there stalls the marginal error near 10⁻⁵:
        // `OptimalTransportTests.sinkhornConvergesToTheExactDistance` holds it).
        Problem(name: "uniform, ε = 0.1", n: 20, m: 20, d: 2, shift: 1, epsilon: 0.1, weighted: false),
    ]

    /// The Float32 kernels reach the Double iteration's optimum: value and ⟨P, C⟩ to 1e-6
    /// relative (the tolerance's scale), whichever domain the iterations ended in.
    @Test(arguments: problems)
    func agreesWithADoubleReference(_ problem: Problem) throws {
        let (x, y) = (Self.gridPoints(problem.n, problem.d, seed: 1), Self.gridPoints(problem.m, problem.d, shift: problem.shift, seed: 2))
        var generator = RandomGenerator(seed: 3)
        let a = problem.weighted ? (0..<problem.n).map { $0 % 6 == 5 ? 0 : generator.nextUniformDouble() + 0.1 } : [Double](repeating: 1, count: problem.n)
        let b = problem.weighted ? (0..<problem.m).map { $0 % 9 == 8 ? 0 : generator.nextUniformDouble() + 0.1 } : [Double](repeating: 1, count: problem.m)
        let (totalA, totalB) = (a.reduce(0, +), b.reduce(0, +))
        let expected = Self.reference(x, y, a: a.map { $0 / totalA }, b: b.map { $0 / totalB }, epsilon: problem.epsilon)
        let result = try Sinkhorn.solve(x, y, weightsA: a, weightsB: b, configuration: .init(epsilon: .absolute(problem.epsilon), tolerance: 1e-7, maximumIterations: 100_000))
        #expect(result.converged, "\(problem): error \(result.marginalError) after \(result.iterations)")
        #expect(abs(result.transportCost - expected.cost) < 1e-6 * expected.cost, "\(problem): ⟨P, C⟩ \(result.transportCost), Double \(expected.cost)")
        #expect(abs(result.value - expected.value) < 1e-6 * abs(expected.value), "\(problem): OT_ε \(result.value), Double \(expected.value)")
        // The plan: rows carry a, columns b (to the tolerance), nothing on points without mass.
        let plan = result.plan
        for i in 0..<problem.n {
            let row = (0..<problem.m).reduce(0.0) { $0 + Double(plan[i, $1]) }
            #expect(abs(row - a[i] / totalA) < 1e-6, "\(problem): row \(i) carries \(row), not \(a[i] / totalA)")
        }
        for j in 0..<problem.m where b[j] == 0 { #expect((0..<problem.n).allSatisfy { plan[$0, j] == 0 }) }
    }

    /// The scaling domain changes the speed, not the answer: with memory for the cost alone
    /// (no room for the kernel) the log domain runs every iteration, to the same optimum.
    @Test func theScalingDomainAgreesWithTheLogDomain() throws {
        let (x, y) = (Self.points(200, 5, seed: 4), Self.points(150, 5, shift: 0.5, seed: 5))
        let configuration = Sinkhorn.Configuration(epsilon: .fractionOfMeanCost(0.02), tolerance: 1e-7)
        let both = try Sinkhorn.divergence(x, y, configuration: configuration)
        let bytes = 200 * 200 * MemoryLayout<Float>.size
        let logOnly = try MemoryBudget.$scoped.withValue(bytes + bytes / 2) { try Sinkhorn.divergence(x, y, configuration: configuration) }
        #expect(both.converged && logOnly.converged)
        #expect(abs(both.value - logOnly.value) < 1e-6 * abs(both.value), "scaling \(both.value), log \(logOnly.value)")
        #expect(abs(both.crossed.transportCost - logOnly.crossed.transportCost) < 1e-6 * both.crossed.transportCost)
    }

    /// A relative ε scales with the data: S_ε(c·x, c·y) = c²·S_ε(x, y), in the same iterations.
    @Test(arguments: [Float(0.01), 30])
    func aRelativeEpsilonIsFreeOfTheDataScale(_ scale: Float) throws {
        let (x, y) = (Self.points(60, 4, seed: 6), Self.points(50, 4, shift: 0.3, seed: 7))
        let plain = try Sinkhorn.divergence(x, y, configuration: .init())
        let scaled = try Sinkhorn.divergence(x * scale, y * scale, configuration: .init())
        let factor = Double(scale) * Double(scale)
        #expect(abs(scaled.value - factor * plain.value) < 1e-5 * factor * abs(plain.value), "\(scaled.value) against \(factor) × \(plain.value)")
        #expect(abs(scaled.crossed.epsilon - factor * plain.crossed.epsilon) < 1e-6 * factor * plain.crossed.epsilon)  // costs in Float32
        #expect(abs(scaled.crossed.iterations - plain.crossed.iterations) <= 2, "\(scaled.crossed.iterations) against \(plain.crossed.iterations)")
    }

    /// Points without mass take no part: zero weights give the transport of the rest.
    @Test func zeroWeightsDropPoints() throws {
        let (x, y) = (Self.points(30, 3, seed: 8), Self.points(20, 3, shift: 1, seed: 9))
        let kept = (0..<30).filter { $0 % 3 != 0 }
        let configuration = Sinkhorn.Configuration(epsilon: .absolute(0.2), tolerance: 1e-9)
        let weighted = try Sinkhorn.solve(x, y, weightsA: (0..<30).map { $0 % 3 == 0 ? 0 : 1 }, configuration: configuration)
        let subset = try Sinkhorn.solve(x.gatherRows(kept), y, configuration: configuration)
        #expect(abs(weighted.transportCost - subset.transportCost) < 1e-7 * subset.transportCost)
        #expect(abs(weighted.value - subset.value) < 1e-7 * abs(subset.value))
        #expect { _ = try Sinkhorn.solve(x, y, weightsA: [Double](repeating: 0, count: 30), configuration: configuration) } throws: { "\($0)".contains("sum to 0") }
        #expect { _ = try Sinkhorn.solve(x, y, weightsA: [1, 2], configuration: configuration) } throws: { "\($0)".contains("2 for 30 points") }
    }

    /// Same data, same result, bit for bit, on 1 thread or 2 (rows and column stripes are fixed).
    @Test func theThreadCountDoesNotChangeTheResult() throws {
        let (x, y) = (Self.points(700, 10, seed: 10), Self.points(600, 10, shift: 0.2, seed: 11))
        func run(_ threads: Int) throws -> Sinkhorn.Divergence {
            try ComputeContext(settings: ComputeSettings(threads: threads)).run { try Sinkhorn.divergence(x, y, configuration: .init(epsilon: .fractionOfMeanCost(0.01))) }
        }
        let (one, two) = (try run(1), try run(2))
        #expect(one.value == two.value && one.crossed.f == two.crossed.f && one.iterations == two.iterations)
    }

    /// Tolerance 0 runs every iteration (POT's stopThr = 0); a tiny budget stops unconverged,
    /// and the loss says so.
    @Test func theStoppingRule() throws {
        let (x, y) = (Self.points(40, 3, seed: 12), Self.points(30, 3, shift: 1, seed: 13))
        let all = try Sinkhorn.solve(x, y, configuration: .init(epsilon: .absolute(0.5), tolerance: 0, maximumIterations: 37))
        #expect(all.iterations == 37 && !all.converged)
        let short = Sinkhorn.Configuration(epsilon: .absolute(0.001), tolerance: 1e-9, maximumIterations: 3)
        let loss = try Sinkhorn.loss(Variable(x), Variable(y), configuration: short)
        #expect(!loss.converged && loss.marginalError > 1e-9 && loss.iterations <= 9)
        let converged = try Sinkhorn.loss(Variable(x), Variable(y), configuration: .init(epsilon: .absolute(0.5)))
        #expect(converged.converged && converged.marginalError < 1e-6)
        #expect { _ = try Sinkhorn.solve(x, y, configuration: .init(tolerance: -1)) } throws: { "\($0)".contains("must not be negative") }
    }

    /// The default ε (5 % of the mean cost) converges on digit images, where the old absolute
    /// 0.05 stopped unconverged after 10 000 iterations (issue 30).
    @Test func theDefaultConvergesOnImages() throws {
        let images = try DatasetLoader().load("fashion-mnist-mini:train").samples
        let solved = try Sinkhorn.divergence(images.rows(0..<300), images.rows(300..<600), configuration: .init())
        #expect(solved.converged && solved.iterations < 1000, "\(solved.iterations) iterations, error \(solved.marginalError)")
        #expect(solved.crossed.epsilon > 1 && solved.value > 0, "ε \(solved.crossed.epsilon), S_ε \(solved.value)")
    }
}
