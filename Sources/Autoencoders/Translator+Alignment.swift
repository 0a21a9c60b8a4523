import Foundation
import Tensors

/// Rows of two domains that are the same objects: `first[i]` of the first domain and
/// `other[i]` of another; `queries` are the positions i scored (the held-out pairs, or all).
public struct PairedRows: Sendable, Equatable {
    public var first: [Int]
    public var other: [Int]
    public var queries: [Int]

    public init(first: [Int], other: [Int], queries: [Int]) {
        (self.first, self.other, self.queries) = (first, other, queries)
    }
}

extension Translator {
    /// How well the translator lines up the first domain with another, on paired samples.
    ///
    /// Each query is scored among all pairs (as Yang et al. 2021 score test cells among all
    /// cells). The pairing scores sit beside the centroid's, their floor where codes have hubs;
    /// the translations' squared errors sit beside that of predicting each feature's mean over
    /// the pairs (what knowing nothing of the source scores).
    public struct Alignment: Codable, Sendable, Equatable {
        /// The pairs scored (queries) and the candidates they are scored among.
        public var pairs, candidates: Int
        /// ``TranslationMetrics`` at each k (keys: k written out, "5" and "50").
        public var pairingScore, reversePairingScore, centroidPairingScore, partnerRecall: [String: Double]
        public var foscttm: Double
        /// Σ‖translation − true partner‖² per query, each way (keys "A_to_B", "B_to_A" by domain name).
        public var translationSSEPerSample: [String: Double]
        /// Σ‖x − mean over the pairs‖² per query, for each domain's samples (keys: domain names).
        public var meanPredictionSSEPerSample: [String: Double]
        /// The share of queries whose class the 5 nearest first-domain codes of the other's code
        /// give (``ReconstructionMetrics/knnAccuracy(codes:labels:referenceCodes:referenceLabels:leaveOneOut:)``);
        /// nil without labels in both domains.
        public var knnAccuracy: Double?

        enum CodingKeys: String, CodingKey {
            case pairs, candidates, pairingScore = "pairing_score", reversePairingScore = "reverse_pairing_score"
            case centroidPairingScore = "centroid_pairing_score", partnerRecall = "partner_recall", foscttm
            case translationSSEPerSample = "translation_sse_per_sample", meanPredictionSSEPerSample = "mean_prediction_sse_per_sample"
            case knnAccuracy = "knn_accuracy"
        }
    }

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
            guard let paired = pairs(k), !paired.queries.isEmpty else { continue }
            let (a, b) = (samples[0].gatherRows(paired.first), samples[k].gatherRows(paired.other))
            let (codesA, codesB) = (try encode(a, domain: 0), try encode(b, domain: k))
            let metrics = try TranslationMetrics(codesA: codesA, codesB: codesB, queries: paired.queries)
            let (queryA, queryB) = (a.gatherRows(paired.queries), b.gatherRows(paired.queries))
            let (queryCodesA, queryCodesB) = (codesA.gatherRows(paired.queries), codesB.gatherRows(paired.queries))
            func sse(_ x: Tensor, _ y: Tensor) -> Double { (x - y).squared().sumInDouble() / Double(x.rows) }
            func meanPrediction(_ all: Tensor, _ queries: Tensor) -> Double {
                sse(queries, Tensor(repeatingRow: all.mean(alongAxis: 0), count: queries.rows))
            }
            func written(_ scores: [Int: Double]) -> [String: Double] { Dictionary(uniqueKeysWithValues: scores.map { ("\($0.key)", $0.value) }) }
            var knn: Double?
            if let labelsA = labels[0], let labelsB = labels[k] {
                knn = try ReconstructionMetrics.knnAccuracy(codes: queryCodesB, labels: paired.queries.map { labelsB[paired.other[$0]] },
                                                            referenceCodes: queryCodesA, referenceLabels: paired.queries.map { labelsA[paired.first[$0]] })
            }
            alignment[names[k]] = Alignment(
                pairs: metrics.pairs, candidates: metrics.candidates, pairingScore: written(metrics.pairingScores),
                reversePairingScore: written(metrics.reversePairingScores), centroidPairingScore: written(metrics.centroidPairingScores),
                partnerRecall: written(metrics.partnerRecall), foscttm: metrics.foscttm,
                translationSSEPerSample: ["\(names[0])_to_\(names[k])": sse(try decode(queryCodesA, domain: k), queryB),
                                          "\(names[k])_to_\(names[0])": sse(try decode(queryCodesB, domain: 0), queryA)],
                meanPredictionSSEPerSample: [names[k]: meanPrediction(b, queryB), names[0]: meanPrediction(a, queryA)],
                knnAccuracy: knn)
        }
        return alignment
    }
}
