import Foundation
import Latent

extension FitTranslator {
    /// `latent fit translator` of domains in NPY shards: each domain's scaling from a pass over
    /// its shards, then every batch's rows read by index as it is drawn
    /// (``Translator/fit(_:configuration:using:context:)``, the fit of domains in memory), never a
    /// domain whole. Pairs by rows or a pairs file; what needs the domains in memory (labels, a
    /// test split and the report on it) is refused.
    func fitStreamed(_ named: [Named], display: ProgressDisplay) throws {
        let names = try Domains.names(named)
        for (given, option) in [(!domainLabels.isEmpty, "--domain-labels"), (latentClassifier, "--latent-classifier"),
                                (testSplit != nil && testSplit != "none", "--test-split")] where given {
            throw ValidationErrorText("\(option) needs the domains in memory (labels, held-out pairs and their report); domains in NPY shards are streamed: "
                                      + "give the domains as files, or leave \(option) out")
        }
        let shards = try named.map { try NPYShards(opening: $0.value) }
        for (domain, set) in zip(named, shards) {
            display.finish("streaming \(domain.name) (\(domain.value)): \(set.rows) samples × \(set.columns) features in \(set.shards.count) shards")
        }
        let counts = shards.map(\.rows)
        let partners = try Domains.partners(Domains.pairing(pairs), names: names, counts: counts)
        let configuration = try self.configuration(names: names, classes: 0)
        let (model, seconds, checkpoints) = try train(.init(domains: shards, partners: partners), configuration: configuration, display: display)
        let result = TranslatorFitResult(
            model: output, domains: names, codeSize: model.codeSize, seconds: seconds, samples: Dictionary(uniqueKeysWithValues: zip(names, counts)),
            anchors: Translator.anchorCount(paired: (0..<(partners?.first?.count ?? 0)).filter { i in partners!.allSatisfy { $0[i] >= 0 } }.count, configuration: configuration),
            checkpoint: checkpoints.every != nil ? checkpoints.path : nil, outOfCore: true,
            rowsRead: Dictionary(uniqueKeysWithValues: zip(names, shards.map(\.rowsRead))))
        try printResult(Merged(model.trainingHistory.map(TrainingSummary.init), result), json: outputOptions.json)
    }
}
