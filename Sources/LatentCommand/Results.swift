import Foundation
import Latent

/// Several results printed as one JSON object: each part's keys side by side (a later part's
/// key replaces an earlier one's). Nil parts add nothing.
struct Merged: Encodable {
    let parts: [any Encodable]

    init(_ parts: (any Encodable)?...) { self.parts = parts.compactMap { $0 } }

    func encode(to encoder: any Encoder) throws {
        for part in parts { try part.encode(to: encoder) }
    }
}

/// What every `latent fit` of one data set prints: the model, the data's size, the training
/// error in the data's units, and where the error of each metric was measured.
struct FitResult: Encodable {
    var method: String
    var model: String
    var samples: Int
    var features: Int
    var codeSize: Int
    var seconds: Double
    var ssePerSample: Double
    var msePerFeature: Double
    /// The scaling the command applied (`--scale`).
    var scale: String
    /// Each metric's space: "data" (the file's units) or the model's ("model (standardize)").
    var metricSpaces: [String: String]?
    var testSamples: Int?
    var testSSEPerSample: Double?
    var testMSEPerFeature: Double?
    /// With batches or sums in parts: the processes and parts.
    var processes: Int?
    var parts: Int?
    /// Data streamed from NPY shards: the shards, the shuffle buffer's rows, and the rows each
    /// process read (every pass and batch counted).
    var outOfCore: Bool?
    var shards: Int?
    var shuffleBuffer: Int?
    var rowsRead: [Int]?

    enum CodingKeys: String, CodingKey {
        case method, model, samples, features, codeSize = "code_size", seconds, ssePerSample = "sse_per_sample"
        case msePerFeature = "mse_per_feature", scale, metricSpaces = "metric_spaces", testSamples = "test_samples"
        case testSSEPerSample = "test_sse_per_sample", testMSEPerFeature = "test_mse_per_feature", processes, parts
        case outOfCore = "out_of_core", shards, shuffleBuffer = "shuffle_buffer", rowsRead = "rows_read"
    }

    /// The result of a fit streamed from `shards` (unscaled), whose training error is `sse` = Σ‖x − x̂‖².
    static func streamed(method: String, model: String, shards: NPYShards, codeSize: Int, seconds: Double, sse: Double) -> FitResult {
        var result = FitResult(method: method, model: model, samples: shards.rows, features: shards.columns, codeSize: codeSize, seconds: seconds,
                               ssePerSample: sse / Double(shards.rows), msePerFeature: sse / Double(shards.rows * shards.columns),
                               scale: FeatureScaling.Kind.none.rawValue)
        (result.outOfCore, result.shards) = (true, shards.shards.count)
        return result
    }

    /// The run's processes and parts, when its batches or sums were cut into parts.
    mutating func record(_ parts: PartTree, of group: ProcessGroup) {
        guard parts.isSplit else { return }
        (processes, self.parts) = (group.size, parts.parts)
    }
}

/// What one method reports of its fit beyond ``FitResult``: a struct of its own, declared
/// beside its command, whose keys join the shared ones (a later key replaces a shared one: the
/// streamed deep autoencoder's `scale`).
protocol MethodReport: Encodable {
    /// The keys of its figures measured in the model's space (scaled when the inputs were), not
    /// the data's.
    var modelSpaceKeys: [String] { get }
}

extension MethodReport {
    var modelSpaceKeys: [String] { [] }
}

/// Nothing beyond the shared results.
struct NoReport: MethodReport {}

/// Several reports side by side.
struct Reports: MethodReport {
    let parts: [any MethodReport]

    func encode(to encoder: any Encoder) throws {
        for part in parts { try part.encode(to: encoder) }
    }

    var modelSpaceKeys: [String] { parts.flatMap(\.modelSpaceKeys) }
}

/// The periodic checkpoint of a trained method's fit, when one was asked for.
struct CheckpointReport: MethodReport {
    var checkpoint: String?
}

/// A translator's alignment measures (``Translator/alignment(samples:labels:pairs:)``) under
/// `alignment`, by domain; with two domains also at the top level.
struct AlignmentResults: Encodable {
    var alignment: [String: Translator.Alignment]
    var domains: Int

    /// Says on stderr which translations miss their partners by more than predicting the
    /// target's mean: the JSON's `translations_worse_than_mean`, for a reader of the terminal.
    func warnOfFailedTranslations() {
        for (name, entry) in alignment.sorted(by: { $0.key < $1.key }) {
            for direction in entry.translationsWorseThanMean {
                // "REFERENCE_to_NAME" or "NAME_to_REFERENCE".
                let target = direction.hasSuffix("_to_" + name) ? name : String(direction.dropFirst(name.count + "_to_".count))
                let error = entry.translationSSEPerSample[direction] ?? .nan, mean = entry.meanPredictionSSEPerSample[target] ?? .nan
                Console.error(String(format: "warning: %@ translates worse than predicting %@'s mean (squared error %.4g against %.4g per sample on %@): "
                                     + "the domains are not aligned; see the training losses, and try another --matcher or a lower --learning-rate\n",
                                     direction.replacingOccurrences(of: "_to_", with: " → "), target, error, mean,
                                     entry.scores[.test] != nil ? "the held-out pairs" : "the pairs"))
            }
        }
    }

    enum CodingKeys: String, CodingKey { case alignment }

    func encode(to encoder: any Encoder) throws {
        guard !alignment.isEmpty else { return }
        if domains == 2, let only = alignment.values.first { try only.encode(to: encoder) }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(alignment, forKey: .alignment)
    }
}

extension TrainingSummary {
    /// The keys of the summary's losses that were measured, all in the model's space.
    var lossKeys: [String] {
        [(finalLoss, "final_loss"), (finalHeldOutLoss, "final_held_out_loss"), (bestHeldOutLoss, "best_held_out_loss")]
            .compactMap { $0.0 != nil ? $0.1 : nil }
    }
}

/// What `latent fit translator` prints beside the training summary and the alignment.
struct TranslatorFitResult: Encodable {
    var method = Translator.methodName
    var model: String
    var domains: [String]
    var codeSize: Int
    var seconds: Double
    /// Training samples by domain.
    var samples: [String: Int]
    /// Held-out samples by domain (in memory).
    var testSamples: [String: Int]?
    /// The pairs the translator was shown as anchors.
    var anchors: Int
    var checkpoint: String?
    /// Domains streamed from NPY shards: the rows read of each (every pass and batch counted).
    var outOfCore: Bool?
    var rowsRead: [String: Int]?

    enum CodingKeys: String, CodingKey {
        case method, model, domains, codeSize = "code_size", seconds, samples, testSamples = "test_samples", anchors, checkpoint
        case outOfCore = "out_of_core", rowsRead = "rows_read"
    }
}

/// What a command that writes an array file prints with `--json`: the file and what it holds.
struct WrittenFile: Encodable {
    var output: String
    /// The rows written (samples, codes or translations).
    var samples: Int
    /// The width of a row of samples, or of codes.
    var features: Int?
    var codeSize: Int?
    /// Codes written block by block from shards.
    var streamed: Bool?
    /// Rows of decoded codes (`latent explore --decode`), each `samples` long.
    var rows: Int?
    /// Where generated samples' codes came from (prior, fitted density, …), and their class.
    var codesFrom: String?
    var `class`: String?
    /// A translation's source and target domains.
    var from: String?
    var to: String?

    enum CodingKeys: String, CodingKey {
        case output, samples, features, codeSize = "code_size", streamed, rows, codesFrom = "codes_from", `class`, from, to
    }
}
