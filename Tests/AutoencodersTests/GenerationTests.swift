import Autoencoders
import DataFormats
import Foundation
import MethodConformance
import NeuralNetworks
import Testing
import TestSupport
import Tensors

/// Every decoder a generator through the library (``Autoencoder/generate(_:codesFrom:density:label:using:)``):
/// the codes drawn from the source asked for and decoded, in the data's units.
@Suite struct Generation {
    static let samples: Tensor = {
        var generator = RandomGenerator(seed: 21)
        return Tensor.randomNormal([300, 6], using: &generator) * 2 + 5
    }()

    /// A density fitted to the codes: its draws, decoded and moved back to the data's origin.
    @Test func aCodeDensityIsASampler() throws {
        var generator = RandomGenerator(seed: 1)
        let scaling = try FeatureScaling(fitting: Self.samples, kind: .standardize)
        let pca = try scaled(try PCA.fit(try scaling.apply(Self.samples), configuration: .init(components: .count(2)), using: &generator), by: scaling)
        let (density, _) = try CodeDensity.fit(pca, samples: Self.samples, configuration: .init(components: 2), using: &generator)
        var (a, b) = (RandomGenerator(seed: 7), RandomGenerator(seed: 7))
        let generated = try pca.generate(40, density: density, using: &a)
        let codes = try density.sample(count: 40, using: &b)
        let decoded = try pca.decode(codes)
        #expect(generated.codes == codes && generated.samples == decoded)
        #expect(generated.samples.shape == [40, 6])
        #expect { _ = try pca.generate(4, using: &a) } throws: { "\($0)".contains("`codesFrom: .codeDensity` needs a density") }
        #expect { _ = try pca.generate(4, codesFrom: .prior, using: &a) } throws: { "\($0)".contains("not trained toward a prior") }
        #expect { _ = try pca.generate(4, label: 1, using: &a) } throws: { "\($0)".contains("not conditioned on labels") }
    }

    /// A model trained toward a prior draws from it by default; N(0, I) goes through any decoder.
    @Test(arguments: [CodeSource.prior, .standardNormal])
    func aPriorModelDrawsItsPrior(source: CodeSource) throws {
        var generator = RandomGenerator(seed: 2)
        let vae = try VariationalAutoencoder.exampleFit(Self.samples / 5, using: &generator)
        var (a, b) = (RandomGenerator(seed: 9), RandomGenerator(seed: 9))
        let generated = try vae.generate(30, codesFrom: source == .prior ? nil : source, using: &a)
        let prior: CodePrior = source == .prior ? vae.prior : .normal(variance: 1)
        let codes = prior.draw(count: 30, dimension: vae.codeSize, using: &b)
        let decoded = try vae.decode(codes)
        #expect(generated.codes == codes && generated.samples == decoded)
    }

    /// k-means codes are cluster indices: a normal draw does not apply, its cluster frequencies do.
    @Test func clusterIndicesComeFromTheirFrequencies() throws {
        var generator = RandomGenerator(seed: 3)
        let kmeans = try KMeans.fit(Self.samples, configuration: .init(clusters: 3), using: &generator)
        #expect { _ = try kmeans.generate(4, codesFrom: .standardNormal, using: &generator) } throws: { "\($0)".contains("whose codes are cluster indices") }
        let (density, _) = try CodeDensity.fit(kmeans, samples: Self.samples, configuration: .init(components: 1), using: &generator)
        let generated = try kmeans.generate(50, density: density, using: &generator)
        // Every sample is a centroid.
        let centroids = Set((0..<3).map { kmeans.centroids.rows($0..<($0 + 1)).scalars })
        #expect((0..<50).allSatisfy { centroids.contains(generated.samples.rows($0..<($0 + 1)).scalars) })
    }

    /// A conditional VAE draws the class asked for itself; its label columns are not samples' features.
    @Test func aConditionalModelDrawsTheClassAsked() throws {
        let labels = (0..<Self.samples.rows).map { $0 % 3 }
        let configuration = VariationalAutoencoder.Configuration(hidden: [8], codeSize: 2, likelihood: .gaussian, training: .init(epochs: 1, batchSize: 32),
                                                                 conditionClasses: 3)
        var generator = RandomGenerator(seed: 4)
        let input = try VariationalAutoencoder.conditioned(Self.samples / 5, labels: labels, classes: 3)
        let cvae = try VariationalAutoencoder.fit(input, configuration: configuration, using: &generator)
        let conditioned = try cvae.input(Self.samples / 5, labels: labels)
        #expect(cvae.conditionColumns == 3 && conditioned == input)
        #expect { _ = try cvae.input(Self.samples, labels: nil) } throws: { "\($0)".contains("conditioned on labels") }
        let generated = try cvae.generate(10, label: 2, using: &generator)
        #expect(generated.samples.shape == [10, 6] && generated.codes == nil)
        let unlabelled = try cvae.generate(10, using: &generator)
        #expect(unlabelled.samples.shape == [10, 6] && unlabelled.codes?.shape == [10, 5])
        #expect { _ = try cvae.generate(2, label: 3, using: &generator) } throws: { "\($0)".contains("not one of the model's classes 0 … 2") }
    }
}
