import Foundation

/// An alignment in JSON is flat, each figure named with its scoring (`foscttm_test`,
/// `recall_at_50_test`, `recall_chance_at_50_test`, `foscttm_training`): what a reader
/// compares stands side by side, and no figure can be read without saying among which
/// candidates it was scored.
extension Translator.Alignment: Codable {
    struct Key: CodingKey {
        let stringValue: String
        init(_ text: String) { stringValue = text }
        init?(stringValue: String) { self.init(stringValue) }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (scoring, scores) in scores { try scores.encode(to: &container, suffix: scoring.rawValue) }
        try container.encode(TranslationMetrics.foscttmChance, forKey: Key("foscttm_chance"))
        try container.encode(translationSSEPerSample, forKey: Key("translation_sse_per_sample"))
        try container.encode(meanPredictionSSEPerSample, forKey: Key("mean_prediction_sse_per_sample"))
        try container.encodeIfPresent(knnAccuracy, forKey: Key("knn_accuracy"))
        try container.encode(translationsWorseThanMean, forKey: Key("translations_worse_than_mean"))
        try container.encodeIfPresent(codesEarthMovers, forKey: Key("codes_emd"))
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var scores: [Translator.Scoring: Translator.PairScores] = [:]
        for scoring in Translator.Scoring.allCases where container.contains(Key("queries_\(scoring.rawValue)")) {
            scores[scoring] = try Translator.PairScores(from: container, suffix: scoring.rawValue)
        }
        self.init(scores: scores,
                  translationSSEPerSample: try container.decode([String: Double].self, forKey: Key("translation_sse_per_sample")),
                  meanPredictionSSEPerSample: try container.decode([String: Double].self, forKey: Key("mean_prediction_sse_per_sample")),
                  knnAccuracy: try container.decodeIfPresent(Double.self, forKey: Key("knn_accuracy")),
                  translationsWorseThanMean: try container.decode([String].self, forKey: Key("translations_worse_than_mean")),
                  codesEarthMovers: try container.decodeIfPresent(Double.self, forKey: Key("codes_emd")))
    }
}

extension Translator.PairScores {
    typealias Key = Translator.Alignment.Key

    /// Figures by k, with k written out as JSON keys.
    static func written(_ values: [Int: Double]) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: values.map { ("\($0.key)", $0.value) })
    }

    static func read(_ values: [String: Double]) throws -> [Int: Double] {
        try Dictionary(uniqueKeysWithValues: values.map { key, value in
            guard let k = Int(key) else { throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "k '\(key)' is not an integer")) }
            return (k, value)
        })
    }

    func encode(to container: inout KeyedEncodingContainer<Key>, suffix: String) throws {
        try container.encode(queries, forKey: Key("queries_\(suffix)"))
        try container.encode(candidates, forKey: Key("candidates_\(suffix)"))
        try container.encode(foscttm, forKey: Key("foscttm_\(suffix)"))
        try container.encode(foscttmByDirection, forKey: Key("foscttm_\(suffix)_by_direction"))
        for (k, value) in recall {
            try container.encode(value, forKey: Key("recall_at_\(k)_\(suffix)"))
            try container.encode(recallChance[k], forKey: Key("recall_chance_at_\(k)_\(suffix)"))
        }
        try container.encode(recallByDirection.mapValues(Self.written), forKey: Key("recall_\(suffix)_by_direction"))
        try container.encode(Self.written(pairingScore), forKey: Key("pairing_score_\(suffix)"))
        try container.encode(Self.written(reversePairingScore), forKey: Key("reverse_pairing_score_\(suffix)"))
        try container.encode(Self.written(centroidPairingScore), forKey: Key("centroid_pairing_score_\(suffix)"))
    }

    init(from container: KeyedDecodingContainer<Key>, suffix: String) throws {
        queries = try container.decode(Int.self, forKey: Key("queries_\(suffix)"))
        candidates = try container.decode(Int.self, forKey: Key("candidates_\(suffix)"))
        foscttm = try container.decode(Double.self, forKey: Key("foscttm_\(suffix)"))
        foscttmByDirection = try container.decode([String: Double].self, forKey: Key("foscttm_\(suffix)_by_direction"))
        recallByDirection = try container.decode([String: [String: Double]].self, forKey: Key("recall_\(suffix)_by_direction")).mapValues(Self.read)
        let ks = Set(recallByDirection.values.flatMap(\.keys))
        recall = try Dictionary(uniqueKeysWithValues: ks.map { ($0, try container.decode(Double.self, forKey: Key("recall_at_\($0)_\(suffix)"))) })
        recallChance = try Dictionary(uniqueKeysWithValues: ks.map { ($0, try container.decode(Double.self, forKey: Key("recall_chance_at_\($0)_\(suffix)"))) })
        pairingScore = try Self.read(container.decode([String: Double].self, forKey: Key("pairing_score_\(suffix)")))
        reversePairingScore = try Self.read(container.decode([String: Double].self, forKey: Key("reverse_pairing_score_\(suffix)")))
        centroidPairingScore = try Self.read(container.decode([String: Double].self, forKey: Key("centroid_pairing_score_\(suffix)")))
    }
}
