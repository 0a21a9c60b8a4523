import Collectives
import Tensors

extension PCA {
    /// Fits PCA with its sums cut into the parts of `parts` and shared by its processes (each
    /// holds all of `samples: n × D` and computes its own parts' rows): the column sums of each
    /// part in Double, then each part's centred Gram matrix Σ (xᵢ − μ)(xᵢ − μ)ᵀ over blocks of
    /// ``GramAccumulator/rowsPerBlock`` rows, each added over the parts in ``PartTree``'s fixed
    /// order. The sufficient statistics of PCA are sums, so this is the exact fit; the same
    /// parts give the same model bit for bit on any number of processes, and one part is the
    /// serial fit's arithmetic (other part counts differ from it by Float32 rounding only).
    public static func fit(_ samples: Tensor, configuration: Configuration, parts: PartTree,
                           settings: ComputeSettings = .current) throws -> PCA {
        guard samples.rank == 2, samples.shape[0] >= 2, samples.shape[1] >= 1 else {
            throw AutoencoderError("PCA needs at least 2 samples of at least 1 feature; got shape \(samples.shape)")
        }
        guard configuration.solver == .exact else {
            throw AutoencoderError("PCA in parts or across processes uses the exact solver (its statistics are sums); the \(configuration.solver.rawValue) one does not split")
        }
        let (n, d) = (samples.shape[0], samples.shape[1])
        try configuration.validate(samples: n, features: d)
        var sums: [[Double]] = parts.localParts.map { part in
            var column = [Double](repeating: 0, count: d)
            samples.withUnsafeBufferPointer { values in
                for row in parts.rows(ofPart: part, count: n) {
                    for j in 0..<d { column[j] += Double(values[row * d + j]) }
                }
            }
            return column
        }
        let mean = Tensor(try parts.sum(&sums).map { Float($0 / Double(n)) })
        if !mean.scalars.allSatisfy(\.isFinite) { try samples.checkFinite("PCA input") }
        try checkTrainableMagnitude(samples, method: "PCA")
        var grams: [[Float]] = parts.localParts.map { part in
            var gram = GramAccumulator(columns: d, centredAt: mean, settings: settings)
            let rows = parts.rows(ofPart: part, count: n)
            for start in stride(from: rows.lowerBound, to: rows.upperBound, by: GramAccumulator.rowsPerBlock) {
                gram.add(rowsOf: samples, start..<min(rows.upperBound, start + GramAccumulator.rowsPerBlock))
            }
            return gram.result().scalars
        }
        let gram = try Tensor(shape: [d, d], scalars: try parts.sum(&grams))
        return try fitted(mean: mean, covariance: gram / Float(n - 1), configuration: configuration)
    }
}
