import Foundation
import Latent

/// The demo's translation: the top half of each image and its bottom half as two domains of one
/// object, one autoencoder each in a shared latent space, aligned by a critic and a latent
/// classifier with a tenth of the training pairs known; measured on the test images' halves.
struct DemoTranslation {
    /// The share of training pairs the translator may see.
    static let anchorFraction = 0.1
    static func configuration(_ epochs: Int) -> Translator.Configuration {
        Translator.Configuration(domains: [.init(name: "top", hidden: [256]), .init(name: "bottom", hidden: [256])], codeSize: 20,
                                 classes: DatasetLoader.fashionMNISTClassNames.count, anchorFraction: anchorFraction,
                                 training: .init(epochs: epochs, batchSize: 64, learningRate: 1e-3, heldOutFraction: 0))
    }

    /// The demo's translation measures on the test images, as `--json` prints them.
    struct Measures: Encodable {
        var pairingScore5, pairingScore50, foscttm, translationSSEPerSample, randomPartnerSSEPerSample, knnAccuracy, anchorFraction, seconds: Double

        enum CodingKeys: String, CodingKey {
            case pairingScore5 = "pairing_score_5", pairingScore50 = "pairing_score_50", foscttm, translationSSEPerSample = "translation_sse_per_sample"
            case randomPartnerSSEPerSample = "random_partner_sse_per_sample", knnAccuracy = "knn_accuracy", anchorFraction = "anchor_fraction", seconds
        }
    }

    let name: String
    let seed: UInt64
    let display: ProgressDisplay

    /// The fitted translator, the test halves, and its measures on them.
    func run(epochs: Int) throws -> (model: Translator, test: [Dataset], measures: [(name: String, value: String)], json: Measures, seconds: Double) {
        let loader = DatasetLoader()
        let train = try ["top", "bottom"].map { try loader.load("\(name):train?half=\($0)") }
        let test = try ["top", "bottom"].map { try loader.load("\(name):test?half=\($0)") }
        var generator = RandomGenerator(seed: seed)
        let began = Date()
        display.update("translator top ↔ bottom: fitting", force: true)
        let model = try Translator.fit(.paired(train.map(\.samples), labels: train.map { $0.labels! }), configuration: Self.configuration(epochs),
                                       using: &generator, context: FitContext { p in
            display.update("translator top ↔ bottom: " + trainingProgressLine(p), fraction: trainingFraction(p), force: p.isEpochEnd)
        })
        let seconds = Date().timeIntervalSince(began)
        let (codesTop, codesBottom) = (try model.encode(test[0].samples, domain: 0), try model.encode(test[1].samples, domain: 1))
        let metrics = try TranslationMetrics(codesA: codesTop, codesB: codesBottom)
        let translated = try model.decode(codesTop, domain: 1)
        let error = Double((translated - test[1].samples).squared().sum()) / Double(test[1].count)
        // How far a translation is from a random other image's bottom half: the bar "closer to the true partner" must clear.
        let shuffled = test[1].samples.gatherRows((0..<test[1].count).map { ($0 + test[1].count / 2) % test[1].count })
        let random = Double((translated - shuffled).squared().sum()) / Double(test[1].count)
        let knn = try ReconstructionMetrics.knnAccuracy(codes: codesBottom, labels: test[1].labels!, referenceCodes: codesTop, referenceLabels: test[0].labels!)
        display.finish(String(format: "translator top ↔ bottom: pairing score (k = 50) %.3f, FOSCTTM %.3f (%@)", metrics.pairingScores[50]!, metrics.foscttm, formatDuration(seconds)))
        let measures: [(String, String)] = [
            ("test pairs", "\(metrics.pairs)"),
            ("pairing score, k = 5 / 50 (chance \(String(format: "%.3f / %.3f", 5.0 / Double(metrics.pairs), 50.0 / Double(metrics.pairs))))",
             String(format: "%.3f / %.3f", metrics.pairingScores[5]!, metrics.pairingScores[50]!)),
            ("FOSCTTM (chance 0.5)", String(format: "%.3f", metrics.foscttm)),
            ("squared error of top → bottom against the true bottom half", String(format: "%.2f", error)),
            ("… against another image's bottom half", String(format: "%.2f", random)),
            ("kNN accuracy, classes of bottom codes read from top codes", String(format: "%.3f", knn)),
        ]
        let json = Measures(pairingScore5: metrics.pairingScores[5]!, pairingScore50: metrics.pairingScores[50]!, foscttm: metrics.foscttm,
                            translationSSEPerSample: error, randomPartnerSSEPerSample: random, knnAccuracy: knn,
                            anchorFraction: Self.anchorFraction, seconds: seconds)
        return (model, test, measures, json, seconds)
    }
}
