import ArgumentParser
import Foundation
import Latent

extension CSVOptions.Header: ExpressibleByArgument {}
extension MissingValues: ExpressibleByArgument {}

/// Options that say how to read data SPECs and their labels: `--labels` and how to read
/// (``ReadingOptions``). Commands whose data carry labels otherwise (a translator's
/// `--domain-labels`) take ``ReadingOptions`` alone, so their help lists no option they refuse.
@dynamicMemberLookup
struct DataOptions: ParsableArguments {
    @Option(help: "A labels file for --data (IDX, NPY, or CSV/TSV: one column, or several and --label-column).", transform: WorkingDirectory.file)
    var labels: String?
    @OptionGroup var reading: ReadingOptions

    subscript<Value>(dynamicMember path: KeyPath<ReadingOptions, Value>) -> Value { reading[keyPath: path] }

    /// The loader of `--data`.
    var loader: DatasetLoader { get throws { try reading.loader(labels: labels) } }

    func loader(labels: String?, knownClasses: [String]? = nil, origin: Origin? = nil) throws -> DatasetLoader {
        try reading.loader(labels: labels, knownClasses: knownClasses, origin: origin)
    }

    func load(_ spec: String, labels: String?, knownClasses: [String]? = nil, origin: Origin? = nil, modelFeatures: [String]? = nil,
              missingFill: MissingValueFill? = nil) throws -> Dataset {
        try reading.load(spec, labels: labels, knownClasses: knownClasses, origin: origin, modelFeatures: modelFeatures, missingFill: missingFill)
    }

    func load(_ spec: String, labels: String?, for model: any Autoencoder, in file: SafeTensorsFile, path: String) throws -> Dataset {
        try reading.load(spec, labels: labels, for: model, in: file, path: path)
    }
}

/// Options that say how to read data SPECs: columns, the label column, delimiters, missing values.
struct ReadingOptions: ParsableArguments {
    @Option(help: "The column holding labels: by header name, or by 0-based position (of the data table, or of a CSV labels file).")
    var labelColumn: String?

    @Option(help: "CSV/TSV: whether the first row names the columns: yes, no or auto (a header when a field is not a number, or when the row reads 0, 1, …, D−1 as pandas writes it).")
    var header: CSVOptions.Header = .automatic

    @Option(help: "CSV/TSV: a column of sample ids (pandas' index), by name or 0-based position: not a feature.")
    var indexColumn: String?

    @Option(help: "CSV/TSV: columns to leave out, by name or 0-based position, separated by commas.")
    var dropColumns: String?

    @Option(help: "CSV/TSV: the only columns to use as features, by name or 0-based position, separated by commas.")
    var columns: String?

    @Option(help: .defaulted("CSV/TSV: the field separator, one character or 'tab'.", rule: "tab for .tsv, else a comma, or ; or tab when the first line holds one and no comma"))
    var delimiter: String?

    @Option(help: ArgumentHelp("Missing values (empty, NA, N/A, null, ?, nan): error, drop-rows, mean or median (of the column).",
                               discussion: "Default: error; for a model fitted with mean or median, its training data's values fill the gaps."))
    var missing: MissingValues?

    @Flag(help: "Accept NaN and infinite values in data files (rejected by default).")
    var allowNonFinite = false

    @Flag(help: "NPY/NPZ (also SciPy sparse .npz): the file's columns are the samples (features as rows, as single-cell matrices store genes × cells).")
    var transpose = false

    @Option(help: "Where full Fashion-MNIST is installed.", transform: WorkingDirectory.file)
    var fashionMNISTDirectory: String = DatasetLoader.defaultFashionMNISTDirectory

    func validate() throws {
        _ = try delimiterByte()
    }

    /// The delimiter option as a byte.
    func delimiterByte() throws -> UInt8? {
        guard let delimiter else { return nil }
        switch delimiter {
        case "tab", "\\t", "\t": return 9
        default:
            guard delimiter.utf8.count == 1, let byte = delimiter.utf8.first, byte != UInt8(ascii: "\""), byte != 10, byte != 13 else {
                throw ValidationError("--delimiter takes one character (or 'tab'), not '\(delimiter)'")
            }
            return byte
        }
    }

