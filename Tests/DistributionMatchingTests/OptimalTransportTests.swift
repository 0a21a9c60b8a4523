import DataFormats
import DistributionMatching
import Foundation
import Testing
import TestSupport
import Tensors

@Suite struct OptimalTransportTests {
    static func points(_ n: Int, _ d: Int, shift: Float = 0, seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor.randomNormal([n, d], using: &generator) + shift
    }

    /// On tiny sets of equal size and uniform weights the plan is the best of all n!
    /// permutations: n entries of 1/n, one per row and column.
    @Test(arguments: [UInt64(1), 2, 3])
    func exactDistanceIsTheBestPermutation(_ seed: UInt64) throws {
        let (x, y) = (Self.points(6, 2, seed: seed), Self.points(6, 2, shift: 0.7, seed: seed + 10))
        let plan = try EarthMovers.exact(a: x, b: y)
        func cost(_ i: Int, _ j: Int) -> Double { (0..<2).reduce(0.0) { $0 + pow(Double(x[i, $1]) - Double(y[j, $1]), 2) } }
        var best = Double.infinity
        func search(_ prefix: [Int]) {
            if prefix.count == 6 { best = min(best, prefix.enumerated().reduce(0.0) { $0 + cost($1.0, $1.1) } / 6); return }
            for j in 0..<6 where !prefix.contains(j) { search(prefix + [j]) }
        }
        search([])
        // The cost matrix comes from GEMM in Float: agreement to its precision.
        #expect(abs(plan.cost - best) < 1e-6 * best)
        let moved = zip(zip(plan.from, plan.to), plan.mass).filter { $0.1 > 1e-12 }
        #expect(moved.count == 6 && Set(moved.map(\.0.0)).count == 6 && Set(moved.map(\.0.1)).count == 6 && moved.allSatisfy { abs($0.1 - 1.0 / 6) < 1e-12 })
    }

    /// As ε → 0 the plan's transport cost tends to the exact EMD (from above); one dimension
    /// checks both against the sorted-sample formula.
    @Test func sinkhornConvergesToTheExactDistance() throws {
        let (x, y) = (Self.points(40, 3, seed: 4), Self.points(40, 3, shift: 1, seed: 5))
        let exact = try EarthMovers.exact(a: x, b: y).cost
        var previous = Double.infinity
        for epsilon in [1.0, 0.1, 0.01, 0.001] {
            let result = try Sinkhorn.solve(x, y, configuration: .init(epsilon: .absolute(epsilon), tolerance: 1e-5))
            #expect(result.converged && result.marginalError < 1e-5, "ε \(epsilon): error \(result.marginalError) after \(result.iterations)")
            // A plan of (nearly) the right marginals costs at least the optimum; less entropy, less cost.
            #expect(result.transportCost >= exact * (1 - 1e-5) && result.transportCost <= previous + 1e-9)
            previous = result.transportCost
        }
        #expect(abs(previous - exact) < 1e-4 * exact, "Sinkhorn at ε = 0.001: \(previous), exact \(exact)")
        let (a, b) = (Self.points(30, 1, seed: 6), Self.points(30, 1, shift: 2, seed: 7))
        let line = try Wasserstein.oneDimensional(a.scalars.map(Double.init), b.scalars.map(Double.init))
        #expect(abs(try EarthMovers.exact(a: a, b: b).cost - line * line) < 1e-9)
    }

    /// At ε = 10⁻³ on image-scale costs (squared distances in the tens between Fashion-MNIST
    /// images), exp(−C/ε) underflows to 0 and the plain iteration divides by zero; the log domain
    /// converges to the exact distance.
    @Test func logDomainSurvivesTinyEpsilonOnImages() throws {
        let images = try DatasetLoader().load("fashion-mnist-mini:train").samples
        let (x, y) = (images.rows(0..<25), images.rows(25..<50))
        let exact = try EarthMovers.exact(a: x, b: y).cost
        #expect(exact > 20, "image-scale costs: \(exact)")
        #expect(Foundation.exp(-exact / 1e-3) == 0)  // what the plain kernel would hold
        let result = try Sinkhorn.solve(x, y, configuration: .init(epsilon: .absolute(1e-3), tolerance: 1e-6))
        #expect(result.converged && result.transportCost.isFinite && result.value.isFinite)
        #expect(abs(result.transportCost - exact) < 1e-4 * exact, "Sinkhorn \(result.transportCost), exact \(exact)")
    }

    /// The Sinkhorn divergence is 0 for equal sets, positive otherwise, and grows with a shift.
    @Test func divergenceIsDebiased() throws {
        let x = Self.points(30, 2, seed: 8)
        let configuration = Sinkhorn.Configuration(epsilon: .absolute(0.1), tolerance: 1e-8)
        #expect(abs(try Sinkhorn.divergence(x, x, configuration: configuration).value) < 1e-6)
        let values = try [0.5, 1.0, 2.0].map { try Sinkhorn.divergence(x, Self.points(30, 2, shift: Float($0), seed: 9), configuration: configuration).value }
        #expect(values.allSatisfy { $0 > 0 } && values[0] < values[1] && values[1] < values[2], "\(values)")
        #expect { _ = try Sinkhorn.solve(x, x, configuration: .init(epsilon: .absolute(0))) } throws: { "\($0)".contains("ε must be positive") }
        // A cost matrix beyond the memory limit is refused before anything is allocated.
        let (wide, tall) = (Tensor.zeros([40_000, 1]), Tensor.zeros([40_000, 1]))
        MemoryBudget.$scoped.withValue(1 << 30) {
            #expect { _ = try Sinkhorn.solve(wide, tall, configuration: .init(epsilon: .absolute(1))) } throws: {
                "\($0)".contains("40000 × 40000 cost matrix needs 6.0 GiB, more than the memory limit of 1.0 GiB") && "\($0)".contains("subsample")
            }
            #expect { _ = try Sinkhorn.divergence(wide, x.columns(0..<1), configuration: .init(epsilon: .absolute(1))) } throws: { "\($0)".contains("subsample") }
        }
    }
}

@Suite struct SinkhornLossTests {
    /// The envelope-theorem gradient of OT_ε and of the debiased divergence matches finite
    /// differences of the converged values (ε large enough to converge tightly).
    @Test(arguments: [false, true])
    func gradientsMatchFiniteDifferences(_ debiased: Bool) throws {
        let (x, y) = (randomTensor([6, 2], lower: -1, upper: 1, seed: 11), randomTensor([5, 2], lower: -0.5, upper: 1.5, seed: 12))
        let configuration = Sinkhorn.Configuration(epsilon: .absolute(0.5), tolerance: 1e-11, maximumIterations: 100_000)
        let check = checkGradients([x, y], step: 1e-2, relativeTolerance: 2e-2) { inputs in
            try! Sinkhorn.loss(inputs[0], inputs[1], configuration: configuration, debiased: debiased).value
        }
        #expect(check.passed, "debiased \(debiased): \(check)")
        let value = try Sinkhorn.loss(Variable(x), Variable(y), configuration: configuration, debiased: debiased).value.value.scalar
        let expected = debiased ? try Sinkhorn.divergence(x, y, configuration: configuration).value : try Sinkhorn.solve(x, y, configuration: configuration).value
        #expect(abs(Double(value) - expected) < 1e-5 * max(1, abs(expected)))
    }
}
