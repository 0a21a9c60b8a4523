import Foundation
import Tensors

/// The conventions of Latent's model files on top of safetensors: `__metadata__` holds the
/// format version, the method's name and its configuration as JSON; tensors are named like
/// PyTorch state dicts (`encoder.0.weight`).
extension SafeTensorsFile {
    /// The version of Latent's model-file layout written by this build.
    public static let modelFormatVersion = 1
    /// Metadata keys.
    public static let formatVersionKey = "format_version", methodKey = "method", configurationKey = "configuration"
    /// The optional metadata key of the command line that fitted the model (written by the CLI).
    public static let commandKey = "command"
    /// The optional metadata key of the class names the training labels had (a JSON array),
    /// so that every later file's labels are numbered the same way.
    public static let classNamesKey = "class_names"

    /// The optional metadata key of the training data's feature names (a JSON array: a CSV
    /// header), so that decoded tables carry the same column names.
    public static let featureNamesKey = "feature_names"

    /// The optional metadata key of the shape of one training sample (a JSON array: [28, 28] for
    /// images), so that generated samples can be drawn as images.
    public static let sampleShapeKey = "sample_shape"

    /// The optional metadata key of the values that fill missing entries (``MissingValueFill``
    /// as JSON), fitted on the training data.
    public static let missingValuesKey = "missing_values"

    /// The fill values for missing entries, when the model was fitted with `--missing mean|median`.
    public func missingFill(file: String) throws -> MissingValueFill? {
        guard let json = metadata[Self.missingValuesKey] else { return nil }
        guard let fill = try? JSONDecoder().decode(MissingValueFill.self, from: Data(json.utf8)), fill.policy == .mean || fill.policy == .median,
              fill.values.allSatisfy(\.isFinite) else {
            throw DataFormatError(file, .entry("__metadata__.\(Self.missingValuesKey)"), "is not a fill policy (mean or median) with finite values")
        }
        return fill
    }

    /// Records the fill values for missing entries (nothing when nil).
    public mutating func setMissingFill(_ fill: MissingValueFill?) throws {
        metadata[Self.missingValuesKey] = try fill.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
    }

    /// The optional metadata keys of a translator's domains' sample shapes (name → shape, for
    /// domains of images) and feature names (name → names, for domains whose tables named
    /// their columns): JSON objects.
    public static let domainSampleShapesKey = "domain_sample_shapes", domainFeatureNamesKey = "domain_feature_names"

    /// The sample shape of each of a translator's domains that has one.
    public func domainSampleShapes(file: String) throws -> [String: [Int]] { try domainMap(Self.domainSampleShapesKey, file: file) }

    /// The feature names of each of a translator's domains that has them.
    public func domainFeatureNames(file: String) throws -> [String: [String]] { try domainMap(Self.domainFeatureNamesKey, file: file) }

    /// Records the domains' sample shapes and feature names (an empty map writes nothing).
    public mutating func setDomains(sampleShapes: [String: [Int]], featureNames: [String: [String]]) throws {
        metadata[Self.domainSampleShapesKey] = sampleShapes.isEmpty ? nil : String(decoding: try JSONEncoder().encode(sampleShapes), as: UTF8.self)
        metadata[Self.domainFeatureNamesKey] = featureNames.isEmpty ? nil : String(decoding: try JSONEncoder().encode(featureNames), as: UTF8.self)
    }

    private func domainMap<Value: Decodable>(_ key: String, file: String) throws -> [String: Value] {
        guard let json = metadata[key] else { return [:] }
        guard let map = try? JSONDecoder().decode([String: Value].self, from: Data(json.utf8)) else {
            throw DataFormatError(file, .entry("__metadata__.\(key)"), "is not a JSON object of one entry per domain")
        }
        return map
    }

    /// The optional metadata key of the training data's smallest and largest value (a JSON
    /// array of two numbers, in the file's units), so that images of samples are drawn on the
    /// data's own scale.
    public static let valueRangeKey = "value_range"

    /// The training data's smallest and largest value, when recorded.
    public func valueRange(file: String) throws -> (low: Double, high: Double)? {
        guard let json = metadata[Self.valueRangeKey] else { return nil }
        guard let pair = try? JSONDecoder().decode([Double].self, from: Data(json.utf8)), pair.count == 2, pair.allSatisfy(\.isFinite), pair[0] <= pair[1] else {
            throw DataFormatError(file, .entry("__metadata__.\(Self.valueRangeKey)"), "is not a JSON array of two finite numbers, the smaller first")
        }
        return (pair[0], pair[1])
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
        metadata[Self.valueRangeKey] = String(decoding: try JSONEncoder().encode([low, high]), as: UTF8.self)
    }

