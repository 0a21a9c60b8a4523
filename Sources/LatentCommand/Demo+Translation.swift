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

    /// The demo's translation measures on the test images, as `--json` prints them: the test
    /// pairs scored among the test pairs (the translator saw none of them).
    struct Measures: Encodable {
        var foscttm, recallAt1, recallAt50, recallChanceAt50, pairingScore50, centroidPairingScore50: Double
        var translationSSEPerSample, randomPartnerSSEPerSample, knnAccuracy, anchorFraction, seconds: Double

        enum CodingKeys: String, CodingKey {
            case foscttm = "foscttm_test", recallAt1 = "recall_at_1_test", recallAt50 = "recall_at_50_test", recallChanceAt50 = "recall_chance_at_50_test"
            case pairingScore50 = "pairing_score_50_test", centroidPairingScore50 = "centroid_pairing_score_50_test"
            case translationSSEPerSample = "translation_sse_per_sample"
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
            display.training(p, label: "translator top ↔ bottom: ")
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
        let recall = metrics.meanPartnerRecall
        display.finish(String(format: "translator top ↔ bottom: FOSCTTM %.3f, recall at 50 %.3f among the test pairs (%@)", metrics.foscttm, recall[50]!, formatDuration(seconds)))
        let measures: [(String, String)] = [
            ("test pairs, each scored among the test pairs", "\(metrics.pairs)"),
            ("FOSCTTM (chance 0.5)", String(format: "%.3f", metrics.foscttm)),
            ("recall of the true partner at 1 / 50 (chance \(String(format: "%.3f / %.3f", metrics.recallChance(1), metrics.recallChance(50))))",
             String(format: "%.3f / %.3f", recall[1]!, recall[50]!)),
            ("pairing score at 50 (the centroid's: \(String(format: "%.3f", metrics.centroidPairingScores[50]!)))", String(format: "%.3f", metrics.pairingScores[50]!)),
            ("squared error of top → bottom against the true bottom half", String(format: "%.2f", error)),
            ("… against another image's bottom half", String(format: "%.2f", random)),
            ("kNN accuracy, classes of bottom codes read from top codes", String(format: "%.3f", knn)),
        ]
        let json = Measures(foscttm: metrics.foscttm, recallAt1: recall[1]!, recallAt50: recall[50]!, recallChanceAt50: metrics.recallChance(50),
                            pairingScore50: metrics.pairingScores[50]!, centroidPairingScore50: metrics.centroidPairingScores[50]!,
                            translationSSEPerSample: error, randomPartnerSSEPerSample: random, knnAccuracy: knn,
                            anchorFraction: Self.anchorFraction, seconds: seconds)
        return (model, test, measures, json, seconds)
    }
}
