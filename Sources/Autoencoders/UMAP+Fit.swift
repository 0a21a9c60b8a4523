import Foundation
import Neighbourhoods
import Tensors

extension UMAP {
    /// Embeds `samples` (`n × D`): each sample's k − 1 nearest others (exact below
    /// ``Configuration/exactNeighboursLimit`` samples, NN-descent above), their fuzzy simplicial
    /// set, edges weaker than 1/epochs of the strongest dropped, codes started by the
    /// initialisation (`initialCodes`), then
    /// stochastic gradient descent on the cross entropy (McInnes et al. 2018, Algorithm 5, with
    /// umap-learn 0.5's schedule): edge e is sampled every max μ / μₑ epochs, each sample pulls
    /// its head towards its tail and is followed by ``Configuration/negativeSampleRate``
    /// repulsions from uniformly drawn points (amortised over the epochs between samples); the
    /// step α falls linearly from the learning rate to 0; every gradient coordinate is clipped
    /// to [−4, 4].
    ///
    /// Every point moves in its own row's edges, against the other points as they were at the
    /// epoch's start: the rows are independent, so threads share them without locks, and the
    /// result does not depend on their number (umap-learn's parallel mode moves points from
    /// several threads at once, Hogwild, and is not reproducible; its serial mode is). Because
    /// umap-learn moves both ends of each stored edge, and each edge is stored in both rows, a
    /// point here takes its attraction twice: the same expected step. Each point's negative
    /// samples come from a stream seeded by (seed, epoch, point). A sampled edge's attraction
    /// and its negative samples are evaluated together at the point's position before them and
    /// their steps summed (umap-learn takes them one after another): eight interactions side by
    /// side in vector lanes instead of a chain of dependent ones, a third less time; over four
    /// seeds on 20 000 Fashion-MNIST images the codes' trustworthiness and 10-NN accuracy are
    /// those of the sequential order within the seeds' spread (±0.004).
    ///
    /// `progress` hears every epoch and may throw to stop. With `checkpoints`, the codes are
    /// written every `every` epochs (and when `progress` throws); with `resume` the fit
    /// continues from them: the same samples, configuration and seed give the model of an
    /// uninterrupted run, bit for bit (the sampling schedule is replayed, not stored).
    public static func fit(_ samples: Tensor, configuration: Configuration, using generator: inout RandomGenerator,
                           settings: ComputeSettings = .current, checkpoints: CheckpointPolicy? = nil,
                           progress: (Progress) throws -> Void = { _ in }) throws -> UMAP {
        try checkTrainingSamples(samples, method: "UMAP", minimumCount: 2)
        let n = samples.rows, d = configuration.components
        try configuration.validate(samples: n)
        let epochs = configuration.epochs(samples: n)
        let exactNeighbours = n < Configuration.exactNeighboursLimit
        let (searchSeed, layoutSeed) = (generator.next(), generator.next())
        let k = configuration.neighbours - 1
        let neighbours = exactNeighbours ? try NearestNeighbours.exact(samples, k: k, settings: settings)
                                         : try NearestNeighbours.descent(samples, k: k, seed: searchSeed, settings: settings)
        var graph = FuzzySimplicialSet(graph: neighbours).graph
        // Edges sampled less than once over the epochs are dropped (umap-learn: below max/epochs,
        // or max/200·… for 10 epochs or fewer, its default count standing in).
        let strongest = graph.weights.max() ?? 1
        let pruningEpochs = epochs > 10 ? epochs : (n <= Configuration.smallDataLimit ? Configuration.smallDataEpochs : Configuration.largeDataEpochs)
        graph = graph.filter { $0 >= strongest / Float(pruningEpochs) }
        let curve = configuration.curve
        var done = 0
        var y: [Float], spectralConverged: Bool?, components: Int
        let total = epochs
        if let policy = checkpoints, policy.resume {
            let state = try EmbeddingCheckpoint.read(policy.path, method: methodName, configuration: configuration, samples: n, total: total)
            y = try state.array("codes", count: n * d, method: methodName, file: policy.path).map { Float($0) }
            done = state.iteration
            spectralConverged = state.facts["spectral_converged"].map { $0 != 0 }
            components = graph.components().count
        } else {
            (y, spectralConverged, components) = try initialCodes(samples, graph: graph, configuration: configuration, using: &generator, settings: settings)
        }
        var schedule = EdgeSchedule(graph: graph, negativeRate: Double(configuration.negativeSampleRate))
        for epoch in 0..<done { schedule.replay(epoch: epoch) }
        var lastWrite = Date()
        func save() throws {
            guard let policy = checkpoints, policy.writes else { return }
            // What the start found travels along, so that a resumed fit reports it too.
            try EmbeddingCheckpoint(iteration: done, samples: n, facts: spectralConverged.map { ["spectral_converged": $0 ? 1 : 0] } ?? [:],
                                    arrays: ["codes": y.map { Double($0) }])
                .write(to: policy.path, method: methodName, configuration: configuration)
            lastWrite = Date()
        }
        while done < epochs {
            let alpha = configuration.learningRate * (1 - Double(done) / Double(epochs))
            schedule.epoch(done, codes: &y, dimensions: d, curve: curve, repulsion: configuration.repulsionStrength, learningRate: alpha,
                           seed: layoutSeed, settings: settings)
            done += 1
            do {
                try progress(Progress(epoch: done, total: epochs))
            } catch {
                try save()
                throw error
            }
            if let every = checkpoints?.every, done % every == 0, done == epochs || Date().timeIntervalSince(lastWrite) >= checkpoints!.minimumInterval {
                try save()
            }
        }
        let summary = Summary(epochs: epochs, edges: graph.edgeCount / 2, connectedComponents: components, spectralConverged: spectralConverged,
                              exactNeighbours: exactNeighbours, a: curve.a, b: curve.b)
        return UMAP(configuration: configuration, reference: samples, embedding: try Tensor(shape: [n, d], scalars: y), summary: summary)
    }
}

