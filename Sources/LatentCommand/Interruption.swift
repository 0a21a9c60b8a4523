import Dispatch
import Foundation
import Synchronization

/// Ctrl-C during training: the first SIGINT asks the run to stop after the current batch (the
/// progress callback throws ``Interrupted``), so the last checkpoint stays the last complete
/// epoch's and the command says how to continue; a second SIGINT ends the process at once.
final class InterruptionMonitor {
    /// Thrown from a progress callback once Ctrl-C was pressed.
    struct Interrupted: Error {}

    private static let requested = Atomic<Bool>(false)
    private let source: DispatchSourceSignal

    /// Watches for Ctrl-C; nil for a command run inside another program
    /// (``LatentCLI/runInProcess(_:in:)``), whose signals are its own.
    init?() {
        guard Console.captured == nil else { return nil }
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            if Self.requested.exchange(true, ordering: .relaxed) { exit(130) }
        }
        source.resume()
    }

    /// Throws ``Interrupted`` once Ctrl-C was pressed.
    func check() throws {
        if Self.requested.load(ordering: .relaxed) { throw Interrupted() }
    }
}
