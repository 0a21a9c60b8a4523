import Tensors

/// The k nearest rows of `reference` to each row of `queries` (Euclidean), nearest first;
/// squared distances from GEMM, blocks of queries at a time so memory stays bounded.
/// - Parameter excludingSelf: skip reference row i for query i (queries == reference).
func nearestNeighbours(of queries: Tensor, in reference: Tensor, k: Int, excludingSelf: Bool = false) -> [[Int]] {
    let (m, n) = (queries.shape[0], reference.shape[0])
    let referenceNorms = reference.rowSquaredNorms()
    let block = max(1, (1 << 22) / max(n, 1))  // about 16 MB of distances at a time
    var result: [[Int]] = []
    result.reserveCapacity(m)
    for start in stride(from: 0, to: m, by: block) {
        let rows = start..<min(start + block, m)
        let products = matmul(queries.rows(rows), reference, transposeB: true)
        products.withUnsafeBufferPointer { p in
            for (offset, query) in rows.enumerated() {
                // Keep the k best (distance, index) pairs by insertion into a short sorted list;
                // ties go to the lower index.
                var best: [(Double, Int)] = []
                best.reserveCapacity(k + 1)
                for j in 0..<n where !(excludingSelf && j == query) {
                    let distance = referenceNorms[j] - 2 * Double(p[offset * n + j])
                    if best.count == k, distance >= best[k - 1].0 { continue }
                    var position = best.count
                    while position > 0 && best[position - 1].0 > distance { position -= 1 }
                    best.insert((distance, j), at: position)
                    if best.count > k { best.removeLast() }
                }
                result.append(best.map(\.1))
            }
        }
    }
    return result
}

extension ReconstructionMetrics {
    /// Neighbours used by `knnAccuracy(codes:labels:referenceCodes:referenceLabels:)` and
    /// `trustworthiness(samples:codes:)`.
    public static let neighbours = 5
    /// Samples over which trustworthiness is computed at most (a seeded random subset beyond):
    /// it needs every pairwise distance.
    public static let trustworthinessSampleLimit = 2000

    /// The fraction of `codes` whose label the majority of their k (5 unless given) nearest reference codes
    /// carry. A tie between classes goes to the smallest label, as scikit-learn's
    /// `KNeighborsClassifier` (uniform weights) breaks it. With `leaveOneOut`, `codes` and
    /// `referenceCodes` are the same set and each code's own row is not among its neighbours
    /// (else every code would vote for itself).
    public static func knnAccuracy(codes: Tensor, labels: [Int], referenceCodes: Tensor, referenceLabels: [Int],
                                   leaveOneOut: Bool = false, k: Int = neighbours) throws -> Double {
        guard codes.rank == 2, referenceCodes.rank == 2, codes.shape[1] == referenceCodes.shape[1] else {
            throw AutoencoderError("kNN accuracy: codes \(codes.shape) and reference codes \(referenceCodes.shape) differ in width")
        }
        let needed = k + (leaveOneOut ? 1 : 0)
        guard labels.count == codes.shape[0], referenceLabels.count == referenceCodes.shape[0], referenceLabels.count >= needed else {
            throw AutoencoderError("kNN accuracy needs one label per code and at least \(needed) reference codes")
        }
        guard !leaveOneOut || codes.shape == referenceCodes.shape else {
            throw AutoencoderError("leave-one-out kNN accuracy needs the codes and reference codes of one set; got \(codes.shape) and \(referenceCodes.shape)")
        }
        let neighbourLists = nearestNeighbours(of: codes, in: referenceCodes, k: k, excludingSelf: leaveOneOut)
        var correct = 0
        for (i, list) in neighbourLists.enumerated() {
            var votes: [Int: Int] = [:]
            for j in list { votes[referenceLabels[j], default: 0] += 1 }
            let top = votes.values.max()!
            let predicted = votes.filter { $0.value == top }.keys.min()!
            if predicted == labels[i] { correct += 1 }
        }
        return Double(correct) / Double(max(labels.count, 1))
    }

    /// Trustworthiness (Venna & Kaski 2001; scikit-learn's `trustworthiness`, k = 5):
    /// T = 1 − 2/(nk(2n − 3k − 1)) Σᵢ Σ_{j ∈ Uᵢ} (r(i, j) − k), where Uᵢ are i's k nearest
    /// neighbours among the codes that are not among its k nearest in the input space and
    /// r(i, j) is j's rank among i's input-space neighbours. Beyond
    /// ``trustworthinessSampleLimit`` samples, computed on a random subset drawn from `generator`.
    public static func trustworthiness(samples: Tensor, codes: Tensor, using generator: inout RandomGenerator) throws -> Double {
        guard samples.rank == 2, codes.rank == 2, samples.shape[0] == codes.shape[0] else {
            throw AutoencoderError("trustworthiness: samples \(samples.shape) and codes \(codes.shape) must have one row each")
        }
        var (x, z) = (samples, codes)
        if samples.shape[0] > trustworthinessSampleLimit {
            let subset = generator.sample(trustworthinessSampleLimit, from: samples.shape[0]).sorted()
            (x, z) = (samples.gatherRows(subset), codes.gatherRows(subset))
        }
        let n = x.shape[0], k = neighbours
        guard n > 2 * k + 1 else { throw AutoencoderError("trustworthiness needs more than \(2 * k + 1) samples, got \(n)") }
        return try NeighbourhoodMetrics.measure(samples: x, codes: z, k: k, queryLimit: n, using: &generator).trustworthiness
    }
}
