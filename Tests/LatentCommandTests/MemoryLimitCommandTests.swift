import Foundation
import Latent
import Testing
import TestSupport

/// `--memory-limit`: a file whose header claims more than the limit is a one-line error naming
/// the file, the entry and both sizes, with a non-zero exit; a bad size is refused up front.
@Suite struct MemoryLimitCommand {
    @Test func aFileClaimingMoreThanTheLimitIsAnError() throws {
        let folder = scratchFolder()
        // A SciPy CSC file of a few hundred bytes claiming a 2²⁰ × 4 matrix (16 MiB dense).
        try NPZ.write(entries: [
            ("data", npyBytes(descr: "<f4", shape: [0], payload: [])),
            ("format", npyBytes(descr: "|S3", shape: [], payload: Array("csc".utf8))),
            ("indices", npyBytes(descr: "<i4", shape: [0], payload: [])),
            ("indptr", npyBytes(descr: "<i4", shape: [5], payload: int32Bytes([0, 0, 0, 0, 0]))),
            ("shape", npyBytes(descr: "<i8", shape: [2], payload: int64Bytes([1 << 20, 4]))),
        ], to: folder + "/claim.npz")
        let refused = try latent("fit", "pca", "--data", "claim.npz", "--code-size", "1", "--output", "m.safetensors", "--memory-limit", "1M", in: folder)
        #expect(refused.status != 0 && refused.errors.contains("claim.npz: shape: reading the 1048576 × 4 matrix densely needs 16.0 MiB, more than the memory limit of 1.0 MiB"),
                "\(refused.errors)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/m.safetensors"))
        let bad = try latent("fit", "pca", "--data", "claim.npz", "--code-size", "1", "--output", "m.safetensors", "--memory-limit", "lots", in: folder)
        #expect(bad.status != 0 && bad.errors.contains("--memory-limit takes a size such as 4G"), "\(bad.errors)")
    }
}
