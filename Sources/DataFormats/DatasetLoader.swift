import Foundation
import Tensors

/// Loads any SPEC into a ``Dataset``, with its labels numbered the same way in every file.
public struct DatasetLoader: Sendable {
    /// Where the full Fashion-MNIST lives (Debian's `dataset-fashion-mnist`).
    public var fashionMNISTDirectory: String
    /// How CSV and TSV files are read; `csv.labelColumn` chooses the column of a CSV labels
    /// file instead when `labelsPath` is given.
    public var csv: CSVOptions
    /// A labels file (IDX, NPY, or CSV/TSV with one column, or several and a label column) for
    /// data whose format holds none.
    public var labelsPath: String?
    /// Accept NaN and infinity in data files.
    public var allowNonFinite: Bool
    /// What becomes of missing values.
    public var missing: MissingValues
    /// A model's fill values for missing entries (``MissingValueFill``): `mean` and `median`
    /// use them instead of the file's own statistics.
    public var missingFill: MissingValueFill?
    /// The classes of a fitted model (`SafeTensorsFile.classNames`): labels that are names are
    /// numbered by their place in this list, and a name outside it is an error. Without it,
    /// names are numbered in sorted order. Integer labels stay integers either way.
    public var knownClasses: [String]?
    /// Where feature values are measured from (nil: zero). `.automatic` keeps the precision of
    /// columns far from zero (their first value is subtracted in Double while reading CSV,
    /// float64 and wide-integer files); `.given` reads later files as a model's training data
    /// were read. The loaded ``Dataset/origin`` says which point was used.
    public var origin: Origin?
    /// Read a matrix file's columns as the samples: NPY, NPZ and SciPy sparse `.npz` files that
    /// store features as rows and samples as columns (single-cell data: genes × cells).
    public var transpose: Bool = false

    public static let defaultFashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

    /// The ten Fashion-MNIST classes, in label order.
    public static let fashionMNISTClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    public init(fashionMNISTDirectory: String = DatasetLoader.defaultFashionMNISTDirectory, csv: CSVOptions = .init(),
                labelsPath: String? = nil, allowNonFinite: Bool = false, missing: MissingValues = .error, knownClasses: [String]? = nil,
                origin: Origin? = nil) {
        self.fashionMNISTDirectory = fashionMNISTDirectory
        self.csv = csv
        self.labelsPath = labelsPath
        self.allowNonFinite = allowNonFinite
        self.missing = missing
        self.knownClasses = knownClasses
        self.origin = origin
    }

    /// Parses and loads `spec`.
    public func load(_ spec: String) throws -> Dataset { try load(try DatasetSpec(parsing: spec)) }

