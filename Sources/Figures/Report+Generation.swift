import Autoencoders
import DataFormats
import Foundation
import Tensors

/// Reports of generation: new samples drawn by decoding codes from a density, how close they
/// come to the test set, and walks through the latent space.
extension Report {
    /// Samples drawn for figures: a fixed seed, so a report redrawn shows the same samples.
    public static let sampleSeed: UInt64 = 0

    /// A grid of new samples of `model`: from its prior (a VAE) and from `codeDensity` when it
    /// has one, `exampleCount` per row, two rows each; nil when the model draws nothing.
    static func sampleGrid(_ model: any Autoencoder, codeDensity: CodeDensity?, imageShape: [Int]) throws -> (grid: ImageGrid, caption: String)? {
        var rows: [ImageGrid.Row] = []
        var generator = RandomGenerator(seed: sampleSeed)
        let prior = (model as? any PriorModel)?.prior
        if let generative = model as? any GenerativeModel {
            let drawn = try generative.sample(count: 2 * exampleCount, using: &generator)
            rows += [.init(label: "prior \(prior?.description ?? "")", images: drawn.rows(0..<exampleCount)), .init(label: "", images: drawn.rows(exampleCount..<(2 * exampleCount)))]
        }
        if let codeDensity {
            let drawn = try model.decode(try codeDensity.sample(count: 2 * exampleCount, using: &generator))
            rows += [.init(label: "code density", images: drawn.rows(0..<exampleCount)), .init(label: "", images: drawn.rows(exampleCount..<(2 * exampleCount)))]
        }
        guard !rows.isEmpty else { return nil }
        return (try ImageGrid(title: "New samples", rows: rows, imageShape: imageShape),
                "DECODE of codes drawn \(model is any GenerativeModel ? "from the prior (\(prior?.description ?? "p(z)"))" : "")\(model is any GenerativeModel && codeDensity != nil ? " and " : "")\(codeDensity != nil ? "from the code density fitted by `latent fit-density`" : ""): images no one drew.")
    }

    /// One way of drawing new samples, and how they measure against the test set.
    public struct Sampler {
        public var name: String
        public var samples: Tensor
        public var metrics: GenerationMetrics
        public init(name: String, samples: Tensor, metrics: GenerationMetrics) { (self.name, self.samples, self.metrics) = (name, samples, metrics) }
    }

    /// The lecture's contrast in figures: samplers compared by MMD², precision, recall and
    /// memorisation, their samples side by side, an interpolation and an attribute vector.
    public mutating func addGeneration(_ samplers: [Sampler], test: Dataset, interpolation: ImageGrid?, attribute: (grid: ImageGrid, caption: String)?) throws {
        guard let first = samplers.first else { return }
        add(.heading("Generation: every decoder a generator"))
        add(.paragraph("Each sampler draws \(first.samples.rows) codes and decodes them. Measured against the \(test.count) test images in the space of the test set's first \(first.metrics.featureCount) principal components: MMD² (unbiased, RBF kernel with the median distance as bandwidth; lower is closer), improved precision and recall (Kynkäänniemi et al. 2019, k = 3: the share of samples that look like test images, and of test images that the samples cover), the exact earth mover's distance between samples and test images (squared Euclidean, at most \(GenerationMetrics.earthMoversSampleLimit) of each; lower is closer), and the mean distance of a sample to its nearest training image beside the test images' own (much lower would mean copies)."))
        add(.table(header: ["sampler", "MMD²", "precision", "recall", "EMD", "distance to training set"], rows: samplers.map { sampler in
            let m = sampler.metrics
            return [sampler.name, String(format: "%.4f", m.maximumMeanDiscrepancy), String(format: "%.3f", m.precision), String(format: "%.3f", m.recall),
                    String(format: "%.2f", m.earthMovers),
                    m.nearestTrainingDistance.map { String(format: "%.2f (test images: %.2f)", $0, m.testNearestTrainingDistance ?? .nan) } ?? ""]
        }))
        if let shape = Self.imageShape(test) {
            let grid = try ImageGrid(title: "New samples", rows: samplers.map { .init(label: $0.name, images: $0.samples.rows(0..<min(Self.exampleCount, $0.samples.rows))) },
                                     imageShape: shape)
            add(.figure(file: "samples.svg", svg: try grid.svg(),
                        caption: "The first samples of each sampler. The plain autoencoder was never asked to make N(0, I) codes meaningful, so its decoder turns them into smudges; the VAE's KL term made them its codes, and a Gaussian mixture fitted to the autoencoder's own codes finds where they lie."))
        }
        if let interpolation {
            add(.figure(file: "interpolations-vae.svg", svg: try interpolation.svg(),
                        caption: "VAE: DECODE of codes on the great circle between the codes of two test images (spherical interpolation, White 2016)."))
        }
        if let attribute { add(.figure(file: "attribute.svg", svg: try attribute.grid.svg(), caption: attribute.caption)) }
    }

    /// For each named model trained toward a prior, its codes of `data` drawn over as many prior
    /// draws (`codes-prior-1.svg`, …): how closely the KL term or the critic matched them.
    public mutating func addCodesOverPrior(_ models: [(name: String, model: any Autoencoder)], data: Dataset) throws {
        let sample = Self.scatterSample(data)
        var figures: [(plot: ScatterPlot, caption: String)] = []
        for (name, model) in models {
            let codes = try model.encode(sample.samples)
            let drawn = "\(name): ENCODE(x) of \(sample.count) samples of \(data.name)\(codes.shape[1] > 2 ? " projected on the codes' first two principal components" : "")"
            guard var figure = try Self.codesOverPrior(model, codes: codes, of: sample, drawn: drawn) else { continue }
            figure.plot.title = "\(name): codes over prior draws"
            figures.append(figure)
        }
        guard !figures.isEmpty else { return }
        add(.heading("Codes and the prior"))
        for (index, figure) in figures.enumerated() {
            add(.figure(file: "codes-prior-\(index + 1).svg", svg: figure.plot.svg(), caption: figure.caption))
        }
    }
}
