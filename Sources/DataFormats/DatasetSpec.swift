import Foundation
import Tensors

/// What a data SPEC names: a file, a built-in data set with an optional split, or a synthetic
/// manifold with parameters (`fashion-mnist:test`, `swiss-roll?n=2000&noise=0.05&seed=1`,
/// `data/table.csv`).
public indirect enum DatasetSpec: Sendable, Equatable, CustomStringConvertible {
    /// File formats recognised by extension.
    public enum FileFormat: String, Sendable, CaseIterable {
        case csv, tsv, npy, npz, idx
        /// A folder of `.npy` files of one width, or a pattern matching them
        /// (`data/part-*.npy`), rows in the order of the files' names (``NPYShards``): data
        /// larger than memory.
        case npyShards = "npy-shards"
    }

    /// Splits of built-in data sets.
    public enum Split: String, Sendable, CaseIterable {
        case train, test
    }

    case file(path: String, format: FileFormat)
    case fashionMNIST(Split)
    case fashionMNISTMini(Split)
    /// One modality of the bundled sci-CAR cells (``SciCAR``).
    case sciCAR(SciCAR.Modality)
    /// The top or bottom half of each image of an image data set (`fashion-mnist-mini:train?half=top`):
    /// two domains of one object with a known pairing, for translation.
    case half(DatasetSpec, ImageHalf)

    /// Which half of an image.
    public enum ImageHalf: String, Sendable, CaseIterable {
        case top, bottom
    }
    case synthetic(SyntheticManifold, parameters: [String: Double])

    /// Parses a SPEC.
    public init(parsing text: String) throws {
        let (head, query) = text.split(separator: "?", maxSplits: 1).map(String.init).splitFirst
        let (name, split) = head.split(separator: ":", maxSplits: 1).map(String.init).splitFirst
        if let manifold = SyntheticManifold(rawValue: name) {
            guard split == nil else { throw DataFormatError(text, nil, "synthetic data have no splits; use ?seed=N for another draw") }
            var parameters: [String: Double] = [:]
            for pair in (query ?? "").split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let number = Double(parts[1]) else {
                    throw DataFormatError(text, nil, "parameter '\(pair)' is not NAME=NUMBER")
                }
                parameters[parts[0]] = number
            }
            self = .synthetic(manifold, parameters: parameters)
            return
        }
        if name == "fashion-mnist" || name == "fashion-mnist-mini" {
            if let query {
                let parts = query.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, parts[0] == "half", let half = ImageHalf(rawValue: parts[1]) else {
                    throw DataFormatError(text, nil, "\(name) takes one parameter, half=top or half=bottom (each image's upper or lower 14 rows)")
                }
                self = .half(try DatasetSpec(parsing: head), half)
                return
            }
            let chosen = try split.map { value in
                guard let split = Split(rawValue: value) else { throw DataFormatError(text, nil, "unknown split '\(value)' (train or test)") }
                return split
            } ?? .train
            self = name == "fashion-mnist" ? .fashionMNIST(chosen) : .fashionMNISTMini(chosen)
            return
        }
        if name == "sci-car" {
            guard query == nil else { throw DataFormatError(text, nil, "sci-car takes no parameters") }
            guard let value = split, let modality = SciCAR.Modality(rawValue: value) else {
                throw DataFormatError(text, nil, "sci-car has two modalities: sci-car:rna and sci-car:atac (its train/test split comes with them)")
            }
            self = .sciCAR(modality)
            return
        }
        var lower = text.lowercased()
        // gzip-compressed tables and arrays are named by what the archive holds.
        if lower.hasSuffix(".gz"), [".csv.gz", ".txt.gz", ".tsv.gz", ".npy.gz"].contains(where: lower.hasSuffix) { lower.removeLast(3) }
        let format: FileFormat
        if NPYShards.isPattern(text) {
            self = .file(path: text, format: .npyShards)
            return
        }
        if lower.hasSuffix(".csv") || lower.hasSuffix(".txt") { format = .csv }
        else if lower.hasSuffix(".tsv") { format = .tsv }
        else if lower.hasSuffix(".npy") { format = .npy }
        else if lower.hasSuffix(".npz") { format = .npz }
        else if lower.contains("idx") || lower.hasSuffix(".gz") { format = .idx }
        else {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: text, isDirectory: &isFolder), isFolder.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: text)) ?? []
                guard names.contains(where: { $0.lowercased().hasSuffix(".npy") && !$0.hasPrefix(".") }) else {
                    throw DataFormatError(text, nil, "is a folder, not a file: give one data file (.csv, .tsv, .npy, .npz or IDX), or a folder of .npy shards")
                }
                self = .file(path: text, format: .npyShards)
                return
            }
            throw DataFormatError(text, nil, "unknown data: not a built-in name (\(DatasetSpec.builtInNames.joined(separator: ", "))) nor a file ending in .csv, .tsv, .npy (each also .gz), .npz or an IDX name")
        }
        self = .file(path: text, format: format)
    }

    /// Whether `text` names files (a path, a folder or a pattern of shards) rather than a
    /// built-in or synthetic data set: what a relative path in it is relative to matters.
    public static func namesFiles(_ text: String) -> Bool {
        let head = text.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let name = head.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return SyntheticManifold(rawValue: name) == nil && !["fashion-mnist", "fashion-mnist-mini", "sci-car"].contains(name)
    }

    /// Whether the data are a table whose columns options can name (CSV or TSV).
    public var hasColumns: Bool {
        if case .file(_, let format) = self { return format == .csv || format == .tsv }
        return false
    }

    /// The names SPECs accept besides file paths.
    public static var builtInNames: [String] {
        ["fashion-mnist:train", "fashion-mnist:test", "fashion-mnist-mini:train", "fashion-mnist-mini:test", "sci-car:rna", "sci-car:atac"]
            + SyntheticManifold.allCases.map(\.rawValue)
    }

    public var description: String {
        switch self {
        case .file(let path, _): path
        case .fashionMNIST(let split): "fashion-mnist:\(split.rawValue)"
        case .fashionMNISTMini(let split): "fashion-mnist-mini:\(split.rawValue)"
        case .sciCAR(let modality): "sci-car:\(modality.rawValue)"
        case .half(let base, let half): "\(base.description)?half=\(half.rawValue)"
        case .synthetic(let manifold, let parameters):
            parameters.isEmpty ? manifold.rawValue
                : manifold.rawValue + "?" + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        }
    }
}

extension Array where Element == String {
    /// The first element and the second, if any.
    fileprivate var splitFirst: (String, String?) { (self.first ?? "", self.count > 1 ? self[1] : nil) }
}
