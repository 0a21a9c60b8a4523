import DistributionMatching
import Foundation
import Testing
import TestSupport
import Tensors

@Suite struct MaximumMeanDiscrepancyTests {
    static func gaussian(_ n: Int, _ d: Int, shift: Float = 0, seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor.randomNormal([n, d], using: &generator) + shift
    }

    static let kernels: [MaximumMeanDiscrepancy.Kernel] = [
        .gaussian(bandwidth: 1.3), .multiScaleGaussian(bandwidths: [0.5, 2]), .waeInverseMultiquadric(dimension: 3),
    ]

    /// Both estimators are their formulas written out pair by pair (Gretton et al. 2012, eq. 3 and 5).
    @Test(arguments: kernels, MaximumMeanDiscrepancy.Estimator.allCases)
    func estimatorsAreTheirFormulas(_ kernel: MaximumMeanDiscrepancy.Kernel, _ estimator: MaximumMeanDiscrepancy.Estimator) throws {
        let (x, y) = (Self.gaussian(7, 3, seed: 1), Self.gaussian(9, 3, shift: 0.5, seed: 2))
        func k(_ a: Tensor, _ i: Int, _ b: Tensor, _ j: Int) -> Double {
            kernel.value(squaredDistance: (0..<3).reduce(0.0) { $0 + pow(Double(a[i, $1]) - Double(b[j, $1]), 2) })
        }
        var (xx, yy, xy) = (0.0, 0.0, 0.0)
        let unbiased = estimator == .unbiased
        for i in 0..<7 { for j in 0..<7 where !(unbiased && i == j) { xx += k(x, i, x, j) } }
        for i in 0..<9 { for j in 0..<9 where !(unbiased && i == j) { yy += k(y, i, y, j) } }
        for i in 0..<7 { for j in 0..<9 { xy += k(x, i, y, j) } }
        let expected = unbiased ? xx / 42 + yy / 72 - 2 * xy / 63 : xx / 49 + yy / 81 - 2 * xy / 63
        #expect(abs(try MaximumMeanDiscrepancy.squared(x, y, kernel: kernel, estimator: estimator) - expected) < 1e-5 * max(1, abs(expected)))
        // The graph computes the same number.
        let graph = try MaximumMeanDiscrepancy.loss(Variable(x), Variable(y), kernel: kernel, estimator: estimator).value.scalar
        #expect(abs(Double(graph) - expected) < 1e-4 * max(1, abs(expected)))
    }

    /// Against itself the unbiased MMD² averages 0 over seeds (within noise); it grows with a
    /// mean shift; the biased one is never negative.
    @Test func zeroUnderTheNullAndGrowingWithAShift() throws {
        let kernel = MaximumMeanDiscrepancy.Kernel.gaussian(bandwidth: 3)
        let same = try (0..<20).map { try MaximumMeanDiscrepancy.squared(Self.gaussian(100, 5, seed: UInt64(10 + $0)), Self.gaussian(100, 5, seed: UInt64(50 + $0)), kernel: kernel) }
        let mean = same.reduce(0, +) / 20
        let spread = (same.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 19).squareRoot()
        #expect(abs(mean) < 3 * spread / sqrt(20.0), "mean \(mean), sd \(spread)")
        let shifted = try [0.25, 0.5, 1].map { try MaximumMeanDiscrepancy.squared(Self.gaussian(200, 5, seed: 3), Self.gaussian(200, 5, shift: Float($0), seed: 4), kernel: kernel) }
        #expect(shifted[0] > 3 * spread && shifted[1] > shifted[0] && shifted[2] > shifted[1], "\(shifted)")
        let biased = try (0..<5).map { try MaximumMeanDiscrepancy.squared(Self.gaussian(50, 5, seed: UInt64($0)), Self.gaussian(50, 5, seed: UInt64(90 + $0)), kernel: kernel, estimator: .biased) }
        #expect(biased.allSatisfy { $0 >= 0 })
    }

