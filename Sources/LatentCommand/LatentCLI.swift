import ArgumentParser
import Foundation
import Latent

@main
package struct LatentCLI: ParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "latent",
        abstract: "Learn latent spaces: dimensionality reduction and generative modelling with autoencoders.",
        version: latentVersion,
        subcommands: [Demo.self, Fit.self, FitDensity.self, Evaluate.self, Encode.self, Decode.self, Translate.self, Sample.self, EvaluateSamples.self, Interpolate.self, Traverse.self, Attribute.self, Distance.self, Compare.self, ExploreInBrowser.self, ReportCommand.self, Datasets.self, Info.self]
    )

    package init() {}

    package static func main() {
        configureAllocator()
        // A write past the file-size limit (`ulimit -f`) then fails with EFBIG, which the atomic
        // writer reports and cleans up after, instead of the signal killing the process with a
        // half-written temporary file and no message.
        signal(SIGXFSZ, SIG_IGN)
        let arguments = Array(CommandLine.arguments.dropFirst())
        let environment = ProcessInfo.processInfo.environment
        let launched = MPILibrary.launchedProcesses(environment: environment) ?? 1
        let rank = launched > 1 ? MPILibrary.launchedRank(environment: environment) ?? 0 : 0
        // Started by mpirun or srun among several processes: join them (data-parallel fits).
        if launched > 1 {
            guard arguments.first == "fit" else {
                fail(ValidationErrorText("only `latent fit` runs across processes (mpirun -np N latent fit METHOD …); run `latent \(arguments.first ?? "")` as one process"),
                     rank: rank, of: launched)
            }
            do { ProcessGroup.current = try ProcessGroup.join(launched: launched) } catch { fail(error, rank: rank, of: launched) }
        }
        do {
            try execute(arguments)
        } catch {
            fail(error, rank: rank, of: launched)
        }
        ProcessGroup.current.finish()
    }

    /// Parses `arguments` and runs the command they name; a command that computes runs in the
    /// context its options ask for, bound for its run only: nothing is set process-wide.
    static func execute(_ arguments: [String]) throws {
        try $arguments.withValue(arguments) { try executeCommand(arguments) }
    }

    /// The arguments of the command running here (what a model file records as its command).
    @TaskLocal static var arguments: [String]?

    private static func executeCommand(_ arguments: [String]) throws {
        // `latent fit NAME` with a name no method has: say which methods there are.
        if arguments.first == "fit", let name = arguments.dropFirst().first, !name.hasPrefix("-"), name != "help",
           !FitMethods.names.contains(name) {
            throw ValidationErrorText("latent fit \(name): no such method in this build (methods: \(FitMethods.names.joined(separator: ", ")))")
        }
        var command = try parseAsRoot(arguments)
        if let computing = command as? any ComputingCommand {
            try computing.computeOptions.context().run { try command.run() }
        } else {
            try command.run()
        }
    }

    /// What a command run in this process wrote, and its exit status.
    package struct Outcome: Sendable {
        package let status: Int32
        package let output: String
        package let errors: String
    }

    /// Runs `latent arguments` in this process as the executable runs it (the same parsing,
    /// context, messages and exit status), its standard output and error kept apart from the
    /// process's: commands side by side in one process do not see each other's output or
    /// settings. Relative paths are in `folder` (nil: the process's working directory; the
    /// paths the command prints are then absolute), and a run across processes (mpirun) or
    /// stopped by Ctrl-C is the executable's alone.
    package static func runInProcess(_ arguments: [String], in folder: String? = nil) -> Outcome {
        let console = Console()
        let status: Int32 = WorkingDirectory.$scoped.withValue(folder) { Console.$captured.withValue(console) {
            do {
                try execute(arguments)
                return 0
            } catch {
                // As `fail` says it, without ending the process.
                let (code, message) = said(error, arguments: arguments)
                if code.isSuccess { Console.output(message) } else { Console.error(message) }
                return code.rawValue
            }
        } }
        let written = console.written
        return Outcome(status: status, output: written.output, errors: written.errors)
    }
}

extension LatentCLI {
    /// What the command line says of `error` (ArgumentParser's message, the library's setting
    /// names said as the flags of the command `arguments` run), ending in a newline, and the
    /// exit status.
    static func said(_ error: any Error, arguments: [String]) -> (code: ExitCode, message: String) {
        let code = exitCode(for: error)
        var message = fullMessage(for: error)
        // The library names its settings; the user gave flags.
        if !code.isSuccess { message = LibrarySpellings.commandLine(message, arguments: arguments) }
        if !message.isEmpty, !message.hasSuffix("\n") { message += "\n" }
        return (code, message)
    }

    /// Ends the process after `error` with ArgumentParser's message and exit code.
    ///
    /// Among several processes (`mpirun -np N`) each one that fails says so, its rank first
    /// unless it is rank 0, in a single write: the launcher forwards every process's stderr,
    /// and a message written in pieces would interleave with the others' character by
    /// character. Help and version (a clean exit) print once, from rank 0.
    static func fail(_ error: any Error, rank: Int, of processes: Int) -> Never {
        let (code, said) = said(error, arguments: Array(CommandLine.arguments.dropFirst()))
        var message = said
        if code.isSuccess {
            if rank == 0 { FileHandle.standardOutput.write(Data(message.utf8)) }
            Foundation.exit(code.rawValue)
        }
        if processes > 1, rank > 0 { message = "process \(rank) of \(processes): " + message }
        let bytes = Array(message.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            written += count
        }
        Foundation.exit(code.rawValue)
    }
}

