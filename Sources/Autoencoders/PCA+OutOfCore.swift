import Collectives
import DataFormats
import Tensors

extension PCA {
    /// Fits PCA to data read block by block, never whole (Pearson 1901 through the covariance's
    /// eigenvectors, as the in-memory exact fit): a first pass sums each column in Double for the
    /// mean μ, a second accumulates the centred Gram matrix Σᵢ (xᵢ − μ)(xᵢ − μ)ᵀ over blocks of
    /// ``GramAccumulator/rowsPerBlock`` rows, the blocks the in-memory fit uses, so the model
    /// equals the in-memory one to Float32 rounding of the mean. Memory: one block and the D × D
    /// matrix, whatever n is. The randomized solver needs the data in memory: exact only.
    ///
    /// `data: n × D` in shards; `progress(rowsDone, rowsTotal)` after each block of each pass
    /// (2n rows in all).
    public static func fit(_ data: NPYShards, configuration: Configuration, settings: ComputeSettings = .current,
                           progress: (Int, Int) throws -> Void = { _, _ in }) throws -> PCA {
        let (n, d) = (data.rows, data.columns)
        guard n >= 2 else { throw AutoencoderError("PCA needs at least 2 samples of at least 1 feature; got shape [\(n), \(d)]") }
        guard configuration.solver == .exact else {
            throw AutoencoderError("PCA of data in shards (out of core) uses the exact solver; the randomized one needs the data in memory")
        }
        try configuration.validate(samples: n, features: d)
        var sums = [Double](repeating: 0, count: d)
        try data.forEachBlock(rows: GramAccumulator.rowsPerBlock) { first, block in
            try checkTrainableMagnitude(block, method: "PCA", firstRow: first, whole: [n, d])
            block.withUnsafeBufferPointer { values in
                for row in 0..<block.shape[0] {
                    for j in 0..<d { sums[j] += Double(values[row * d + j]) }
                }
            }
            try progress(first + block.shape[0], 2 * n)
        }
        let mean = Tensor(sums.map { Float($0 / Double(n)) })
        var gram = GramAccumulator(columns: d, centredAt: mean, settings: settings)
        try data.forEachBlock(rows: GramAccumulator.rowsPerBlock) { first, block in
            gram.add(rowsOf: block, 0..<block.shape[0])
            try progress(n + first + block.shape[0], 2 * n)
        }
        return try fitted(mean: mean, covariance: gram.result() / Float(n - 1), configuration: configuration)
    }

    /// ``fit(_:configuration:settings:progress:)`` with the rows cut into the parts of `parts`
    /// and shared by its processes: each reads only its parts' rows (blocks of
    /// ``GramAccumulator/rowsPerBlock`` within a shard), sums their columns and centred Gram
    /// matrices, and the parts' sums are added in the tree's fixed order: the same model, bit
    /// for bit, on any number of processes dividing the parts. `progress` counts this
    /// process's rows.
    public static func fit(_ data: NPYShards, configuration: Configuration, parts: PartTree, settings: ComputeSettings = .current,
                           progress: (Int, Int) throws -> Void = { _, _ in }) throws -> PCA {
        let (n, d) = (data.rows, data.columns)
        guard n >= 2 else { throw AutoencoderError("PCA needs at least 2 samples of at least 1 feature; got shape [\(n), \(d)]") }
        guard configuration.solver == .exact else {
            throw AutoencoderError("PCA of shards in parts or across processes uses the exact solver (its statistics are sums)")
        }
        try configuration.validate(samples: n, features: d)
        let mine = parts.localParts.reduce(0) { $0 + parts.rows(ofPart: $1, count: n).count }
        var done = 0
        var sums: [[Double]] = try parts.localParts.map { part in
            var column = [Double](repeating: 0, count: d)
            try data.forEachBlock(in: parts.rows(ofPart: part, count: n), rows: GramAccumulator.rowsPerBlock) { first, block in
                try checkTrainableMagnitude(block, method: "PCA", firstRow: first, whole: [n, d])
                block.withUnsafeBufferPointer { values in
                    for row in 0..<block.shape[0] { for j in 0..<d { column[j] += Double(values[row * d + j]) } }
                }
                done += block.shape[0]
                try progress(done, 2 * mine)
            }
            return column
        }
        let mean = Tensor(try parts.sum(&sums).map { Float($0 / Double(n)) })
        var grams: [[Float]] = try parts.localParts.map { part in
            var gram = GramAccumulator(columns: d, centredAt: mean, settings: settings)
            try data.forEachBlock(in: parts.rows(ofPart: part, count: n), rows: GramAccumulator.rowsPerBlock) { _, block in
                gram.add(rowsOf: block, 0..<block.shape[0])
                done += block.shape[0]
                try progress(done, 2 * mine)
            }
            return gram.result().scalars
        }
        let gram = try Tensor(shape: [d, d], scalars: try parts.sum(&grams))
        return try fitted(mean: mean, covariance: gram / Float(n - 1), configuration: configuration)
    }
}
