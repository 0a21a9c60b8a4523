import Foundation
import Latent
import Testing
import TestSupport

/// A save that hits the file-size limit (`ulimit -f`, as a full disk would): the error says
/// so, the exit status is 1 (no signal), the previous model is intact and no partial file is
/// left in the folder.
@Test func aSaveBeyondTheFileSizeLimitFailsCleanly() throws {
    let folder = scratchFolder()
    let first = try latent("fit", "pca", "--data", "swiss-roll?n=100", "--code-size", "1", "--output", "m.safetensors", "--quiet", in: folder)
    #expect(first.status == 0, "\(first.errors)")
    let before = try Data(contentsOf: URL(fileURLWithPath: folder + "/m.safetensors"))
    // A PCA of 784 features writes about 10 KiB; the limit is 1 KiB.
    let command = "ulimit -f 1; '\(try latentExecutable())' fit pca --data fashion-mnist-mini:test --code-size 2 --output m.safetensors --quiet --threads 1"
    let result = try runProcess("/bin/sh", ["-c", "cd '\(folder)' && \(command)"])
    #expect(result.status == 1 && result.errors.contains("m.safetensors: cannot write: File too large"), "status \(result.status): \(result.errors)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/m.safetensors")) == before)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["m.safetensors"])
}

/// A save onto a full file system (a 64 KiB tmpfs, mounted in a private mount namespace): the
/// error says so, the exit status is 1, the previous model is intact and nothing else is left.
@Test func aSaveOntoAFullFileSystemFailsCleanly() throws {
    let folder = scratchFolder()
    let first = try latent("fit", "pca", "--data", "swiss-roll?n=100", "--code-size", "1", "--output", "previous.safetensors", "--quiet", in: folder)
    #expect(first.status == 0, "\(first.errors)")
    // A PCA of 784 features to 50 components writes about 160 KiB.
    let script = """
        set -e; mkdir disk; mount -t tmpfs -o size=64k tmpfs disk; cp previous.safetensors disk/m.safetensors
        set +e; '\(try latentExecutable())' fit pca --data fashion-mnist-mini:test --code-size 50 --output disk/m.safetensors --quiet --threads 1
        status=$?; cmp -s previous.safetensors disk/m.safetensors && echo intact; ls -A disk; exit $status
        """
    let result = try runProcess("unshare", ["--map-root-user", "--mount", "/bin/sh", "-c", script], in: folder)
    #expect(result.status == 1 && result.errors.contains("disk/m.safetensors: cannot write: No space left on device"), "status \(result.status): \(result.errors)")
    #expect(result.output.split(separator: "\n") == ["intact", "m.safetensors"], "\(result.output)")
}

/// Two processes writing the same `--output` at once, several rounds: each time the file is
/// one of the two models whole (it loads and equals one writer's own copy) and no temporary
/// file is left.
@Test func concurrentWritersNeverTearTheOutput() throws {
    let folder = scratchFolder()
    let binary = URL(fileURLWithPath: try latentExecutable())
    func fit(_ data: String, to output: String) -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["fit", "pca", "--data", data, "--code-size", "2", "--quiet", "--threads", "1", "--output", output]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        (process.standardOutput, process.standardError) = (FileHandle.nullDevice, FileHandle.nullDevice)
        return process
    }
    let data = ["swiss-roll?n=400&seed=1", "s-curve?n=400&seed=2"]
    for (index, set) in data.enumerated() {
        let process = fit(set, to: "own-\(index).safetensors")
        try process.run()
        process.waitUntilExit()
    }
    let own = try (0..<2).map { try SafeTensorsFile.read(folder + "/own-\($0).safetensors").tensors.map(\.tensor) }
    for round in 0..<5 {
        let writers = data.map { fit($0, to: "shared.safetensors") }
        for writer in writers { try writer.run() }
        for writer in writers { writer.waitUntilExit() }
        #expect(writers.allSatisfy { $0.terminationStatus == 0 }, "round \(round)")
        let shared = try SafeTensorsFile.read(folder + "/shared.safetensors").tensors.map(\.tensor)
        #expect(own.contains(shared), "round \(round): the output is neither writer's model")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }
}

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
