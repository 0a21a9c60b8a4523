import Latent

/// A method that can fit itself to a small data set with a small configuration of its own:
/// what the conformance suite runs for every method of ``Methods/builtIn`` (a method written
/// elsewhere runs it on itself), so that a new method is tested without editing the suite.
/// Declared here, beside the suite, and not in the library: only tests fit examples.
public protocol ExampleFit: Autoencoder {
    /// Fits a small model to `samples` (a few hundred rows, standardised features) in well
    /// under a second.
    static func exampleFit(_ samples: Tensor, using generator: inout RandomGenerator) throws -> Self
}

extension Methods {
    /// Training short enough for examples and tests, long enough to learn small structured data:
    /// five epochs of batches of 32, at least 400 steps, Adam at 10⁻².
    public static let exampleTraining = TrainingConfiguration(epochs: 5, batchSize: 32, learningRate: 0.01, minimumSteps: 400)

    /// The registered methods that can fit an example of themselves (every one, as a test checks).
    public static var examples: [any ExampleFit.Type] { all.compactMap { $0 as? any ExampleFit.Type } }
}

extension KMeans: ExampleFit {
    public static func exampleFit(_ samples: Tensor, using generator: inout RandomGenerator) throws -> KMeans {
        try fit(samples, configuration: .init(clusters: min(4, samples.shape[0])), using: &generator)
    }
}

extension PCA: ExampleFit {
    public static func exampleFit(_ samples: Tensor, using generator: inout RandomGenerator) throws -> PCA {
        try fit(samples, configuration: .init(components: .count(min(2, samples.shape[1]))), using: &generator)
    }
}

extension LinearAutoencoder: ExampleFit {
    public static func exampleFit(_ samples: Tensor, using generator: inout RandomGenerator) throws -> LinearAutoencoder {
        try fit(samples, configuration: .init(codeSize: min(2, samples.shape[1]), training: Methods.exampleTraining), using: &generator)
    }
}

extension NonlinearPCA: ExampleFit {
    public static func exampleFit(_ samples: Tensor, using generator: inout RandomGenerator) throws -> NonlinearPCA {
        try fit(samples, configuration: .init(components: 2, mappingWidth: 8, demappingWidth: 6, training: Methods.exampleTraining), using: &generator)
    }
}

extension RBM: ExampleFit {
    public static func exampleFit(_ samples: Tensor, using generator: inout RandomGenerator) throws -> RBM {
        try fit(samples, configuration: .init(hiddenUnits: 3, visible: .gaussian, epochs: 60, batchSize: 32, learningRate: 0.01), using: &generator)
    }
}

extension DeepAutoencoder: ExampleFit {
    public static func exampleFit(_ samples: Tensor, using generator: inout RandomGenerator) throws -> DeepAutoencoder {
        try fit(samples, configuration: .init(hidden: [8, 4], codeSize: 2, outputActivation: .linear, loss: .squaredError, pretrainingEpochs: 1,
                                               pretrainingBatchSize: 32, training: Methods.exampleTraining), using: &generator)
    }
}

extension VariationalAutoencoder: ExampleFit {
    /// A Gaussian decoder of variance 0.1 on standardised features: reconstruction outweighs
    /// the KL term enough for a 2-D code to carry the data's structure.
    public static func exampleFit(_ samples: Tensor, using generator: inout RandomGenerator) throws -> VariationalAutoencoder {
        try fit(samples, configuration: .init(hidden: [16], codeSize: 2, activation: .tanh, likelihood: .gaussian, outputVariance: 0.1,
                                               initializer: .xavier, training: Methods.exampleTraining), using: &generator)
    }
}

extension WassersteinAutoencoder: ExampleFit {
    /// Squared error on standardised features, a 2-D code, the MMD penalty at λ = 1.
    public static func exampleFit(_ samples: Tensor, using generator: inout RandomGenerator) throws -> WassersteinAutoencoder {
        try fit(samples, configuration: .init(hidden: [16], codeSize: 2, activation: .tanh, loss: .squaredError, lambda: 1,
                                               initializer: .xavier, training: Methods.exampleTraining), using: &generator)
    }
}

extension AdversarialAutoencoder: ExampleFit {
    /// Squared error on standardised features, a 2-D code matched to N(0, I) by a small critic.
    public static func exampleFit(_ samples: Tensor, using generator: inout RandomGenerator) throws -> AdversarialAutoencoder {
        try fit(samples, configuration: .init(hidden: [16], codeSize: 2, activation: .tanh, loss: .squaredError, criticHidden: [16],
                                               initializer: .xavier, training: Methods.exampleTraining), using: &generator)
    }
}

