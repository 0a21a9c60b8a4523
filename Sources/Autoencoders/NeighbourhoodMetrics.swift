import Foundation
import Tensors

/// How well codes keep the samples' neighbourhoods (Venna & Kaski 2001, "Neighborhood
/// preservation in nonlinear projection methods: an experimental study", ICANN):
///
///     trustworthiness T(k) = 1 − 2/(mk(2n − 3k − 1)) Σᵢ Σ_{j ∈ Uᵢ} (r(i, j) − k),
///     continuity      C(k) = 1 − 2/(mk(2n − 3k − 1)) Σᵢ Σ_{j ∈ Vᵢ} (r̂(i, j) − k),
///
/// Uᵢ the k nearest codes of sample i that are not among its k nearest samples, r(i, j) j's rank
/// among i's neighbours in the input space (1 the nearest); Vᵢ and r̂ the same with the spaces
/// swapped. T penalises false neighbours in the codes, C true neighbours the codes tore apart;
/// both lie in [0, 1], 1 when every neighbourhood is kept. With labels, the 10-NN accuracy: the
/// fraction of samples whose class the majority of their k nearest other codes carry (ties to
/// the smallest class, as scikit-learn breaks them).
///
/// The sums run over m query samples: all n when n ≤ the query limit, else a seeded sample of
/// them (an unbiased estimate of the average over all; each query's ranks still against all n
/// samples): exact ranks need each query's distances to every sample, O(mnD). Samples `n × D`,
/// codes `n × d`.
public struct NeighbourhoodMetrics: Codable, Sendable, Equatable {
    /// The neighbourhood size.
    public var k: Int
    public var trustworthiness: Double
    public var continuity: Double
    /// The k-NN label accuracy, when labels were given.
    public var knnAccuracy: Double?
    /// The samples the sums ran over (n, or the seeded sample's size).
    public var queries: Int

    /// The neighbourhood size of the reports (`evaluate`, benchmarks): t-SNE's and UMAP's papers' 10.
    public static let defaultK = 10
    /// Queries beyond which a seeded sample of this many is measured.
    public static let defaultQueryLimit = 10_000

    enum CodingKeys: String, CodingKey {
        case k, trustworthiness, continuity, knnAccuracy = "knn_accuracy", queries
    }

