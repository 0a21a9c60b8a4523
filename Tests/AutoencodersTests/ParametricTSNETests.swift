import Autoencoders
import DataFormats
import Foundation
import Neighbourhoods
import Testing
import TestSupport
import Tensors

/// Parametric t-SNE: its loss is KL(P‖Q) within a batch (by hand and by finite differences), its
/// batch affinities are t-SNE's joint ones, and its encoder keeps blobs apart.
@Suite struct ParametricTSNETests {
    /// Four codes and affinities by hand: Σ pᵢⱼ log(pᵢⱼ/qᵢⱼ) with qᵢⱼ = wᵢⱼ / Σ_{k≠l} wₖₗ.
    @Test(arguments: [1.0, 0.5])
    func theLossIsTheKLDivergence(degreesOfFreedom: Double) throws {
        let codes = try Tensor(shape: [4, 2], scalars: [0, 0, 1, 0, 0, 2, 3, 3])
        var p = [Float](repeating: 0, count: 16)
        for (i, j, value) in [(0, 1, 0.2), (0, 2, 0.15), (1, 3, 0.1), (2, 3, 0.05)] as [(Int, Int, Float)] { p[i * 4 + j] = value; p[j * 4 + i] = value }
        let affinities = try Tensor(shape: [4, 4], scalars: p)
        let loss = ParametricTSNE.klDivergence(codes: Variable(codes), affinities: affinities, degreesOfFreedom: Float(degreesOfFreedom)).value.scalars[0]
        var w = [Double](repeating: 0, count: 16)
        for i in 0..<4 { for j in 0..<4 where i != j {
            let d2 = (0..<2).map { Double(codes.scalars[i * 2 + $0] - codes.scalars[j * 2 + $0]) }.map { $0 * $0 }.reduce(0, +)
            w[i * 4 + j] = Foundation.pow(1 + d2 / degreesOfFreedom, -degreesOfFreedom)
        } }
        let z = w.reduce(0, +)
        let expected = (0..<16).filter { p[$0] > 0 }.map { Double(p[$0]) * Foundation.log(Double(p[$0]) / (w[$0] / z)) }.reduce(0, +)
        #expect(abs(Double(loss) - expected) < 1e-4, "\(loss) against \(expected)")
    }

    /// The gradient with respect to the codes is the finite difference.
    @Test func gradientEqualsFiniteDifference() throws {
        let affinities = try ParametricTSNE.batchAffinities(randomTensor([9, 4], seed: 2), perplexity: 2)
        let check = checkGradients([randomTensor([9, 2], lower: -2, upper: 2, seed: 3)]) { v in
            ParametricTSNE.klDivergence(codes: v[0], affinities: affinities, degreesOfFreedom: 1)
        }
        #expect(check.passed, "\(check)")
    }

    /// A batch's affinities are joint probabilities: symmetric, a zero diagonal, summing to 1.
    @Test func batchAffinitiesAreJointProbabilities() throws {
        let p = try ParametricTSNE.batchAffinities(randomTensor([50, 5], seed: 4), perplexity: 5)
        #expect(abs(p.scalars.reduce(0.0) { $0 + Double($1) } - 1) < 1e-5)
        #expect(p == p.transposed() && (0..<50).allSatisfy { p.scalars[$0 * 51] == 0 } && p.scalars.allSatisfy { $0 >= 0 })
    }

    /// Blobs stay apart, new samples land among their blob's codes, and ENCODE of the training
    /// samples is their codes exactly; too few samples a batch for the perplexity is a clear error.
    @Test func theEncoderKeepsBlobsApart() throws {
        let data = try TSNETests.blobs(600)
        var generator = RandomGenerator(seed: 2)
        let model = try ParametricTSNE.fit(data.samples, configuration: .init(perplexity: 20, epochs: 30, batchSize: 200, decoder: .init(kind: .none)),
                                           using: &generator)
        #expect(try model.encode(data.samples) == model.embedding)
        #expect(try TSNETests.nearestLabelAgreement(model.embedding, labels: data.labels!) > 0.99)
        let fresh = try TSNETests.blobs(40, seed: 5)
        let graph = try NearestNeighbours.exact(queries: try model.encode(fresh.samples), in: model.embedding, k: 1)
        #expect((0..<40).filter { data.labels![Int(graph.neighbours(of: $0).first!)] == fresh.labels![$0] }.count >= 39)
        #expect(model.summary.klDivergence.last! < model.summary.klDivergence.first!)
        #expect { try ParametricTSNE.fit(data.samples, configuration: .init(batchSize: 50), using: &generator) } throws: {
            "\($0)".contains("raise `batchSize`")
        }
        // A batch's B × B matrices are checked against the memory budget before anything runs.
        MemoryBudget.$scoped.withValue(1 << 20) {
            #expect { try ParametricTSNE.fit(data.samples, configuration: .init(batchSize: 600), using: &generator) } throws: {
                "\($0)".contains("600 × 600 matrices of a batch") && "\($0)".contains("lower `batchSize`")
            }
        }
    }
}
