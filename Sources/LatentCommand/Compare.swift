import ArgumentParser
import Foundation
import Latent

extension FamilyComparison.Method: ExpressibleByArgument {}

/// Methods as a comma-separated list: `pca,umap`.
struct ComparedMethods: ExpressibleByArgument {
    let methods: [FamilyComparison.Method]
    init?(argument: String) {
        let parts = argument.split(separator: ",").map { FamilyComparison.Method(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { return nil }
        methods = parts.map { $0! }
    }
    init(_ methods: [FamilyComparison.Method]) { self.methods = methods }
    var defaultValueDescription: String { methods.map(\.rawValue).joined(separator: ",") }
}

/// `latent compare`: the two families side by side (DESIGN.md's command line): every method
/// fitted with its defaults at one code size, measured on test data, one table and one grid of
/// the test codes.
struct Compare: ComputingCommand {
    var computeOptions: ComputeOptions { compute }
    static let configuration = CommandConfiguration(
        abstract: "Fit autoencoders and projective methods at one code size and compare them on test data.",
        discussion: """
            Each method is fitted to --data with its defaults and --code-size-wide codes (the projective methods with their \
            learned decoders), then measured on --test (without it, a seeded fifth of --data held out): trustworthiness and \
            continuity of the test codes (k = 10), their 10-NN accuracy among themselves (with labels), the squared error \
            of DECODE(ENCODE(x)) per test sample, and as many new samples as test samples decoded from a Gaussian mixture \
            fitted to the training codes, against the test samples (MMD², precision, recall); and the fit time. With \
            --output, an HTML report (OUTPUT/index.html) holds the table and the test codes of every method in one grid.
            """)

    @Option(help: "Training data: a file or a built-in name (see `latent datasets`).", transform: WorkingDirectory.spec) var data: String
    @Option(help: .defaulted("Test data.", rule: "a seeded fifth of --data, held out of training"), transform: WorkingDirectory.spec) var test: String?
    @Option(help: "A labels file for --test (IDX, NPY or CSV/TSV).", transform: WorkingDirectory.file) var testLabels: String?
    @Option(help: ArgumentHelp("The methods, comma-separated: \(FamilyComparison.Method.allCases.map(\.rawValue).joined(separator: ", ")).",
                               valueName: "methods"))
    var methods = ComparedMethods(FamilyComparison.Method.allCases)
    @Option(help: "The code size of every method.") var codeSize = 2
    @Option(help: "Folder for the report (index.html).", transform: WorkingDirectory.file) var output: String?
    @Option(help: "Seed of every random choice.") var seed: UInt64 = 0
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var outputOptions: OutputOptions

    /// The share of --data held out as test data when no --test is given.
    static let heldOutFraction = 0.2

    func validate() throws {
        if codeSize < 1 { throw ValidationError("--code-size must be at least 1") }
        if testLabels != nil, test == nil { throw ValidationError("--test-labels needs --test") }
        if Set(methods.methods).count != methods.methods.count { throw ValidationError("--methods names a method twice") }
    }

    func run() throws {
        let display = ProgressDisplay(quiet: outputOptions.quiet)
        display.update("loading \(data)", force: true)
        let (train, testSet) = try loadData()
        display.finish("compare on \(train.count) training and \(testSet.count) test samples × \(train.features) features, codes of \(codeSize)")
        var rows: [FamilyComparison.Row] = []
        var models: [(FamilyComparison.Method, any Autoencoder)] = []
        for method in methods.methods {
            var generator = RandomGenerator(seed: seed)
            let start = Date()
            display.update("\(method.rawValue): fitting", force: true)
            let model = try method.fit(train.samples, codeSize: codeSize, using: &generator) { display.training($0, label: "\(method.rawValue): ") }
            let seconds = Date().timeIntervalSince(start)
            display.update("\(method.rawValue): measuring", force: true)
            let row = try FamilyComparison.measure(model, method: method, train: train.samples, test: testSet.samples, testLabels: testSet.labels,
                                                   seconds: seconds, using: &generator)
            rows.append(row)
            models.append((method, model))
            display.finish(String(format: "%@: trustworthiness %.4f, test error %.4f per sample, fitted in %@", method.rawValue, row.trustworthiness,
                                  row.testSSEPerSample, formatDuration(seconds)))
        }
        let comparison = FamilyComparison(rows: rows)
        var page: String?
        if let output {
            let command = (["latent"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
            let report = try Report.familyComparison(comparison, models: models.map { ($0.0.rawValue, $0.1) }, test: testSet, train: train, command: command)
            page = try report.write(to: output)
        }
        if outputOptions.json {
            try printJSON(CompareResult(data: data, test: test ?? "\(data) (held out)", trainingSamples: train.count, testSamples: testSet.count,
                                        features: train.features, methods: rows, report: page))
            return
        }
        Console.line(Self.table(comparison))
        if let page { Console.line("\nReport: \(page)") }
    }

    /// The training and test sets: --test, or a seeded fifth of --data held out.
    func loadData() throws -> (train: Dataset, test: Dataset) {
        let whole = try dataOptions.load(data, labels: dataOptions.labels, origin: .automatic)
        if let test {
            let testing = try dataOptions.load(test, labels: testLabels, knownClasses: whole.classNames,
                                               origin: .given(whole.origin ?? Array(repeating: 0, count: whole.features)),
                                               modelFeatures: whole.featureNames, missingFill: whole.missingFill)
            return (whole, testing)
        }
        let held = Int((Double(whole.count) * Self.heldOutFraction).rounded())
        guard held >= 12, whole.count - held >= 12 else {
            throw ValidationErrorText("\(data) holds \(whole.count) samples: too few to hold a fifth out as test data (give --test)")
        }
        var generator = RandomGenerator(seed: seed)
        let order = generator.permutation(whole.count)
        return (whole.subset(Array(order[held...]).sorted()), whole.subset(Array(order[..<held]).sorted()))
    }

    /// The comparison as a table for a terminal.
    static func table(_ comparison: FamilyComparison) -> String {
        var lines = [column("method", 18) + column("family", 12) + column("trust", 8) + column("contin.", 8) + column("10-NN", 7)
                     + column("test SSE", 10) + column("MMD²", 8) + column("prec.", 7) + column("recall", 7) + "fit time"]
        for row in comparison.rows {
            lines.append(column(row.method.rawValue, 18) + column(row.family.rawValue, 12) + column(String(format: "%.4f", row.trustworthiness), 8)
                         + column(String(format: "%.4f", row.continuity), 8) + column(row.knnAccuracy.map { String(format: "%.3f", $0) } ?? "–", 7)
                         + column(String(format: "%.3f", row.testSSEPerSample), 10) + column(String(format: "%.4f", row.mmd2), 8)
                         + column(String(format: "%.3f", row.precision), 7) + column(String(format: "%.3f", row.recall), 7) + formatDuration(row.seconds))
        }
        return lines.joined(separator: "\n")
    }
}

/// What `latent compare --json` prints.
struct CompareResult: Encodable {
    var data: String, test: String
    var trainingSamples: Int, testSamples: Int, features: Int
    var methods: [FamilyComparison.Row]
    var report: String?

    enum CodingKeys: String, CodingKey {
        case data, test, trainingSamples = "training_samples", testSamples = "test_samples", features, methods, report
    }
}
