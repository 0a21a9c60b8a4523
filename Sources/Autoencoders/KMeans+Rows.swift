import Collectives
import DataFormats
import NeuralNetworks
import Tensors

extension KMeans {
    /// Where a fit is, after each iteration: the run (1-based, of the configuration's
    /// initializations), the iteration (1-based; a pass over the data), the inertia
    /// Σᵢ minⱼ ‖xᵢ − cⱼ‖² of the centroids the iteration started from (nil for mini-batch passes
    /// over a stream, which measure none) and how far it moved them (Σ of squared moves).
    public struct Iteration: Sendable, Equatable {
        public var run: Int
        public var iteration: Int
        public var inertia: Double?
        public var shift: Double
    }

    /// Fits k-means to rows in memory or streamed from NPY shards, under `context`'s parts.
    ///
    /// Samples in memory in one part take ``fit(_:configuration:using:progress:)``. Otherwise one
    /// pass checks every value and gives the features' variances (the tolerance's scale), seeds
    /// are drawn from the samples in memory, or from a stream's first shuffled buffer of rows
    /// (at least k), and each run refines them over the rows:
    /// - **Lloyd**: each iteration is a pass of `LloydSums`, a ``RowStatistic``: every part's
    ///   cluster sums and counts added in part order, so the same parts give the same centroids
    ///   on any number of processes; a cluster left empty takes the row farthest from its centroid.
    /// - **Mini-batch** (Sculley 2010): each iteration is a pass of mini-batch updates over the
    ///   stream (shards in a drawn order, rows shuffled within its buffer); one part only.
    ///
    /// Each run stops when an iteration moves the centroids by at most the tolerance × the mean
    /// feature variance, or after `maximumIterations`; one more pass gives the exact inertia of
    /// its centroids, and the run with the least is kept. Memory: a block of rows, the seed rows
    /// and k × D sums per part.
    public static func fit(_ rows: some RowSource, configuration: Configuration, using generator: inout RandomGenerator,
                           context: FitContext = FitContext(), progress: (Iteration) throws -> Void = { _ in }) throws -> KMeans {
        let (n, d, k, parts) = (rows.rows, rows.columns, configuration.clusters, context.parts)
        guard rows.shape.count == 2, n >= 1, d >= 1 else {
            throw AutoencoderError("k-means needs samples n × D with n, D ≥ 1; got shape \(rows.shape)")
        }
        try check(configuration, samples: n)
        if let samples = rows as? Tensor, !parts.isSplit {
            return try fit(samples, configuration: configuration, using: &generator, progress: progress)
        }
        if parts.isSplit, case .miniBatch = configuration.algorithm {
            throw AutoencoderError("k-means in parts or across processes runs Lloyd's algorithm (its statistics are sums); mini-batch k-means does not split")
        }
        let summary = try rows.compute(TrainingDataCheck(method: "k-means", shape: [n, d], labelColumns: 0, moments: true), parts: parts)
        let threshold = configuration.tolerance * summary.variances!.reduce(0, +) / Double(d)
        // Every process draws the same seeds: from the samples, or from the stream read whole by each.
        let (stream, _) = try rows.split(holdingOut: TrainingConfiguration(epochs: 1, heldOutFraction: 0), parts: .serial, using: &generator)
        let seedRows: Tensor
        if let samples = rows as? Tensor {
            seedRows = samples
        } else {
            var first = try stream.epoch(batchSize: Swift.min(n, Swift.max(seedBufferRows(rows), k)), using: &generator)
            guard let buffer = try first.next() else { throw AutoencoderError("k-means: \(rows.sourceName) hold no rows") }
            seedRows = buffer
        }
        var best: (centroids: Tensor, history: [Double])? = nil
        for run in 1...configuration.initializations {
            var centroids = configuration.initialization == .kMeansPlusPlus
                ? seedPlusPlus(seedRows, k: k, using: &generator)
                : seedRows.gatherRows(generator.sample(k, from: seedRows.rows))
            var history: [Double] = []
            var seen = [Int](repeating: 0, count: k)
            for iteration in 1...configuration.maximumIterations {
                var updated = centroids
                var inertia: Double?
                switch configuration.algorithm {
                case .lloyd:
                    let step = try rows.compute(LloydSums(centroids: centroids), parts: parts)
                    inertia = step.inertia
                    history.append(step.inertia)
                    updated = step.means()
                case .miniBatch(let batchSize):
                    var epoch = try stream.epoch(batchSize: batchSize, using: &generator)
                    while let batch = try epoch.next() { miniBatchUpdate(&updated, batch, batch.rowSquaredNorms(), seen: &seen) }
                }
                let shift = (updated - centroids).squared().sumInDouble()
                centroids = updated
                try progress(Iteration(run: run, iteration: iteration, inertia: inertia, shift: shift))
                if shift <= threshold { break }
            }
            // The kept inertia is that of the final centroids.
            let final = try rows.compute(LloydSums(centroids: centroids), parts: parts).inertia
            if history.isEmpty || final <= history.last! { history.append(final) }
            if best == nil || history.last! < best!.history.last! { best = (centroids, history) }
        }
        return KMeans(configuration: configuration, centroids: best!.centroids, inertiaHistory: best!.history)
    }

