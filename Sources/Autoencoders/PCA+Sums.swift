import Collectives
import Tensors

extension PCA {
    /// Fits PCA to rows in memory or streamed from NPY shards, under `context`'s parts.
    ///
    /// Samples in memory in one part take ``fit(_:configuration:using:settings:)`` (every
    /// solver). Otherwise the exact solver works from sums, which parts and processes add
    /// (Pearson 1901 through the covariance's eigenvectors): one pass checks every value and
    /// gives the columns' means (in Double), a second accumulates the centred Gram matrix
    /// Σᵢ (xᵢ − μ)(xᵢ − μ)ᵀ block by block, each part's in Float and the parts' added in Double
    /// in part order (``RowSource/compute(_:parts:progress:)``): the same model, bit for bit,
    /// on any number of processes sharing the parts. Memory: a block and a few D × D matrices,
    /// whatever n is. The incremental solver streams the rows once in order (one part only);
    /// the randomized one needs the samples in memory.
    ///
    /// `progress(rowsDone, rowsTotal)`: this process's rows over both passes.
    public static func fit(_ rows: some RowSource, configuration: Configuration, using generator: inout RandomGenerator,
                           context: FitContext, settings: ComputeSettings = .current,
                           progress: (_ done: Int, _ total: Int) throws -> Void = { _, _ in }) throws -> PCA {
        let (n, d, parts) = (rows.rows, rows.columns, context.parts)
        guard rows.shape.count == 2, n >= 2, d >= 1 else {
            throw AutoencoderError("PCA needs at least 2 samples of at least 1 feature; got shape \(rows.shape)")
        }
        if let samples = rows as? Tensor, !parts.isSplit { return try fit(samples, configuration: configuration, using: &generator, settings: settings) }
        switch configuration.solver {
        case .exact: break
        case .incremental where !parts.isSplit:
            return try fitIncrementally(columns: d, rows: n, configuration: configuration) { body in
                try rows.forEachBlock(in: 0..<n, rows: GramAccumulator.rowsPerBlock) { first, block in
                    try body(block)
                    try progress(first + block.rows, n)
                }
            }
        case .incremental, .randomized:
            throw AutoencoderError("PCA \(parts.isSplit ? "in parts or across processes" : "of \(rows.sourceName)") uses the exact solver, "
                                   + "whose statistics are sums; the \(configuration.solver.rawValue) one \(parts.isSplit ? "does not split" : "needs the samples in memory")")
        }
        try configuration.validate(samples: n, features: d)
        let bytes = sumsMemory(features: d, parts: parts.parts)
        if MemoryBudget.exceeds(bytes) {
            throw AutoencoderError("PCA: " + MemoryBudget.refusal(bytes, for: "the \(d) × \(d) sums of \(parts.parts) part(s)")
                                   + "; the incremental solver needs no D × D matrix")
        }
        let mine = parts.localParts.reduce(0) { $0 + parts.rows(ofPart: $1, count: n).count }
        var done = 0
        let report = { (rows: Int) in
            done += rows
            try progress(done, 2 * mine)
        }
        let summary = try rows.compute(TrainingDataCheck(method: "PCA", shape: [n, d], labelColumns: 0, moments: true), parts: parts, progress: report)
        let mean = Tensor(summary.means!.map(Float.init))
        let gram = try rows.compute(CentredGram(mean: mean, settings: settings), parts: parts, progress: report)
        return try fitted(mean: mean, covariance: gram / Float(n - 1), configuration: configuration)
    }

    /// Bytes the sums of D columns over P parts hold at once: each part's Gram matrix in Double
    /// (gathered to every process), their sum, and the Float covariance with its eigenvectors.
    static func sumsMemory(features d: Int, parts: Int) -> Int {
        (parts + 1) * d * d * MemoryLayout<Double>.size + 3 * d * d * MemoryLayout<Float>.size
    }
}

/// The centred Gram matrix Σᵢ (xᵢ − μ)(xᵢ − μ)ᵀ (`D × D`) as a ``RowStatistic``: each block's
/// product through the GEMM kernel in Float (``GramAccumulator``, in blocks of
/// ``GramAccumulator/rowsPerBlock`` rows), the blocks' and parts' sums in Double.
struct CentredGram: RowStatistic {
    let mean: Tensor
    let settings: ComputeSettings

    var initial: [Double] { Array(repeating: 0, count: mean.count * mean.count) }

    func accumulate(_ state: inout [Double], _ block: Tensor, firstRow: Int) throws {
        var gram = GramAccumulator(columns: mean.count, centredAt: mean, settings: settings)
        for start in stride(from: 0, to: block.rows, by: GramAccumulator.rowsPerBlock) {
            gram.add(rowsOf: block, start..<min(block.rows, start + GramAccumulator.rowsPerBlock))
        }
        gram.result().withUnsafeBufferPointer { values in
            for index in values.indices { state[index] += Double(values[index]) }
        }
    }

    func merge(_ state: inout [Double], _ later: [Double]) {
        for index in state.indices { state[index] += later[index] }
    }

    func finish(_ state: [Double]) throws -> Tensor {
        try Tensor(shape: [mean.count, mean.count], scalars: state.map(Float.init))
    }
}
