import Exploration
import Foundation
import Latent
import Testing
import TestSupport

@Suite struct PlaneAxesTests {
    /// The axes are orthonormal, the rest point has no part in the plane, and the code drawn at
    /// (u, v) is drawn back at (u, v): the page's click decodes the point it shows.
    @Test(arguments: [1, 2, 3, 7])
    func aPointOfThePlaneIsTheCodeDrawnThere(width: Int) throws {
        var generator = RandomGenerator(seed: UInt64(width))
        let codes = Tensor.randomNormal([300, width], standardDeviation: 2, using: &generator) + 1
        let axes = try PlaneAxes(codes: codes)
        let dot = { (a: [Float], b: [Float]) in zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }
        #expect(abs(dot(axes.first, axes.first) - 1) < 1e-5)
        #expect(width == 1 || abs(dot(axes.second, axes.second) - 1) < 1e-5)
        #expect(abs(dot(axes.first, axes.second)) < 1e-5)
        #expect(abs(dot(axes.origin, axes.first)) < 1e-5 && abs(dot(axes.origin, axes.second)) < 1e-5)
        for (u, v) in [(0.0, 0.0), (1.5, -2.25), (-7, 3)] {
            let point = axes.point(of: axes.code(u: u, v: v))
            #expect(abs(point.u - u) < 1e-4 && abs(point.v - (width == 1 ? 0 : v)) < 1e-4)
        }
        // The mean's own place decodes the mean.
        let mean = axes.point(of: axes.mean)
        let back = axes.code(u: mean.u, v: mean.v)
        #expect(zip(back, axes.mean).allSatisfy { abs($0 - $1) < 1e-4 })
        #expect(width > 2 ? axes.firstLabel.hasPrefix("principal component 1") : axes.firstLabel == "code 1")
    }
}

@Suite struct ExplorationSpaceTests {
    /// A code decodes to the same values alone and in any batch (the server batches concurrent
    /// requests): DECODE's rows depend on their own code only, bit for bit.
    @Test func decodingInABatchEqualsDecodingAlone() throws {
        for space in [ExplorationFixture.vae, ExplorationFixture.table] {
            var generator = RandomGenerator(seed: 3)
            let codes = Tensor.randomNormal([37, space.codeSize], using: &generator)
            let together = try space.decode(codes)
            for row in 0..<codes.rows {
                #expect(try space.decode(codes.rows(row..<(row + 1))).scalars == together.rows(row..<(row + 1)).scalars, "row \(row) of \(space.modelName)")
            }
        }
    }

    /// The neighbours are the k smallest distances of all samples, nearest first, ties by index.
    @Test(arguments: [1, 5, 50])
    func neighboursAreTheNearestCodes(count: Int) throws {
        let space = ExplorationFixture.vae
        let z: [Float] = [0.3, -0.2, 0.1, 0.5]
        let found = try space.neighbours(of: z, count: count)
        var all: [(index: Int, distance: Double)] = []
        for i in 0..<space.data.count {
            let c = space.codes.rows(i..<(i + 1)).scalars
            var squared = 0.0
            for j in 0..<z.count { squared += (Double(c[j]) - Double(z[j])) * (Double(c[j]) - Double(z[j])) }
            all.append((i, squared.squareRoot()))
        }
        all.sort { $0.distance < $1.distance || ($0.distance == $1.distance && $0.index < $1.index) }
        let best = Array(all.prefix(count))
        #expect(found.map { $0.index } == best.map { $0.index })
        for (a, b) in zip(found, best) { #expect(abs(a.distance - b.distance) < 1e-9) }
    }

    /// More samples than a page draws: a seeded draw of 100 000 distinct indices, ascending.
    @Test func largeDataAreDrawnDown() {
        let shown = ExplorationSpace.shownIndices(count: 250_000, seed: 4)
        #expect(shown.count == ExplorationSpace.maximumShown)
        #expect(zip(shown, shown.dropFirst()).allSatisfy { $0 < $1 } && shown.last! < 250_000)
        #expect(shown == ExplorationSpace.shownIndices(count: 250_000, seed: 4))
        #expect(shown != ExplorationSpace.shownIndices(count: 250_000, seed: 5))
        #expect(ExplorationSpace.shownIndices(count: 1000, seed: 4) == Array(0..<1000))
    }

    /// Clustering codes and data of another width are refused with messages that say why.
    @Test func whatCannotBeExploredIsRefused() throws {
        var generator = RandomGenerator(seed: 5)
        let data = ExplorationFixture.images
        let kmeans = try KMeans.fit(data.samples, configuration: .init(clusters: 3), using: &generator)
        #expect(throws: ExplorationError.self) {
            try ExplorationSpace(model: kmeans, data: data, imageShape: [28, 28], valueRange: nil, featureNames: nil, modelName: "k")
        }
        let narrow = try Dataset(samples: Tensor.zeros([4, 3]))
        do {
            _ = try ExplorationSpace(model: ExplorationFixture.vae.model, data: narrow, imageShape: nil, valueRange: nil, featureNames: nil, modelName: "vae-4")
            Issue.record("data of 3 features were explored by a model of 784")
        } catch let error as ExplorationError {
            #expect(error.message.contains("784") && error.message.contains("3"))
        }
    }

    /// The codes document holds what the page draws: one code per shown sample, labels, axes,
    /// the image's shape and the VAE's prior.
    @Test func theCodesDocumentDescribesThePlot() throws {
        let space = ExplorationFixture.vae
        let document = try ExplorationDocuments.decode(ExplorationDocuments.Codes.self, from: try ExplorationDocuments.encode(space.codesDocument()))
        #expect(document.codes.count == 600 * 4 && document.indices == Array(0..<600))
        #expect(document.codes == space.codes.scalars)
        #expect(document.labels == space.data.labels && document.classNames?.count == 10)
        #expect(document.image == ExplorationDocuments.ImageShape(height: 28, width: 28, channels: 1))
        #expect(document.prior?.description == "N(0, I)" && document.prior?.means == [[0, 0, 0, 0]] && document.prior?.deviation == 1)
        #expect(document.axes == space.axes)
        let table = ExplorationFixture.table.codesDocument()
        #expect(table.image == nil && table.prior == nil && table.featureNames == ["p", "q", "r", "s", "t"])
    }
}
