import Autoencoders
import DataFormats
import Foundation
import Neighbourhoods
import Testing
import TestSupport
import Tensors

/// Parametric UMAP: its loss is the cross entropy it claims (by hand and by finite differences),
/// its encoder keeps blobs apart, and ENCODE is one forward pass, for training and new samples alike.
@Suite struct ParametricUMAPTests {
    static let curve = UMAPCurve(minimumDistance: 0.1, spread: 1)

    /// Two edges by hand: −log q of each edge and −log(1 − q) of each negative sample (the
    /// other edge's tail), weighted by the memberships.
    @Test func theLossIsTheWeightedCrossEntropy() throws {
        let heads = try Tensor(shape: [2, 2], scalars: [0, 0, 1, 1]), tails = try Tensor(shape: [2, 2], scalars: [0.5, 0, 3, 1])
        let weights = Tensor([1, 0.5])
        let loss = ParametricUMAP.crossEntropy(heads: Variable(heads), tails: Variable(tails), weights: weights, negativeRate: 1, curve: Self.curve,
                                               repulsion: 2).value.scalars[0]
        func q(_ a: [Double], _ b: [Double]) -> Double {
            let d2 = zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) + Double(ParametricUMAP.Configuration.distanceFloor)
            return 1 / (1 + Self.curve.a * Foundation.pow(d2, Self.curve.b))
        }
        let (h, t) = ([[0.0, 0], [1, 1]], [[0.5, 0], [3, 1]])
        let first = -Foundation.log(q(h[0], t[0])) - 2 * Foundation.log(1 - q(h[0], t[1]))
        let second = -Foundation.log(q(h[1], t[1])) - 2 * Foundation.log(1 - q(h[1], t[0]))
        let expected = (1 * first + 0.5 * second) / 1.5
        #expect(abs(Double(loss) - expected) < 1e-4 * abs(expected), "\(loss) against \(expected)")
    }

    /// The gradient with respect to the heads' and tails' codes is the finite difference.
    @Test(arguments: [0, 1, 5])
    func gradientEqualsFiniteDifference(negativeRate: Int) {
        let check = checkGradients([randomTensor([7, 2], lower: -2, upper: 2, seed: 3), randomTensor([7, 2], lower: -2, upper: 2, seed: 4)]) { v in
            ParametricUMAP.crossEntropy(heads: v[0], tails: v[1], weights: randomTensor([7], lower: 0.1, upper: 1, seed: 5), negativeRate: negativeRate,
                                        curve: Self.curve, repulsion: 1)
        }
        #expect(check.passed, "\(check)")
    }

    /// Blobs stay apart in the codes, new samples of each blob land among its codes, and ENCODE
    /// of the training samples is their codes exactly: one pass of the same encoder.
    @Test func theEncoderKeepsBlobsApartAndPlacesNewSamples() throws {
        let data = try TSNETests.blobs(600)
        var generator = RandomGenerator(seed: 2)
        let model = try ParametricUMAP.fit(data.samples, configuration: .init(epochs: 30, batchSize: 200, decoder: .init(kind: .none)), using: &generator)
        #expect(try model.encode(data.samples) == model.embedding)
        #expect(try TSNETests.nearestLabelAgreement(model.embedding, labels: data.labels!) > 0.99)
        let fresh = try TSNETests.blobs(40, seed: 5)
        let graph = try NearestNeighbours.exact(queries: try model.encode(fresh.samples), in: model.embedding, k: 1)
        #expect((0..<40).filter { data.labels![Int(graph.neighbours(of: $0).first!)] == fresh.labels![$0] }.count >= 39)
        #expect(model.summary.loss.count == 30 && model.summary.loss.last! < model.summary.loss.first!)
        #expect(model.trainingHistory?.stages.map(\.name) == ["encoder"])
    }

    /// With a reconstruction weight the decoder trains with the encoder: one stage of training,
    /// a decoder that reconstructs the blobs, saved and loaded as it was; without a decoder network
    /// the weight is refused.
    @Test func theDecoderTrainsWithTheEncoder() throws {
        let data = try TSNETests.blobs(400)
        var generator = RandomGenerator(seed: 4)
        let model = try ParametricUMAP.fit(data.samples, configuration: .init(epochs: 40, batchSize: 200, reconstructionWeight: 0.5,
                                                                              decoder: .init(hidden: [32, 64])), using: &generator)
        #expect(model.trainingHistory?.stages.map(\.name) == ["encoder"])
        let meanError = (data.samples - data.samples.mean(alongAxis: 0)).squared().scalars.reduce(0.0) { $0 + Double($1) }
        #expect(try model.distortion(data.samples) < 0.3 * meanError)
        let path = temporaryPath("parametric-joint.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let loaded = try ParametricUMAP.load(from: path)
        let (again, first) = (try loaded.decode(model.embedding), try model.decode(model.embedding))
        #expect(loaded.decoder == model.decoder && again == first)
        #expect { try ParametricUMAP.fit(data.samples, configuration: .init(reconstructionWeight: 1, decoder: .init(kind: .none)), using: &generator) } throws: {
            "\($0)".contains("`reconstructionWeight`") && "\($0)".contains("`decoder: .mlp`")
        }
    }

    /// More neighbours than samples, and a minimum distance beyond the spread, are clear errors.
    @Test func badConfigurationsAreClearErrors() throws {
        var generator = RandomGenerator(seed: 1)
        let few = try TSNETests.blobs(10).samples
        #expect { try ParametricUMAP.fit(few, configuration: .init(), using: &generator) } throws: { "\($0)".contains("lower `neighbours` to at most 10") }
        #expect { try ParametricUMAP.fit(few, configuration: .init(neighbours: 5, minimumDistance: 2), using: &generator) } throws: {
            "\($0)".contains("minimumDistance")
        }
    }
}
