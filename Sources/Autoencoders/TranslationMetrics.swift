import Foundation
import Tensors

/// How well a translator lines up two domains, measured on pairs (row i of A and row i of B are
/// the same object): each query pair is scored against a set of candidate pairs.
///
/// Which candidates matters. Held-out codes sit nearer the centre than training codes, so
/// scored among all pairs (as Yang et al. 2021 score their test cells) a held-out query is easy
/// to tell from the training candidates and the figures flatter the translator. Held-out
/// queries among held-out candidates say how it does on objects it has not seen: what
/// ``Translator/Alignment`` reports first, with training pairs among training pairs beside
/// (memorised pairs score far better there).
public struct TranslationMetrics: Sendable {
    /// The paper's pairing score from A to B at each k (Yang et al. 2021): the share of objects i
    /// for which the B-code nearest to A's code A(i) is among the k nearest B-codes of B(i),
    /// B(i) included (L1 distances). Chance is about k / n; hubs raise it (see
    /// ``centroidPairingScores``). (A = RNA, B = ATAC is the paper's "RNA → ATAC".)
    public var pairingScores: [Int: Double]
    /// The same from B to A: the A-code nearest to B(i) among A(i)'s k nearest.
    public var reversePairingScores: [Int: Double]
    /// The pairing score from A to B of a translator that maps every sample to the centroid of
    /// B's codes: the share of objects i for which the B-code nearest to that centroid is among
    /// the k nearest B-codes of B(i). The pairing score's real floor, far above k / n wherever
    /// B's codes have hubs (points among the k nearest of many; Radovanović et al., JMLR 11,
    /// 2010): a translator's score says something about alignment only above it.
    public var centroidPairingScores: [Int: Double]
    /// Recall at k from A to B: the share of objects i whose true partner B(i) is among the k
    /// B-codes nearest to A(i) (L1; ties at half rank). A hub cannot raise it; chance is
    /// k / candidates.
    public var partnerRecall: [Int: Double]
    /// Recall at k from B to A: A(i) among the k A-codes nearest to B(i).
    public var reversePartnerRecall: [Int: Double]
    /// FOSCTTM (Liu et al. 2019; scGLUE's metric) from A to B: for each object, the fraction of
    /// the other candidates' B-codes closer to A(i) than B(i) (Euclidean; ties count half),
    /// averaged over the queries. 0 is perfect, 0.5 chance.
    public var foscttmAToB: Double
    /// FOSCTTM from B to A.
    public var foscttmBToA: Double
    /// The number of pairs scored (queries), and of candidates they are scored among.
    public var pairs: Int, candidates: Int

    /// FOSCTTM averaged over both directions.
    public var foscttm: Double { (foscttmAToB + foscttmBToA) / 2 }

    /// Recall at k averaged over both directions.
    public var meanPartnerRecall: [Int: Double] { partnerRecall.merging(reversePartnerRecall) { ($0 + $1) / 2 } }

    /// The recall at k of codes that know nothing: k of the candidates drawn at random.
    public func recallChance(_ k: Int) -> Double { Double(min(k, candidates)) / Double(candidates) }

    /// FOSCTTM of codes that know nothing.
    public static let foscttmChance = 0.5

    /// The k values of the paper's figures.
    public static let pairingNeighbours = [5, 50]
    /// The k values of recall (scGLUE's and the single-cell benchmarks').
    public static let recallNeighbours = [1, 5, 10, 50]

    /// Metrics of paired codes `a` and `b` (`n × d` each, row i of one paired with row i of the
    /// other), scoring the rows `queries` among the rows `candidates` (both all rows by default).
    ///
    /// - Throws: when the codes are not paired (shapes differ), or the queries are not among at
    ///   least two candidates.
    public init(codesA a: Tensor, codesB b: Tensor, queries: [Int]? = nil, candidates: [Int]? = nil,
                neighbours: [Int] = TranslationMetrics.pairingNeighbours, recallNeighbours: [Int] = TranslationMetrics.recallNeighbours) throws {
        guard a.rank == 2, a.shape == b.shape, a.rows >= 2 else {
            throw AutoencoderError("translation metrics need paired codes n × d of one shape with n ≥ 2; got \(a.shape) and \(b.shape)")
        }
        let candidates = candidates ?? Array(0..<a.rows)
        guard candidates.count >= 2, Set(candidates).count == candidates.count, candidates.allSatisfy({ (0..<a.rows).contains($0) }) else {
            throw AutoencoderError("translation metrics: candidates must be at least two different rows of 0 … \(a.rows - 1)")
        }
        // Positions of the queries among the candidates: the measures below score rows among all rows.
        let position = Dictionary(uniqueKeysWithValues: candidates.enumerated().map { ($0.element, $0.offset) })
        let queries = try (queries ?? candidates).map { row in
            guard let at = position[row] else { throw AutoencoderError("translation metrics: query row \(row) is not among the candidates") }
            return at
        }
        guard !queries.isEmpty else { throw AutoencoderError("translation metrics: no queries to score") }
        let (a, b) = candidates == Array(0..<a.rows) ? (a, b) : (a.gatherRows(candidates), b.gatherRows(candidates))
        (pairs, self.candidates) = (queries.count, candidates.count)
        pairingScores = Self.pairingScores(b, a, queries: queries, neighbours: neighbours)
        reversePairingScores = Self.pairingScores(a, b, queries: queries, neighbours: neighbours)
        centroidPairingScores = Self.pairingScores(b, Self.centroidRows(b), queries: queries, neighbours: neighbours)
        partnerRecall = Self.partnerRecall(a, b, queries: queries, neighbours: recallNeighbours)
        reversePartnerRecall = Self.partnerRecall(b, a, queries: queries, neighbours: recallNeighbours)
        (foscttmAToB, foscttmBToA) = (Self.foscttm(a, b, queries: queries), Self.foscttm(b, a, queries: queries))
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
    /// at each k. B(i)'s rank counts the rows strictly closer and half of those as close
    /// (mid-rank): codes collapsed onto one point tie everywhere and recall nothing, rather
    /// than every partner.
    static func partnerRecall(_ a: Tensor, _ b: Tensor, queries: [Int], neighbours: [Int]) -> [Int: Double] {
        let (n, d) = (a.rows, a.columns)
        let ranks = perQuery(a, b, queries: queries) { x, y, i in
            let own = l1(x, i, y, i, d)
            var closer = 0, tied = 0
            for j in 0..<n where j != i {
                let distance = l1(x, i, y, j, d)
                if distance < own { closer += 1 } else if distance == own { tied += 1 }
            }
            return Double(closer) + Double(tied) / 2
        }
        return shares(ranks, below: neighbours)
    }

    /// The mean over query rows i of A of the fraction of B's other rows closer to A(i) than
    /// B(i), those as close counting half: collapsed codes score chance (0.5), not 0.
    static func foscttm(_ a: Tensor, _ b: Tensor, queries: [Int]) -> Double {
        let (n, d) = (a.rows, a.columns)
        let fractions = perQuery(a, b, queries: queries) { x, y, i in
            let own = squaredEuclidean(x, i, y, i, d)
            var closer = 0, tied = 0
            for j in 0..<n where j != i {
                let distance = squaredEuclidean(x, i, y, j, d)
                if distance < own { closer += 1 } else if distance == own { tied += 1 }
            }
            return (Double(closer) + Double(tied) / 2) / Double(n - 1)
        }
        return fractions.reduce(0, +) / Double(queries.count)
    }
}
