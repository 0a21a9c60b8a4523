import ArgumentParser
import Foundation
import Latent

/// `latent report`: an HTML page of what one model learned, drawn on any data.
struct ReportCommand: ComputingCommand {
    var computeOptions: ComputeOptions { compute }
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an HTML report of a model: metrics, training curves, reconstructions, codes.",
        discussion: """
            Writes DIR/index.html and its SVG figures (opens offline in any browser): the model's metrics on the data, \
            its training curves (loss per epoch, held-out loss dashed), originals above reconstructions when the samples \
            are images, new samples (a VAE's prior draws, and draws from the code density `latent fit-density` stored), the codes as a scatter plot coloured by class (projected on their first two principal components \
            when d > 2), k-means centroids, the configuration, and the commands that fitted the model and wrote the report.
            """)

    @Argument(help: "A model file written by `latent fit`.", transform: WorkingDirectory.file) var model: String
    @Option(help: "The data to draw on (usually the test split).", transform: WorkingDirectory.spec) var data: String?
    @Option(name: .customLong("domain"), help: "A translator: NAME=SPEC for each domain (instead of --data), in the model's order.", transform: WorkingDirectory.namedSpec) var domains: [String] = []
    @Option(help: .defaulted("A translator: rows, none or a CSV file of pairs.", rule: "rows when the domains have as many samples"), transform: WorkingDirectory.pairs) var pairs: String?
    @Option(help: "The folder for index.html and its figures (created if missing).", transform: WorkingDirectory.file) var output: String
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if (data == nil) == domains.isEmpty { throw ValidationError("give --data, or --domain NAME=SPEC for each domain of a translator") }
    }

    func run() throws {
        let display = ProgressDisplay(quiet: outputOptions.quiet)
        let (file, loaded) = try readModel(model)
        guard let data else { return try translatorReport(loaded, file: file, display: display) }
        try refuseConditional(loaded, path: model, "report")
        let dataset = try dataOptions.load(data, labels: dataOptions.labels, for: loaded, in: file, path: model)
        display.update("drawing the report of \(model) on \(dataset.count) samples", force: true)
        let report = try Report.model(loaded, named: (model as NSString).lastPathComponent, data: dataset,
                                      codeDensity: try file.codeDensity(file: model), fitCommand: file.metadata[SafeTensorsFile.commandKey], reportCommand: invocation(),
                                      exploreCommand: exploreInvocation())
        let page = try report.write(to: output)
        display.finish()
        let figures = report.blocks.filter { if case .figure = $0 { true } else { false } }.count
        try printResult(ReportResult(report: page, figures: figures, model: model, samples: dataset.count), json: outputOptions.json)
    }

    /// `latent explore` of the same model on the same data: this command's arguments without
    /// what only a report takes.
    func exploreInvocation(_ arguments: [String] = LatentCLI.arguments ?? Array(CommandLine.arguments.dropFirst())) -> String {
        var kept: [String] = []
        var skipNext = false
        for argument in arguments {
            if skipNext { skipNext = false; continue }
            switch argument {
            case "report": kept.append(kept.isEmpty ? "explore" : argument)
            case "--output": skipNext = true
            case "--json", "--quiet": continue
            default: if !argument.hasPrefix("--output=") { kept.append(argument) }
            }
        }
        return invocation(kept)
    }

    /// A translator's report on data of each domain.
    func translatorReport(_ loaded: any Autoencoder, file: SafeTensorsFile, display: ProgressDisplay) throws {
        guard let translator = loaded as? Translator else {
            throw ValidationErrorText("--domain: \(model) holds a \(type(of: loaded).methodName) model, which has one domain (use --data)")
        }
        let data = try Domains.load(domains, labels: [], pairs: pairs, testSplit: nil, options: dataOptions.reading, seed: 0, display: display,
                                       modelFeatures: try file.domainFeatureNames(file: model))
        guard data.names == translator.domainNames else {
            throw ValidationErrorText("--domain names \(data.names.joined(separator: ", ")); \(model) has the domains \(translator.domainNames.joined(separator: ", ")), in that order")
        }
        for (k, set) in data.sets.enumerated() where set.features != translator.inputSize(domain: k) {
            throw ValidationErrorText("\(set.name) has \(set.features) features per sample; domain \(data.names[k]) of \(model) takes \(translator.inputSize(domain: k))")
        }
        display.update("drawing the report of \(model)", force: true)
        let alignment = try translator.alignment(samples: data.sets.map(\.samples), labels: data.sets.map(\.labels), pairs: data.pairs)
        let pairs = (1..<data.names.count).map { k in data.pairs(k).map { ($0.first, $0.other) } }
        let report = try Report.translator(translator, named: (model as NSString).lastPathComponent, sets: data.sets, pairs: pairs, alignment: alignment,
                                           fitCommand: file.metadata[SafeTensorsFile.commandKey], reportCommand: invocation())
        let page = try report.write(to: output)
        display.finish()
        let figures = report.blocks.filter { if case .figure = $0 { true } else { false } }.count
        try printResult(ReportResult(report: page, figures: figures, model: model, samples: Dictionary(uniqueKeysWithValues: zip(data.names, data.sets.map(\.count)))),
                        json: outputOptions.json)
    }
}

/// What `latent report` prints: the page, its figures, the model and the samples drawn (a
/// count, or counts by domain for a translator).
struct ReportResult<Samples: Encodable>: Encodable {
    var report: String
    var figures: Int
    var model: String
    var samples: Samples
}
