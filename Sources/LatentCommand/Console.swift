import Foundation
import Synchronization

/// Where a command's results and messages go: the process's standard output and error, or,
/// for a command run in this process (``LatentCLI/runInProcess(_:in:)``), buffers of its own, so
/// that commands side by side in one process (tests) each keep theirs.
final class Console: Sendable {
    private let buffers = Mutex((output: "", errors: ""))

    /// The console of the command running here; nil: the process's standard streams.
    @TaskLocal static var captured: Console?

    /// What the command wrote to its standard output and error.
    var written: (output: String, errors: String) { buffers.withLock { $0 } }

    /// Writes `text` to standard output.
    static func output(_ text: String) {
        if let captured { captured.buffers.withLock { $0.output += text } } else { FileHandle.standardOutput.write(Data(text.utf8)) }
    }

    /// Writes `text` to standard error (messages, progress).
    static func error(_ text: String) {
        if let captured { captured.buffers.withLock { $0.errors += text } } else { FileHandle.standardError.write(Data(text.utf8)) }
    }

    /// One line of a command's result on standard output.
    static func line(_ text: String = "") { output(text + "\n") }
}
