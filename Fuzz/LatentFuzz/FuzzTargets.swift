import Foundation
import Latent

/// libFuzzer harnesses for every reader of outside bytes: one binary, the harness chosen by
/// `LATENT_FUZZ_TARGET`. Each harness hands the input to a reader and accepts any thrown error:
/// a crash, a hang or an oversized allocation is what libFuzzer reports. `Fuzz/run.sh` builds
/// it with coverage instrumentation, AddressSanitizer and `-DFUZZING` (main then runs
/// libFuzzer's driver); an ordinary build replays inputs.
enum FuzzTarget: String, CaseIterable {
    case csv, npy, npz, sparseNPZ = "sparse-npz", idx, gzip, safetensors, model, checkpoint, spec

    /// The memory limit the harnesses read under (`--memory-limit 256M`): a reader that
    /// allocates what a header claims beyond it must refuse, not allocate.
    static let memoryLimit = 256 << 20

    /// Runs the harness on one input.
    func run(_ bytes: [UInt8]) {
        if MemoryBudget.limit != Self.memoryLimit { MemoryBudget.limit = Self.memoryLimit }
        let file = "fuzz-input"
        switch self {
        case .csv:
            // The options that change how a table is read, chosen by the first byte.
            var options = CSVOptions()
            if let first = bytes.first {
                if first & 1 != 0 { options.header = .present }
                if first & 2 != 0 { options.labelColumn = .index(0) }
                if first & 4 != 0 { options.delimiter = UInt8(ascii: ";") }
                options.threads = first & 8 != 0 ? 2 : 1
            }
            _ = try? CSV.parse(Array(bytes.dropFirst()), file: file, options: options)
        case .npy: _ = try? NPY.parse(bytes, file: file)
        case .idx: _ = try? IDX.parse(bytes, file: file)
        case .gzip: _ = try? GZip.decompress(bytes, file: file)
        case .safetensors: _ = try? SafeTensorsFile.parse(bytes, file: file)
        case .model:
            // A model file: parsed, its configuration decoded and its state checked by the
            // method's own loader, then used to encode one sample of the width it claims.
            guard let parsed = try? SafeTensorsFile.parse(bytes, file: file), let model = try? Methods.load(parsed, path: file),
                  model.inputSize > 0, model.inputSize <= 1 << 16 else { return }
            _ = try? model.reconstruct(Tensor.zeros([1, model.inputSize]))
        case .checkpoint:
            // A checkpoint resumed: read, checked against the run's configuration, and restored
            // (completed RBMs, weights, optimizer state, generators, history) by a resumed fit.
            withTemporaryFile(bytes) { path in
                var generator = RandomGenerator(seed: 1)
                _ = try? DeepAutoencoder.fit(Self.checkpointSamples, configuration: Self.checkpointConfiguration, using: &generator,
                                             context: FitContext(checkpoints: CheckpointPolicy(path: path, every: nil, resume: true)))
            }
        case .npz: withTemporaryFile(bytes) { _ = try? NPZ.read($0) }
        case .sparseNPZ:
            // The arrays of a SciPy sparse file, NPY-encoded and separated by "\n#NPY#\n", in
            // this order (row and col for COO).
            let names = ["format", "shape", "data", "indices", "indptr", "row", "col"]
            let parts = split(bytes, separator: Array("\n#NPY#\n".utf8))
            let entries = zip(names, parts).map { (name: $0, bytes: $1) }
            _ = try? SparseNPZ.read(entries: entries, path: file, transpose: bytes.count % 2 == 0)
        case .spec:
            guard let text = String(bytes: bytes, encoding: .utf8), let spec = try? DatasetSpec(parsing: text) else { return }
            // Synthetic sets are generated, every parameter as given (the generator checks them
            // and the memory limit) but small ones only, for speed; files are not opened.
            if case .synthetic(let manifold, let parameters) = spec, !((parameters["n"] ?? 1000) > 2000),
               !((parameters["dimension"] ?? 3) * (parameters["centers"] ?? 3) > 1e5) || (parameters["dimension"] ?? 3) > 1e5 {
                _ = try? manifold.generate(parameters)
            }
        }
    }

