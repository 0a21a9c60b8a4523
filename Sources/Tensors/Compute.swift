import CLatentKernels
import Dispatch
import Foundation
import Synchronization

/// Where matrix products run.
public enum GEMMBackend: Sendable, CustomStringConvertible {
    /// The built-in C kernel at an instruction-set level (always available).
    case builtIn(CPULevel)
    /// A system BLAS loaded at run time.
    case systemBLAS(SystemBLAS)
    /// Apple's Accelerate framework (Apple platforms only).
    case accelerate

    /// The preferred backend on this machine: Accelerate on Apple platforms; else the built-in
    /// kernel when the CPU has AVX2+FMA or better; else an installed system BLAS; else the
    /// built-in baseline kernel.
    ///
    /// With AVX2+FMA the built-in kernel matches or beats OpenBLAS on the shapes of training
    /// (BENCHMARKS.md: 103–125 % on one thread, 7.5–8.1 s against 8.0–9.4 s for one epoch's
    /// products) and its results do not depend on the thread count; at the baseline level it
    /// runs at a third of OpenBLAS's speed, so a system BLAS wins there.
    public static var preferred: GEMMBackend {
        #if canImport(Accelerate)
        return .accelerate
        #else
        return preferred(cpu: .detected, installedBLAS: SystemBLAS.findInstalled)
        #endif
    }

    /// The choice ``preferred`` makes off Apple platforms, for a CPU at `cpu` and the system
    /// BLAS `installedBLAS` finds (asked only when the CPU lacks AVX2).
    public static func preferred(cpu: CPULevel, installedBLAS: () -> SystemBLAS?) -> GEMMBackend {
        if cpu >= .avx2 { return .builtIn(cpu) }
        if let blas = installedBLAS() { return .systemBLAS(blas) }
        return .builtIn(cpu)
    }

    /// The built-in kernel at `level`, checked against this CPU and build.
    public static func builtIn(checking level: CPULevel) throws -> GEMMBackend {
        guard CPULevel.supported.contains(level) else {
            throw TensorError.unsupportedCPULevel(
                "CPU level \(level) is not available here (supported: \(CPULevel.supported.map(\.description).joined(separator: ", ")))")
        }
        return .builtIn(level)
    }

    public var description: String {
        switch self {
        case .builtIn(let level): "built-in kernel (\(level))"
        case .systemBLAS(let blas): "system BLAS (\(blas.path))"
        case .accelerate: "Accelerate"
        }
    }
}

/// Settings of the numeric core: which GEMM backend runs products and how many threads split
/// large kernels.
///
/// Every entry point that computes takes them (`settings:`), by default ``current``: the
/// settings bound for the calling scope (``ComputeContext/run(_:)``, as the CLI runs each
/// command), else the process's. Results do not depend on `threads` for the built-in kernel:
/// work is split by output blocks, never along a sum.
public struct ComputeSettings: Sendable {
    /// The backend for matrix products.
    public var backend: GEMMBackend
    /// Threads for large kernels (at least 1).
    public var threads: Int
    /// The level of the built-in elementwise kernels (sigmoid, Adam), also used by GEMM when
    /// the backend is built in.
    public var cpuLevel: CPULevel

    public init(backend: GEMMBackend = .preferred, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                cpuLevel: CPULevel = .detected) {
        self.backend = backend
        self.threads = max(1, threads)
        self.cpuLevel = cpuLevel
    }

    private static let storage = Mutex(ComputeSettings())

    /// Settings for the current task and what it calls only (``ComputeContext/run(_:)``), over
    /// the process's: two computations in one process, each in its own scope, do not see each
    /// other's. A parallel region's workers see their caller's.
    @TaskLocal public static var scoped: ComputeSettings?

    /// The settings in force here: the scope's, else the process's (set by assigning this).
    public static var current: ComputeSettings {
        get { scoped ?? storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}

/// How a computation may use the machine: the numeric core's settings and the most memory
/// readers and kernels may allocate for what grows with the data (``MemoryBudget``). A value,
/// bound for a scope by ``run(_:)``: library code reads it there, and nothing else sees it.
public struct ComputeContext: Sendable {
    public var settings: ComputeSettings
    /// Bytes; nil keeps the limit in force outside (``MemoryBudget/limit``).
    public var memoryLimit: Int?

    public init(settings: ComputeSettings = ComputeSettings(), memoryLimit: Int? = nil) {
        (self.settings, self.memoryLimit) = (settings, memoryLimit)
    }

    /// Runs `body` with these settings and this memory limit in force.
    public func run<Result>(_ body: () throws -> Result) rethrows -> Result {
        try ComputeSettings.$scoped.withValue(settings) {
            try MemoryBudget.$scoped.withValue(memoryLimit ?? MemoryBudget.scoped) { try body() }
        }
    }
}

/// Runs `body` over consecutive ranges that together cover 0..<count, in parallel on the
/// settings' threads when there is enough work (at least `minimumChunk` elements a thread).
/// For elementwise kernels whose elements are independent, so results do not depend on the
/// split.
public func forEachChunk(of count: Int, minimumChunk: Int = 1 << 15, settings: ComputeSettings = .current,
                         _ body: @Sendable (Range<Int>) -> Void) {
    let parts = max(1, min(settings.threads, count / max(minimumChunk, 1)))
    parallelFor(parts) { part in
        body((count * part / parts)..<(count * (part + 1) / parts))
    }
}

/// Runs `body(part)` for every part 0 ..< `parts`, on at most the settings' threads of Latent's
/// worker pool (each thread takes every `threads`-th part). The parts are fixed by the caller,
/// so results computed per part do not depend on the thread count. The one way above Tensors to
/// run work in parallel: it honours `--threads`, which Dispatch's pool does not.
public func forEachPart(_ parts: Int, settings: ComputeSettings = .current, _ body: @Sendable (Int) -> Void) {
    let workers = max(1, min(parts, settings.threads))
    parallelFor(workers) { worker in
        for part in stride(from: worker, to: parts, by: workers) { body(part) }
    }
}

/// Runs `body(part)` for `parts` parts, in parallel when `parts > 1`: on Latent's pool of
/// worker threads (`latent_parallel_run`), which spin briefly between regions instead of
/// sleeping, so a training step's many short regions start without a wake-up each.
func parallelFor(_ parts: Int, _ body: @Sendable (Int) -> Void) {
    if parts <= 1 { body(0); return }
    // Workers are threads of their own: they take the caller's scoped settings and budget.
    let (settings, budget) = (ComputeSettings.scoped, MemoryBudget.scoped)
    withoutActuallyEscaping(body) { body in
        var task = body
        if let settings, let budget {
            task = { part in ComputeSettings.$scoped.withValue(settings) { MemoryBudget.$scoped.withValue(budget) { body(part) } } }
        } else if let settings {
            task = { part in ComputeSettings.$scoped.withValue(settings) { body(part) } }
        } else if let budget {
            task = { part in MemoryBudget.$scoped.withValue(budget) { body(part) } }
        }
        withUnsafeMutablePointer(to: &task) { pointer in
            latent_parallel_run(parts, { context, part in
                context!.assumingMemoryBound(to: (@Sendable (Int) -> Void).self).pointee(part)
            }, pointer)
        }
    }
}
