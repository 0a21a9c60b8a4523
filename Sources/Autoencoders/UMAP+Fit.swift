import DataFormats
import Foundation
import Neighbourhoods
import NeuralNetworks
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
    /// Every point moves in its own row's edges only. The points are cut into 64 blocks of
    /// nearby codes (`SpatialBlocks`, renewed every 10 epochs); the blocks run in parallel,
    /// each point of a block in turn, reading the points of its own block as they move (as
    /// umap-learn's serial order does, where a point's graph neighbours mostly are) and the
    /// others as they were at the epoch's start. Nothing is shared between threads, and the
    /// result does not depend on their number (umap-learn's parallel mode moves points from
    /// several threads at once, Hogwild, and is not reproducible; its serial mode is slow).
    /// Reading every other point as of the epoch's start instead left clusters visibly looser
    /// than umap-learn's at the same trustworthiness. Because
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
    ///
    /// Then the decoder (``Configuration/decoder``) is trained on the pairs (code, sample);
    /// `decoderProgress` hears its batches and may throw to stop (after a checkpoint of the
    /// finished embedding, from which a resumed fit trains the decoder again).
    public static func fit(_ samples: Tensor, configuration: Configuration, using generator: inout RandomGenerator,
                           settings: ComputeSettings = .current, checkpoints: CheckpointPolicy? = nil,
                           progress: (Progress) throws -> Void = { _ in },
                           decoderProgress: @escaping (TrainingProgress) throws -> Void = { _ in }) throws -> UMAP {
        try checkTrainingSamples(samples, method: "UMAP", minimumCount: 2)
        let n = samples.rows, d = configuration.components
        try configuration.validate(samples: n)
        try configuration.decoder.check(samples, method: "UMAP")
        let epochs = configuration.epochs(samples: n)
        let exactNeighbours = n < Configuration.exactNeighboursLimit
        let (searchSeed, layoutSeed, decoderSeed) = (generator.next(), generator.next(), generator.next())
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
        var blocks: SpatialBlocks?
        let total = epochs
        if let policy = checkpoints, policy.resume {
            let state = try EmbeddingCheckpoint.read(policy.path, method: methodName, configuration: configuration, samples: n, total: total)
            y = try state.array("codes", count: n * d, method: methodName, file: policy.path).map { Float($0) }
            done = state.iteration
            // The blocks of the epochs since the last partition: made from codes no longer kept, so stored.
            if done % SpatialBlocks.interval != 0 {
                let order = try state.array("order", count: n, method: methodName, file: policy.path)
                guard Set(order).count == n, order.allSatisfy({ $0 >= 0 && $0 < Double(n) && $0 == $0.rounded() }) else {
                    throw DataFormatError(policy.path, .entry("__metadata__.\(EmbeddingCheckpoint.key(method: methodName)).arrays.order"),
                                          "is not an order of the \(n) samples")
                }
                blocks = SpatialBlocks(order: order.map { Int32($0) })
            }
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
                                    arrays: ["codes": y.map { Double($0) }, "order": (blocks?.order ?? []).map { Double($0) }])
                .write(to: policy.path, method: methodName, configuration: configuration)
            lastWrite = Date()
        }
        while done < epochs {
            if done % SpatialBlocks.interval == 0 || blocks == nil { blocks = SpatialBlocks(codes: y, dimensions: d) }
            let alpha = configuration.learningRate * (1 - Double(done) / Double(epochs))
            schedule.epoch(done, codes: &y, dimensions: d, curve: curve, repulsion: configuration.repulsionStrength, learningRate: alpha,
                           seed: layoutSeed, blocks: blocks, settings: settings)
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
        let codes = try Tensor(shape: [n, d], scalars: y)
        let decoder = try learnDecoder(codes: codes, samples: samples, configuration: configuration, seed: decoderSeed) { batch in
            do { try decoderProgress(batch) } catch { try save(); throw error }
        }
        return UMAP(configuration: configuration, reference: samples, embedding: codes, summary: summary, decoder: decoder)
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

    /// One epoch of descent on `codes` (`count × dimensions`). Fitting (`otherCodes` nil), the
    /// heads go block by block of `blocks`, the blocks in parallel: a tail or negative sample in
    /// the head's own block is read as it is now, any other as it was at the epoch's start.
    /// Placing new points, the fixed training codes `otherCodes` are read, the rows in parallel,
    /// without the attraction doubled.
    mutating func epoch(_ epoch: Int, codes: inout [Float], dimensions d: Int, curve: UMAPCurve, repulsion: Double, learningRate: Double,
                        seed: UInt64, blocks: SpatialBlocks? = nil, otherCodes: [Float]? = nil, rowSeeds: [UInt64]? = nil, settings: ComputeSettings) {
        let others = otherCodes ?? codes
        let selfIndexed = otherCodes == nil
        let otherCount = others.count / d
        let rows = graph.count
        let rowSeeds = rowSeeds ?? []
        let (order, positionOf, starts) = (blocks?.order ?? [], blocks?.positionOf ?? [], blocks?.starts ?? [])
        // The heads by position: in block order when blocked, so that each block's rows lie together.
        var live = codes
        if blocks != nil { for (position, i) in order.enumerated() { for c in 0..<d { live[position * d + c] = codes[Int(i) * d + c] } } }
        graph.rowStart.withUnsafeBufferPointer { rowStart in
            graph.columns.withUnsafeBufferPointer { columns in
                epochsPerSample.withUnsafeBufferPointer { perSample in
                    nextSample.withUnsafeMutableBufferPointer { next in
                        nextNegative.withUnsafeMutableBufferPointer { negative in
                            live.withUnsafeMutableBufferPointer { y in
                                others.withUnsafeBufferPointer { fixed in
                                    rowSeeds.withUnsafeBufferPointer { seeds in
                                        order.withUnsafeBufferPointer { order in
                                            positionOf.withUnsafeBufferPointer { positionOf in
                                                let a = (UInt(bitPattern: rowStart.baseAddress), UInt(bitPattern: columns.baseAddress),
                                                         UInt(bitPattern: perSample.baseAddress), UInt(bitPattern: next.baseAddress),
                                                         UInt(bitPattern: negative.baseAddress), UInt(bitPattern: y.baseAddress),
                                                         UInt(bitPattern: fixed.baseAddress), UInt(bitPattern: seeds.baseAddress),
                                                         UInt(bitPattern: order.baseAddress), UInt(bitPattern: positionOf.baseAddress))
                                                let (rate, a0, b0, scale) = (negativeRate, curve.a, curve.b, selfIndexed ? 2.0 : 1.0)
                                                let seeded = !rowSeeds.isEmpty
                                                let run: @Sendable (Range<Int>, Bool) -> Void = { positions, blocked in
                                                    Kernels.umapEpoch(
                                                        rowStart: UnsafePointer(bitPattern: a.0)!, columns: UnsafePointer(bitPattern: a.1)!,
                                                        epochsPerSample: UnsafePointer(bitPattern: a.2)!, nextSample: UnsafeMutablePointer(bitPattern: a.3)!,
                                                        nextNegative: UnsafeMutablePointer(bitPattern: a.4)!,
                                                        order: blocked ? UnsafePointer(bitPattern: a.8) : nil,
                                                        positionOf: blocked ? UnsafePointer(bitPattern: a.9) : nil, positions: positions,
                                                        y: UnsafeMutablePointer(bitPattern: a.5)!, others: UnsafePointer(bitPattern: a.6)!, otherCount: otherCount,
                                                        selfIndexed: selfIndexed, dimensions: d, a: a0, b: b0, repulsion: repulsion,
                                                        learningRate: learningRate, attractionScale: scale, negativeRate: rate, epoch: epoch, seed: seed,
                                                        rowSeeds: seeded ? UnsafePointer(bitPattern: a.7) : nil)
                                                }
                                                if starts.count > 1 {
                                                    forEachPart(starts.count - 1, settings: settings) { block in run(starts[block]..<starts[block + 1], true) }
                                                } else {
                                                    forEachChunk(of: rows, minimumChunk: 512, settings: settings) { range in run(range, false) }
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
        if blocks != nil {
            for (position, i) in order.enumerated() { for c in 0..<d { codes[Int(i) * d + c] = live[position * d + c] } }
        } else {
            codes = live
        }
    }
}

/// A partition of the points into blocks of nearby codes, for the descent's epochs: the points
/// sorted along a Z-order curve of their first two coordinates (each quantised to 16 bits over
/// the codes' range; ties to the lower index), then cut into ``count`` runs of equal length.
/// A point's neighbours in the graph mostly share its block, and within a block the descent
/// reads them as they move, as umap-learn's sequential order does; the blocks themselves are
/// fixed in number, so the codes do not depend on the thread count.
struct SpatialBlocks {
    /// Points in block order; block b holds `order[starts[b] ..< starts[b + 1]]`.
    let order: [Int32]
    let starts: [Int]
    /// Each point's position in `order`.
    let positionOf: [Int32]

    /// Blocks at most, and points a block holds at least.
    static let count = 64, minimumSize = 64
    /// Epochs between two partitions: the codes move little in so few.
    static let interval = 10

    /// The blocks of `codes` (`n × dimensions`).
    init(codes: [Float], dimensions d: Int) {
        let n = codes.count / d
        var (low, high) = ([Float](repeating: .infinity, count: 2), [Float](repeating: -.infinity, count: 2))
        let axes = Swift.min(2, d)
        for i in 0..<n { for c in 0..<axes { (low[c], high[c]) = (Swift.min(low[c], codes[i * d + c]), Swift.max(high[c], codes[i * d + c])) } }
        func spread(_ x: UInt64) -> UInt64 {
            var x = x & 0xFFFF
            x = (x | (x << 8)) & 0x00FF_00FF
            x = (x | (x << 4)) & 0x0F0F_0F0F
            x = (x | (x << 2)) & 0x3333_3333
            return (x | (x << 1)) & 0x5555_5555
        }
        // The 32-bit Z-order key above the index: one sort of plain integers, ties to the lower index.
        var keyed = (0..<n).map { i -> UInt64 in
            var key: UInt64 = 0
            for c in 0..<axes {
                let range = high[c] - low[c]
                let q = range > 0 ? UInt64(Swift.min(65_535, Swift.max(0, ((codes[i * d + c] - low[c]) / range * 65_535).rounded()))) : 0
                key |= spread(q) << UInt64(c)
            }
            return key << 32 | UInt64(i)
        }
        keyed.sort()
        self.init(order: keyed.map { Int32(truncatingIfNeeded: $0 & 0xFFFF_FFFF) })
    }

    /// The blocks of a stored order (a resumed fit's).
    init(order: [Int32]) {
        let n = order.count
        self.order = order
        let blocks = Swift.max(1, Swift.min(Self.count, n / Self.minimumSize))
        starts = (0...blocks).map { n * $0 / blocks }
        var positionOf = [Int32](repeating: 0, count: n)
        for (position, i) in order.enumerated() { positionOf[Int(i)] = Int32(position) }
        self.positionOf = positionOf
    }
}
