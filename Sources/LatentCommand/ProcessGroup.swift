import ArgumentParser
import Foundation
import Latent

/// The processes one command runs as: this one alone, or the N that `mpirun -np N` (or
/// `srun`) started, joined through MPI (Open MPI, loaded at run time: ``MPILibrary``).
///
/// Every process of a data-parallel `latent fit` reads the data and runs the same fit on its
/// parts of each batch (``PartTree``); rank 0 alone reports progress, writes checkpoints and
/// the model, and prints the result.
final class ProcessGroup: Sendable {
    let communicator: any Communicator
    let mpi: MPICommunicator?
    /// SIGTERM's handler in a run of several processes (kept alive with the group).
    nonisolated(unsafe) private var termination: DispatchSourceSignal? = nil

    /// This command's processes; set by `main` before the command runs.
    nonisolated(unsafe) static var current = ProcessGroup(communicator: SingleProcess(), mpi: nil)

    private init(communicator: any Communicator, mpi: MPICommunicator?) {
        self.communicator = communicator
        self.mpi = mpi
    }

    var rank: Int { communicator.rank }
    var size: Int { communicator.size }
    /// Whether this process reports and writes (rank 0).
    var isLeader: Bool { rank == 0 }

    /// Joins MPI's world when a launcher started this process among several (`launched`).
    static func join(launched: Int) throws -> ProcessGroup {
        let environment = ProcessInfo.processInfo.environment
        guard let library = MPILibrary.findInstalled(environment: environment) else {
            throw ValidationErrorText("this process is one of \(launched) a launcher (mpirun, mpiexec, srun) started, but no MPI library of its kind loads "
                                      + "(tried \(MPILibrary.names(for: environment).joined(separator: ", "))); install the MPI that launched it "
                                      + "(Debian: libopenmpi3 for Open MPI's mpirun, libmpich12 for MPICH's mpiexec), or run latent as one process")
        }
        let world = try MPICommunicator(library: library)
        guard world.size == launched else {
            throw ValidationErrorText("the launcher announced \(launched) processes, MPI's world has \(world.size)")
        }
        let group = ProcessGroup(communicator: world, mpi: world)
        group.sayWhyWhenTerminated()
        return group
    }

    /// When one process of the run dies, mpirun ends the others with SIGTERM while they wait
    /// for it in a sum; each then says so, and how to continue, instead of vanishing.
    private func sayWhyWhenTerminated() {
        let text = "Error: process \(rank) of \(size) was stopped (SIGTERM): under mpirun, another process of this run failed (see mpirun's message). "
            + "A checkpoint written with --checkpoint-every continues the run: repeat the command with --resume and the same --parts, "
            + "on any number of processes sharing them (dividing them, a power of two of them each)\n"
        signal(SIGTERM, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
        source.setEventHandler {
            Console.error(text)
            _exit(143)
        }
        source.resume()
        termination = source
    }

    /// Ends MPI (MPI_Finalize) after a command that joined it; nothing otherwise.
    func finish() { mpi?.finalize() }

    /// Each process's `value`, in rank order, on every process.
    func gathered(_ value: Double) throws -> [Double] {
        try PartTree(communicator, parts: size).gathered([[value]]).map { $0[0] }
    }

    /// The parts a fit cuts its batches and sums into: `requested`, or one per process.
    func parts(requested: Int?) throws -> PartTree {
        do { return try PartTree(communicator, parts: requested ?? size) } catch {
            throw ValidationErrorText("--parts: \(error)")
        }
    }
}
