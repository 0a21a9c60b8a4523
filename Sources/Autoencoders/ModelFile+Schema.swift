import DataFormats
import Foundation
import Tensors

/// Every optional entry of a model file's metadata in one place: its key, its type and what a
/// valid value is (`MetadataEntry`). The format's core (version, method, configuration) is
/// DataFormats' `ModelFile.swift`; tensors are named by each method (`stateTensors`).
public enum ModelFileSchema {
    /// The training labels' class names, so that every later file's labels are numbered alike.
    public static let classNames = MetadataEntry<[String]>("class_names", expected: "a JSON array of strings")
    /// The training data's feature names (a table's header), matched by name in later tables
    /// and carried by decoded ones.
    public static let featureNames = MetadataEntry<[String]>("feature_names", expected: "a JSON array of strings")
    /// The shape of one training sample ([28, 28] for images), so that samples are drawn as images.
    public static let sampleShape = MetadataEntry<[Int]>("sample_shape", expected: "a JSON array of positive integers") { $0.allSatisfy { $0 >= 1 } }
    /// The values that fill missing entries, fitted on the training data.
    public static let missingValues = MetadataEntry<MissingValueFill>("missing_values", expected: "a fill policy (mean or median) with finite values") {
        ($0.policy == .mean || $0.policy == .median) && $0.values.allSatisfy(\.isFinite)
    }
    /// The training data's smallest and largest value (in the file's units), so that images of
    /// samples are drawn on the data's own scale.
    public static let valueRange = MetadataEntry<[Double]>("value_range", expected: "a JSON array of two finite numbers, the smaller first") {
        $0.count == 2 && $0.allSatisfy(\.isFinite) && $0[0] <= $0[1]
    }
    /// A translator's domains' sample shapes (name → shape, for domains of images).
    public static let domainSampleShapes = MetadataEntry<[String: [Int]]>("domain_sample_shapes", expected: "a JSON object of one entry per domain")
    /// A translator's domains' feature names (name → names, for domains whose tables named them).
    public static let domainFeatureNames = MetadataEntry<[String: [String]]>("domain_feature_names", expected: "a JSON object of one entry per domain")
    /// The input scaling of a ``Scaled`` model (kind, origin, offset, scale).
    public static let scaling = MetadataEntry<FeatureScaling>("scaling")
    /// A translator's scaling of each domain, in the domains' order.
    public static let domainScalings = MetadataEntry<[FeatureScaling]>("domain_scalings")
    /// A trained model's training history (per-stage, per-epoch losses).
    public static let trainingHistory = MetadataEntry<TrainingHistory>("training_history")
    /// What a code density is, beside its tensors `code_density.*`.
    public static let codeDensity = MetadataEntry<SafeTensorsFile.CodeDensityInfo>("code_density")
    /// How a principal graph grew, step by step.
    public static let principalGraphGrowth = MetadataEntry<[PrincipalGraph.GrowthStep]>("principal_graph_growth")
    /// What a t-SNE fit measured (its KL divergence and how the forces were computed).
    public static let tsneSummary = MetadataEntry<TSNE.Summary>("tsne_summary")
    /// What a UMAP fit found (its graph, its curve, how the codes started).
    public static let umapSummary = MetadataEntry<UMAP.Summary>("umap_summary")
    /// What a parametric t-SNE fit measured (the batches' KL divergence by epoch).
    public static let parametricTSNESummary = MetadataEntry<ParametricTSNE.Summary>("parametric_tsne_summary")
    /// What a parametric UMAP fit found (its graph, its curve, the encoder's loss by epoch).
    public static let parametricUMAPSummary = MetadataEntry<ParametricUMAP.Summary>("parametric_umap_summary")
    /// What an MDS fit found (its stress-1, the eigenvalues of classical scaling).
    public static let mdsSummary = MetadataEntry<MDS.Summary>("mds_summary")
    /// What an Isomap fit found (its sources, its graph, the eigenvalues).
    public static let isomapSummary = MetadataEntry<Isomap.Summary>("isomap_summary")
    /// The command line that fitted the model (plain text, written by the CLI).
    public static let commandKey = "command"

    /// Every entry's key (and the command's): the metadata a model file may hold beyond its core.
    public static var keys: [String] {
        [classNames.key, featureNames.key, sampleShape.key, missingValues.key, valueRange.key, domainSampleShapes.key, domainFeatureNames.key,
         scaling.key, domainScalings.key, trainingHistory.key, codeDensity.key, principalGraphGrowth.key, tsneSummary.key, umapSummary.key, parametricTSNESummary.key, parametricUMAPSummary.key, mdsSummary.key, isomapSummary.key, commandKey]
    }
}

