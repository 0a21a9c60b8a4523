import CLatentKernels

/// An MPI library loaded at run time with dlopen (Open MPI 4 or later), as the system BLAS is:
/// Latent builds and runs without one, and trains across processes where `mpirun` starts it.
public final class MPILibrary: Sendable, CustomStringConvertible {
    /// The path or soname the library was opened from.
    public let path: String
    /// The library's own version text (its first line).
    public let version: String
    nonisolated(unsafe) let mpi: latent_mpi

    /// The names tried, in order, when no path is given (Open MPI 3 to 5 keep soname 40; on
    /// macOS, Homebrew's `libmpi.40.dylib`).
    public static let defaultNames = ["libmpi.so.40", "libmpi.so", "libmpi.40.dylib", "/opt/homebrew/lib/libmpi.40.dylib", "/usr/local/lib/libmpi.40.dylib"]

    /// Opens the library at `path` (a file path or a soname).
    public init(path: String) throws {
        var handle = latent_mpi()
        var message = [CChar](repeating: 0, count: 512)
        guard latent_mpi_open(path, &handle, &message, message.count) else {
            throw CommunicationError(message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        var text = [CChar](repeating: 0, count: 1024)
        let known = withUnsafePointer(to: handle) { latent_mpi_library_version($0, &text, text.count) }
        self.path = path
        self.mpi = handle
        self.version = known ? text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }.split(separator: "\n").first.map(String.init) ?? "" : ""
    }

    /// The first of ``defaultNames`` that loads, or nil when none is installed.
    public static func findInstalled() -> MPILibrary? {
        for name in defaultNames { if let library = try? MPILibrary(path: name) { return library } }
        return nil
    }

    public var description: String { version.isEmpty ? path : "\(version) (\(path))" }

    /// The number of processes a launcher started this one among, read from the variables
    /// `mpirun` (Open MPI's `OMPI_COMM_WORLD_SIZE`) and PMIx launchers such as `srun --mpi=pmix`
    /// (`PMIX_SIZE`… are not exported before initialization, so Slurm's `SLURM_NTASKS` with a
    /// `PMIX_RANK`) set; nil when no launcher did.
    public static func launchedProcesses(environment: [String: String]) -> Int? {
        if let size = environment["OMPI_COMM_WORLD_SIZE"].flatMap(Int.init) { return size }
        if environment["PMIX_RANK"] != nil, let size = environment["SLURM_NTASKS"].flatMap(Int.init) { return size }
        return nil
    }

    /// This process's rank among the ones a launcher started (Open MPI's
    /// `OMPI_COMM_WORLD_RANK`, PMIx's `PMIX_RANK`), known before MPI is initialized; nil when
    /// no launcher did.
    public static func launchedRank(environment: [String: String]) -> Int? {
        environment["OMPI_COMM_WORLD_RANK"].flatMap(Int.init) ?? environment["PMIX_RANK"].flatMap(Int.init)
    }

    /// The processes of `mpirun`'s world sharing this machine (Open MPI's
    /// `OMPI_COMM_WORLD_LOCAL_SIZE`, Slurm's tasks per node), to share its cores; nil if unknown.
    public static func processesOnThisMachine(environment: [String: String]) -> Int? {
        environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init)
            ?? environment["SLURM_NTASKS_PER_NODE"].flatMap(Int.init)
    }
}

/// MPI_COMM_WORLD of a loaded ``MPILibrary``: the processes `mpirun -np N` started.
///
/// Created once per process (MPI may be initialized once); errors come back as Swift errors
/// naming the partner, never as an abort inside the library.
public final class MPICommunicator: Communicator {
    public let library: MPILibrary
    public let rank: Int
    public let size: Int

    /// Initializes MPI (MPI_Init) and joins its world.
    public init(library: MPILibrary) throws {
        var rank: Int32 = 0, size: Int32 = 0
        let code = withUnsafePointer(to: library.mpi) { latent_mpi_init($0, &rank, &size) }
        guard code == 0 else { throw CommunicationError("MPI_Init failed: \(Self.message(library, code))") }
        self.library = library
        self.rank = Int(rank)
        self.size = Int(size)
    }

    public func exchange(_ send: UnsafeRawBufferPointer, with partner: Int, into receive: UnsafeMutableRawBufferPointer) throws {
        let code = withUnsafePointer(to: library.mpi) {
            latent_mpi_exchange($0, send.baseAddress, send.count, Int32(partner), receive.baseAddress, receive.count, Int32(partner), Self.tag)
        }
        guard code == 0 else {
            throw CommunicationError("process \(rank) of \(size) lost its partner \(partner) (\(Self.message(library, code))): "
                                     + "another process of this run stopped")
        }
    }

    /// Ends every process of the run (MPI_Abort): for an error one process meets alone, which
    /// would leave the others waiting in their next exchange.
    public func abort(code: Int32) -> Never {
        withUnsafePointer(to: library.mpi) { latent_mpi_abort($0, code) }
        fatalError("MPI_Abort returned")
    }

    /// MPI_Finalize: call once, after the last exchange.
    public func finalize() {
        _ = withUnsafePointer(to: library.mpi) { latent_mpi_finalize($0) }
    }

    static let tag: Int32 = 0x4C54

    static func message(_ library: MPILibrary, _ code: Int32) -> String {
        var text = [CChar](repeating: 0, count: 512)
        withUnsafePointer(to: library.mpi) { latent_mpi_error_string($0, code, &text, text.count) }
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