    /// Measures `codes` (`n × d`) of `samples` (`n × D`): all queries when n ≤ `queryLimit`,
    /// else `queryLimit` drawn from `generator`. Labels (one per sample) add the k-NN accuracy.
    public static func measure(samples: Tensor, codes: Tensor, labels: [Int]? = nil, k: Int = defaultK, queryLimit: Int = defaultQueryLimit,
                               using generator: inout RandomGenerator, settings: ComputeSettings = .current) throws -> NeighbourhoodMetrics {
        guard samples.rank == 2, codes.rank == 2, samples.rows == codes.rows else {
            throw AutoencoderError("neighbourhood metrics: samples \(samples.shape) and codes \(codes.shape) must have one row each")
        }
        let n = samples.rows
        guard k >= 1, 2 * n - 3 * k - 1 > 0, k <= n - 2 else {
            throw AutoencoderError("neighbourhood metrics at k = \(k) need more than \(Swift.max(k + 1, (3 * k + 1) / 2)) samples, got \(n)")
        }
        if let labels, labels.count != n { throw AutoencoderError("neighbourhood metrics: \(labels.count) labels for \(n) samples") }
        try samples.checkFinite("neighbourhood metrics' samples")
        try codes.checkFinite("neighbourhood metrics' codes")
        let queries = n <= queryLimit ? Array(0..<n) : generator.sample(queryLimit, from: n).sorted()
        let m = queries.count
        // Blocks of queries whose two rows of n distances fit 16 MiB of Doubles.
        let block = Swift.max(1, (1 << 21) / n), parts = (m + block - 1) / block
        let bytes = Swift.min(parts, settings.threads) * block * n * 2 * MemoryLayout<Double>.size
        guard !MemoryBudget.exceeds(bytes) else { throw AutoencoderError(MemoryBudget.refusal(bytes, for: "rows of distances of the neighbourhood metrics")) }
        let (xNorms, zNorms) = (samples.rowSquaredNorms(), codes.rowSquaredNorms())
        let single = ComputeSettings(backend: settings.backend, threads: 1, cpuLevel: settings.cpuLevel)
        var sums = [Double](repeating: 0, count: 3 * parts)
        sums.withUnsafeMutableBufferPointer { buffer in
            let address = UInt(bitPattern: buffer.baseAddress)
            forEachPart(parts, settings: settings) { part in
                let rows = Array(queries[(part * block)..<Swift.min(m, (part + 1) * block)])
                let x = distanceRows(samples, norms: xNorms, queries: rows, settings: single)
                let z = distanceRows(codes, norms: zNorms, queries: rows, settings: single)
                var (trust, continuity, correct) = (0.0, 0.0, 0)
                for (offset, i) in rows.enumerated() {
                    let (dx, dz) = (Array(x[(offset * n)..<((offset + 1) * n)]), Array(z[(offset * n)..<((offset + 1) * n)]))
                    let (nearX, nearZ) = (nearest(dx, k: k, excluding: i), nearest(dz, k: k, excluding: i))
                    let (setX, setZ) = (Set(nearX), Set(nearZ))
                    trust += penalty(nearZ.filter { !setX.contains($0) }, distances: dx, excluding: i, k: k)
                    continuity += penalty(nearX.filter { !setZ.contains($0) }, distances: dz, excluding: i, k: k)
                    if let labels {
                        var votes: [Int: Int] = [:]
                        for j in nearZ { votes[labels[j], default: 0] += 1 }
                        let top = votes.values.max()!
                        if votes.filter({ $0.value == top }).keys.min()! == labels[i] { correct += 1 }
                    }
                }
                let out = UnsafeMutablePointer<Double>(bitPattern: address)! + 3 * part
                (out[0], out[1], out[2]) = (trust, continuity, Double(correct))
            }
        }
        var (trust, continuity, correct) = (0.0, 0.0, 0.0)
        for part in 0..<parts { trust += sums[3 * part]; continuity += sums[3 * part + 1]; correct += sums[3 * part + 2] }
        let scale = 2 / (Double(m) * Double(k) * (2 * Double(n) - 3 * Double(k) - 1))
        return NeighbourhoodMetrics(k: k, trustworthiness: 1 - scale * trust, continuity: 1 - scale * continuity,
                                    knnAccuracy: labels.map { _ in correct / Double(m) }, queries: m)
    }

    /// ‖qₐ − xⱼ‖² for the query rows `queries` of `points` against all of them, rows of n Doubles.
    private static func distanceRows(_ points: Tensor, norms: [Double], queries: [Int], settings: ComputeSettings) -> [Double] {
        let products = matmul(points.gatherRows(queries), points, transposeB: true, settings: settings)
        let n = points.rows
        var out = [Double](repeating: 0, count: queries.count * n)
        products.withUnsafeBufferPointer { p in
            for (a, i) in queries.enumerated() {
                for j in 0..<n { out[a * n + j] = Swift.max(norms[i] + norms[j] - 2 * Double(p[a * n + j]), 0) }
            }
        }
        return out
    }

    /// The k smallest of `distances` other than entry `excluded`, nearest first, ties to the lower index.
    private static func nearest(_ distances: [Double], k: Int, excluding excluded: Int) -> [Int] {
        var best: [(Double, Int)] = []
        best.reserveCapacity(k + 1)
        for (j, distance) in distances.enumerated() where j != excluded {
            if best.count == k, distance >= best[k - 1].0 { continue }
            var position = best.count
            while position > 0, best[position - 1].0 > distance { position -= 1 }
            best.insert((distance, j), at: position)
            if best.count > k { best.removeLast() }
        }
        return best.map(\.1)
    }

    /// Σ (rank − k) over `members`, each one's rank among all entries of `distances` but
    /// `excluded` (1 the nearest, ties to the lower index).
    private static func penalty(_ members: [Int], distances: [Double], excluding excluded: Int, k: Int) -> Double {
        guard !members.isEmpty else { return 0 }
        var total = 0.0
        for j in members {
            let threshold = distances[j]
            var rank = 1
            distances.withUnsafeBufferPointer { d in
                for l in 0..<d.count where l != excluded && (d[l] < threshold || (d[l] == threshold && l < j)) { rank += 1 }
            }
            total += Double(rank - k)
        }
        return total
    }
}
