import DataFormats
import Foundation
import Tensors

/// The state of a t-SNE optimisation after some iterations: enough, with the same samples,
/// configuration and seed (which give the same affinities again), to continue it to the result
/// of an uninterrupted run, bit for bit. Codes, velocities and gains are kept as the bytes of
/// their Doubles (base64, little-endian): a Float32 tensor would round them.
struct TSNECheckpoint: Codable, Equatable {
    /// Iterations done, over both phases.
    var iteration: Int
    var samples: Int
    var klCourse: [Double]
    var codes: String, velocity: String, gains: String

    static let key = "tsne_checkpoint"

    static func encode(_ values: [Double]) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 8)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        return Data(bytes).base64EncodedString()
    }

    static func decode(_ text: String, count: Int, what: String, file: String) throws -> [Double] {
        guard let data = Data(base64Encoded: text), data.count == count * 8 else {
            throw DataFormatError(file, .entry("__metadata__.\(key).\(what)"), "holds no \(count) Doubles in base64")
        }
        return (0..<count).map { i in
            var bits: UInt64 = 0
            for byte in 0..<8 { bits |= UInt64(data[data.startIndex + i * 8 + byte]) << (8 * UInt64(byte)) }
            return Double(bitPattern: bits)
        }
    }

    /// Writes the state atomically to `path`, beside the method and its configuration.
    func write(to path: String, configuration: TSNE.Configuration) throws {
        var file = try SafeTensorsFile(method: TSNE.methodName, configuration: configuration, tensors: [])
        file.metadata[Self.key] = String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
        try file.write(to: path)
    }

    /// The state in `path`, which must hold a t-SNE checkpoint of `configuration` on `samples` samples.
    static func read(_ path: String, configuration: TSNE.Configuration, samples: Int) throws -> TSNECheckpoint {
        guard FileManager.default.fileExists(atPath: path) else {
            throw AutoencoderError("cannot resume: no checkpoint at \(path) (write one with `CheckpointPolicy.every`)")
        }
        let file = try SafeTensorsFile.read(path)
        _ = try file.method(file: path, expected: TSNE.methodName)
        guard try file.configuration(TSNE.Configuration.self, file: path) == configuration else {
            throw AutoencoderError("cannot resume from \(path): it was written with another configuration (\(file.metadata[SafeTensorsFile.configurationKey] ?? "?")); "
                                   + "resume with the same options")
        }
        guard let json = file.metadata[key] else { throw DataFormatError(path, .entry("__metadata__"), "not a t-SNE checkpoint (no '\(key)' entry)") }
        let checkpoint: TSNECheckpoint
        do { checkpoint = try JSONDecoder().decode(TSNECheckpoint.self, from: Data(json.utf8)) } catch {
            throw DataFormatError(path, .entry("__metadata__.\(key)"), "cannot be read: \(error)")
        }
        guard checkpoint.samples == samples else {
            throw AutoencoderError("cannot resume from \(path): it embeds \(checkpoint.samples) samples, the data hold \(samples)")
        }
        let total = configuration.earlyExaggerationIterations + configuration.iterations
        guard (0...total).contains(checkpoint.iteration) else {
            throw DataFormatError(path, .entry("__metadata__.\(key).iteration"), "\(checkpoint.iteration) is not an iteration of 0 … \(total)")
        }
        return checkpoint
    }
}
