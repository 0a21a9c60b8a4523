import Latent

/// What `latent evaluate --data` prints: the reconstruction error in the data's units and,
/// where the model and data allow, likelihood bounds, cluster agreement and neighbourhoods.
struct Evaluation: Encodable {
    var model: String
    var method: String
    var samples: Int
    var features: Int
    var codeSize: Int
    var distortion: Double
    var ssePerSample: Double
    var msePerFeature: Double
    var negativeELBOPerSample: Double?
    var nllPerSample: Double?
    var importanceSamples: Int?
    var adjustedRandIndex: Double?
    var normalizedMutualInformation: Double?
    var purity: Double?
    var trustworthiness: Double?
    var continuity: Double?
    /// The neighbourhood size and the query samples of trustworthiness and continuity.
    var neighbourhoodK: Int?
    var neighbourhoodQueries: Int?
    var knnAccuracy: Double?
    var knnK: Int?
    var knnLeaveOneOut: Bool?
    var ssePerSampleModelSpace: Double?
    var metricSpaces: [String: String]?

    enum CodingKeys: String, CodingKey {
        case model, method, samples, features, codeSize = "code_size", distortion, ssePerSample = "sse_per_sample", msePerFeature = "mse_per_feature"
        case negativeELBOPerSample = "negative_elbo_per_sample", nllPerSample = "nll_per_sample", importanceSamples = "importance_samples"
        case adjustedRandIndex = "adjusted_rand_index", normalizedMutualInformation = "normalized_mutual_information", purity, trustworthiness, continuity
        case neighbourhoodK = "neighbourhood_k", neighbourhoodQueries = "neighbourhood_queries", knnK = "knn_k"
        case knnAccuracy = "knn_accuracy", knnLeaveOneOut = "knn_leave_one_out", ssePerSampleModelSpace = "sse_per_sample_model_space"
        case metricSpaces = "metric_spaces"
    }
}

/// One domain's reconstruction by a translator.
struct DomainReconstruction: Encodable {
    var samples: Int
    var features: Int
    var ssePerSample: Double
    var msePerFeature: Double

    enum CodingKeys: String, CodingKey { case samples, features, ssePerSample = "sse_per_sample", msePerFeature = "mse_per_feature" }
}

/// What `latent evaluate --domain …` prints beside the alignment: each domain's reconstruction.
struct TranslatorEvaluation: Encodable {
    var model: String
    var method = Translator.methodName
    var codeSize: Int
    var reconstruction: [String: DomainReconstruction]

    enum CodingKeys: String, CodingKey { case model, method, codeSize = "code_size", reconstruction }
}