extension Translator: ExampleFit {
    /// Two domains of the same samples, paired and all anchors: the samples themselves, and
    /// their features in reverse order, doubled; a 2-D code matched by MMD.
    public static func exampleFit(_ samples: Tensor, using generator: inout RandomGenerator) throws -> Translator {
        let mirrored = samples.transposed().gatherRows(Array((0..<samples.columns).reversed())).transposed() * 2
        return try fit(.paired([samples, mirrored]), configuration: .init(
            domains: [.init(name: "original", hidden: [16]), .init(name: "mirrored", hidden: [16])], codeSize: 2, activation: .tanh,
            matcher: .mmd, anchorFraction: 1, initializer: .xavier, training: .init(epochs: 5, batchSize: 32, learningRate: 0.01, heldOutFraction: 0, minimumSteps: 400)), using: &generator)
    }
}

extension PrincipalGraph: ExampleFit {
    /// A principal tree of 8 nodes (ElPiGraph's defaults otherwise).
    public static func exampleFit(_ samples: Tensor, using generator: inout RandomGenerator) throws -> PrincipalGraph {
        try fit(samples, configuration: .init(topology: .tree, nodes: min(8, samples.rows)), using: &generator)
    }
}

extension LearnedDecoder.Configuration {
    /// The projective examples' decoder: a small network (16, 32 hidden units) for 300 passes,
    /// as small as the other examples' networks.
    public static let example = LearnedDecoder.Configuration(hidden: [16, 32], epochs: 300)
}

extension TSNE: ExampleFit {
    /// A 2-D embedding at perplexity 10 with 300 iterations (openTSNE's defaults otherwise), and a small decoder.
    public static func exampleFit(_ samples: Tensor, using generator: inout RandomGenerator) throws -> TSNE {
        let perplexity = min(10, Double(samples.rows - 1) / 3)
        return try fit(samples, configuration: .init(perplexity: perplexity, earlyExaggerationIterations: 100, iterations: 200, transformIterations: 100,
                                                     decoder: .example),
                       using: &generator)
    }
}

extension UMAP: ExampleFit {
    /// A 2-D embedding of 10 neighbours over 200 epochs (umap-learn's defaults otherwise), and a small decoder.
    public static func exampleFit(_ samples: Tensor, using generator: inout RandomGenerator) throws -> UMAP {
        try fit(samples, configuration: .init(neighbours: min(10, samples.rows), epochs: 200, transformEpochs: 50, decoder: .example), using: &generator)
    }
}

extension ParametricTSNE: ExampleFit {
    /// An encoder of 32 hidden units at perplexity 10 (less on few samples), 100 passes of batches of 60, and a small decoder.
    public static func exampleFit(_ samples: Tensor, using generator: inout RandomGenerator) throws -> ParametricTSNE {
        try fit(samples, configuration: .init(perplexity: min(10, Double(min(60, samples.rows) - 1) / 3), hidden: [32], epochs: 100, batchSize: 60,
                                              decoder: .example), using: &generator)
    }
}

extension ParametricUMAP: ExampleFit {
    /// An encoder of 32 hidden units over 10 neighbours' graph, 100 passes of batches of 100 edges, and a small decoder.
    public static func exampleFit(_ samples: Tensor, using generator: inout RandomGenerator) throws -> ParametricUMAP {
        try fit(samples, configuration: .init(neighbours: min(10, samples.rows), hidden: [32], epochs: 100, batchSize: 100, decoder: .example),
                using: &generator)
    }
}

extension MDS: ExampleFit {
    /// Metric MDS in 2-D from 2 starts of at most 100 iterations, and a small decoder.
    public static func exampleFit(_ samples: Tensor, using generator: inout RandomGenerator) throws -> MDS {
        try fit(samples, configuration: .init(components: min(2, samples.rows - 1), scaling: .metric, initialisations: 2, iterations: 100,
                                              decoder: .example),
                using: &generator)
    }
}

extension Isomap: ExampleFit {
    /// 2-D codes from the fewest neighbours, from min(10, n/4) up, whose graph is connected: the
    /// examples are separated blobs, whose 10-nearest-neighbour graph falls apart (an error for
    /// Isomap, by design); a small decoder.
    public static func exampleFit(_ samples: Tensor, using generator: inout RandomGenerator) throws -> Isomap {
        // Bad samples go straight to the fit, whose errors the suite checks.
        guard samples.rank == 2, samples.rows >= 3, samples.scalars.allSatisfy({ $0.isFinite }) else {
            return try fit(samples, configuration: .init(decoder: .example), using: &generator)
        }
        var k = max(1, min(10, samples.rows / 4))
        let all = try NearestNeighbours.exact(samples, k: samples.rows - 1)
        while k < samples.rows - 1 {
            let graph = NeighbourGraph(k: k, indices: (0..<samples.rows).flatMap { all.neighbours(of: $0).prefix(k) },
                                       distances: (0..<samples.rows).flatMap { all.squaredDistances(of: $0).prefix(k) })
            if WeightedGraph(neighbours: graph).components().count == 1 { break }
            k += 1
        }
        return try fit(samples, configuration: .init(components: min(2, samples.rows - 1), neighbours: k, decoder: .example), using: &generator)
    }
}
