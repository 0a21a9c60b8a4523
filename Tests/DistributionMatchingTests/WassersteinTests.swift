import DistributionMatching
import Foundation
import Testing
import TestSupport
import Tensors

@Suite struct WassersteinTests {
    /// On a line with equal sizes, W_p is the sorted-sample formula (1/n Σ|x₍ᵢ₎ − y₍ᵢ₎|^p)^(1/p);
    /// with unequal sizes, the quantile integral: one point against two is the mean distance.
    @Test(arguments: [1.0, 2.0, 3.0])
    func oneDimensionalIsTheSortedSampleFormula(_ p: Double) throws {
        var generator = RandomGenerator(seed: 1)
        let x = (0..<50).map { _ in generator.nextNormal() }, y = (0..<50).map { _ in 2 + 0.5 * generator.nextNormal() }
        let (a, b) = (x.sorted(), y.sorted())
        let expected = pow(zip(a, b).reduce(0) { $0 + pow(abs($1.0 - $1.1), p) } / 50, 1 / p)
        #expect(abs(try Wasserstein.oneDimensional(x, y, p: p) - expected) < 1e-12)
        #expect(abs(try Wasserstein.oneDimensional([0], [1, 3], p: p) - pow((1 + pow(3, p)) / 2, 1 / p)) < 1e-12)
        // Quantiles of 2 and 3 points: breakpoints 1/3, 1/2, 2/3 split [0, 1] into four pieces.
        let uneven = try Wasserstein.oneDimensional([0, 10], [1, 2, 3], p: 1)
        #expect(abs(uneven - (1.0 / 3 * 1 + 1.0 / 6 * 2 + 1.0 / 6 * 8 + 1.0 / 3 * 7)) < 1e-12)
        #expect(try Wasserstein.oneDimensional(x, x, p: p) == 0)
    }

    /// W₂ between Gaussians is the closed form: for commuting (diagonal) covariances it is
    /// ‖μ₁ − μ₂‖² + Σ(√a − √b)²; it is 0 between equal Gaussians; and the Bures term is
    /// symmetric for non-commuting covariances.
    @Test func gaussianW2IsTheClosedForm() throws {
        let (a, b) = (Matrix(rows: 2, columns: 2, values: [4, 0, 0, 1]), Matrix(rows: 2, columns: 2, values: [1, 0, 0, 9]))
        let w = try Wasserstein.gaussian(mean1: [0, 0], covariance1: a, mean2: [3, 4], covariance2: b)
        #expect(abs(w * w - (25 + 1 + 4)) < 1e-9)
        let c = Matrix(rows: 2, columns: 2, values: [2, 0.8, 0.8, 1])
        #expect(try Wasserstein.gaussian(mean1: [1, 2], covariance1: c, mean2: [1, 2], covariance2: c) < 1e-6)
        let (forward, backward) = (try Wasserstein.gaussian(mean1: [0, 0], covariance1: a, mean2: [0, 0], covariance2: c),
                                   try Wasserstein.gaussian(mean1: [0, 0], covariance1: c, mean2: [0, 0], covariance2: a))
        #expect(abs(forward - backward) < 1e-9)
        // One dimension: W₂ between N(0, 1) and N(0, 4) is |1 − 2|, and samples agree with it.
        let one = try Wasserstein.gaussian(mean1: [0], covariance1: .identity(1), mean2: [0], covariance2: Matrix(rows: 1, columns: 1, values: [4]))
        #expect(abs(one - 1) < 1e-12)
        var generator = RandomGenerator(seed: 2)
        let (x, y) = ((0..<20000).map { _ in generator.nextNormal() }, (0..<20000).map { _ in 2 * generator.nextNormal() })
        #expect(abs(try Wasserstein.oneDimensional(x, y) - 1) < 0.03)
        #expect { _ = try Wasserstein.gaussian(mean1: [0, 0], covariance1: Matrix(rows: 2, columns: 2, values: [1, 0, 0, -1]), mean2: [0, 0], covariance2: a) }
            throws: { "\($0)".contains("positive semi-definite") }
    }

