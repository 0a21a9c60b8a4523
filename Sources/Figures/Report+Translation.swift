import Autoencoders
import DataFormats
import Foundation
import Tensors

/// The report of a translator: how its domains line up, their translations against the true
/// partners, and both domains' codes in one plane.
extension Report {
    /// Features of a profile domain drawn as predicted against true values: the widest-spread ones.
    public static let translatedFeatureCount = 4

    /// The report of `model` on `sets` (one data set per domain, in the model's order). `pairs`
    /// gives, for each non-reference domain k, the aligned rows of the pairs to show and
    /// measure (nil: none known); `alignment` holds the measures already computed, by the
    /// other domain's name (`Translator.alignment(samples:labels:pairs:)`).
    public static func translator(_ model: Translator, named name: String, sets: [Dataset], pairs: [(first: [Int], other: [Int])?],
                                  alignment: [String: Translator.Alignment], fitCommand: String?, reportCommand: String) throws -> Report {
        let names = model.domainNames
        var report = Report(title: "translator \(name): \(names.joined(separator: " ↔ "))")
        report.add(.paragraph("A translator of \(names.count) domains (\(zip(names, sets).map { "\($0): \($1.name), \($1.features) features" }.joined(separator: "; "))) sharing codes of \(model.codeSize) dimensions; \(names[0]) is the reference the others are matched to (\(model.configuration.matcher.rawValue))."))
        report.add(.heading("Reconstruction"))
        report.add(.table(header: ["domain", "samples", "squared error per sample", "mean squared error per feature"], rows: try zip(names.indices, sets).map { k, set in
            let metrics = ReconstructionMetrics(samples: set.samples, reconstructions: try model.decode(try model.encode(set.samples, domain: k), domain: k))
            return [names[k], "\(set.count)", String(format: "%.4f", metrics.ssePerSample), String(format: "%.6f", metrics.msePerFeature)]
        }))
        let others = Array(names.dropFirst())
        let scored = Translator.Scoring.allCases.filter { scoring in alignment.values.contains { $0.scores[scoring] != nil } }
        if !scored.isEmpty {
            report.add(.heading("Alignment"))
            report.add(.paragraph("For pairs of \(names[0]) and each other domain, scored among candidate pairs: FOSCTTM (for each object, the fraction of candidates closer than its true match, averaged over both directions; 0.5 is chance), the recall at k of the true partner among the k nearest candidates (both directions; chance k / candidates), and the paper's pairing score beside the centroid's (what mapping every object to the centre scores: the floor of that score where codes have hubs). Held-out pairs among held-out pairs say how the translator does on objects it has not seen; training pairs far better than those mean memorised pairs."))
            func row(_ label: String, _ value: (Translator.PairScores) -> Double?, _ scoring: Translator.Scoring) -> [String] {
                [label] + others.map { name in alignment[name]?.scores[scoring].flatMap(value).map { String(format: "%.3f", $0) } ?? "" }
            }
            for scoring in scored {
                let ks = Set(alignment.values.compactMap { $0.scores[scoring] }.flatMap(\.recall.keys)).sorted()
                let pairing = Set(alignment.values.compactMap { $0.scores[scoring] }.flatMap(\.pairingScore.keys)).sorted()
                var rows = [[String("pairs scored / candidates")] + others.map { name in
                    alignment[name]?.scores[scoring].map { "\($0.queries) / \($0.candidates)" } ?? ""
                }]
                rows.append(row("FOSCTTM", { $0.foscttm }, scoring))
                for k in ks {
                    rows.append(row("recall at \(k)", { $0.recall[k] }, scoring))
                    rows.append(row("recall at \(k) by chance", { $0.recallChance[k] }, scoring))
                }
                for k in pairing {
                    rows.append(row("pairing score at \(k)", { $0.pairingScore[k] }, scoring))
                    rows.append(row("the centroid's pairing score at \(k)", { $0.centroidPairingScore[k] }, scoring))
                }
                report.add(.table(header: [scoring.phrase] + others, rows: rows))
            }
            if alignment.values.contains(where: { $0.codesEarthMovers != nil }) {
                report.add(.table(header: ["the domains' codes as distributions"] + others, rows: [["earth mover's distance (squared Euclidean)"] + others.map { name in
                    alignment[name]?.codesEarthMovers.map { String(format: "%.4g", $0) } ?? ""
                }]))
            }
            if alignment.values.contains(where: { $0.knnAccuracy != nil }) {
                report.add(.table(header: ["classes of codes read across"] + others, rows: [["kNN accuracy (k = 5)"] + others.map { name in
                    alignment[name]?.knnAccuracy.map { String(format: "%.3f", $0) } ?? ""
                }]))
            }
        }
        if let history = model.trainingHistory {
            report.add(.heading("Training"))
            for (index, chart) in try trainingCharts(history, title: "translator").enumerated() {
                report.add(.figure(file: "training-\(index + 1).svg", svg: chart.svg(), caption: chart.caption))
            }
        }
        report.add(.heading("Translations"))
        for k in 1..<names.count {
            guard let (first, other) = pairs[k - 1], !first.isEmpty else { continue }
            try addTranslations(&report, model, from: 0, to: k, sets: sets, rows: (first, other))
            try addTranslations(&report, model, from: k, to: 0, sets: sets, rows: (other, first))
        }
        report.add(.heading("Codes"))
        try addSharedCodes(&report, model, sets: sets)
        report.add(.heading("Configuration"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        report.add(.code(String(decoding: try encoder.encode(model.configuration), as: UTF8.self)))
        report.add(.heading("Reproduce"))
        if let fitCommand { report.add(.paragraph("The model was fitted by:")); report.add(.code(fitCommand)) }
        report.add(.paragraph("This report was written by:"))
        report.add(.code(reportCommand))
        return report
    }

    /// Inputs of domain `from`, their translations into `to` and the true partners: image grids
    /// for image domains, else predicted against true values of the widest-spread features.
    static func addTranslations(_ report: inout Report, _ model: Translator, from: Int, to: Int, sets: [Dataset], rows: (source: [Int], target: [Int])) throws {
        let names = model.domainNames
        let shown = min(exampleCount, rows.source.count)
        if let targetShape = imageShape(sets[to]) {
            let sources = sets[from].samples.gatherRows(Array(rows.source.prefix(shown)))
            let truth = sets[to].samples.gatherRows(Array(rows.target.prefix(shown)))
            var gridRows = [ImageGrid.Row]()
            let sourceShape = imageShape(sets[from])
            if sourceShape != nil { gridRows.append(.init(label: "\(names[from]) input", images: sources)) }
            gridRows += [.init(label: "→ \(names[to])", images: try model.translate(sources, from: from, to: to)),
                         .init(label: "true \(names[to])", images: truth)]
            if let sourceShape, sourceShape == targetShape {
                let grid = try ImageGrid(title: "\(names[from]) → \(names[to])", rows: gridRows, imageShape: targetShape)
                report.add(.figure(file: "translations-\(names[from])-\(names[to]).svg", svg: try grid.svg(),
                                   caption: "Inputs of \(names[from]), their translations DECODE_\(names[to])(ENCODE_\(names[from])(x)), and the true \(names[to]) of the same objects."))
            } else {
                let grid = try ImageGrid(title: "\(names[from]) → \(names[to])", rows: Array(gridRows.suffix(2)), imageShape: targetShape)
                report.add(.figure(file: "translations-\(names[from])-\(names[to]).svg", svg: try grid.svg(),
                                   caption: "Translations of \(names[from]) samples into \(names[to]) above the true \(names[to]) of the same objects."))
            }
            return
        }
        let sources = sets[from].samples.gatherRows(rows.source), truth = sets[to].samples.gatherRows(rows.target)
        let translated = try model.translate(sources, from: from, to: to)
        let variances = FeatureScaling.columnVariances(truth)
        let features = variances.indices.sorted { variances[$0] > variances[$1] }.prefix(translatedFeatureCount)
        for feature in features {
            let points = Tensor.concatenate([truth.columns(feature..<(feature + 1)), translated.columns(feature..<(feature + 1))], alongAxis: 1)
            let featureName = sets[to].featureNames?[feature] ?? "feature \(feature)"
            let plot = try ScatterPlot(codes: points, labels: sets[to].labels.map { labels in rows.target.map { labels[$0] } }, classNames: sets[to].classNames,
                                       title: "\(names[from]) → \(names[to]): \(featureName)", xLabel: "true", yLabel: "translated")
            report.add(.figure(file: "translations-\(names[from])-\(names[to])-\(feature).svg", svg: plot.svg(),
                               caption: "\(featureName) of \(names[to]): the translation of each \(names[from]) sample against the true value of its partner (the diagonal is perfect)" + plot.colouringCaption))
        }
    }

    /// Every domain's codes (up to ``scatterLimit`` each) in one plane, coloured by domain and,
    /// when the data have classes, by class.
    static func addSharedCodes(_ report: inout Report, _ model: Translator, sets: [Dataset]) throws {
        let names = model.domainNames
        let samples = sets.map(scatterSample)
        let codes = try zip(samples.indices, samples).map { try model.encode($1.samples, domain: $0) }
        let all = Tensor.concatenate(codes, alongAxis: 0)
        let plane = try CodePlane.project(all)
        let domains = samples.indices.flatMap { Array(repeating: $0, count: samples[$0].count) }
        let byDomain = try ScatterPlot(codes: plane.points, labels: domains, classNames: names, title: "Codes by domain", xLabel: plane.xLabel, yLabel: plane.yLabel)
        report.add(.figure(file: "codes-domains.svg", svg: byDomain.svg(),
                           caption: "ENCODE of every domain's samples in the shared space\(model.codeSize > 2 ? ", projected on the codes' first two principal components" : ""), coloured by domain: aligned domains overlap."))
        if samples.allSatisfy({ $0.labels != nil }) {
            let labels = samples.flatMap { $0.labels! }
            let byClass = try ScatterPlot(codes: plane.points, labels: labels, classNames: samples[0].classNames, title: "Codes by class", xLabel: plane.xLabel, yLabel: plane.yLabel)
            report.add(.figure(file: "codes-classes.svg", svg: byClass.svg(), caption: "The same codes coloured by class: each class should fill one region whatever its domain" + byClass.colouringCaption))
        }
    }

    /// A section for another report (the demo's): `model`'s translations between its first two
    /// domains on the paired `sets` (row i of each the same object, one example per class), and
    /// the measures given (name → value).
    public mutating func addTranslation(_ model: Translator, sets: [Dataset], measures: [(name: String, value: String)], summary: String) throws {
        let names = model.domainNames
        add(.heading("Translation: \(names[0]) ↔ \(names[1])"))
        add(.paragraph(summary))
        if !measures.isEmpty { add(.table(header: ["measure", "value"], rows: measures.map { [$0.name, $0.value] })) }
        let examples = Self.exampleIndices(sets[0])
        try Self.addTranslations(&self, model, from: 0, to: 1, sets: sets, rows: (examples, examples))
        try Self.addTranslations(&self, model, from: 1, to: 0, sets: sets, rows: (examples, examples))
    }
}