    /// The shape of one training sample, when the data had one (images).
    public func sampleShape(file: String) throws -> [Int]? {
        guard let json = metadata[Self.sampleShapeKey] else { return nil }
        guard let shape = try? JSONDecoder().decode([Int].self, from: Data(json.utf8)), shape.allSatisfy({ $0 >= 1 }) else {
            throw DataFormatError(file, .entry("__metadata__.\(Self.sampleShapeKey)"), "is not a JSON array of positive integers")
        }
        return shape
    }

    /// Records the shape of one training sample (nothing when nil).
    public mutating func setSampleShape(_ shape: [Int]?) throws {
        metadata[Self.sampleShapeKey] = try shape.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
    }

    /// The class names of the training data, when the model was fitted on named classes.
    public func classNames(file: String) throws -> [String]? { try stringList(Self.classNamesKey, file: file) }

    /// The feature names of the training data, when its file named them.
    public func featureNames(file: String) throws -> [String]? { try stringList(Self.featureNamesKey, file: file) }

    /// Records the class names and feature names of the training data (nil ones are left out).
    public mutating func setNames(classes: [String]?, features: [String]?) throws {
        for (key, names) in [(Self.classNamesKey, classes), (Self.featureNamesKey, features)] {
            metadata[key] = try names.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        }
    }

    private func stringList(_ key: String, file: String) throws -> [String]? {
        guard let json = metadata[key] else { return nil }
        guard let names = try? JSONDecoder().decode([String].self, from: Data(json.utf8)) else {
            throw DataFormatError(file, .entry("__metadata__.\(key)"), "is not a JSON array of strings")
        }
        return names
    }

    /// A model file for `method` with its `configuration` (any Codable value, stored as JSON).
    public init(method: String, configuration: some Encodable, tensors: [(name: String, tensor: Tensor)]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(configuration), as: UTF8.self)
        self.init(tensors: tensors, metadata: [Self.formatVersionKey: String(Self.modelFormatVersion),
                                               Self.methodKey: method, Self.configurationKey: json])
    }

    /// The method named in the metadata, checked against `expected` when given.
    /// - Throws: when the file is no Latent model, comes from a newer format, or holds
    ///   another method.
    public func method(file: String, expected: String? = nil) throws -> String {
        guard let method = metadata[Self.methodKey], let version = metadata[Self.formatVersionKey].flatMap(Int.init) else {
            throw DataFormatError(file, .entry("__metadata__"), "not a Latent model file (no method or format_version)")
        }
        guard version <= Self.modelFormatVersion else {
            throw DataFormatError(file, .entry("__metadata__"), "model format version \(version) is newer than this build reads (\(Self.modelFormatVersion))")
        }
        if let expected, method != expected {
            throw DataFormatError(file, .entry("__metadata__"), "holds a \(method) model, not \(expected)")
        }
        return method
    }

    /// Throws when a tensor holds NaN or infinity, naming the tensor and the element: a model
    /// with such a weight would encode and decode to NaN without any other sign.
    public func checkFinite(file: String) throws {
        for (name, tensor) in tensors {
            guard let index = tensor.scalars.firstIndex(where: { !$0.isFinite }) else { continue }
            var rest = index, position: [Int] = []
            for extent in tensor.shape.reversed() where extent > 0 {
                position.insert(rest % extent, at: 0)
                rest /= extent
            }
            throw DataFormatError(file, .entry("tensor '\(name)'"),
                                  "holds the non-finite value \(tensor.scalars[index]) at element \(position); the model cannot be used")
        }
    }

    /// The configuration stored in the metadata, decoded as `type`.
    public func configuration<C: Decodable>(_ type: C.Type, file: String) throws -> C {
        guard let json = metadata[Self.configurationKey] else {
            throw DataFormatError(file, .entry("__metadata__"), "no configuration")
        }
        do { return try JSONDecoder().decode(type, from: Data(json.utf8)) } catch {
            throw DataFormatError(file, .entry("__metadata__.configuration"), "cannot be read: \(error)")
        }
    }

    /// The tensor `name`, which must exist with `shape` when given.
    public func tensor(_ name: String, shape: [Int]? = nil, file: String) throws -> Tensor {
        guard let tensor = self[name] else { throw DataFormatError(file, .entry("tensor '\(name)'"), "missing") }
        if let shape, tensor.shape != shape {
            throw DataFormatError(file, .entry("tensor '\(name)'"), "has shape \(tensor.shape), expected \(shape)")
        }
        return tensor
    }
}