    /// Loads `spec`.
    public func load(_ spec: DatasetSpec) throws -> Dataset {
        let options = ReadOptions(allowNonFinite: allowNonFinite || missing.readsMissingAsNaN, origin: origin)
        let labelColumnGoesToData = labelsPath == nil
        if csv.labelColumn != nil, labelColumnGoesToData, !spec.hasColumns {
            throw DataFormatError(spec.description, nil, "`labelColumn` picks a column of a CSV or TSV table (or of a CSV `labelsPath` file); \(spec.description) has no columns")
        }
        if transpose {
            guard case .file(_, let format) = spec, format == .npy || format == .npz else {
                throw DataFormatError(spec.description, nil, "`transpose` reads the columns of an NPY or NPZ matrix as samples; \(spec.description) is no such file")
            }
        }
        var dataset: Dataset
        switch spec {
        case .synthetic(let manifold, let parameters):
            dataset = try manifold.generate(parameters).dataset
        case .fashionMNIST(let split):
            dataset = try loadMNISTLayout(directory: fashionMNISTDirectory, split: split, name: spec.description, missing: """
                full Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist \
                (expected in \(fashionMNISTDirectory)), or use fashion-mnist-mini:\(split.rawValue), bundled with Latent
                """)
        case .sciCAR(let modality):
            dataset = try SciCAR.load(modality, name: spec.description)
        case .half(let base, let half):
            dataset = try Self.half(of: try load(base), half, name: spec.description)
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
                csv.missingAsNaN = csv.missingAsNaN || missing.readsMissingAsNaN
                csv.knownClasses = csv.knownClasses ?? knownClasses
                if !labelColumnGoesToData { csv.labelColumn = nil }
                if csv.delimiter == nil, format == .tsv { csv.delimiter = 9 }
                csv.origin = csv.origin ?? origin
                dataset = try CSV.read(path, options: csv)
            case .npy:
                let array = try NPY.read(path, options: transpose ? .init(allowNonFinite: options.allowNonFinite) : options)
                dataset = try Dataset(samples: try Self.samples(array, file: path, transpose: transpose), name: path)
                dataset.origin = array.origin
                // (n, h, w) and (n, h, w, c) arrays are images: their shape goes with the model.
                if !transpose, array.shape.count >= 3 { dataset.sampleShape = Array(array.shape.dropFirst()) }
            case .npz:
                dataset = try loadNPZ(path, options: options)
            case .idx:
                let (samples, shape) = try IDX.readImages(path, options: options)
                dataset = try Dataset(samples: samples, sampleShape: shape, name: path)
            case .npyShards:
                // Commands that need the data in memory read the shards whole (within the memory
                // limit); `latent fit pca` reads them block by block instead.
                dataset = try Dataset(samples: try NPYShards(opening: path).readAll(), name: path)
            }
        }
        if let labelsPath {
            var (labels, classNames) = try readLabels(labelsPath)
            if labels.count == dataset.count + 1, csv.header == .automatic, Self.isTable(labelsPath) {
                // One line more than there are samples: the first is a header (pandas writes `0` above an unnamed Series).
                var headed = self
                headed.csv.header = .present
                (labels, classNames) = try headed.readLabels(labelsPath)
                dataset.notes.append("\(labelsPath) holds one line more than the \(dataset.count) samples: its first line was read as a header (`header: .absent` reads it as a label)")
            }
            guard labels.count == dataset.count else {
                throw DataFormatError(labelsPath, nil, "\(labels.count) labels for the \(dataset.count) samples of \(dataset.name)")
            }
            (dataset.labels, dataset.classNames) = (labels, classNames)
        }
        if let expected = csv.modelFeatures, dataset.featureNames == nil, dataset.features == expected.count, expected.count > 1 {
            dataset.notes.append("no column names: its \(expected.count) columns are taken by position as the model's features (\(ClassLabels.listed(expected)))")
            dataset.featureNames = expected
        }
        if let knownClasses { dataset = try dataset.aligningClasses(to: knownClasses, extendable: false) }
        if case .given(let wanted)? = origin { dataset = try dataset.measured(from: wanted) }
        try dataset.validateLabels()
        return try missing.apply(to: dataset, fill: missingFill)
    }

    /// The top or bottom half of each image (rows 0 ..< h/2 or h/2 ..< h of an h × w sample shape).
    static func half(of images: Dataset, _ half: DatasetSpec.ImageHalf, name: String) throws -> Dataset {
        guard let shape = images.sampleShape, shape.count == 2, shape[0] >= 2, shape[0] % 2 == 0 else {
            throw DataFormatError(name, nil, "half=\(half.rawValue) takes images of an even number of rows; \(images.name) has sample shape \(images.sampleShape ?? [])")
        }
        let width = shape[1], rows = shape[0] / 2
        let start = half == .top ? 0 : rows * width
        var result = images
        result.samples = images.samples.columns(start..<(start + rows * width))
        result.sampleShape = [rows, width]
        result.name = name
        return result
    }

    /// Samples from a NumPy array: uint8 arrays are pixels and become x / 255, as IDX images do,
    /// so the same images read the same from either container.
    static func samples(_ array: NumericArray, file: String, transpose: Bool = false) throws -> Tensor {
        var matrix = try array.matrix(file: file)
        if transpose {
            guard array.shape.count == 2 else { throw DataFormatError(file, nil, "`transpose` needs a matrix, got shape \(array.shape)") }
            matrix = matrix.transposed()
        }
        return array.isUnsignedBytes && array.shape.count > 1 ? matrix / IDX.pixelScale : matrix
    }

    /// An NPZ archive: samples under `samples`, `x`, `data` or `X` (else the first array that
    /// is no label array), labels under `labels`, `y`, `target` or `targets`.
    private func loadNPZ(_ path: String, options: ReadOptions) throws -> Dataset {
        let entries = try NPZ.entries(path)
        if SparseNPZ.isSparse(entries.map(\.name)) {
            return try Dataset(samples: try SparseNPZ.read(entries: entries, path: path, transpose: transpose), name: path)
        }
        let arrays: [(name: String, array: NumericArray)] = try entries.map { ($0.name, try NPY.parse($0.bytes, file: "\(path)[\($0.name).npy]", options: transpose ? .init(allowNonFinite: options.allowNonFinite) : options)) }
        let sampleNames = ["samples", "x", "data", "X"], labelNames = ["labels", "y", "target", "targets"]
        guard let samples = arrays.first(where: { sampleNames.contains($0.name) }) ?? arrays.first(where: { !labelNames.contains($0.name) }) else {
            throw DataFormatError(path, nil, "no sample array (named samples, x or data)")
        }
        var dataset = try Dataset(samples: Self.samples(samples.array, file: path, transpose: transpose), name: path)
        dataset.origin = samples.array.origin
        if let labels = arrays.first(where: { labelNames.contains($0.name) }) {
            guard let integers = labels.array.wholeNumbers else {
                throw DataFormatError(path, .entry(labels.name), "labels must be a vector of whole numbers, got shape \(labels.array.shape)\(labels.array.shape.count == 1 ? " holding fractions" : "")")
            }
            (dataset.labels, dataset.classNames) = try ClassLabels.encode(integers: integers, knownClasses: knownClasses, file: path, where: { .entry("\(labels.name)[\($0)]") })
        }
        return dataset
    }

    /// Whether `path` is a delimited-text labels file (CSV, TSV, TXT, plain or .gz).
    static func isTable(_ path: String) -> Bool {
        var lower = path.lowercased()
        if lower.hasSuffix(".gz") { lower.removeLast(3) }
        return lower.hasSuffix(".csv") || lower.hasSuffix(".tsv") || lower.hasSuffix(".txt")
    }

    /// Labels from an IDX, NPY, or CSV/TSV/TXT file (plain or .gz): a table of one column, or
    /// of several with `csv.labelColumn` naming the one to use; text labels become class names.
    func readLabels(_ path: String) throws -> (labels: [Int], classNames: [String]?) {
        var lower = path.lowercased()
        if lower.hasSuffix(".gz") { lower.removeLast(3) }
        if lower.hasSuffix(".npy") {
            let array = try NPY.read(path)
            guard let labels = array.wholeNumbers else {
                throw DataFormatError(path, nil, "labels must be a vector of whole numbers, got shape \(array.shape)")
            }
            return try ClassLabels.encode(integers: labels, knownClasses: knownClasses, file: path, where: { .entry("label \($0)") })
        }
        guard lower.hasSuffix(".csv") || lower.hasSuffix(".tsv") || lower.hasSuffix(".txt") else {
            if csv.labelColumn != nil { throw DataFormatError(path, nil, "`labelColumn` picks a column of a CSV labels file; this is no table") }
            return try ClassLabels.encode(integers: try IDX.readLabels(path), knownClasses: knownClasses, file: path, where: { .entry("label \($0)") })
        }
        let column = try CSV.readLabelColumn(path, column: csv.labelColumn, header: csv.header, delimiter: csv.delimiter)
        let encoded = try ClassLabels.encode(column.texts, knownClasses: knownClasses, file: path, where: { .line(column.lines[$0]) })
        return (encoded.labels, encoded.classNames)
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
    /// The same data measured from `wanted` instead of their own origin (the difference
    /// subtracted in Double): what a reader that could not subtract it while reading leaves.
    public func measured(from wanted: [Double]) throws -> Dataset {
        guard wanted.count == features else {
            throw DataFormatError(name, nil, "has \(features) features per sample; the model takes \(wanted.count)")
        }
        let current = origin ?? [Double](repeating: 0, count: features)
        guard current != wanted else { return self }
        var result = self
        let d = features
        result.samples.withUnsafeMutableBufferPointer { values in
            for index in values.indices { values[index] = Float(Double(values[index]) + current[index % d] - wanted[index % d]) }
        }
        result.origin = wanted.allSatisfy { $0 == 0 } ? nil : wanted
        return result
    }

    /// Re-checks labels after they were attached.
    func validateLabels() throws {
        _ = try Dataset(samples: samples, labels: labels, classNames: classNames, sampleShape: sampleShape, name: name)
    }
}

