import Foundation
import Tensors

/// The conventions of Latent's model files on top of safetensors: `__metadata__` holds the
/// format version, the method's name and its configuration as JSON; tensors are named like
/// PyTorch state dicts (`encoder.0.weight`). Every optional entry of the metadata (names,
/// shapes, scaling, history, densities) is a ``MetadataEntry``, declared in one place:
/// `ModelFileSchema` (Autoencoders/ModelFile+Schema.swift).
extension SafeTensorsFile {
    /// The version of Latent's model-file layout written by this build.
    public static let modelFormatVersion = 1
    /// Metadata keys.
    public static let formatVersionKey = "format_version", methodKey = "method", configurationKey = "configuration"
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

/// An optional entry of a model file's metadata holding a value as JSON: its key, and what a
/// stored value must be.
public struct MetadataEntry<Value: Codable>: Sendable {
    public let key: String
    /// What a valid value is ("a JSON array of strings"), said when a stored one is not; nil:
    /// the decoder's own message.
    public let expected: String?
    let isValid: @Sendable (Value) -> Bool

    public init(_ key: String, expected: String? = nil, isValid: @escaping @Sendable (Value) -> Bool = { _ in true }) {
        (self.key, self.expected, self.isValid) = (key, expected, isValid)
    }
}

extension SafeTensorsFile {
    /// The value of `entry`, or nil when the file holds none.
    /// - Throws: naming the entry, when its value is unreadable or invalid.
    public func value<Value>(of entry: MetadataEntry<Value>, file: String) throws -> Value? {
        guard let json = metadata[entry.key] else { return nil }
        let position = FilePosition.entry("__metadata__.\(entry.key)")
        let value: Value
        do { value = try JSONDecoder().decode(Value.self, from: Data(json.utf8)) } catch {
            throw DataFormatError(file, position, entry.expected.map { "is not \($0)" } ?? "cannot be read: \(error)")
        }
        guard entry.isValid(value) else { throw DataFormatError(file, position, "is not \(entry.expected ?? "valid")") }
        return value
    }

    /// Stores `value` in `entry` (JSON with sorted keys), or removes the entry when nil.
    public mutating func set<Value>(_ entry: MetadataEntry<Value>, to value: Value?) throws {
        guard let value else {
            metadata[entry.key] = nil
            return
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        metadata[entry.key] = String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
