import Foundation
import Latent
import Testing
import TestSupport

/// `mpirun -np N latent fit …`: Open MPI (CI installs it) starts N processes that share each
/// batch's parts; the model equals one process's with the same parts, bit for bit.
@Suite(.serialized) struct DataParallelCommands {
    /// mpirun with what a test machine needs: root allowed, more processes than cores.
    static func mpirun(_ processes: Int, _ arguments: [String], in folder: String) throws -> ProcessResult {
        // Open MPI's own name, whichever MPI the `mpirun` alternative points to.
        let mpirun = try #require(executablePath("mpirun.openmpi") ?? executablePath("mpirun"),
                                  "mpirun is not installed: apt-get install openmpi-bin libopenmpi-dev")
        return try runProcess(mpirun, ["--allow-run-as-root", "--oversubscribe", "-np", "\(processes)", try latentExecutable()] + arguments + ["--threads", "1"],
                              in: folder)
    }

    /// `mpiexec.mpich -n N latent …`: MPICH's Hydra launcher (CI installs MPICH beside Open MPI).
    static func mpiexecMPICH(_ processes: Int, _ arguments: [String], in folder: String) throws -> ProcessResult {
        let mpiexec = try #require(executablePath("mpiexec.mpich"), "MPICH is not installed: apt-get install mpich libmpich-dev")
        return try runProcess(mpiexec, ["-n", "\(processes)", try latentExecutable()] + arguments + ["--threads", "1"], in: folder)
    }

    /// The tensors of a model or checkpoint file, by name (the command line in its metadata aside).
    static func tensors(_ path: String) throws -> [String: [UInt32]] {
        Dictionary(uniqueKeysWithValues: try SafeTensorsFile.read(path).tensors.map { ($0.name, $0.tensor.scalars.map(\.bitPattern)) })
    }

    static let methods: [(name: String, options: [String])] = [
        ("pca", ["--code-size", "5"]),
        ("kmeans", ["--clusters", "6", "--initializations", "2"]),
        ("deep-autoencoder", ["--hidden", "48,24", "--code-size", "6", "--epochs", "3", "--pretrain-epochs", "1", "--batch-size", "64"]),
        ("vae", ["--code-size", "4", "--hidden", "32", "--epochs", "3", "--batch-size", "64"]),
        ("linear-autoencoder", ["--code-size", "3", "--epochs", "3", "--batch-size", "64"]),
        ("nonlinear-pca", ["--code-size", "2", "--hidden", "8", "--extraction", "sequential", "--epochs", "3", "--batch-size", "64"]),
    ]

    static func data(in folder: String) throws {
        var generator = RandomGenerator(seed: 8)
        let codes = Tensor.randomNormal([1_500, 4], using: &generator)
        let samples = (matmul(codes, Tensor.randomNormal([4, 24], using: &generator)).tanh() + 1) / 2
            + Tensor.randomUniform([1_500, 24], lower: 0, upper: 0.05, using: &generator)
        try NPY.write(samples / 1.05, to: folder + "/x.npy")
    }

    @Test(arguments: 0..<methods.count)
    func twoProcessesFitTheModelOfOneWithTheSameParts(method index: Int) throws {
        let (name, options) = Self.methods[index]
        let folder = scratchFolder()
        try Self.data(in: folder)
        let common = ["fit", name, "--data", "x.npy", "--seed", "5", "--json"] + options
        let two = try Self.mpirun(2, common + ["--output", "two.safetensors"], in: folder)
        #expect(two.status == 0, "\(two.errors)")
        let one = try runLatent(common + ["--output", "one.safetensors", "--parts", "2", "--quiet"], in: folder)
        #expect(one.status == 0, "\(one.errors)")
        // Rank 0 alone prints the result and writes the model.
        #expect(two.output.split(separator: "\n").count == 1, "\(two.output)")
        let result = try json(two.output)
        #expect(result["processes"] as? Int == 2 && result["parts"] as? Int == 2)
        let (a, b) = (try Self.tensors(folder + "/two.safetensors"), try Self.tensors(folder + "/one.safetensors"))
        #expect(a.keys.sorted() == b.keys.sorted() && !a.isEmpty)
        for (key, values) in a { #expect(values == b[key], "\(name): tensor \(key) differs") }
    }

    /// PCA of shards across processes: each reads only its parts' rows; the model is one
    /// process's with the same parts.
    @Test func twoProcessesFitPCAOfShardsReadingTheirPartsOnly() throws {
        let folder = scratchFolder()
        var generator = RandomGenerator(seed: 3)
        let samples = Tensor.randomNormal([3_000, 10], using: &generator) * Tensor.randomUniform([10], lower: 0.5, upper: 3, using: &generator) + 2
        try FileManager.default.createDirectory(atPath: folder + "/shards", withIntermediateDirectories: false)
        for part in 0..<7 { try NPY.write(samples.rows((part * 3_000 / 7)..<((part + 1) * 3_000 / 7)), to: folder + "/shards/p\(part).npy") }
        let common = ["fit", "pca", "--data", "shards", "--code-size", "4", "--json", "--quiet"]
        let two = try Self.mpirun(2, common + ["--output", "two.safetensors"], in: folder)
        #expect(two.status == 0, "\(two.errors)")
        let one = try runLatent(common + ["--output", "one.safetensors", "--parts", "2"], in: folder)
        #expect(one.status == 0, "\(one.errors)")
        #expect(try Self.tensors(folder + "/two.safetensors") == (try Self.tensors(folder + "/one.safetensors")))
        let (a, b) = (try json(two.output), try json(one.output))
        #expect(a["out_of_core"] as? Bool == true && a["processes"] as? Int == 2)
        #expect(abs((a["sse_per_sample"] as! Double) - (b["sse_per_sample"] as! Double)) < 1e-9 * (b["sse_per_sample"] as! Double))
    }

    /// Three processes (not a power of two: their sums go up a tree to rank 0 and back) fit
    /// the model of one process with three parts.
    @Test(arguments: [0, 2])
    func threeProcessesFitTheModelOfOneWithThreeParts(method index: Int) throws {
        let result = try Self.sameModelAsOneProcess(method: index, processes: 3, launcher: Self.mpirun)
        #expect(result["processes"] as? Int == 3)
    }

    /// Fits method `index` with `processes` processes `launcher` starts and with one process
    /// cut into as many parts: the same model, bit for bit. The processes' result, by field.
    static func sameModelAsOneProcess(method index: Int, processes: Int,
                                      launcher: (Int, [String], String) throws -> ProcessResult) throws -> [String: Any] {
        let (name, options) = methods[index]
        let folder = scratchFolder()
        try data(in: folder)
        let common = ["fit", name, "--data", "x.npy", "--seed", "5", "--json", "--quiet"] + options
        let many = try launcher(processes, common + ["--output", "many.safetensors"], folder)
        #expect(many.status == 0, "\(many.errors)")
        let one = try runLatent(common + ["--output", "one.safetensors", "--parts", "\(processes)"], in: folder)
        #expect(one.status == 0, "\(one.errors)")
        #expect(try tensors(folder + "/many.safetensors") == (try tensors(folder + "/one.safetensors")))
        return try json(many.output)
    }

    /// MPICH (its integer handles, Hydra's launcher variables) runs the same fits: two
    /// processes started by `mpiexec.mpich` fit the model of one with the same parts.
    @Test(.disabled(if: MPILibrary.instrumentedWithAddressSanitizer, "MPICH's library crashes AddressSanitizer's runtime as it loads"),
          arguments: [0, 1, 2])
    func twoMPICHProcessesFitTheModelOfOne(method index: Int) throws {
        let result = try Self.sameModelAsOneProcess(method: index, processes: 2, launcher: Self.mpiexecMPICH)
        #expect(result["processes"] as? Int == 2)
        let folder = scratchFolder()
        let info = try json(try latent("info", "--json", in: folder).output)["mpi"] as? String
        #expect(info?.contains("MPICH") == true && info?.contains("Open MPI") == true, "\(info ?? "none")")
    }

    static let streamedMethods = [2, 3, 4, 5]

    /// A trained method streamed from shards across processes: each reads only its parts of
    /// every batch and pass (`rows_read`, one per process, about half of one process's); the
    /// model is one process's with the same parts, bit for bit.
    @Test(arguments: streamedMethods)
    func twoProcessesTrainFromShardsEachReadingItsParts(method index: Int) throws {
        let (name, options) = Self.methods[index]
        let folder = scratchFolder()
        try Self.data(in: folder)
        let samples = try NPYShards(paths: [folder + "/x.npy"], name: "x.npy").readAll()
        try FileManager.default.createDirectory(atPath: folder + "/shards", withIntermediateDirectories: false)
        for part in 0..<5 { try NPY.write(samples.rows((part * 300)..<((part + 1) * 300)), to: folder + "/shards/p\(part).npy") }
        let common = ["fit", name, "--data", "shards", "--shuffle-buffer", "400", "--json", "--quiet"] + options
        let two = try Self.mpirun(2, common + ["--output", "two.safetensors"], in: folder)
        #expect(two.status == 0, "\(two.errors)")
        let one = try runLatent(common + ["--output", "one.safetensors", "--parts", "2"], in: folder)
        #expect(one.status == 0, "\(one.errors)")
        #expect(try Self.tensors(folder + "/two.safetensors") == (try Self.tensors(folder + "/one.safetensors")))
        let (a, b) = (try json(two.output), try json(one.output))
        let (shares, whole) = (try #require(a["rows_read"] as? [Int]), try #require(b["rows_read"] as? [Int]))
        #expect(shares.count == 2 && whole.count == 1)
        // Besides its half, each process reads a few rows whole (the held-out rows, a
        // divergence probe, an RBM's monitor): bounded, whatever the data's size.
        for share in shares { #expect(Double(share) < 0.7 * Double(whole[0]), "rows read: \(shares) by two processes, \(whole) by one") }
        #expect(a["sse_per_sample"] as? Double == b["sse_per_sample"] as? Double)
    }

    /// A process killed mid-run: mpirun ends the other, which says why; the last checkpoint,
    /// resumed by one process with the same parts, ends at the uninterrupted model bit for bit.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/environ"), "finds the rank to kill through /proc (Linux)"))
    func aKilledProcessStopsTheRunAndItsCheckpointResumesOnOneProcess() throws {
        let folder = scratchFolder()
        try Self.data(in: folder)
        let base = ["fit", "deep-autoencoder", "--data", "x.npy", "--hidden", "256,128", "--code-size", "6", "--epochs", "40", "--pretrain-epochs", "2",
                    "--batch-size", "32", "--seed", "2", "--quiet"]
        let common = base + ["--checkpoint-every", "1", "--checkpoint-interval", "0"]
        let mpirun = try #require(executablePath("mpirun"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mpirun)
        process.arguments = ["--allow-run-as-root", "--oversubscribe", "-np", "2", try latentExecutable()] + common + ["--output", "m.safetensors", "--threads", "1"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Once rank 0 has written a checkpoint, kill rank 1 (found by its MPI rank among mpirun's children).
        let checkpoint = folder + "/m.checkpoint.safetensors"
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpoint), process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let rank1 = try #require(Self.child(of: process.processIdentifier, rank: 1), "rank 1 not found")
        #expect(process.isRunning, "the run ended before a process could be killed")
        kill(rank1, SIGKILL)
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(text.contains("rank 1") && text.contains("signal 9"), "\(text)")
        #expect(text.contains("process 0 of 2 was stopped") && text.contains("--resume"), "\(text)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/m.safetensors"))
        let resumed = try runLatent(common + ["--output", "m.safetensors", "--parts", "2", "--resume"], in: folder)
        #expect(resumed.status == 0, "\(resumed.errors)")
        let uninterrupted = try runLatent(base + ["--output", "u.safetensors", "--parts", "2"], in: folder)
        #expect(uninterrupted.status == 0, "\(uninterrupted.errors)")
        #expect(try Self.tensors(folder + "/m.safetensors") == (try Self.tensors(folder + "/u.safetensors")))
        // Other parts would not continue it exactly: refused, with the parts to use.
        let other = try runLatent(common + ["--output", "m.safetensors", "--resume"], in: folder)
        #expect(other.status != 0 && other.errors.contains("resume with --parts 2"), "\(other.errors)")
    }

    /// The process among `parent`'s children whose MPI rank is `rank`.
    static func child(of parent: Int32, rank: Int) -> Int32? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[1]) == parent,
                  let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
            let variables = environment.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if variables.contains("OMPI_COMM_WORLD_RANK=\(rank)") { return pid }
        }
        return nil
    }

    @Test func whatCannotRunAcrossProcessesSaysSo() throws {
        let folder = scratchFolder()
        try Self.data(in: folder)
        let graph = try Self.mpirun(2, ["fit", "principal-graph", "--data", "x.npy", "--topology", "curve", "--nodes", "5", "--output", "g.safetensors"], in: folder)
        // Each process says why in one line of its own (mpirun forwards both; pieces written
        // apart would interleave), rank 1's named.
        let refusal = "principal-graph does not run in parts or across processes"
        #expect(graph.status != 0 && graph.errors.contains("Error: \(refusal)") && graph.errors.contains("process 1 of 2: Error: \(refusal)"),
                "\(graph.errors)")
        let encode = try Self.mpirun(2, ["encode", "none.safetensors", "--data", "x.npy"], in: folder)
        let onlyFit = "only `latent fit` runs across processes"
        #expect(encode.status != 0 && encode.errors.contains("Error: \(onlyFit)") && encode.errors.contains("process 1 of 2: Error: \(onlyFit)"),
                "\(encode.errors)")
        let uneven = try Self.mpirun(2, ["fit", "pca", "--data", "x.npy", "--code-size", "2", "--parts", "3", "--output", "p.safetensors"], in: folder)
        #expect(uneven.status != 0 && uneven.errors.contains("2 processes cannot share 3 parts") && uneven.errors.contains("--parts 4"), "\(uneven.errors)")
        let parts = try latent("fit", "pca", "--data", "x.npy", "--code-size", "2", "--output", "p.safetensors", "--parts", "0", in: folder)
        #expect(parts.status != 0 && parts.errors.contains("--parts") && parts.errors.contains("at least 1"), "\(parts.errors)")
        let info = try latent("info", "--json", in: folder)
        #expect((try json(info.output)["mpi"] as? String)?.contains("Open MPI") == true, "\(info.output)")
    }
}
