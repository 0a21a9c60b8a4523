import Foundation
import Latent
import Testing

/// The README's library example, verbatim in substance: it must compile against the umbrella
/// module and learn (the loss falls well below that of the untrained network).
@Test func readmeExampleTrains() throws {
    var generator = RandomGenerator(seed: 1)
    let data = Tensor.randomNormal([1000, 8], using: &generator)

    let encoder = Sequential([Dense(inputs: 8, outputs: 16, activation: .tanh, using: &generator),
                              Dense(inputs: 16, outputs: 2, using: &generator)])
    let decoder = Sequential([Dense(inputs: 2, outputs: 16, activation: .tanh, using: &generator),
                              Dense(inputs: 16, outputs: 8, using: &generator)])
    let step = LossStep(parameters: encoder.namedParameters + decoder.namedParameters) { batch in
        squaredError(decoder(encoder(Variable(batch))), batch)                    // ‖x − DECODE(ENCODE(x))‖²
    }
    let training = TrainingConfiguration(epochs: 20, batchSize: 64, learningRate: 1e-3)     // Adam
    let record = try Trainer(training).run(step, samples: data, heldOut: nil, using: &generator)
    let codes = encoder(data)
    #expect(codes.shape == [1000, 2])
    // Two of eight independent unit-variance features fit in a 2-D code at best: the per-sample
    // error falls from about 8 towards 6.
    let losses = record.trainLoss
    #expect(losses.last! < 0.85 * losses.first!)
    #expect(!latentVersion.isEmpty)
}

/// The README's data example: load a built-in set, write codes atomically, read them back.
@Test func readmeDataExampleWorks() throws {
    let train = try DatasetLoader().load("fashion-mnist-mini:train")
    #expect(train.samples.shape == [5000, 784] && train.labels?.count == 5000)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("latent-readme-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let codes = train.samples.rows(0..<10).columns(0..<2)
    try NPY.write(codes, to: folder.appendingPathComponent("codes.npy").path)
    #expect(try NPY.read(folder.appendingPathComponent("codes.npy").path).tensor == codes)
}

/// The README's methods example.
@Test func readmeMethodsExampleWorks() throws {
    let data = try DatasetLoader().load("fashion-mnist-mini:train")
    var generator = RandomGenerator(seed: 0)
    let pca = try PCA.fit(data.samples, configuration: .init(components: .count(30)), using: &generator)
    let kmeans = try KMeans.fit(data.samples, configuration: .init(clusters: 10, initializations: 1), using: &generator)
    let sse = try ReconstructionMetrics(pca, samples: data.samples).ssePerSample
    #expect(abs(sse - 12.1) < 0.1, "README says ≈ 12.1; got \(sse)")
    #expect(try pca.encode(data.samples).shape == [5000, 30])
    #expect(try kmeans.distortion(data.samples) > pca.distortion(data.samples))
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("latent-readme-\(UUID().uuidString).safetensors").path
    try pca.save(to: path, trainedOn: data)
    #expect(try PCA.load(from: path).encode(data.samples) == pca.encode(data.samples))
    #expect(try SafeTensorsFile.read(path).sampleShape(file: path) == [28, 28])
    // Generation, and the grid in one call.
    let (density, _) = try CodeDensity.fit(pca, samples: data.samples, configuration: .init(components: 10), using: &generator)
    let new = try pca.generate(64, density: density, using: &generator)
    #expect(new.samples.shape == [64, 784] && new.codes?.shape == [64, 30])
    let png = path + ".png"
    try ImageGrid(samples: new.samples, imageShape: [28, 28]).writePNG(to: png)
    #expect(try Data(contentsOf: URL(fileURLWithPath: png)).prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
}

/// The README's nearest-neighbour example, through the umbrella module.
@Test func readmeNeighboursExampleWorks() throws {
    var generator = RandomGenerator(seed: 2)
    let points = Tensor.randomNormal([2000, 10], using: &generator)
    let graph = try NearestNeighbours.exact(points, k: 15)
    let approximate = try NearestNeighbours.descent(points, k: 15, seed: 0)
    #expect(approximate.neighbours(of: 0).count == 15 && !approximate.neighbours(of: 0).contains(0))
    #expect(approximate.recall(against: graph) > 0.9)
}