    /// The seed rows of a stream: its shuffle buffer's rows.
    private static func seedBufferRows(_ rows: some RowSource) -> Int {
        (rows as? StreamedShards)?.bufferRows ?? ShardStream.defaultBufferRows
    }

    /// Refuses a configuration that cannot fit `samples` rows.
    static func check(_ configuration: Configuration, samples n: Int) throws {
        let k = configuration.clusters
        try configuration.checkRanges("k-means")
        guard k <= n else { throw AutoencoderError("k-means: k = \(k) clusters need between 1 and \(n) (the number of samples)") }
    }
}

/// One Lloyd step's sums over rows as a ``RowStatistic``: each cluster's sum (in Double) and
/// count for the given centroids, the inertia Σᵢ minⱼ ‖xᵢ − cⱼ‖², and the k rows farthest from
/// their centroids (ties to the earlier row), from which clusters left empty take a new centre.
///
/// State: k·D sums, k counts, the inertia, then k donors of (distance, row, D values), the
/// farthest first (an unused donor has distance −∞).
struct LloydSums: RowStatistic {
    let centroids: Tensor
    var k: Int { centroids.rows }
    var d: Int { centroids.columns }
    private var donorsStart: Int { k * d + k + 1 }
    private var donorWidth: Int { d + 2 }

    var initial: [Double] {
        var state = [Double](repeating: 0, count: donorsStart + k * donorWidth)
        for donor in 0..<k { state[donorsStart + donor * donorWidth] = -.infinity }
        return state
    }

    func accumulate(_ state: inout [Double], _ block: Tensor, firstRow: Int) throws {
        guard block.rows > 0 else { return }
        // Rows' norms serve only distances through the GEMM (more centroids than the direct kernel takes).
        let norms = k > Tensor.directDistanceLimit ? block.rowSquaredNorms() : []
        let (nearest, sums) = block.nearestCentresWithSums(centroids, rowSquaredNorms: norms)
        let distances = nearest.squaredDistances
        var later = initial
        for i in 0..<(k * d) { later[i] = sums.sums[i] }
        for j in 0..<k { later[k * d + j] = Double(sums.counts[j]) }
        later[k * d + k] = distances.reduce(0, +)
        let farthest = distances.indices.sorted { (distances[$0], $1) > (distances[$1], $0) }.prefix(k)
        for (slot, row) in farthest.enumerated() {
            let start = donorsStart + slot * donorWidth
            (later[start], later[start + 1]) = (distances[row], Double(firstRow + row))
            for j in 0..<d { later[start + 2 + j] = Double(block[row, j]) }
        }
        merge(&state, later)
    }

    func merge(_ state: inout [Double], _ later: [Double]) {
        for i in 0..<donorsStart { state[i] += later[i] }
        let donors = (0..<(2 * k)).map { index -> ArraySlice<Double> in
            let (source, slot) = index < k ? (state, index) : (later, index - k)
            return source[(donorsStart + slot * donorWidth)..<(donorsStart + (slot + 1) * donorWidth)]
        }
        // The farthest first; of equal distances the earlier row.
        let kept = donors.sorted { ($0[$0.startIndex], -$0[$0.startIndex + 1]) > ($1[$1.startIndex], -$1[$1.startIndex + 1]) }.prefix(k)
        state.replaceSubrange(donorsStart..., with: kept.flatMap { $0 })
    }

    func finish(_ state: [Double]) throws -> LloydStep {
        LloydStep(centroids: centroids, state: state, k: k, d: d)
    }
}

/// The sums of one Lloyd step (`LloydSums`) and what they give: the inertia of the centroids
/// they were taken for, and the updated centroids.
struct LloydStep {
    let centroids: Tensor
    let state: [Double]
    let k: Int, d: Int

    var inertia: Double { state[k * d + k] }

    /// The mean of each cluster (in Double). A cluster left empty takes the farthest row not
    /// yet taken, which lowers the inertia, so it never rises from one iteration to the next.
    func means() -> Tensor {
        var result = [Float](repeating: 0, count: k * d)
        var donor = 0
        for c in 0..<k {
            let count = state[k * d + c]
            if count > 0 {
                for j in 0..<d { result[c * d + j] = Float(state[c * d + j] / count) }
            } else {
                let start = k * d + k + 1 + donor * (d + 2) + 2
                for j in 0..<d { result[c * d + j] = Float(state[start + j]) }
                donor += 1
            }
        }
        return try! Tensor(shape: [k, d], scalars: result)
    }
}