    /// The run whose checkpoints the `checkpoint` harness resumes: a deep autoencoder 4-3-2
    /// with one epoch of RBM pretraining per layer and two of fine-tuning, on 16 samples.
    static let checkpointSamples: Tensor = {
        var generator = RandomGenerator(seed: 0)
        return Tensor.randomNormal([16, 4], using: &generator).sigmoid()
    }()
    static let checkpointConfiguration = DeepAutoencoder.Configuration(
        hidden: [3], codeSize: 2, pretrainingEpochs: 1, pretrainingBatchSize: 8, training: .init(epochs: 2, batchSize: 8, heldOutFraction: 0))

    /// Writes the seed corpus of the `checkpoint` harness into `folder`: the run's checkpoints
    /// when stopped after each batch of each stage (`--write-seeds FOLDER`).
    static func writeCheckpointSeeds(to folder: String) throws {
        struct Stop: Error {}
        for stop in 1... {
            let path = folder + "/stopped-after-\(stop).safetensors"
            var generator = RandomGenerator(seed: 1), seen = 0
            do {
                _ = try DeepAutoencoder.fit(checkpointSamples, configuration: checkpointConfiguration, using: &generator,
                                            context: FitContext(checkpoints: CheckpointPolicy(path: path, every: nil)) { _ in
                                                seen += 1
                                                if seen == stop { throw Stop() }
                                            })
                try? FileManager.default.removeItem(atPath: path)
                return  // the run ended before `stop` batches: every stopping point is written
            } catch is Stop {}
        }
    }

    func withTemporaryFile(_ bytes: [UInt8], _ body: (String) -> Void) {
        let path = NSTemporaryDirectory() + "latent-fuzz-\(getpid()).bin"
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return }
        body(path)
    }

    func split(_ bytes: [UInt8], separator: [UInt8]) -> [[UInt8]] {
        var parts: [[UInt8]] = [], start = 0, i = 0
        while i + separator.count <= bytes.count {
            if Array(bytes[i..<(i + separator.count)]) == separator { parts.append(Array(bytes[start..<i])); i += separator.count; start = i } else { i += 1 }
        }
        parts.append(Array(bytes[start...]))
        return parts
    }
}

/// The target named by `LATENT_FUZZ_TARGET`, or nil.
let selected = ProcessInfo.processInfo.environment["LATENT_FUZZ_TARGET"].flatMap(FuzzTarget.init(rawValue:))

#if FUZZING
/// libFuzzer's driver, for programs with their own `main` (LLVM's FuzzerInterface.h).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
#endif

@main
enum LatentFuzz {
    static func main() {
        if selected == .checkpoint, CommandLine.arguments.count == 3, CommandLine.arguments[1] == "--write-seeds" {
            do { try FuzzTarget.writeCheckpointSeeds(to: CommandLine.arguments[2]); exit(0) } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8)); exit(1)
            }
        }
        guard let target = selected else {
            FileHandle.standardError.write(Data("""
                usage: LATENT_FUZZ_TARGET=NAME latent-fuzz [libFuzzer options] [CORPUS…]  (built by Fuzz/run.sh)
                       LATENT_FUZZ_TARGET=NAME latent-fuzz FILE…  (an ordinary build replays inputs, once each)
                       LATENT_FUZZ_TARGET=checkpoint latent-fuzz --write-seeds FOLDER  (the checkpoint harness's seeds)
                targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))

                """.utf8))
            exit(2)
        }
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv) { data, size in
            selected!.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
            return 0
        })
        #else
        // Without libFuzzer: each file given is run once, how a crash the fuzzer found is
        // replayed under a debugger or in an ordinary build.
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            target.run(Array(data))
        }
        #endif
    }
}
