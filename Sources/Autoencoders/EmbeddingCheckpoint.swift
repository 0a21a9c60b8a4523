import DataFormats
import Foundation
import Tensors

/// The state of a neighbour embedding's optimisation (t-SNE, UMAP) after some iterations:
/// enough, with the same samples, configuration and seed (which give the same graph again), to
/// continue it to the result of an uninterrupted run, bit for bit. Arrays (codes, velocities,
/// gains) are kept as the bytes of their Doubles (base64, little-endian): a Float32 tensor would
/// round them.
struct EmbeddingCheckpoint: Codable, Equatable {
    /// Iterations (epochs) done.
    var iteration: Int
    var samples: Int
    /// A measure taken along the way (t-SNE's KL divergence every 50 iterations).
    var course: [Double]
    /// What the start found that the result reports (UMAP's spectral convergence), by name.
    var facts: [String: Int]
    /// Named arrays, each base64 of its Doubles.
    var arrays: [String: String]

    init(iteration: Int, samples: Int, course: [Double] = [], facts: [String: Int] = [:], arrays: [String: [Double]]) {
        (self.iteration, self.samples, self.course, self.facts) = (iteration, samples, course, facts)
        self.arrays = arrays.mapValues(Self.encode)
    }

    static func key(method: String) -> String { "\(method)_checkpoint" }

    static func encode(_ values: [Double]) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 8)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        return Data(bytes).base64EncodedString()
    }

    /// The array `name`, which must hold `count` Doubles.
    func array(_ name: String, count: Int, method: String, file: String) throws -> [Double] {
        let entry = "__metadata__.\(Self.key(method: method)).arrays.\(name)"
        guard let text = arrays[name] else { throw DataFormatError(file, .entry(entry), "is missing") }
        guard let data = Data(base64Encoded: text), data.count == count * 8 else {
            throw DataFormatError(file, .entry(entry), "holds no \(count) Doubles in base64")
        }
        return (0..<count).map { i in
            var bits: UInt64 = 0
            for byte in 0..<8 { bits |= UInt64(data[data.startIndex + i * 8 + byte]) << (8 * UInt64(byte)) }
            return Double(bitPattern: bits)
        }
    }

    /// Writes the state atomically to `path`, beside the method and its configuration.
    func write<C: Encodable>(to path: String, method: String, configuration: C) throws {
        var file = try SafeTensorsFile(method: method, configuration: configuration, tensors: [])
        file.metadata[Self.key(method: method)] = String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
        try file.write(to: path)
    }

    /// The state in `path`, which must hold a checkpoint of `method` with `configuration` on
    /// `samples` samples, at most `total` iterations in.
    static func read<C: Codable & Equatable>(_ path: String, method: String, configuration: C, samples: Int, total: Int) throws -> EmbeddingCheckpoint {
        guard FileManager.default.fileExists(atPath: path) else {
            throw AutoencoderError("cannot resume: no checkpoint at \(path) (write one with `CheckpointPolicy.every`)")
        }
        let file = try SafeTensorsFile.read(path)
        _ = try file.method(file: path, expected: method)
        guard try file.configuration(C.self, file: path) == configuration else {
            throw AutoencoderError("cannot resume from \(path): it was written with another configuration (\(file.metadata[SafeTensorsFile.configurationKey] ?? "?")); "
                                   + "resume with the same options")
        }
        let key = Self.key(method: method)
        guard let json = file.metadata[key] else { throw DataFormatError(path, .entry("__metadata__"), "not a \(method) checkpoint (no '\(key)' entry)") }
        let checkpoint: EmbeddingCheckpoint
        do { checkpoint = try JSONDecoder().decode(EmbeddingCheckpoint.self, from: Data(json.utf8)) } catch {
            throw DataFormatError(path, .entry("__metadata__.\(key)"), "cannot be read: \(error)")
        }
        guard checkpoint.samples == samples else {
            throw AutoencoderError("cannot resume from \(path): it embeds \(checkpoint.samples) samples, the data hold \(samples)")
        }
        guard (0...total).contains(checkpoint.iteration) else {
            throw DataFormatError(path, .entry("__metadata__.\(key).iteration"), "\(checkpoint.iteration) is not an iteration of 0 … \(total)")
        }
        return checkpoint
    }
}