    /// The permutation test's p-value is uniform under the null (Kolmogorov–Smirnov distance to
    /// the uniform below the 1 % critical value over 60 seeds) and small under a shift.
    @Test func permutationTestIsCalibrated() throws {
        let kernel = MaximumMeanDiscrepancy.Kernel.gaussian(bandwidth: 2)
        var generator = RandomGenerator(seed: 1)
        let pValues = try (0..<60).map { seed in
            try MaximumMeanDiscrepancy.permutationTest(Self.gaussian(30, 2, seed: UInt64(100 + seed)), Self.gaussian(30, 2, seed: UInt64(500 + seed)),
                                                       kernel: kernel, permutations: 99, using: &generator).pValue
        }.sorted()
        let ks = pValues.enumerated().map { i, p in max(abs(Double(i + 1) / 60 - p), abs(Double(i) / 60 - p)) }.max()!
        #expect(ks < 1.63 / sqrt(60.0), "KS distance \(ks)")  // 1 % critical value of the KS statistic
        #expect(pValues.allSatisfy { $0 >= 0.01 && $0 <= 1 })
        let shifted = try MaximumMeanDiscrepancy.permutationTest(Self.gaussian(30, 2, seed: 1), Self.gaussian(30, 2, shift: 1.5, seed: 2),
                                                                 kernel: kernel, permutations: 199, using: &generator)
        #expect(shifted.pValue == 1.0 / 200, "p = \(shifted.pValue)")
    }

    /// The loss's gradients with respect to both sets match finite differences, for every kernel
    /// and estimator.
    @Test(arguments: kernels, MaximumMeanDiscrepancy.Estimator.allCases)
    func lossGradientsMatchFiniteDifferences(_ kernel: MaximumMeanDiscrepancy.Kernel, _ estimator: MaximumMeanDiscrepancy.Estimator) {
        let (x, y) = (randomTensor([5, 3], lower: -1, upper: 1, seed: 3), randomTensor([4, 3], lower: -0.5, upper: 1.5, seed: 4))
        let check = checkGradients([x, y]) { try! MaximumMeanDiscrepancy.loss($0[0], $0[1], kernel: kernel, estimator: estimator) }
        #expect(check.passed, "\(kernel), \(estimator): \(check)")
    }

    @Test func badInputIsAClearError() throws {
        var generator = RandomGenerator(seed: 0)
        let x = Self.gaussian(5, 3, seed: 1)
        #expect { _ = try MaximumMeanDiscrepancy.squared(x, Self.gaussian(5, 2, seed: 2), kernel: .gaussian(bandwidth: 1)) } throws: { "\($0)".contains("one width") }
        #expect { _ = try MaximumMeanDiscrepancy.squared(x, x.rows(0..<1), kernel: .gaussian(bandwidth: 1)) } throws: { "\($0)".contains("at least 2 samples") }
        #expect { _ = try MaximumMeanDiscrepancy.squared(x, x, kernel: .gaussian(bandwidth: 0)) } throws: { "\($0)".contains("positive") }
        #expect { _ = try MaximumMeanDiscrepancy.permutationTest(x, x, kernel: .gaussian(bandwidth: 1), permutations: 0, using: &generator) } throws: { "\($0)".contains("at least 1 permutation") }
        #expect(MaximumMeanDiscrepancy.Kernel.waeInverseMultiquadric(dimension: 8) == .inverseMultiquadric(scales: [1.6, 3.2, 8, 16, 32, 80, 160]))
        // The loss checks its shapes as the measure does (it used to stop a release build without a word).
        #expect { _ = try MaximumMeanDiscrepancy.loss(Variable(x), Variable(Self.gaussian(5, 2, seed: 2)), kernel: .gaussian(bandwidth: 1)) } throws: { "\($0)".contains("one width") }
        #expect { _ = try MaximumMeanDiscrepancy.loss(Variable(x), Variable(x.rows(0..<1)), kernel: .gaussian(bandwidth: 1)) } throws: { "\($0)".contains("at least 2 rows") }
        #expect(throws: Never.self) { _ = try MaximumMeanDiscrepancy.loss(Variable(x), Variable(x.rows(0..<1)), kernel: .gaussian(bandwidth: 1), estimator: .biased) }
    }
}
