import Foundation
import Latent
import Testing

// The examples of the documentation's articles (Sources/Autoencoders/Autoencoders.docc), run
// as they are written there: each article's code blocks must appear verbatim in this file
// (`everyArticleExampleIsRunHere`), so an article cannot show code that does not run.

@Test func classicalMethodsExample() throws {
    let data = try DatasetLoader().load("fashion-mnist-mini:train")
    var generator = RandomGenerator(seed: 0)
    let pca = try PCA.fit(data.samples, configuration: .init(components: .count(30)), using: &generator)
    let kmeans = try KMeans.fit(data.samples, configuration: .init(clusters: 10), using: &generator)
    let codes = try pca.encode(data.samples)                       // 5000 × 30
    let clusters = try kmeans.encode(data.samples)                 // 5000 × 1: each image's centroid
    let lost = try pca.distortion(data.samples)                    // Σ‖x − DECODE(ENCODE(x))‖²
    #expect(try codes.shape == [5000, 30] && clusters.shape == [5000, 1] && lost < kmeans.distortion(data.samples))
}

@Test func neuralAutoencodersExample() throws {
    let data = try DatasetLoader().load("fashion-mnist-mini:train")
    var generator = RandomGenerator(seed: 0)
    let configuration = DeepAutoencoder.Configuration(hidden: [256, 64], codeSize: 2, pretrainingEpochs: 1,
                                                      training: .init(epochs: 2, batchSize: 64))
    let deep = try DeepAutoencoder.fit(data.samples, configuration: configuration, using: &generator)
    let plane = try deep.encode(data.samples)                      // 5000 × 2, for a scatter plot
    #expect(plane.shape == [5000, 2] && deep.trainingHistory != nil)
}

@Test func generativeModelsExample() throws {
    let data = try DatasetLoader().load("fashion-mnist-mini:train")
    var generator = RandomGenerator(seed: 0)
    let vae = try VariationalAutoencoder.fit(data.samples, configuration: .init(hidden: [256], codeSize: 8, training: .init(epochs: 2, batchSize: 64)),
                                             using: &generator)
    let new = try vae.generate(16, using: &generator)              // codes from N(0, I), decoded
    let grid = try ImageGrid(samples: new.samples, imageShape: [28, 28], columns: 4)
    #expect(new.samples.shape == [16, 784] && grid.rows.count == 4)
}

@Test func translationExample() throws {
    let loader = DatasetLoader()
    let halves = try ["top", "bottom"].map { try loader.load("fashion-mnist-mini:train?half=\($0)") }
    var generator = RandomGenerator(seed: 0)
    let configuration = Translator.Configuration(domains: [.init(name: "top", hidden: [64]), .init(name: "bottom", hidden: [64])], codeSize: 8,
                                                 anchorFraction: 0.1, training: .init(epochs: 2, batchSize: 64, heldOutFraction: 0))
    let translator = try Translator.fit(.paired(halves.map(\.samples)), configuration: configuration, using: &generator)
    let bottoms = try translator.translate(halves[0].samples, from: 0, to: 1)   // each top half's bottom half
    #expect(bottoms.shape == halves[1].samples.shape)
}

@Test func principalGraphsExample() throws {
    let data = try DatasetLoader().load("swiss-roll?n=1000")
    var generator = RandomGenerator(seed: 0)
    let tree = try PrincipalGraph.fit(data.samples, configuration: .init(topology: .tree, nodes: 20), using: &generator)
    let places = try tree.encode(data.samples)                     // each point's edge and position along it
    #expect(places.shape == [1000, 2] && tree.graph.nodeCount == 20)
}

@Test func neighbourEmbeddingsExample() throws {
    let data = try DatasetLoader().load("blobs?n=600&centers=4&dimension=10")
    var generator = RandomGenerator(seed: 0)
    let tsne = try TSNE.fit(data.samples, configuration: .init(perplexity: 20), using: &generator)
    let umap = try UMAP.fit(data.samples, configuration: .init(neighbours: 15, minimumDistance: 0.1), using: &generator)
    let kept = try NeighbourhoodMetrics.measure(samples: data.samples, codes: umap.embedding, labels: data.labels, using: &generator)
    let placed = try tsne.encode(data.samples.rows(0..<10))        // new samples against the fixed codes
    #expect(kept.trustworthiness > 0.9 && kept.knnAccuracy! > 0.95 && placed.shape == [10, 2])
}

@Test func projectiveFamilyExample() throws {
    let roll = try DatasetLoader().load("swiss-roll?n=1000&noise=0.05&seed=1")
    var generator = RandomGenerator(seed: 0)
    let isomap = try Isomap.fit(roll.samples, configuration: .init(components: 2, decoder: .init(hidden: [64, 64])), using: &generator)
    let unrolled = try isomap.distortion(roll.samples) / Double(roll.count)    // DECODE(ENCODE(x)) by the learned decoder
    let pca = try PCA.fit(roll.samples, configuration: .init(components: .count(2)), using: &generator)
    let flattened = try pca.distortion(roll.samples) / Double(roll.count)      // the linear autoencoder's loss, far higher
    let density = try CodeDensity.fit(isomap, samples: roll.samples, using: &generator).density
    let drawn = try isomap.generate(100, codesFrom: .codeDensity, density: density, using: &generator).samples
    #expect(unrolled < 0.2 * flattened && drawn.shape == [100, 3])
}

/// Each article's Swift code blocks are among the examples above, verbatim (indented as here).
@Test func everyArticleExampleIsRunHere() throws {
    let here = try String(contentsOfFile: #filePath, encoding: .utf8)
    let catalog = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Autoencoders/Autoencoders.docc")
    let articles = try FileManager.default.contentsOfDirectory(atPath: catalog.path).filter { $0.hasSuffix(".md") }
    var blocks = 0
    for article in articles {
        let text = try String(contentsOf: catalog.appendingPathComponent(article), encoding: .utf8)
        for block in text.components(separatedBy: "```swift\n").dropFirst() {
            let code = block.components(separatedBy: "\n```").first!
            let indented = code.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
            #expect(here.contains(indented), "\(article): an example not run by DocumentationExampleTests:\n\(code)")
            blocks += 1
        }
    }
    #expect(blocks >= 5)
}
