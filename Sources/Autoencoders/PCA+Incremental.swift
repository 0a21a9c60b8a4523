import DataFormats
import Tensors

extension PCA {
    /// Rows per incremental update: k plus this many, at least.
    public static let incrementalBatchRows = 256

    /// Incremental PCA (Ross, Lim, Lin & Yang 2008, §3.1, Algorithm 1 with the mean update;
    /// as scikit-learn's `IncrementalPCA`): the top k axes updated batch by batch, never a
    /// D × D matrix, for data with too many features for the exact solver's covariance.
    ///
    /// With axes V (`k × D`, orthonormal rows), singular values σ, mean μ of the n rows so far,
    /// a batch B of m rows with mean μ_B is folded in by the SVD of
    ///
    ///     [ diag(σ) V ;  B − 1μ_Bᵀ ;  √(n m / (n + m)) (μ − μ_B)ᵀ ]      ((k + m + 1) × D)
    ///
    /// whose top k right singular vectors and values are the new V and σ (the last row carries
    /// the scatter between the two means, Ross et al. eq. 3). The SVD comes from the symmetric
    /// eigendecomposition of the small Gram matrix AAᵀ = UΣ²Uᵀ (in Double, its products in
    /// Float as the exact solver's covariance), V = Σ⁻¹UᵀA. The column variances are kept
    /// exactly (Chan, Golub & LeVeque 1979, in Double), so the explained-variance ratios are
    /// of the whole variance. Memory: the batch and O((k + m) D).
    ///
    /// `forEachBlock` hands the data's rows in blocks (`rows × D`); they are regrouped into
    /// batches of `batchRows` (default: k + ``incrementalBatchRows``).
    public static func fitIncrementally(columns d: Int, rows n: Int, configuration: Configuration, batchRows: Int? = nil,
                                 forEachBlock: ((Tensor) throws -> Void) throws -> Void) throws -> PCA {
        guard case .count(let k) = configuration.components else {
            throw AutoencoderError("PCA: the incremental solver keeps k axes; give a number of components, not a variance fraction")
        }
        try configuration.validate(samples: n, features: d)
        let size = max(batchRows ?? (k + incrementalBatchRows), k + 1)
        var state = IncrementalState(k: k, d: d)
        var pending: [Float] = []
        pending.reserveCapacity(size * d)
        try forEachBlock { block in
            try checkTrainableMagnitude(block, method: "PCA")
            block.withUnsafeBufferPointer { pending.append(contentsOf: $0) }
            while pending.count >= size * d {
                try state.add(try Tensor(shape: [size, d], scalars: Array(pending[0..<(size * d)])))
                pending.removeFirst(size * d)
            }
        }
        if !pending.isEmpty { try state.add(try Tensor(shape: [pending.count / d, d], scalars: pending)) }
        guard state.n == n else { throw AutoencoderError("PCA: \(state.n) rows were read of the \(n) announced") }
        return try fitted(mean: Tensor(state.mean.map(Float.init)), axes: state.axes(), variances: state.singular.map { $0 * $0 / Double(n - 1) },
                          totalVariance: state.scatter.reduce(0, +) / Double(n - 1), configuration: configuration)
    }

    /// Incremental PCA of `samples` (`n × D`) in memory, batch by batch: the same batches, and
    /// so the same model, as from shards of the same rows.
    static func fitIncrementally(_ samples: Tensor, configuration: Configuration) throws -> PCA {
        try fitIncrementally(columns: samples.shape[1], rows: samples.shape[0], configuration: configuration) { body in
            for start in stride(from: 0, to: samples.shape[0], by: GramAccumulator.rowsPerBlock) {
                try body(samples.rows(start..<min(samples.shape[0], start + GramAccumulator.rowsPerBlock)))
            }
        }
    }
}

/// What incremental PCA keeps between batches.
private struct IncrementalState {
    let k: Int, d: Int
    var n = 0
    /// μ and Σ (x − μ)² per column, in Double.
    var mean: [Double], scatter: [Double]
    /// σ (`k'` ≤ k values) and V (`k' × D`).
    var singular: [Double] = []
    var vectors = Tensor.zeros([0, 0])

    init(k: Int, d: Int) {
        (self.k, self.d) = (k, d)
        mean = [Double](repeating: 0, count: d)
        scatter = [Double](repeating: 0, count: d)
    }

    mutating func add(_ batch: Tensor) throws {
        let m = batch.shape[0]
        var batchMean = [Double](repeating: 0, count: d), batchScatter = [Double](repeating: 0, count: d)
        batch.withUnsafeBufferPointer { x in
            for row in 0..<m { for j in 0..<d { batchMean[j] += Double(x[row * d + j]) } }
            for j in 0..<d { batchMean[j] /= Double(m) }
            for row in 0..<m {
                for j in 0..<d {
                    let e = Double(x[row * d + j]) - batchMean[j]
                    batchScatter[j] += e * e
                }
            }
        }
        // The stacked matrix A: σV, the centred batch, the scatter between the means.
        let centred = batch - Tensor(batchMean.map(Float.init))
        var blocks: [Tensor] = []
        if n > 0 {
            blocks.append(vectors * Tensor(shape: [singular.count, 1]) { Float(singular[$0]) })
            blocks.append(centred)
            let weight = (Double(n) * Double(m) / Double(n + m)).squareRoot()
            blocks.append(Tensor(shape: [1, d]) { Float(weight * (mean[$0] - batchMean[$0])) })
        } else {
            blocks.append(centred)
        }
        let a = blocks.count == 1 ? blocks[0] : Tensor.concatenate(blocks, alongAxis: 0)
        let rows = a.shape[0], keep = min(k, rows)
        let gram = Matrix(matmul(a, a, transposeB: true))
        let eigen = try SymmetricEigendecomposition(gram, vectors: keep)
        let values = eigen.eigenvalues.prefix(keep).map { max($0, 0) }
        let largest = values.first ?? 0
        // Directions of (numerically) zero singular value carry nothing: left out.
        let kept = values.prefix { $0 > 1e-12 * max(largest, .leastNormalMagnitude) }.count
        singular = values.prefix(kept).map { $0.squareRoot() }
        let projector = Tensor(shape: [kept, rows]) { index in Float(eigen.eigenvectors.values[index] / singular[index / rows]) }
        vectors = matmul(projector, a)
        for j in 0..<d {
            let delta = batchMean[j] - mean[j]
            scatter[j] += batchScatter[j] + delta * delta * Double(n) * Double(m) / Double(n + m)
            mean[j] += delta * Double(m) / Double(n + m)
        }
        n += m
    }

    /// The k axes as unit rows: V's (renormalized: Float products drift), completed by unit
    /// vectors orthogonal to them when the data span fewer than k directions.
    func axes() -> [[Double]] {
        var axes: [[Double]] = (0..<vectors.shape[0]).map { i in
            let row = (0..<d).map { Double(vectors[i, $0]) }
            let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return row.map { $0 / max(norm, .leastNormalMagnitude) }
        }
        var candidate = 0
        while axes.count < k, candidate < d {
            var e = [Double](repeating: 0, count: d)
            e[candidate] = 1
            for axis in axes {
                let dot = zip(axis, e).reduce(0) { $0 + $1.0 * $1.1 }
                for j in 0..<d { e[j] -= dot * axis[j] }
            }
            let norm = e.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 1e-6 { axes.append(e.map { $0 / norm }) }
            candidate += 1
        }
        return axes
    }
}
