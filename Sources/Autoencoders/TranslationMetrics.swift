import Foundation
import Tensors

/// How well a translator lines up two domains, measured on pairs (row i of A and row i of B are
/// the same object): each query pair (the held-out ones) is scored against every pair as a
/// candidate, as the paper scores its test cells among all cells (chance ≈ k / all pairs).
public struct TranslationMetrics: Sendable {
    /// The paper's pairing score from A to B at each k (Yang et al. 2021): the share of objects i
    /// for which the B-code nearest to A's code A(i) is among the k nearest B-codes of B(i),
    /// B(i) included (L1 distances). Chance is about k / n. (A = RNA, B = ATAC is the paper's
    /// "RNA → ATAC".)
    public var pairingScores: [Int: Double]
    /// The same from B to A: the A-code nearest to B(i) among A(i)'s k nearest.
    public var reversePairingScores: [Int: Double]
    /// The pairing score from A to B of a translator that maps every sample to the centroid of
    /// B's codes: the share of objects i for which the B-code nearest to that centroid is among
    /// the k nearest B-codes of B(i). The pairing score's real floor, far above k / n wherever
    /// B's codes have hubs (points among the k nearest of many; Radovanović et al., JMLR 11,
    /// 2010): a translator's score says something about alignment only above it.
    public var centroidPairingScores: [Int: Double]
    /// The share of objects i whose true partner B(i) is among the k B-codes nearest to A(i)
    /// (L1; recall at k, A to B): a hub cannot raise it, chance is k / n.
    public var partnerRecall: [Int: Double]
    /// FOSCTTM (Liu et al. 2019; scGLUE's metric): for each object, the fraction of the other
    /// domain's samples closer to it than its true match (Euclidean), averaged over objects and
    /// both directions. 0 is perfect, 0.5 chance.
    public var foscttm: Double
    /// The number of pairs scored (queries), and of candidates they are scored among.
    public var pairs: Int, candidates: Int

    /// The k values of the paper's figures.
    public static let pairingNeighbours = [5, 50]

    /// Metrics of paired codes `a` and `b` (`n × d` each, row i of one paired with row i of the
    /// other), scoring the rows `queries` (all rows by default) among all n.
    public init(codesA a: Tensor, codesB b: Tensor, queries: [Int]? = nil, neighbours: [Int] = TranslationMetrics.pairingNeighbours) throws {
        guard a.rank == 2, a.shape == b.shape, a.rows >= 2 else {
            throw AutoencoderError("translation metrics need paired codes n × d of one shape with n ≥ 2; got \(a.shape) and \(b.shape)")
        }
        let queries = queries ?? Array(0..<a.rows)
        guard !queries.isEmpty, queries.allSatisfy({ (0..<a.rows).contains($0) }) else {
            throw AutoencoderError("translation metrics: queries must be rows 0 … \(a.rows - 1), at least one")
        }
        (pairs, candidates) = (queries.count, a.rows)
        pairingScores = Self.pairingScores(b, a, queries: queries, neighbours: neighbours)
        reversePairingScores = Self.pairingScores(a, b, queries: queries, neighbours: neighbours)
        centroidPairingScores = Self.pairingScores(b, Self.centroidRows(b), queries: queries, neighbours: neighbours)
        partnerRecall = Self.partnerRecall(a, b, queries: queries, neighbours: neighbours)
        foscttm = (Self.foscttm(a, b, queries: queries) + Self.foscttm(b, a, queries: queries)) / 2
    }

    /// For each row i: how many reference rows j lie strictly closer to query i than `target(i)`
    /// does, by `distance`, computed in parallel over fixed blocks of rows (so the result does
    /// not depend on the thread count).
    static func perRow(_ n: Int, _ body: @escaping @Sendable (Int) -> Double) -> [Double] {
        let blocks = min(n, 64)
        let results = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
        defer { results.deallocate() }
        nonisolated(unsafe) let out = results
        forEachPart(blocks) { block in
            for i in stride(from: block, to: n, by: blocks) { out[i] = body(i) }
        }
        return Array(results)
    }

    static func l1(_ x: UnsafeBufferPointer<Float>, _ i: Int, _ y: UnsafeBufferPointer<Float>, _ j: Int, _ d: Int) -> Double {
        var sum: Float = 0
        for c in 0..<d { sum += Swift.abs(x[i * d + c] - y[j * d + c]) }
        return Double(sum)
    }