extension SafeTensorsFile {
    /// The metadata key of the command line that fitted the model.
    public static let commandKey = ModelFileSchema.commandKey

    /// The class names of the training data, when the model was fitted on named classes.
    public func classNames(file: String) throws -> [String]? { try value(of: ModelFileSchema.classNames, file: file) }

    /// The feature names of the training data, when its file named them.
    public func featureNames(file: String) throws -> [String]? { try value(of: ModelFileSchema.featureNames, file: file) }

    /// Records the class names and feature names of the training data (nil ones are left out).
    public mutating func setNames(classes: [String]?, features: [String]?) throws {
        try set(ModelFileSchema.classNames, to: classes)
        try set(ModelFileSchema.featureNames, to: features)
    }

    /// The shape of one training sample, when the data had one (images).
    public func sampleShape(file: String) throws -> [Int]? { try value(of: ModelFileSchema.sampleShape, file: file) }

    /// Records the shape of one training sample (nothing when nil).
    public mutating func setSampleShape(_ shape: [Int]?) throws { try set(ModelFileSchema.sampleShape, to: shape) }

    /// The fill values for missing entries, when the model was fitted with a fill policy.
    public func missingFill(file: String) throws -> MissingValueFill? { try value(of: ModelFileSchema.missingValues, file: file) }

    /// Records the fill values for missing entries (nothing when nil).
    public mutating func setMissingFill(_ fill: MissingValueFill?) throws { try set(ModelFileSchema.missingValues, to: fill) }

    /// The sample shape of each of a translator's domains that has one.
    public func domainSampleShapes(file: String) throws -> [String: [Int]] { try value(of: ModelFileSchema.domainSampleShapes, file: file) ?? [:] }

    /// The feature names of each of a translator's domains that has them.
    public func domainFeatureNames(file: String) throws -> [String: [String]] { try value(of: ModelFileSchema.domainFeatureNames, file: file) ?? [:] }

    /// Records the domains' sample shapes and feature names (an empty map writes nothing).
    public mutating func setDomains(sampleShapes: [String: [Int]], featureNames: [String: [String]]) throws {
        try set(ModelFileSchema.domainSampleShapes, to: sampleShapes.isEmpty ? nil : sampleShapes)
        try set(ModelFileSchema.domainFeatureNames, to: featureNames.isEmpty ? nil : featureNames)
    }

    /// The training data's smallest and largest value, when recorded.
    public func valueRange(file: String) throws -> (low: Double, high: Double)? {
        try value(of: ModelFileSchema.valueRange, file: file).map { ($0[0], $0[1]) }
    }

    /// Records the training data's value range (`samples` measured from `origin`).
    public mutating func setValueRange(of samples: Tensor, origin: [Double]?) throws {
        guard samples.count > 0 else { return }
        var (low, high) = (Double.infinity, -Double.infinity)
        let d = samples.columns
        samples.withUnsafeBufferPointer { values in
            for (index, value) in values.enumerated() where value.isFinite {
                let x = Double(value) + (origin?[index % d] ?? 0)
                (low, high) = (min(low, x), max(high, x))
            }
        }
        guard low <= high else { return }
        try set(ModelFileSchema.valueRange, to: [low, high])
    }

    /// Records what reading and showing data like `data` again needs: its class and feature
    /// names, the shape of one sample, the fill of missing values and the range of its values
    /// (each left out where `data` has none).
    public mutating func describe(_ data: Dataset) throws {
        try setNames(classes: data.classNames, features: data.featureNames)
        try setSampleShape(data.sampleShape)
        try setMissingFill(data.missingFill)
        try setValueRange(of: data.samples, origin: data.origin)
    }

    /// The input scaling stored with a model, if any.
    public func scaling(file: String) throws -> FeatureScaling? { try value(of: ModelFileSchema.scaling, file: file) }

    /// Stores `scaling` as the model's input scaling.
    public mutating func setScaling(_ scaling: FeatureScaling) throws { try set(ModelFileSchema.scaling, to: scaling) }

    /// The training history stored in the file, or nil when it holds none.
    public func trainingHistory(file: String) throws -> TrainingHistory? { try value(of: ModelFileSchema.trainingHistory, file: file) }
}
