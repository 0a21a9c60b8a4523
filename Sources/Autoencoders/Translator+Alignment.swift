import DistributionMatching
import Foundation
import Tensors

/// Rows of two domains that are the same objects: `first[i]` of the first domain and
/// `other[i]` of another; `heldOut` are the positions i of the pairs held out of training.
public struct PairedRows: Sendable, Equatable {
    public var first: [Int]
    public var other: [Int]
    /// Positions of the held-out pairs, ascending; empty when the pairs are not split.
    public var heldOut: [Int]

    public init(first: [Int], other: [Int], heldOut: [Int] = []) {
        (self.first, self.other, self.heldOut) = (first, other, heldOut)
    }

    /// Positions of the pairs not held out.
    public var training: [Int] {
        let held = Set(heldOut)
        return first.indices.filter { !held.contains($0) }
    }
}

extension Translator {
    /// Which pairs are scored, among which candidates.
    public enum Scoring: String, Codable, Sendable, CaseIterable {
        /// Held-out pairs among held-out pairs: how the translator does on objects it has not
        /// seen. The primary figures.
        case test
        /// Held-out pairs among all pairs, as Yang et al. (2021) score their test cells: easier,
        /// since held-out codes sit nearer the centre than training codes.
        case testAmongAll = "test_among_all"
        /// Training pairs among training pairs, as many as are held out (spread evenly over
        /// them, so that chance is the same as in ``test``): pairs memorised score far better
        /// here than in ``test``.
        case training
        /// Every pair among all, when the pairs are not split.
        case all

        /// The scoring in words, for tables.
        public var phrase: String {
            switch self {
            case .test: "held-out pairs among held-out pairs"
            case .testAmongAll: "held-out pairs among all pairs (the paper's)"
            case .training: "training pairs among training pairs"
            case .all: "all pairs among all"
            }
        }
    }

    /// ``TranslationMetrics`` of one scoring, keyed for JSON: k and directions written out.
    public struct PairScores: Sendable, Equatable {
        /// The pairs scored, and the candidates they are scored among.
        public var queries, candidates: Int
        /// FOSCTTM over both directions, and by direction (keys "A_to_B" by domain name).
        public var foscttm: Double
        public var foscttmByDirection: [String: Double]
        /// Recall at k over both directions, by direction, and by chance (k / candidates).
        public var recall: [Int: Double]
        public var recallByDirection: [String: [Int: Double]]
        public var recallChance: [Int: Double]
        /// The paper's pairing score, first domain to the other and back, beside the centroid's
        /// (its floor where codes have hubs).
        public var pairingScore, reversePairingScore, centroidPairingScore: [Int: Double]

        init(_ metrics: TranslationMetrics, names: (String, String)) {
            let (forward, backward) = ("\(names.0)_to_\(names.1)", "\(names.1)_to_\(names.0)")
            (queries, candidates) = (metrics.pairs, metrics.candidates)
            foscttm = metrics.foscttm
            foscttmByDirection = [forward: metrics.foscttmAToB, backward: metrics.foscttmBToA]
            recall = metrics.meanPartnerRecall
            recallByDirection = [forward: metrics.partnerRecall, backward: metrics.reversePartnerRecall]
            recallChance = Dictionary(uniqueKeysWithValues: metrics.partnerRecall.keys.map { ($0, metrics.recallChance($0)) })
            (pairingScore, reversePairingScore, centroidPairingScore) = (metrics.pairingScores, metrics.reversePairingScores, metrics.centroidPairingScores)
        }
    }

    /// How well the translator lines up the first domain with another, on paired samples.
    ///
    /// With held-out pairs, three scorings (``Scoring``): held-out among held-out (the primary
    /// figures), held-out among all (the paper's), and training among training (memorisation
    /// shows as a gap to the first); without, every pair among all. The pairing scores sit
    /// beside the centroid's; the translations' squared errors (on the held-out pairs, or all)
    /// beside that of predicting each feature's mean over the training pairs (what knowing
    /// nothing of the source scores).
    public struct Alignment: Sendable, Equatable {
        /// The scores of each scoring made.
        public var scores: [Scoring: PairScores]
        /// Σ‖translation − true partner‖² per query, each way (keys "A_to_B", "B_to_A" by domain name).
        public var translationSSEPerSample: [String: Double]
        /// Σ‖x − mean over the training pairs (all, without a split)‖² per query, for each
        /// domain's samples (keys: domain names).
        public var meanPredictionSSEPerSample: [String: Double]
        /// The share of queries whose class the 5 nearest first-domain codes of the other's code
        /// give (``ReconstructionMetrics/knnAccuracy(codes:labels:referenceCodes:referenceLabels:leaveOneOut:k:)``);
        /// nil without labels in both domains.
        public var knnAccuracy: Double?
        /// The directions ("A_to_B") whose translations miss their true partners by more than
        /// predicting each feature's training mean does (`meanPredictionSSEPerSample`): a
        /// translator that learned nothing of the relation, or whose training diverged.
        public var translationsWorseThanMean: [String]
        /// The exact earth mover's distance between the two domains' codes of the queries (the
        /// held-out objects, or all; at most ``Translator/codesEarthMoversLimit`` of them, spread
        /// evenly), as distributions: how far apart the matching left the shared space, whatever
        /// the pairing. Nil in files written before it was measured.
        public var codesEarthMovers: Double? = nil

