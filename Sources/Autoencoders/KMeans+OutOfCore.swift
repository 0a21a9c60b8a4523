import DataFormats
import Tensors

extension KMeans {
    /// Mini-batch k-means (Sculley 2010) over data streamed from NPY shards, never all in
    /// memory, then an exact assignment pass for the inertia.
    ///
    /// Seeding: k-means++ (or k random rows, as configured) on the first shuffled buffer of the
    /// stream (`bufferRows` rows drawn from shards in a random order), the best of the
    /// configuration's initializations by their inertia on those rows. Then passes over the
    /// stream (``ShardStream``: shards in a drawn order, rows shuffled within the buffer) of
    /// mini-batch updates, until a pass moves the centroids by at most the configuration's
    /// tolerance × the seed rows' mean variance, or after `maximumIterations` passes. Last, one
    /// pass assigns every row to its nearest centroid: the inertia the model reports is the
    /// exact Σ minⱼ ‖xᵢ − cⱼ‖².
    ///
    /// - Parameter progress: after each pass, its number and how far it moved the centroids
    ///   (Σ of squared moves).
    public static func fit(_ shards: NPYShards, configuration: Configuration, bufferRows: Int = ShardStream.defaultBufferRows,
                           using generator: inout RandomGenerator, progress: (_ pass: Int, _ shift: Double) throws -> Void = { _, _ in }) throws -> KMeans {
        guard case .miniBatch(let batchSize) = configuration.algorithm, batchSize >= 1 else {
            throw AutoencoderError("k-means of data in shards runs mini-batch k-means (Lloyd's passes would each read all the data): give a mini-batch size")
        }
        let (n, k) = (shards.rows, configuration.clusters)
        guard k >= 1, k <= n else { throw AutoencoderError("k-means: k = \(k) clusters need between 1 and \(n) (the number of samples)") }
        guard configuration.initializations >= 1, configuration.maximumIterations >= 1 else {
            throw AutoencoderError("k-means: initializations and maximumIterations must be at least 1")
        }
        let stream = try ShardStream(shards, bufferRows: bufferRows)
        // k-means++ on one shuffled buffer of rows (at least k of them).
        var first = try stream.epoch(batchSize: min(n, max(bufferRows, k)), using: &generator)
        guard let seedRows = try first.next() else { throw AutoencoderError("k-means: the shards hold no rows") }
        try checkTrainableMagnitude(seedRows, method: "k-means")
        let seedNorms = rowSquaredNorms(seedRows)
        var best: (centroids: Tensor, inertia: Double)? = nil
        for _ in 0..<configuration.initializations {
            let centroids = configuration.initialization == .kMeansPlusPlus
                ? seedPlusPlus(seedRows, k: k, using: &generator)
                : seedRows.gatherRows(generator.sample(k, from: seedRows.rows))
            let inertia = assign(seedRows, seedNorms, centroids).distances.reduce(0, +)
            if best == nil || inertia < best!.inertia { best = (centroids, inertia) }
        }
        var centroids = best!.centroids
        let variance = seedRows.squared().mean(alongAxis: 0) - seedRows.mean(alongAxis: 0).squared()
        let threshold = configuration.tolerance * Double(variance.mean())
        var seen = [Int](repeating: 0, count: k)
        for pass in 1...configuration.maximumIterations {
            let previous = centroids
            var epoch = try stream.epoch(batchSize: batchSize, using: &generator)
            while let rows = try epoch.next() {
                try checkTrainableMagnitude(rows, method: "k-means")
                miniBatchUpdate(&centroids, rows, rowSquaredNorms(rows), seen: &seen)
            }
            let shift = (centroids - previous).squared().sumInDouble()
            try progress(pass, shift)
            if shift <= threshold { break }
        }
        var inertia = 0.0
        try stream.forEachBlock { block in inertia += assign(block, rowSquaredNorms(block), centroids).distances.reduce(0, +) }
        return KMeans(configuration: configuration, centroids: centroids, inertiaHistory: [inertia])
    }
}
