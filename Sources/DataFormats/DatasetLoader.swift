import Foundation
import Tensors

/// Loads any SPEC into a ``Dataset``.
public struct DatasetLoader: Sendable {
    /// Where the full Fashion-MNIST lives (Debian's `dataset-fashion-mnist`).
    public var fashionMNISTDirectory: String
    /// How CSV and TSV files are read.
    public var csv: CSVOptions
    /// A labels file (IDX, NPY or CSV) for data whose format holds none.
    public var labelsPath: String?
    /// Accept NaN and infinity in data files.
    public var allowNonFinite: Bool

    public static let defaultFashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

    /// The ten Fashion-MNIST classes, in label order.
    public static let fashionMNISTClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    public init(fashionMNISTDirectory: String = DatasetLoader.defaultFashionMNISTDirectory, csv: CSVOptions = .init(),
                labelsPath: String? = nil, allowNonFinite: Bool = false) {
        self.fashionMNISTDirectory = fashionMNISTDirectory
        self.csv = csv
        self.labelsPath = labelsPath
        self.allowNonFinite = allowNonFinite
    }

    /// Parses and loads `spec`.
    public func load(_ spec: String) throws -> Dataset { try load(try DatasetSpec(parsing: spec)) }

    /// Loads `spec`.
    public func load(_ spec: DatasetSpec) throws -> Dataset {
        let options = ReadOptions(allowNonFinite: allowNonFinite)
        var dataset: Dataset
        switch spec {
        case .synthetic(let manifold, let parameters):
            return try manifold.generate(parameters).dataset
        case .fashionMNIST(let split):
            dataset = try loadMNISTLayout(directory: fashionMNISTDirectory, split: split, name: spec.description, missing: """
                full Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist \
                (expected in \(fashionMNISTDirectory)), or use fashion-mnist-mini:\(split.rawValue), bundled with Latent
                """)
        case .fashionMNISTMini(let split):
            guard let directory = Bundle.module.resourceURL?.appendingPathComponent("fashion-mnist-mini").path else {
                throw DataFormatError(spec.description, nil, "the bundled data are missing from this build")
            }
            dataset = try loadMNISTLayout(directory: directory, split: split, name: spec.description, missing: "the bundled data are missing from this build")
        case .file(let path, let format):
            switch format {
            case .csv, .tsv:
                var csv = self.csv
                csv.allowNonFinite = csv.allowNonFinite || allowNonFinite
                if csv.delimiter == nil { csv.delimiter = format == .tsv ? 9 : UInt8(ascii: ",") }
                dataset = try CSV.read(path, options: csv)
            case .npy:
                dataset = try Dataset(samples: try NPY.read(path, options: options).matrix(file: path), name: path)
            case .npz:
                let arrays = try NPZ.read(path, options: options)
                let sampleNames = ["samples", "x", "data", "X"], labelNames = ["labels", "y", "targets"]
                guard let samples = arrays.first(where: { sampleNames.contains($0.name) }) ?? arrays.first(where: { !labelNames.contains($0.name) }) else {
                    throw DataFormatError(path, nil, "no sample array (named samples, x or data)")
                }
                let labels = arrays.first { labelNames.contains($0.name) }
                dataset = try Dataset(samples: samples.array.matrix(file: path), name: path)
                if let labels {
                    guard let integers = labels.array.integers else { throw DataFormatError(path, .entry(labels.name), "labels must be a vector of integers") }
                    dataset.labels = integers
                }
            case .idx:
                let (samples, shape) = try IDX.readImages(path, options: options)
                dataset = try Dataset(samples: samples, sampleShape: shape, name: path)
            }
        }
        if let labelsPath {
            let labels = try Self.readLabels(labelsPath)
            guard labels.count == dataset.count else {
                throw DataFormatError(labelsPath, nil, "\(labels.count) labels for the \(dataset.count) samples of \(dataset.name)")
            }
            dataset.labels = labels
        }
        try dataset.validateLabels()
        return dataset
    }

