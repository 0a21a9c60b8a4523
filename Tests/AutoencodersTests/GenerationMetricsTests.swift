import Autoencoders
import Foundation
import Testing
import Tensors

@Suite struct GenerationMetricsTests {
    static func gaussian(_ n: Int, _ d: Int, shift: Float = 0, seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor.randomNormal([n, d], using: &generator) + shift
    }

    /// MMD² is the U-statistic written out pair by pair; it is about 0 between two samples of
    /// one distribution (unbiased: its mean over repeats is within noise of 0) and grows with a shift.
    @Test func mmdIsTheUnbiasedEstimator() {
        let (x, y) = (Self.gaussian(7, 3, seed: 1), Self.gaussian(9, 3, shift: 0.5, seed: 2))
        let sigma = 1.3
        func k(_ a: Tensor, _ i: Int, _ b: Tensor, _ j: Int) -> Double {
            let squared = (0..<3).reduce(0.0) { $0 + pow(Double(a[i, $1]) - Double(b[j, $1]), 2) }
            return exp(-squared / (2 * sigma * sigma))
        }
        var (xx, yy, xy) = (0.0, 0.0, 0.0)
        for i in 0..<7 { for j in 0..<7 where i != j { xx += k(x, i, x, j) } }
        for i in 0..<9 { for j in 0..<9 where i != j { yy += k(y, i, y, j) } }
        for i in 0..<7 { for j in 0..<9 { xy += k(x, i, y, j) } }
        let expected = xx / 42 + yy / 72 - 2 * xy / 63
        #expect(abs(GenerationMetrics.unbiasedMMD2(x, y, bandwidth: sigma) - expected) < 1e-5)

        let same = (0..<20).map { GenerationMetrics.unbiasedMMD2(Self.gaussian(100, 5, seed: UInt64(10 + $0)), Self.gaussian(100, 5, seed: UInt64(50 + $0)), bandwidth: 3) }
        let mean = same.reduce(0, +) / 20
        let spread = (same.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 19).squareRoot()
        #expect(abs(mean) < 3 * spread / sqrt(20.0), "mean \(mean), sd \(spread)")
        let shifted = [0.25, 0.5, 1].map { GenerationMetrics.unbiasedMMD2(Self.gaussian(200, 5, seed: 3), Self.gaussian(200, 5, shift: Float($0), seed: 4), bandwidth: 3) }
        #expect(shifted[0] > 3 * spread && shifted[1] > shifted[0] && shifted[2] > shifted[1], "\(shifted)")
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
}