/// One line of the `latent datasets` listing.
public struct DatasetCatalogEntry: Codable, Sendable {
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
        for modality in SciCAR.Modality.allCases {
            entries.append(DatasetCatalogEntry(
                name: "sci-car:\(modality.rawValue)",
                description: "sci-CAR A549 cells (Yang et al. 2021): log(1 + counts) of \(modality == .rna ? "2 613 genes" : "815 chromatin regions"), paired by row with sci-car:\(modality == .rna ? "atac" : "rna"); labels: hours of treatment; split: 1 534 train / 340 test cells",
                size: modality == .rna ? "1874 × 2613" : "1874 × 815", location: SciCAR.directory ?? "missing from this build", available: SciCAR.directory != nil))
        }
        for manifold in SyntheticManifold.allCases {
            let defaults = manifold.parameterDefaults
            let parameters = defaults.keys.sorted().map { "\($0)=\(formatNumber(defaults[$0]!))" }.joined(separator: "&")
            let dimension: Int = switch manifold {
            case .swissRoll, .sCurve, .helix: 3
            case .circle, .twoMoons: 2
            case .blobs, .kramerCurve, .star: Int(defaults["dimension"]!)
            }
            entries.append(DatasetCatalogEntry(name: manifold.rawValue, description: "synthetic; parameters (defaults): \(parameters)",
                                               size: "n × \(dimension)", location: "generated", available: true))
        }
        return entries
    }
}

private func formatNumber(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
