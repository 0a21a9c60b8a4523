import CLatentMPI

/// An MPI library loaded at run time with dlopen, as the system BLAS is: Open MPI (4 or later)
/// or one of MPICH's ABI (MPICH 3.1 or later, Intel MPI, Cray MPICH, MVAPICH). Latent builds and
/// runs without one, and trains across processes where `mpirun` (or `mpiexec`, `srun`) starts it.
public final class MPILibrary: Sendable, CustomStringConvertible {
    /// The path or soname the library was opened from.
    public let path: String
    /// The library's own version text (its first line).
    public let version: String
    nonisolated(unsafe) let mpi: latent_mpi

    /// Open MPI's names, tried in order (Open MPI 3 to 5 keep soname 40; on macOS, Homebrew's).
    public static let openMPINames = ["libmpi.so.40", "libmpi.40.dylib", "/opt/homebrew/lib/libmpi.40.dylib", "/usr/local/lib/libmpi.40.dylib"]
    /// MPICH's names (its ABI's soname is 12: `libmpi.so.12`, Debian's `libmpich.so.12`).
    public static let mpichNames = ["libmpich.so.12", "libmpi.so.12", "libmpi.12.dylib", "/opt/homebrew/lib/libmpi.12.dylib",
                                    "/usr/local/lib/libmpi.12.dylib"]
    /// Every name tried when the launcher does not say which MPI started the process.
    public static let defaultNames = openMPINames + mpichNames

    /// Opens the library at `path` (a file path or a soname); `joining`: to initialize MPI in
    /// this process (its symbols global), not only to ask its version.
    public init(path: String, joining: Bool = true) throws {
        var handle = latent_mpi()
        var message = [CChar](repeating: 0, count: 512)
        guard latent_mpi_open(path, joining, &handle, &message, message.count) else {
            throw CommunicationError(message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        var text = [CChar](repeating: 0, count: 1024)
        let known = withUnsafePointer(to: handle) { latent_mpi_library_version($0, &text, text.count) }
        self.path = path
        self.mpi = handle
        self.version = known ? text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }.split(separator: "\n").first
            .map { String($0.map { $0 == "\t" ? " " : $0 }) } ?? "" : ""
    }

    /// Whether this build carries AddressSanitizer: MPICH's library (4.0) crashes its runtime
    /// as it loads, so a sanitizer build never loads it (Open MPI it does).
    public static let instrumentedWithAddressSanitizer = latent_instrumented_with_address_sanitizer()

    /// The names to try for a process a launcher started, by what the launcher set: Open
    /// MPI's `mpirun` (`OMPI_COMM_WORLD_SIZE`) needs Open MPI, MPICH's Hydra (`PMI_SIZE`)
    /// MPICH's ABI; otherwise (Slurm, no launcher) both, Open MPI first. MPICH's names are left
    /// out of a build with AddressSanitizer.
    public static func names(for environment: [String: String]) -> [String] {
        let mpich = instrumentedWithAddressSanitizer ? [] : mpichNames
        if environment["OMPI_COMM_WORLD_SIZE"] != nil { return openMPINames }
        if environment["PMI_SIZE"] != nil { return mpich }
        return openMPINames + mpich
    }

    /// The first library of ``names(for:)`` that loads, to join; nil when none is installed.
    public static func findInstalled(environment: [String: String] = [:]) -> MPILibrary? {
        for name in names(for: environment) { if let library = try? MPILibrary(path: name) { return library } }
        return nil
    }

    /// Every MPI library installed (one per version: a soname and its link count once), each
    /// only asked its version.
    public static func installed() -> [MPILibrary] {
        var seen = Set<String>()
        return names(for: [:]).compactMap { try? MPILibrary(path: $0, joining: false) }.filter { seen.insert($0.version).inserted }
    }

    public var description: String { version.isEmpty ? path : "\(version) (\(path))" }

    /// The number of processes a launcher started this one among, read from the variables
    /// Open MPI's `mpirun` (`OMPI_COMM_WORLD_SIZE`), MPICH's Hydra `mpiexec` and other PMI
    /// launchers (`PMI_SIZE`) and PMIx launchers such as `srun --mpi=pmix` (`PMIX_SIZE`… are not
    /// exported before initialization, so Slurm's `SLURM_NTASKS` with a `PMIX_RANK`) set; nil
    /// when no launcher did.
    public static func launchedProcesses(environment: [String: String]) -> Int? {
        if let size = environment["OMPI_COMM_WORLD_SIZE"].flatMap(Int.init) { return size }
        if let size = environment["PMI_SIZE"].flatMap(Int.init) { return size }
        if environment["PMIX_RANK"] != nil, let size = environment["SLURM_NTASKS"].flatMap(Int.init) { return size }
        return nil
    }

    /// This process's rank among the ones a launcher started (Open MPI's
    /// `OMPI_COMM_WORLD_RANK`, PMI's `PMI_RANK`, PMIx's `PMIX_RANK`), known before MPI is
    /// initialized; nil when no launcher did.
    public static func launchedRank(environment: [String: String]) -> Int? {
        environment["OMPI_COMM_WORLD_RANK"].flatMap(Int.init) ?? environment["PMI_RANK"].flatMap(Int.init) ?? environment["PMIX_RANK"].flatMap(Int.init)
    }

    /// The processes of `mpirun`'s world sharing this machine (Open MPI's
    /// `OMPI_COMM_WORLD_LOCAL_SIZE`, Hydra's `MPI_LOCALNRANKS`, Slurm's tasks per node), to
    /// share its cores; nil if unknown.
    public static func processesOnThisMachine(environment: [String: String]) -> Int? {
        environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? environment["MPI_LOCALNRANKS"].flatMap(Int.init)
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