    /// Labels from an IDX, NPY or one-column CSV file.
    static func readLabels(_ path: String) throws -> [Int] {
        let lower = path.lowercased()
        if lower.hasSuffix(".npy") {
            guard let labels = try NPY.read(path).integers else { throw DataFormatError(path, nil, "labels must be a vector of integers") }
            return labels
        }
        if lower.hasSuffix(".csv") || lower.hasSuffix(".txt") {
            let table = try CSV.read(path, options: CSVOptions(header: .automatic, labelColumn: .index(0)))
            return table.labels ?? []
        }
        return try IDX.readLabels(path)
    }

    private func loadMNISTLayout(directory: String, split: DatasetSpec.Split, name: String, missing: String) throws -> Dataset {
        let prefix = split == .train ? "train" : "t10k"
        let images = "\(directory)/\(prefix)-images-idx3-ubyte.gz", labels = "\(directory)/\(prefix)-labels-idx1-ubyte.gz"
        guard FileManager.default.fileExists(atPath: images), FileManager.default.fileExists(atPath: labels) else {
            throw DataFormatError(name, nil, missing)
        }
        let (samples, shape) = try IDX.readImages(images)
        return try Dataset(samples: samples, labels: try IDX.readLabels(labels), classNames: Self.fashionMNISTClassNames,
                           sampleShape: shape, name: name)
    }
}

extension Dataset {
    /// Re-checks labels after they were attached.
    func validateLabels() throws {
        _ = try Dataset(samples: samples, labels: labels, classNames: classNames, sampleShape: sampleShape, name: name)
    }
}

/// One line of the `latent datasets` listing.
public struct DatasetCatalogEntry: Sendable {
    public let name: String
    public let description: String
    /// Samples × features, when known without loading.
    public let size: String
    /// Where the data are found, or why they are not available.
    public let location: String
    public let available: Bool
}

extension DatasetLoader {
    /// Every built-in name with its size and where it is found.
    public func catalog() -> [DatasetCatalogEntry] {
        var entries: [DatasetCatalogEntry] = []
        for split in DatasetSpec.Split.allCases {
            let prefix = split == .train ? "train" : "t10k"
            let path = "\(fashionMNISTDirectory)/\(prefix)-images-idx3-ubyte.gz"
            let present = FileManager.default.fileExists(atPath: path)
            entries.append(DatasetCatalogEntry(
                name: "fashion-mnist:\(split.rawValue)", description: "Fashion-MNIST, 28×28 grey images of 10 clothing classes",
                size: split == .train ? "60000 × 784" : "10000 × 784",
                location: present ? path : "not installed (apt-get install dataset-fashion-mnist)", available: present))
        }
        let bundled = Bundle.module.resourceURL?.appendingPathComponent("fashion-mnist-mini").path
        for split in DatasetSpec.Split.allCases {
            entries.append(DatasetCatalogEntry(
                name: "fashion-mnist-mini:\(split.rawValue)", description: "stratified Fashion-MNIST subset bundled with Latent",
                size: split == .train ? "5000 × 784" : "1000 × 784", location: bundled ?? "missing from this build", available: bundled != nil))
        }
        for manifold in SyntheticManifold.allCases {
            let defaults = manifold.parameterDefaults
            let parameters = defaults.keys.sorted().map { "\($0)=\(formatNumber(defaults[$0]!))" }.joined(separator: "&")
            let dimension: Int = switch manifold {
            case .swissRoll, .sCurve, .helix: 3
            case .circle, .twoMoons: 2
            case .blobs, .kramerCurve: Int(defaults["dimension"]!)
            }
            entries.append(DatasetCatalogEntry(name: manifold.rawValue, description: "synthetic; parameters (defaults): \(parameters)",
                                               size: "n × \(dimension)", location: "generated", available: true))
        }
        return entries
    }
}

private func formatNumber(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