        /// The figures that say how the translator generalises: held-out among held-out, else
        /// every pair among all.
        public var primary: PairScores? { scores[.test] ?? scores[.all] }
    }

    /// Objects at most whose codes' earth mover's distance an alignment measures.
    public static let codesEarthMoversLimit = 2000

    /// The alignment of the first domain with each other one that has pairs to score, by the
    /// other domain's name.
    ///
    /// - Parameters:
    ///   - samples: each domain's samples, `n_k × d_k`, in the model's input space.
    ///   - labels: each domain's class labels (nil: none); kNN accuracy needs both sides'.
    ///   - pairs: the paired rows of the first domain and domain k (k ≥ 1); nil: none.
    /// - Throws: when a domain's samples do not have its width.
    public func alignment(samples: [Tensor], labels: [[Int]?], pairs: (Int) -> PairedRows?) throws -> [String: Alignment] {
        guard samples.count == domainNames.count, labels.count == samples.count else {
            throw AutoencoderError("translator alignment: \(samples.count) sample sets and \(labels.count) label sets for \(domainNames.count) domains")
        }
        var alignment: [String: Alignment] = [:]
        let names = domainNames
        for k in 1..<names.count {
            guard let paired = pairs(k), paired.first.count >= 2 else { continue }
            let (a, b) = (samples[0].gatherRows(paired.first), samples[k].gatherRows(paired.other))
            let (codesA, codesB) = (try encode(a, domain: 0), try encode(b, domain: k))
            let (held, training) = (paired.heldOut, paired.training)
            var scorings: [(Scoring, queries: [Int], candidates: [Int])] = []
            if held.isEmpty {
                scorings = [(.all, training, training)]
            } else {
                if held.count >= 2 { scorings.append((.test, held, held)) }
                scorings.append((.testAmongAll, held, Array(paired.first.indices)))
                // As many training pairs as held-out ones, spread evenly over them: the same
                // number of candidates gives both scorings the same chance level.
                let sample = training.count <= held.count ? training : held.indices.map { training[$0 * training.count / held.count] }
                if sample.count >= 2 { scorings.append((.training, sample, sample)) }
            }
            var scores: [Scoring: PairScores] = [:]
            for (scoring, queries, candidates) in scorings {
                let metrics = try TranslationMetrics(codesA: codesA, codesB: codesB, queries: queries, candidates: candidates)
                scores[scoring] = PairScores(metrics, names: (names[0], names[k]))
            }
            let queries = held.isEmpty ? training : held
            let (queryA, queryB) = (a.gatherRows(queries), b.gatherRows(queries))
            let (queryCodesA, queryCodesB) = (codesA.gatherRows(queries), codesB.gatherRows(queries))
            func sse(_ x: Tensor, _ y: Tensor) -> Double { (x - y).squared().sumInDouble() / Double(x.rows) }
            // The mean a predictor could know: the training pairs', when some are held out.
            let known = held.isEmpty || training.isEmpty ? queries : training
            func meanPrediction(_ all: Tensor, _ queries: Tensor) -> Double {
                sse(queries, Tensor(repeatingRow: all.gatherRows(known).mean(alongAxis: 0), count: queries.rows))
            }
            var knn: Double?
            if let labelsA = labels[0], let labelsB = labels[k] {
                knn = try ReconstructionMetrics.knnAccuracy(codes: queryCodesB, labels: queries.map { labelsB[paired.other[$0]] },
                                                            referenceCodes: queryCodesA, referenceLabels: queries.map { labelsA[paired.first[$0]] })
            }
            let (forward, backward) = ("\(names[0])_to_\(names[k])", "\(names[k])_to_\(names[0])")
            let translation = [forward: sse(try decode(queryCodesA, domain: k), queryB), backward: sse(try decode(queryCodesB, domain: 0), queryA)]
            let mean = [names[k]: meanPrediction(b, queryB), names[0]: meanPrediction(a, queryA)]
            // Not finite is worse than any mean: a diverged decoder gives NaN.
            let worse = [(forward, names[k]), (backward, names[0])].filter { direction, target in !(translation[direction]! <= mean[target]!) }.map(\.0)
            let spread = queries.count <= Self.codesEarthMoversLimit ? Array(0..<queries.count)
                : (0..<Self.codesEarthMoversLimit).map { $0 * queries.count / Self.codesEarthMoversLimit }
            let codesDistance = try EarthMovers.exact(a: queryCodesA.gatherRows(spread), b: queryCodesB.gatherRows(spread)).cost
            alignment[names[k]] = Alignment(scores: scores, translationSSEPerSample: translation, meanPredictionSSEPerSample: mean,
                                            knnAccuracy: knn, translationsWorseThanMean: worse, codesEarthMovers: codesDistance)
        }
        return alignment
    }
}
