import Autoencoders
import Foundation
import Testing
import Tensors

@Suite struct GenerationMetricsTests {
    static func gaussian(_ n: Int, _ d: Int, shift: Float = 0, seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor.randomNormal([n, d], using: &generator) + shift
    }

    /// Precision and recall: a copy of the real set has both 1; a generator collapsed onto one
    /// real point is precise but recalls almost nothing; samples far away have both 0.
    @Test func precisionAndRecallSeparateQualityFromCoverage() throws {
        let real = Self.gaussian(300, 4, seed: 5)
        let copy = GenerationMetrics.precisionAndRecall(real: real, generated: real, k: 3)
        #expect(copy.precision == 1 && copy.recall == 1)
        let collapsed = real.gatherRows(Array(repeating: 0, count: 50)) + Self.gaussian(50, 4, seed: 6) * 1e-3
        let mode = GenerationMetrics.precisionAndRecall(real: real, generated: collapsed, k: 3)
        #expect(mode.precision == 1 && mode.recall < 0.05, "\(mode)")
        let far = GenerationMetrics.precisionAndRecall(real: real, generated: Self.gaussian(100, 4, shift: 50, seed: 7), k: 3)
        #expect(far.precision == 0 && far.recall == 0)
    }

    /// A generator that returns training samples sits at distance 0 from the training set, far
    /// below the real test samples' distance; the feature space is the test set's components.
    @Test func memorisationDistanceFindsCopies() throws {
        let (training, test) = (Self.gaussian(400, 20, seed: 8), Self.gaussian(200, 20, seed: 9))
        var generator = RandomGenerator(seed: 0)
        let copies = try GenerationMetrics(generated: training.rows(0..<100), test: test, training: training, featureCount: 10, using: &generator)
        #expect(copies.nearestTrainingDistance! < 1e-3)
        #expect(copies.testNearestTrainingDistance! > 2)
        #expect(copies.featureCount == 10)
        let fresh = try GenerationMetrics(generated: Self.gaussian(100, 20, seed: 10), test: test, training: training, featureCount: 10, using: &generator)
        #expect(abs(fresh.nearestTrainingDistance! - fresh.testNearestTrainingDistance!) < 0.1 * fresh.testNearestTrainingDistance!)
        #expect(abs(fresh.maximumMeanDiscrepancy) < 0.02 && fresh.recall > 0.5)
        #expect { _ = try GenerationMetrics(generated: test.rows(0..<2), test: test, using: &generator) } throws: { "\($0)".contains("at least 4") }
        #expect { _ = try GenerationMetrics(generated: Self.gaussian(10, 3, seed: 1), test: test, using: &generator) } throws: { "\($0)".contains("one width") }
    }

    /// The exact EMD in the feature space: 0 for the test set itself, growing with a shift as
    /// its square (a translation by t adds ‖t‖² to the squared-Euclidean transport cost), and
    /// the same as `EarthMovers` on the subsets beyond the limit.
    @Test func earthMoversGrowsWithTheShift() throws {
        let test = Self.gaussian(300, 6, seed: 11)
        var generator = RandomGenerator(seed: 0)
        let itself = try GenerationMetrics(generated: test, test: test, featureCount: 6, using: &generator)
        #expect(itself.earthMovers < 1e-4, "\(itself.earthMovers)")
        let shifted = try [1, 2].map { shift in
            try GenerationMetrics(generated: test + Float(shift), test: test, featureCount: 6, using: &generator).earthMovers
        }
        // All six features shifted by s: ‖t‖² = 6s² whatever the rotation to principal components.
        #expect(abs(shifted[0] - 6) < 1e-3 && abs(shifted[1] - 24) < 1e-3, "\(shifted)")
    }
}
