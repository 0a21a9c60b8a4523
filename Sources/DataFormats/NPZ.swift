import Foundation
import Tensors
import ZIPFoundation

/// NumPy's `.npz` format: a zip archive of `.npy` files (stored or deflated), read and written
/// with ZIPFoundation.
public enum NPZ {
    /// The arrays of an `.npz` file by name (without the `.npy` suffix), in archive order.
    public static func read(_ path: String, options: ReadOptions = .init()) throws -> [(name: String, array: NumericArray)] {
        guard FileManager.default.fileExists(atPath: path) else { throw DataFormatError(path, nil, "no such file") }
        let archive: Archive
        do { archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read) } catch {
            throw DataFormatError(path, nil, "not a readable zip archive (\(error))")
        }
        var arrays: [(name: String, array: NumericArray)] = []
        for entry in archive where entry.type == .file {
            var bytes: [UInt8] = []
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in bytes.append(contentsOf: chunk) }
            } catch {
                throw DataFormatError(path, .entry(entry.path), "cannot extract (\(error))")
            }
            let name = entry.path.hasSuffix(".npy") ? String(entry.path.dropLast(4)) : entry.path
            arrays.append((name, try NPY.parse(bytes, file: "\(path)[\(entry.path)]", options: options)))
        }
        guard !arrays.isEmpty else { throw DataFormatError(path, nil, "archive holds no arrays") }
        return arrays
    }

    /// Writes tensors as an `.npz` archive (`np.savez` layout; deflated when `compressed`, as
    /// `np.savez_compressed`), atomically.
    public static func write(_ arrays: [(name: String, tensor: Tensors.Tensor)], to path: String, compressed: Bool = false) throws {
        let archive: Archive
        do { archive = try Archive(data: Data(), accessMode: .create) } catch {
            throw DataFormatError(path, nil, "cannot create an archive (\(error))")
        }
        for (name, tensor) in arrays {
            let data = Data(NPY.encode(tensor))
            do {
                try archive.addEntry(with: name + ".npy", type: .file, uncompressedSize: Int64(data.count),
                                     compressionMethod: compressed ? .deflate : .none) { position, size in
                    data.subdata(in: Int(position)..<(Int(position) + size))
                }
            } catch {
                throw DataFormatError(path, .entry(name), "cannot add to the archive (\(error))")
            }
        }
        guard let data = archive.data else { throw DataFormatError(path, nil, "archive has no data") }
        try FileIO.writeAtomically([UInt8](data), to: path)
    }
}