    static func squaredEuclidean(_ x: UnsafeBufferPointer<Float>, _ i: Int, _ y: UnsafeBufferPointer<Float>, _ j: Int, _ d: Int) -> Double {
        var sum: Float = 0
        for c in 0..<d { let t = x[i * d + c] - y[j * d + c]; sum += t * t }
        return Double(sum)
    }

    /// `measure(x, y, i)` for each query row i, with x and y the scalars of `a` and `b`, in
    /// parallel (``perRow(_:_:)``).
    static func perQuery(_ a: Tensor, _ b: Tensor, queries: [Int],
                         _ measure: @escaping @Sendable (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>, Int) -> Double) -> [Double] {
        let (sa, sb) = (a.scalars, b.scalars)
        return perRow(queries.count) { q in
            sa.withUnsafeBufferPointer { x in sb.withUnsafeBufferPointer { y in measure(x, y, queries[q]) } }
        }
    }

    /// The share of `ranks` below each k.
    static func shares(_ ranks: [Double], below neighbours: [Int]) -> [Int: Double] {
        Dictionary(uniqueKeysWithValues: neighbours.map { k in (k, Double(ranks.filter { $0 < Double(k) }.count) / Double(ranks.count)) })
    }

    /// For each query i, whether the `a`-row nearest to `b`(i) is among the k nearest `a`-rows
    /// of `a`(i), as a share at each k (``pairingScores`` with `a` = B, `b` = A). A tie with the
    /// nearest row counts as a match only when fewer than k rows are strictly closer.
    static func pairingScores(_ a: Tensor, _ b: Tensor, queries: [Int], neighbours: [Int]) -> [Int: Double] {
        let (n, d) = (a.rows, a.columns)
        // The rank of B(i)'s nearest A-code among A(i)'s neighbours: how many A-codes are closer to A(i).
        let ranks = perQuery(a, b, queries: queries) { x, y, i in
            var nearest = 0, best = Double.infinity
            for j in 0..<n {
                let distance = l1(y, i, x, j, d)
                if distance < best { (best, nearest) = (distance, j) }
            }
            let radius = l1(x, i, x, nearest, d)
            var closer = 0
            for j in 0..<n where l1(x, i, x, j, d) < radius { closer += 1 }
            return Double(closer)
        }
        return shares(ranks, below: neighbours)
    }

    /// `n` copies of the mean row of `codes` (`n × d`).
    static func centroidRows(_ codes: Tensor) -> Tensor {
        let (n, d) = (codes.rows, codes.columns)
        var mean = [Double](repeating: 0, count: d)
        for (index, value) in codes.scalars.enumerated() { mean[index % d] += Double(value) }
        let row = mean.map { Float($0 / Double(n)) }
        return Tensor(shape: [n, d]) { row[$0 % d] }
    }

    /// For each query i, whether B(i) is among the k `b`-rows nearest to `a`(i) (L1), as a share
    /// at each k; a tie with B(i) counts as a hit.
    static func partnerRecall(_ a: Tensor, _ b: Tensor, queries: [Int], neighbours: [Int]) -> [Int: Double] {
        let (n, d) = (a.rows, a.columns)
        let ranks = perQuery(a, b, queries: queries) { x, y, i in
            let own = l1(x, i, y, i, d)
            var closer = 0
            for j in 0..<n where l1(x, i, y, j, d) < own { closer += 1 }
            return Double(closer)
        }
        return shares(ranks, below: neighbours)
    }

    /// The mean over query rows i of A of the fraction of B's rows closer to A(i) than B(i).
    static func foscttm(_ a: Tensor, _ b: Tensor, queries: [Int]) -> Double {
        let (n, d) = (a.rows, a.columns)
        let fractions = perQuery(a, b, queries: queries) { x, y, i in
            let own = squaredEuclidean(x, i, y, i, d)
            var closer = 0
            for j in 0..<n where j != i && squaredEuclidean(x, i, y, j, d) < own { closer += 1 }
            return Double(closer) / Double(n - 1)
        }
        return fractions.reduce(0, +) / Double(queries.count)
    }
}
