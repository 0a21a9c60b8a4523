import Foundation
import Latent

/// The demo's second half, the lecture's generative turn: the VAEs' (dense and convolutional) and
/// the adversarial autoencoder's prior samples beside what the plain deep autoencoder's decoder makes of the same
/// N(0, I) codes, and beside a Gaussian mixture fitted to that autoencoder's own codes; all
/// measured against the test images.
struct DemoGeneration {
    /// The attribute shown: Pullover − T-shirt/top, which adds sleeves, applied to T-shirts.
    static let attribute = (with: "Pullover", without: "T-shirt/top", appliedTo: "T-shirt/top")
    static let strengths: [Float] = [0, 0.5, 1, 1.5, 2]
    /// The code densities of the demo: full covariances, the size chosen by BIC among 1 … 10.
    static let density = GaussianMixture.Configuration(maximumComponents: 10)

    let train: Dataset, test: Dataset
    let seed: UInt64
    let display: ProgressDisplay

    /// Samples of each sampler (as many as test images), measured; the code densities are
    /// stored in the models' files in `folder`.
    func samplers(vae: VariationalAutoencoder, convolutional: VariationalAutoencoder, aae: AdversarialAutoencoder,
                  others: [(name: String, model: any Autoencoder, file: String)], folder: String) throws -> [Report.Sampler] {
        var generator = RandomGenerator(seed: seed)
        let count = test.count
        func measured(_ name: String, _ samples: Tensor) throws -> Report.Sampler {
            display.update("measuring samples: \(name)", force: true)
            var metricGenerator = RandomGenerator(seed: seed)
            return Report.Sampler(name: name, samples: samples,
                                  metrics: try GenerationMetrics(generated: samples, test: test.samples, training: train.samples, using: &metricGenerator))
        }
        var result = [try measured("VAE: prior N(0, I)", try vae.sample(count: count, using: &generator)),
                      try measured("VAE conv: prior N(0, I)", try convolutional.sample(count: count, using: &generator)),
                      try measured("AAE: prior N(0, I)", try aae.sample(count: count, using: &generator))]
        for (name, model, file) in others {
            let normal = try model.decode(Tensor.randomNormal([count, model.codeSize], using: &generator))
            result.append(try measured("\(name): N(0, I) codes", normal))
            display.update("\(name): fitting a Gaussian mixture to its training codes", force: true)
            let (density, criteria) = try CodeDensity.fit(model, samples: train.samples, configuration: Self.density, using: &generator)
            let path = (folder as NSString).appendingPathComponent(file)
            var stored = try SafeTensorsFile.read(path)
            try stored.setCodeDensity(density, info: .init(kind: .gaussianMixture, data: train.name, samples: train.count,
                                                           criteria: criteria.map { [Double($0.components), $0.bic] }))
            try stored.write(to: path)
            let components = if case .gaussianMixture(let mixture) = density { mixture.components } else { 0 }
            result.append(try measured("\(name): mixture of \(components) Gaussians", try model.decode(try density.sample(count: count, using: &generator))))
        }
        display.finish()
        return result
    }

    /// The VAE's spherical interpolations between test images of different classes.
    func interpolation(_ vae: VariationalAutoencoder) throws -> ImageGrid? {
        guard let shape = Report.imageShape(test) else { return nil }
        let examples = test.subset(Report.exampleIndices(test))
        let pairs = min(4, examples.count / 2)
        guard pairs >= 1 else { return nil }
        return try ImageGrid.interpolation(vae, from: examples.samples.rows(0..<pairs), to: examples.samples.rows(pairs..<(2 * pairs)),
                                           labels: (0..<pairs).map { "\($0 + 1)" }, path: .spherical, imageShape: shape)
    }

    /// Pullover − T-shirt/top (mean VAE codes of the training images) added to test T-shirts.
    func attributeGrid(_ vae: VariationalAutoencoder) throws -> (grid: ImageGrid, caption: String)? {
        guard let shape = Report.imageShape(test), let names = train.classNames, let labels = train.labels, let testLabels = test.labels,
              let with = names.firstIndex(of: Self.attribute.with), let without = names.firstIndex(of: Self.attribute.without),
              let target = test.classNames?.firstIndex(of: Self.attribute.appliedTo) else { return nil }
        let vector = try LatentSpace.attributeVector(codes: try vae.encode(train.samples), labels: labels, with: with, without: without)
        let rows = try testLabels.indices.filter { testLabels[$0] == target }.prefix(4).map { index in
            ImageGrid.Row(label: "test image \(index)",
                          images: try vae.decode(try LatentSpace.apply(vector, to: try vae.encode(test.samples.rows(index..<(index + 1))), strengths: Self.strengths)))
        }
        guard !rows.isEmpty else { return nil }
        let caption = "VAE attribute vector \(Self.attribute.with) − \(Self.attribute.without) (the difference of the two classes' mean codes) added to test T-shirts with strength \(Self.strengths.map { String(format: "%g", $0) }.joined(separator: ", ")): sleeves grow."
        return (try ImageGrid(title: "Attribute vector", rows: rows, imageShape: shape), caption)
    }
}