    /// A loader for one SPEC: `labels` is its labels file (the data's, test's or reference's),
    /// `knownClasses` the model's classes.
    func loader(labels: String?, knownClasses: [String]? = nil, origin: Origin? = nil, modelFeatures: [String]? = nil,
                missingFill: MissingValueFill? = nil) throws -> DatasetLoader {
        func columnList(_ text: String?) -> [CSVOptions.Column]? {
            text.map { $0.split(separator: ",").map { .nameOrIndex($0.trimmingCharacters(in: .whitespaces)) } }
        }
        let csv = CSVOptions(delimiter: try delimiterByte(), header: header, labelColumn: labelColumn.map { .nameOrIndex($0) },
                             indexColumn: indexColumn.map { .nameOrIndex($0) }, dropColumns: columnList(dropColumns) ?? [],
                             columns: columnList(columns), allowNonFinite: allowNonFinite, modelFeatures: modelFeatures)
        var loader = DatasetLoader(fashionMNISTDirectory: fashionMNISTDirectory, csv: csv, labelsPath: labels,
                                   allowNonFinite: allowNonFinite, missing: try missingPolicy(modelFill: missingFill), knownClasses: knownClasses, origin: origin)
        loader.transpose = transpose
        loader.missingFill = missingFill
        return loader
    }

    /// What becomes of missing values: `--missing`, else the policy a model was fitted with
    /// (`modelFill`), else an error. Filling by the file's own statistics when a model knows
    /// none of its training data's would make a sample's code depend on its neighbours: refused.
    func missingPolicy(modelFill: MissingValueFill?, forModel: Bool = false) throws -> MissingValues {
        guard let missing else { return modelFill?.policy ?? .error }
        if forModel, modelFill == nil, missing == .mean || missing == .median {
            throw ValidationErrorText("--missing \(missing.rawValue): the model was fitted without fill values (fit it with --missing mean or median to store its training data's); "
                                      + "--missing drop-rows leaves out the samples that miss values")
        }
        return missing
    }

    /// Loads `spec` and says on stderr what the reader decided (a header row or index column
    /// dropped, missing values filled): the user should never have to guess.
    func load(_ spec: String, labels: String?, knownClasses: [String]? = nil, origin: Origin? = nil, modelFeatures: [String]? = nil,
              missingFill: MissingValueFill? = nil) throws -> Dataset {
        let dataset = try loader(labels: labels, knownClasses: knownClasses, origin: origin, modelFeatures: modelFeatures, missingFill: missingFill).load(spec)
        for note in dataset.notes { Console.error("note: \(dataset.name): \(LibrarySpellings.commandLine(note, arguments: LatentCLI.arguments ?? []))\n") }
        return dataset
    }
}

/// The origin a model's data are read from: its scaling's (zero when it scales nothing).
func readingOrigin(of model: any Autoencoder) -> Origin {
    let features = model.inputSize - model.conditionColumns
    return .given(Array(((model as? any ScaledModel)?.scaling.origin ?? Array(repeating: 0, count: features)).prefix(features)))
}

/// The samples `model` takes from `dataset`: as they are, or, for a conditional model, with
/// their labels one-hot beside them.
func modelInput(_ dataset: Dataset, for model: any Autoencoder) throws -> Tensor {
    let classes = model.conditionColumns
    guard classes > 0 else { return dataset.samples }
    guard let labels = dataset.labels else {
        throw ValidationErrorText("the model is conditioned on labels (a conditional VAE of \(classes) classes): \(dataset.name) needs labels (--label-column or --labels)")
    }
    if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classes }) {
        throw ValidationErrorText("\(dataset.name): sample \(bad) has label \(labels[bad]), but the model knows classes 0 … \(classes - 1)")
    }
    return try model.input(dataset.samples, labels: labels)
}

extension ReadingOptions {
    /// `spec` read for the model in `file` (at `path`): its labels numbered as the model's
    /// training data numbered them, its values measured from the same origin, and its width checked.
    func load(_ spec: String, labels: String?, for model: any Autoencoder, in file: SafeTensorsFile, path: String) throws -> Dataset {
        // Columns are matched to the model's features by name when both have names.
        let fill = try file.missingFill(file: path)
        _ = try missingPolicy(modelFill: fill, forModel: true)
        let dataset = try load(spec, labels: labels, knownClasses: try file.classNames(file: path), origin: readingOrigin(of: model),
                               modelFeatures: try file.featureNames(file: path), missingFill: fill)
        try checkWidth(dataset, of: model, model: path)
        return dataset
    }
}

/// The model file at `path` and the model in it.
func readModel(_ path: String) throws -> (file: SafeTensorsFile, model: any Autoencoder) {
    let file = try SafeTensorsFile.read(path)
    return (file, try Methods.load(file, path: path))
}

/// Refuses a conditional model in a command that does not condition (`what` says which).
func refuseConditional(_ model: any Autoencoder, path: String, _ what: String) throws {
    guard model.conditionColumns == 0 else {
        throw ValidationErrorText("\(path) is a conditional VAE: \(what) takes unconditional models (draw its classes with `latent sample \(path) --class NAME`)")
    }
}

/// Where results and progress go: `--json` for one JSON object on stdout, `--quiet` for no
/// progress on stderr.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON object on stdout.") var json = false
    @Flag(help: "No progress on stderr.") var quiet = false
}