/// When each edge of a graph is next sampled, and how many negative samples it owes: umap-learn's
/// `epochs_per_sample` (max μ / μₑ), `epoch_of_next_sample` and `epoch_of_next_negative_sample`.
struct EdgeSchedule {
    let graph: WeightedGraph
    let negativeRate: Double
    let epochsPerSample: [Double]
    var nextSample: [Double], nextNegative: [Double]

    init(graph: WeightedGraph, negativeRate: Double) {
        let strongest = Double(graph.weights.max() ?? 1)
        (self.graph, self.negativeRate) = (graph, negativeRate)
        epochsPerSample = graph.weights.map { strongest / Double($0) }
        nextSample = epochsPerSample
        nextNegative = epochsPerSample.map { $0 / negativeRate }
    }

    /// Advances the schedule through `epoch` as an epoch of descent would, moving nothing.
    mutating func replay(epoch: Int) {
        let count = epochsPerSample.count
        epochsPerSample.withUnsafeBufferPointer { perSample in
            nextSample.withUnsafeMutableBufferPointer { next in
                nextNegative.withUnsafeMutableBufferPointer { negative in
                    Kernels.umapSchedule(epochsPerSample: perSample.baseAddress!, nextSample: next.baseAddress!, nextNegative: negative.baseAddress!,
                                         count: count, negativeRate: negativeRate, epoch: epoch)
                }
            }
        }
    }

    /// One epoch of descent on `codes` (`count × dimensions`), heads in parallel against the
    /// codes as they were at its start (`others`, the same codes, or the fixed training codes
    /// of `otherCodes` when placing new points, which then move without attraction doubled).
    mutating func epoch(_ epoch: Int, codes: inout [Float], dimensions: Int, curve: UMAPCurve, repulsion: Double, learningRate: Double,
                        seed: UInt64, otherCodes: [Float]? = nil, rowSeeds: [UInt64]? = nil, settings: ComputeSettings) {
        let others = otherCodes ?? codes
        let selfIndexed = otherCodes == nil
        let otherCount = others.count / dimensions
        let rows = graph.count
        let rowSeeds = rowSeeds ?? []
        graph.rowStart.withUnsafeBufferPointer { starts in
            graph.columns.withUnsafeBufferPointer { columns in
                epochsPerSample.withUnsafeBufferPointer { perSample in
                    nextSample.withUnsafeMutableBufferPointer { next in
                        nextNegative.withUnsafeMutableBufferPointer { negative in
                            codes.withUnsafeMutableBufferPointer { y in
                                others.withUnsafeBufferPointer { fixed in
                                    rowSeeds.withUnsafeBufferPointer { seeds in
                                        let a = (UInt(bitPattern: starts.baseAddress), UInt(bitPattern: columns.baseAddress),
                                                 UInt(bitPattern: perSample.baseAddress), UInt(bitPattern: next.baseAddress),
                                                 UInt(bitPattern: negative.baseAddress), UInt(bitPattern: y.baseAddress), UInt(bitPattern: fixed.baseAddress),
                                                 UInt(bitPattern: seeds.baseAddress))
                                        let (rate, a0, b0, scale) = (negativeRate, curve.a, curve.b, selfIndexed ? 2.0 : 1.0)
                                        let seeded = !rowSeeds.isEmpty
                                        forEachChunk(of: rows, minimumChunk: 512, settings: settings) { range in
                                            Kernels.umapEpoch(
                                                rowStart: UnsafePointer(bitPattern: a.0)!, columns: UnsafePointer(bitPattern: a.1)!,
                                                epochsPerSample: UnsafePointer(bitPattern: a.2)!, nextSample: UnsafeMutablePointer(bitPattern: a.3)!,
                                                nextNegative: UnsafeMutablePointer(bitPattern: a.4)!, rows: range, y: UnsafeMutablePointer(bitPattern: a.5)!,
                                                others: UnsafePointer(bitPattern: a.6)!, otherCount: otherCount, selfIndexed: selfIndexed,
                                                dimensions: dimensions, a: a0, b: b0, repulsion: repulsion, learningRate: learningRate,
                                                attractionScale: scale, negativeRate: rate, epoch: epoch, seed: seed,
                                                rowSeeds: seeded ? UnsafePointer(bitPattern: a.7) : nil)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
