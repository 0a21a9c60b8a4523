import Exploration
import Foundation
import Latent
import TestSupport

/// Small fitted models and their spaces, made once per test process.
enum ExplorationFixture {
    /// 600 bundled Fashion-MNIST images with their labels.
    static let images: Dataset = try! DatasetLoader().load("fashion-mnist-mini:train").prefix(600)

    /// A VAE of 4-dimensional codes (wider than the plane: principal axes) on the images.
    static let vae: ExplorationSpace = {
        var generator = RandomGenerator(seed: 1)
        let configuration = VariationalAutoencoder.Configuration(hidden: [32], codeSize: 4, training: .init(epochs: 2, batchSize: 50, heldOutFraction: 0))
        let model = try! VariationalAutoencoder.fit(images.samples, configuration: configuration, using: &generator)
        return try! ExplorationSpace(model: model, data: images, imageShape: [28, 28], valueRange: (0, 1), featureNames: nil, modelName: "vae-4")
    }()

    /// PCA to 2 dimensions of a table with named columns (no image): JSON rows.
    static let table: ExplorationSpace = {
        var generator = RandomGenerator(seed: 2)
        let samples = Tensor.randomNormal([200, 5], standardDeviation: 3, using: &generator)
        var data = try! Dataset(samples: samples, labels: (0..<200).map { $0 % 3 }, classNames: ["a", "b", "c"], name: "table")
        data.featureNames = ["p", "q", "r", "s", "t"]
        let model = try! PCA.fit(samples, configuration: .init(components: .count(2)), using: &generator)
        return try! ExplorationSpace(model: model, data: data, imageShape: nil, valueRange: nil, featureNames: data.featureNames, modelName: "pca-2")
    }()

    /// A translator between the images' top and bottom halves (14 × 28 each), its data the tops.
    static let halves: ExplorationSpace = {
        let loader = DatasetLoader()
        let top = try! loader.load("fashion-mnist-mini:train?half=top").prefix(400)
        let bottom = try! loader.load("fashion-mnist-mini:train?half=bottom").prefix(400)
        var generator = RandomGenerator(seed: 3)
        let configuration = Translator.Configuration(domains: [.init(name: "top", hidden: [32]), .init(name: "bottom", hidden: [32])], codeSize: 3,
                                                     anchorFraction: 1, training: .init(epochs: 2, batchSize: 50, heldOutFraction: 0))
        let model = try! Translator.fit(.paired([top.samples, bottom.samples]), configuration: configuration, using: &generator)
        let domains = ["top", "bottom"].map { ExplorationDomain(name: $0, features: 392, imageShape: [14, 28], featureNames: nil) }
        return try! ExplorationSpace(model: model, data: top, domains: domains, dataDomain: 0, valueRange: (0, 1), modelName: "halves")
    }()

    /// A principal tree of 8 nodes on a 5-dimensional star (a table): drawn in the data's plane.
    static let tree: ExplorationSpace = {
        let data = try! DatasetLoader().load("star?n=300&dimension=5&seed=1")
        var generator = RandomGenerator(seed: 4)
        let model = try! PrincipalGraph.fit(data.samples, configuration: .init(topology: .tree, nodes: 8), using: &generator)
        return try! ExplorationSpace(model: model, data: data, imageShape: nil, valueRange: nil, featureNames: nil, modelName: "tree-8")
    }()
}

/// A server of `space` on a free port of 127.0.0.1 for the length of `body`.
/// The body runs on a thread of its own: its blocking requests must not hold the threads that
/// Swift's tasks (and so the server's handlers) run on.
func withServer<Value: Sendable>(_ space: ExplorationSpace, _ body: @escaping @Sendable (Int) throws -> Value) async throws -> Value {
    let server = try ExplorationServer(space: space, port: 0)
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let task = Task { try await server.run(stopsOnSignals: false) { port in continuation.yield(port) } }
    defer { task.cancel() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw LoopbackHTTP.Failure(description: "the server did not start") }
    let result = try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body(port) }) }
    }
    task.cancel()
    _ = await task.result
    return result
}
