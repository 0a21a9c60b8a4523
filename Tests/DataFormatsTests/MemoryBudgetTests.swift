import DataFormats
import Foundation
import Testing
import TestSupport
import Tensors

/// Every reader checks what it is about to allocate, as its header (or, for text and
/// compressed data, its counted rows or inflated bytes) announces, against ``MemoryBudget``:
/// under a limit below that, a clear error naming the file and both sizes; under the default,
/// the same file reads.
@Suite struct ReaderMemoryBudgets {
    /// A reader of one format: writes a 20 000 × 8 matrix (640 KB as Float32) into `folder`,
    /// returns its path and a function that reads it whole.
    struct Format: CustomTestStringConvertible, Sendable {
        let name: String
        let write: @Sendable (_ matrix: Tensor, _ folder: String) throws -> String
        let read: @Sendable (_ path: String) throws -> [Int]
        var testDescription: String { name }
    }

    static let formats: [Format] = [
        Format(name: "NPY float32 (read in place)", write: { m, f in try NPY.write(m, to: f + "/m.npy"); return f + "/m.npy" },
               read: { try NPY.read($0).shape }),
        Format(name: "NPY float64", write: { m, f in
                   let path = f + "/m.npy"
                   let payload = m.scalars.flatMap { withUnsafeBytes(of: Double($0).bitPattern.littleEndian, Array.init) }
                   try Data(npyBytes(descr: "<f8", shape: m.shape, payload: payload)).write(to: URL(fileURLWithPath: path))
                   return path
               }, read: { try NPY.read($0).shape }),
        Format(name: "NPY, gzip-compressed", write: { m, f in
                   try NPY.write(m, to: f + "/m.npy")
                   let path = f + "/m.npy.gz"
                   try Data(GZip.compress(try FileIO.read(f + "/m.npy"))).write(to: URL(fileURLWithPath: path))
                   return path
               }, read: { try NPY.read($0).shape }),
        Format(name: "NPZ, compressed", write: { m, f in try NPZ.write([("x", m)], to: f + "/m.npz", compressed: true); return f + "/m.npz" },
               read: { try NPZ.read($0)[0].array.shape }),
        Format(name: "IDX float32", write: { m, f in try IDX.write(m, as: .float32, to: f + "/m-idx3"); return f + "/m-idx3" },
               read: { try IDX.read($0).array.shape }),
        Format(name: "CSV", write: { m, f in try CSV.write(m, to: f + "/m.csv"); return f + "/m.csv" },
               read: { try CSV.read($0).samples.shape }),
        Format(name: "safetensors", write: { m, f in try SafeTensorsFile(tensors: [("x", m)]).write(to: f + "/m.safetensors"); return f + "/m.safetensors" },
               read: { try SafeTensorsFile.read($0).tensors[0].tensor.shape }),
    ]

    @Test(arguments: formats)
    func aFileNeedingMoreThanTheLimitIsRefused(_ format: Format) throws {
        let path = try format.write(randomTensor([20_000, 8], seed: 4), temporaryFolder())
        MemoryBudget.$scoped.withValue(256 << 10) {
            #expect { _ = try format.read(path) } throws: { error in
                "\(error)".hasPrefix(path) && "\(error)".contains("more than the memory limit of 256.0 KiB (raise it with `MemoryBudget.limit`)")
            }
        }
        #expect(try format.read(path).reduce(1, *) == 160_000)
    }

    /// 64 MiB of zeros compress to a few dozen kilobytes; inflating them stops at the limit.
    @Test func aGzipBombStopsAtTheLimit() throws {
        let path = temporaryFolder() + "/zeros.npy.gz"
        let npy = npyBytes(descr: "<f4", shape: [1 << 24], payload: [UInt8](repeating: 0, count: 1 << 26))
        try Data(GZip.compress(npy)).write(to: URL(fileURLWithPath: path))
        #expect(try FileIO.read(path).count < 1 << 20)
        MemoryBudget.$scoped.withValue(16 << 20) {
            #expect { _ = try NPY.read(path) } throws: { "\($0)".contains("decompressing") && "\($0)".contains("more than the memory limit of 16.0 MiB") }
        }
    }
}
