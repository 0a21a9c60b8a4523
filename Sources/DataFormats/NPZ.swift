import Foundation
import Tensors
import ZIPFoundation

/// NumPy's `.npz` format: a zip archive of `.npy` files (stored or deflated), read and written
/// with ZIPFoundation.
public enum NPZ {
    /// The arrays of an `.npz` file by name (without the `.npy` suffix), in archive order.
    public static func read(_ path: String, options: ReadOptions = .init()) throws -> [(name: String, array: NumericArray)] {
        try entries(path).map { entry in
            (entry.name, try NPY.parse(entry.bytes, file: "\(path)[\(entry.name).npy]", options: options))
        }
    }

    /// The raw `.npy` files of an `.npz` archive by name (without the `.npy` suffix), in archive
    /// order: for readers of arrays that are not numeric (SciPy's sparse `format`).
    public static func entries(_ path: String) throws -> [(name: String, bytes: [UInt8])] {
        guard FileManager.default.fileExists(atPath: path) else { throw DataFormatError(path, nil, "no such file") }
        let archive: Archive
        do { archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read) } catch {
            throw DataFormatError(path, nil, "not a readable zip archive (\(error))")
        }
        var result: [(name: String, bytes: [UInt8])] = []
        // The sizes the archive declares are checked first; the bytes actually inflated are
        // counted too, as a crafted archive may declare less than it inflates to.
        let declared = archive.filter { $0.type == .file }.reduce(0) { $0.addingReportingOverflow(Int(clamping: $1.uncompressedSize)).partialValue }
        try MemoryBudget.check(declared, for: "extracting the archive's arrays", file: path)
        var extracted = 0
        for entry in archive where entry.type == .file {
            var bytes: [UInt8] = []
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    extracted += chunk.count
                    try MemoryBudget.check(extracted, for: "extracting the archive's arrays", file: path, at: .entry(entry.path))
                    bytes.append(contentsOf: chunk)
                }
            } catch let error as DataFormatError {
                throw error
            } catch {
                throw DataFormatError(path, .entry(entry.path), "cannot extract (\(error))")
            }
            result.append((entry.path.hasSuffix(".npy") ? String(entry.path.dropLast(4)) : entry.path, bytes))
        }
        guard !result.isEmpty else { throw DataFormatError(path, nil, "archive holds no arrays") }
        return result
    }

    /// Writes tensors as an `.npz` archive (`np.savez` layout; deflated when `compressed`, as
    /// `np.savez_compressed`), atomically.
    public static func write(_ arrays: [(name: String, tensor: Tensors.Tensor)], to path: String, compressed: Bool = false) throws {
        try write(entries: arrays.map { ($0.name, NPY.encode($0.tensor)) }, to: path, compressed: compressed)
    }

    /// Writes `.npy` files given as bytes (`name` without the suffix) as an `.npz` archive, atomically.
    public static func write(entries: [(name: String, bytes: [UInt8])], to path: String, compressed: Bool = false) throws {
        let archive: Archive
        do { archive = try Archive(data: Data(), accessMode: .create) } catch {
            throw DataFormatError(path, nil, "cannot create an archive (\(error))")
        }
        for (name, bytes) in entries {
            let data = Data(bytes)
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