    /// The sliced distance: 0 for equal sets; for a shift δ along one axis of isotropic data, the
    /// mean over directions of (δ·θ₁)² is δ²/d, so SW₂ ≈ δ/√d; same seed, same value.
    @Test func slicedWassersteinOfAShift() throws {
        var generator = RandomGenerator(seed: 3)
        let x = Tensor.randomNormal([2000, 4], using: &generator)
        var shifted = x
        shifted.withUnsafeMutableBufferPointer { p in for i in 0..<2000 { p[i * 4] += 2 } }
        var (g1, g2) = (RandomGenerator(seed: 9), RandomGenerator(seed: 9))
        #expect(try Wasserstein.sliced(x, x, using: &g1) == 0)
        let value = try Wasserstein.sliced(x, shifted, projections: 500, using: &g2)
        #expect(abs(value - 2 / 2) < 0.05, "SW₂ \(value), expected about 1")
        var (g3, g4) = (RandomGenerator(seed: 4), RandomGenerator(seed: 4))
        #expect(try Wasserstein.sliced(x, shifted, using: &g3) == Wasserstein.sliced(x, shifted, using: &g4))
        #expect { _ = try Wasserstein.sliced(x, x.columns(0..<2), using: &g3) } throws: { "\($0)".contains("one width") }
        #expect { _ = try Wasserstein.sliced(x, x, projections: 0, using: &g3) } throws: { "\($0)".contains("at least 1 projection") }
        #expect { _ = try Wasserstein.sliced(x, x, projections: 500_000_000, using: &g3) } throws: { "\($0)".contains("use fewer projections or subsample") }
    }
}

@Suite struct SlicedLossTests {
    /// The sliced loss is SW₂² of `sliced` with the same directions, and its gradient matches
    /// finite differences (sets of equal and of unequal sizes; no ties, so sorting is locally fixed).
    @Test(arguments: [5, 7])
    func slicedLossIsDifferentiable(_ m: Int) throws {
        // The sorted orders must not change within the finite-difference step: take the first
        // seed whose projected values (within x, within y and across) all stay well apart.
        var generator = RandomGenerator(seed: 5)
        let directions = Wasserstein.unitDirections(8, dimension: 3, using: &generator)
        func gap(_ x: Tensor, _ y: Tensor) -> Float {
            let projected = matmul(Tensor.concatenate([x, y]), directions, transposeB: true)
            var gap = Float.infinity
            for k in 0..<8 {
                let values = (0..<projected.rows).map { projected[$0, k] }.sorted()
                for (a, b) in zip(values, values.dropFirst()) { gap = min(gap, b - a) }
            }
            return gap
        }
        let seed = try #require((UInt64(21)..<UInt64(121)).first { seed in
            gap(randomTensor([5, 3], lower: -1, upper: 1, seed: seed), randomTensor([m, 3], lower: -0.5, upper: 1.5, seed: seed + 1000)) > 5e-3
        })
        let (x, y) = (randomTensor([5, 3], lower: -1, upper: 1, seed: seed), randomTensor([m, 3], lower: -0.5, upper: 1.5, seed: seed + 1000))
        let check = checkGradients([x, y], step: 1e-3) { try! Wasserstein.slicedLoss($0[0], $0[1], directions: directions) }
        #expect(check.passed, "\(check)")
        var again = RandomGenerator(seed: 5)
        let sliced = try Wasserstein.sliced(x, y, projections: 8, using: &again)
        let loss = try Wasserstein.slicedLoss(Variable(x), Variable(y), directions: directions).value.scalar
        #expect(abs(Double(loss) - sliced * sliced) < 1e-5)
        #expect { _ = try Wasserstein.slicedLoss(Variable(x), Variable(y), directions: directions.columns(0..<2)) } throws: { "\($0)".contains("P × d directions") }
    }
}
