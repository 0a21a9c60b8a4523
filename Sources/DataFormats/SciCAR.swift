import Foundation
import Tensors

/// The sci-CAR A549 data of Yang et al. (2021), bundled with Latent (MIT licence): paired RNA
/// (2 613 genes) and chromatin-accessibility (815 regions) counts of the same 1 874 cells, in the
/// same order, labelled by hours of dexamethasone (0, 1 or 3), with the paper's split (340 test
/// cells). See `Resources/sci-car/README.md`.
public enum SciCAR {
    /// The two measurements of each cell.
    public enum Modality: String, Sendable, CaseIterable {
        case rna, atac
        /// The bundled file.
        var fileName: String { "\(rawValue).npz" }
    }

    /// The class names, in label order: hours of treatment.
    public static let classNames = ["0 h", "1 h", "3 h"]

    /// Where the bundled files are, or nil when this build lacks them.
    public static var directory: String? { Bundle.module.resourceURL?.appendingPathComponent("sci-car").path }

    /// The cells (rows) of one modality: counts transposed to cells × features, then log(1 + x)
    /// (the paper's preprocessing; standardising is the model's, `--scale standardize`, fitted
    /// on the training cells), labels from `treatment_time_hours`, the split from `split`.
    static func load(_ modality: Modality, name: String) throws -> Dataset {
        guard let directory else { throw DataFormatError(name, nil, "the bundled sci-car data are missing from this build") }
        let counts = try SparseNPZ.read("\(directory)/\(modality.fileName)", transpose: true)
        let cells = try readCells("\(directory)/cells.csv")
        guard cells.labels.count == counts.rows else {
            throw DataFormatError("\(directory)/cells.csv", nil, "\(cells.labels.count) cells for the \(counts.rows) columns of \(modality.fileName)")
        }
        var dataset = try Dataset(samples: counts.log1p(), labels: cells.labels, classNames: classNames, name: name)
        dataset.split = cells.split
        dataset.ids = cells.barcodes
        dataset.labelName = "treatment_time_hours"
        return dataset
    }

    /// `cells.csv`: index, cell barcode, treatment time (hours) and split of each cell.
    static func readCells(_ path: String) throws -> (labels: [Int], split: [DatasetSpec.Split], barcodes: [String]) {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw DataFormatError(path, nil, "cannot be read (\(error))") }
        var labels: [Int] = [], split: [DatasetSpec.Split] = [], barcodes: [String] = []
        for (number, line) in text.split(whereSeparator: \.isNewline).enumerated().dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 4, let hours = Int(fields[2]), let label = [0: 0, 1: 1, 3: 2][hours],
                  let part = DatasetSpec.Split(rawValue: fields[3]) else {
                throw DataFormatError(path, .line(number + 1), "expected index,cell,treatment_time_hours (0, 1 or 3),split (train or test)")
            }
            labels.append(label)
            split.append(part)
            barcodes.append(fields[1])
        }
        return (labels, split, barcodes)
    }
}