/// A command that computes: it runs in the ``ComputeContext`` its `--threads`, `--gemm`,
/// `--cpu-level` and `--memory-limit` ask for.
protocol ComputingCommand: ParsableCommand {
    var computeOptions: ComputeOptions { get }
}

/// Options every command that computes shares.
struct ComputeOptions: ParsableArguments {
    @Option(help: .defaulted("Threads for large kernels.", rule: "all cores, shared among the processes mpirun starts on a machine"))
    var threads: Int?

    @Option(help: ArgumentHelp("Matrix-product backend: auto, builtin, or a BLAS library path or soname.",
                               valueName: "backend"))
    var gemm: String = "auto"

    @Option(help: ArgumentHelp(ArgumentHelp.defaulted("Instruction-set level of the built-in kernels: baseline, avx2, avx512.", rule: "the fastest this CPU supports").abstract,
                               valueName: "level"))
    var cpuLevel: CPULevelArgument?

    @Option(help: ArgumentHelp(ArgumentHelp.defaulted("The most memory a file's reader may allocate for what its header announces, e.g. 4G or 500M.",
                                                    rule: "\(Int(MemoryBudget.defaultShare * 100)) % of the memory available to the process").abstract, valueName: "size"))
    var memoryLimit: String?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if let memoryLimit, MemoryBudget.parse(memoryLimit) == nil {
            throw ValidationError("--memory-limit takes a size such as 4G, 500M or 1048576 (bytes); got '\(memoryLimit)'")
        }
    }

    /// The context these options ask for: the settings, checked against this machine, and the
    /// readers' memory limit (``MemoryBudget``).
    func context() throws -> ComputeContext {
        ComputeContext(settings: try settings(), memoryLimit: memoryLimit.flatMap(MemoryBudget.parse))
    }

    /// The settings these options ask for, checked against this machine.
    func settings() throws -> ComputeSettings {
        let level = cpuLevel?.level ?? .detected
        guard CPULevel.supported.contains(level) else {
            throw ValidationError("--cpu-level \(level) is not supported by this CPU (supported: \(CPULevel.supported.map(\.description).joined(separator: ", ")))")
        }
        let backend: GEMMBackend
        switch gemm {
        case "auto": backend = cpuLevel == nil ? .preferred : .builtIn(level)
        case "builtin": backend = .builtIn(level)
        default:
            do { backend = .systemBLAS(try SystemBLAS(path: gemm)) } catch { throw ValidationError("--gemm: \(error)") }
        }
        return ComputeSettings(backend: backend, threads: threads ?? Self.defaultThreads(), cpuLevel: level)
    }

    /// All cores, shared among the processes a launcher started on this machine.
    static func defaultThreads(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        let processes = MPILibrary.launchedProcesses(environment: environment) == nil ? 1 : MPILibrary.processesOnThisMachine(environment: environment) ?? 1
        return max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, processes))
    }
}

enum CPULevelArgument: String, ExpressibleByArgument, CaseIterable {
    case baseline, avx2, avx512
    var level: CPULevel {
        switch self {
        case .baseline: .baseline
        case .avx2: .avx2
        case .avx512: .avx512
        }
    }
}

struct Info: ComputingCommand {
    static let configuration = CommandConfiguration(abstract: "Show the version, the matrix-product backend, the CPU level, the thread count and whether MPI is available.")

    @OptionGroup var compute: ComputeOptions
    @Flag(help: "Print one JSON object on stdout.") var json = false
    var computeOptions: ComputeOptions { compute }

    func run() throws {
        let settings = ComputeSettings.current
        let blas = SystemBLAS.findInstalled()
        let mpi = MPILibrary.installed().map(\.description).joined(separator: "; ")
        let fields: [(String, String)] = [
            ("version", latentVersion),
            ("backend", settings.backend.description),
            ("cpu_level", settings.cpuLevel.description),
            ("cpu_levels_supported", CPULevel.supported.map(\.description).joined(separator: ",")),
            ("threads", "\(settings.threads)"),
            ("system_blas", blas?.path ?? "none"),
            ("mpi", mpi.isEmpty ? "none (mpirun -np N latent fit … needs Open MPI or MPICH)" : mpi),
        ]
        if json {
            var object = JSONValue.object(Dictionary(uniqueKeysWithValues: fields.map { ($0.0, JSONValue.string($0.1)) })).objectValue!
            object["threads"] = .number(Double(settings.threads))
            object["cpu_levels_supported"] = .array(CPULevel.supported.map { .string($0.description) })
            object["mpi"] = mpi.isEmpty ? .null : .string(mpi)
            try printJSON(object)
        } else {
            let width = fields.map(\.0.count).max()!
            for (key, value) in fields { Console.line(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value) }
        }
    }
}

struct Datasets: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the built-in data sets, their sizes and where they are found.")

    @Flag(help: "Print one JSON object on stdout.") var json = false

    func run() throws {
        let entries = DatasetLoader().catalog()
        if json {
            try printJSON(["datasets": entries])
            return
        }
        let nameWidth = entries.map(\.name.count).max()!, sizeWidth = entries.map(\.size.count).max()!
        for entry in entries {
            Console.line(entry.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
                  + entry.size.padding(toLength: sizeWidth, withPad: " ", startingAt: 0) + "  " + entry.location)
            Console.line(String(repeating: " ", count: nameWidth + sizeWidth + 4) + entry.description)
        }
        Console.line("\nAny of these, or a file (.csv, .tsv, .npy, .npz, IDX), is a data SPEC; synthetic sets take parameters, e.g. swiss-roll?n=2000&noise=0.05&seed=1.")
    }
}
