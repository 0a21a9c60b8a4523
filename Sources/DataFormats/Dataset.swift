import Tensors

/// Samples with optional labels: what every reader returns and every method consumes.
///
/// `samples: n × D` (one row per sample, Float32). Images keep their `sampleShape`
/// (e.g. `[28, 28]`) so figures can draw them; labels are class indices into `classNames`.
public struct Dataset: Sendable, Equatable {
    /// `n × D`
    public var samples: Tensor
    /// One class index per sample, when the data are labelled.
    public var labels: [Int]?
    /// Names of the classes, indexed by label.
    public var classNames: [String]?
    /// The shape of one sample before flattening (`[28, 28]` for MNIST), when it has one.
    public var sampleShape: [Int]?
    /// Where the data came from (a path or a built-in name), for messages and reports.
    public var name: String
    /// The features' names, when the file has them (a CSV header), one per column of `samples`.
    public var featureNames: [String]?
    /// The point per feature the samples are measured from, when the reader subtracted one in
    /// Double (``Origin``): the file's values are `samples + origin`. Nil means zero.
    public var origin: [Double]?
    /// The header names of the label and id columns, when the table named them (outputs that
    /// write labels or ids beside codes keep the names).
    public var labelName: String?, idName: String?
    /// An id per sample (a table's index column), when the file has them.
    public var ids: [String]?
    /// What the reader decided that the user should know: a header row of numbers taken as
    /// names, an index column dropped, missing values filled. The command line shows them on
    /// stderr; the library never prints.
    public var notes: [String] = []
    /// The values that filled missing entries under `--missing mean|median` (the file's own
    /// statistics when fitting, the model's later), for the model to store.
    public var missingFill: MissingValueFill?

    public init(samples: Tensor, labels: [Int]? = nil, classNames: [String]? = nil,
                sampleShape: [Int]? = nil, name: String = "data") throws {
        guard samples.rank == 2 else {
            throw DataFormatError(name, nil, "samples must be a matrix n × D, got shape \(samples.shape)")
        }
        if let labels, labels.count != samples.shape[0] {
            throw DataFormatError(name, nil, "\(labels.count) labels for \(samples.shape[0]) samples")
        }
        if let sampleShape, sampleShape.reduce(1, *) != samples.shape[1] {
            throw DataFormatError(name, nil, "sample shape \(sampleShape) does not hold \(samples.shape[1]) features")
        }
        if let labels, let classNames, let bad = labels.first(where: { $0 < 0 || $0 >= classNames.count }) {
            // Labels with class names are indices into them; labels without are any integers.
            throw DataFormatError(name, nil, "label \(bad) has no class name (\(classNames.count) classes)")
        }
        self.samples = samples
        self.labels = labels
        self.classNames = classNames
        self.sampleShape = sampleShape
        self.name = name
    }

    /// n
    /// Each sample's part in the data set's own split (sci-car's test cells), when it has one.
    public var split: [DatasetSpec.Split]?

    public var count: Int { samples.shape[0] }
    /// D
    public var features: Int { samples.shape[1] }

    /// The samples (and labels) at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Dataset {
        var result = self
        result.samples = samples.gatherRows(indices)
        result.labels = labels.map { labels in indices.map { labels[$0] } }
        result.ids = ids.map { ids in indices.map { ids[$0] } }
        result.split = split.map { split in indices.map { split[$0] } }
        return result
    }

    /// The first `count` samples.
    public func prefix(_ count: Int) -> Dataset { subset(Array(0..<min(count, self.count))) }

    /// The samples in a random order drawn from `generator`.
    public func shuffled(using generator: inout RandomGenerator) -> Dataset {
        subset(generator.permutation(count))
    }

    /// A random split into a training part holding `trainingFraction` of the samples and a
    /// test part holding the rest.
    public func split(trainingFraction: Double, using generator: inout RandomGenerator) throws -> (training: Dataset, test: Dataset) {
        guard trainingFraction > 0, trainingFraction < 1 else {
            throw DataFormatError(name, nil, "training fraction must lie strictly between 0 and 1, got \(trainingFraction)")
        }
        let order = generator.permutation(count)
        let cut = Int((Double(count) * trainingFraction).rounded())
        return (subset(Array(order[..<cut])), subset(Array(order[cut...])))
    }

    /// Indices of `perClass` samples of each class, the first ones in file order: a stratified
    /// subset that does not depend on a random draw.
    public func stratifiedIndices(perClass: Int) throws -> [Int] {
        guard let labels else { throw DataFormatError(name, nil, "a stratified subset needs labels") }
        var taken: [Int: Int] = [:]
        var indices: [Int] = []
        for (index, label) in labels.enumerated() where taken[label, default: 0] < perClass {
            taken[label, default: 0] += 1
            indices.append(index)
        }
        return indices
    }
}
