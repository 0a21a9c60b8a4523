import ArgumentParser
import Latent

/// Options that say how to read data SPECs.
struct DataOptions: ParsableArguments {
    @Option(help: "The CSV column holding labels (by header name).")
    var labelColumn: String?

    @Option(help: "A labels file (IDX, NPY or one-column CSV) for data that carry none.")
    var labels: String?

    @Flag(help: "Accept NaN and infinite values in data files (rejected by default).")
    var allowNonFinite = false

    @Option(help: "Where full Fashion-MNIST is installed.")
    var fashionMNISTDirectory: String = DatasetLoader.defaultFashionMNISTDirectory

    var loader: DatasetLoader {
        DatasetLoader(fashionMNISTDirectory: fashionMNISTDirectory,
                      csv: CSVOptions(labelColumn: labelColumn.map { .name($0) }, allowNonFinite: allowNonFinite),
                      labelsPath: labels, allowNonFinite: allowNonFinite)
    }
}

/// Where results and progress go: `--json` for one JSON object on stdout, `--quiet` for no
/// progress on stderr.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON object on stdout.") var json = false
    @Flag(help: "No progress on stderr.") var quiet = false
}
