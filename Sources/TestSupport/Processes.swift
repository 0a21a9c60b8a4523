import Foundation
import Synchronization

/// What a finished child process left: its exit status and both output streams.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let output: String, errors: String
}

/// Runs `executable` (a path, or a name looked up on PATH) with `arguments`, in `folder` when
/// given, and waits for it, reading both output streams at once; throws only when it cannot start.
public func runProcess(_ executable: String, _ arguments: [String], in folder: String? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.contains("/") ? executable : "/usr/bin/env")
    process.arguments = executable.contains("/") ? arguments : [executable] + arguments
    if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    // Read both pipes while the child runs, so neither fills and blocks it. The lock orders the
    // reader thread's write before the read here (ThreadSanitizer found the unlocked version).
    let errorData = Mutex<Data?>(nil)
    let reader = Thread { let data = errors.fileHandleForReading.readDataToEndOfFile(); errorData.withLock { $0 = data } }
    reader.start()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    var errorText: Data? = nil
    while errorText == nil {
        errorText = errorData.withLock { $0 }
        if errorText == nil { Thread.sleep(forTimeInterval: 0.001) }
    }
    return ProcessResult(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                         errors: String(decoding: errorText!, as: UTF8.self))
}

/// The full path of `name` on PATH, or nil.
public func executablePath(_ name: String) -> String? {
    for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let path = "\(folder)/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}

/// Whether `python3` on PATH can import `module`.
public func pythonCanImport(_ module: String) -> Bool {
    guard executablePath("python3") != nil else { return false }
    return (try? runProcess("python3", ["-c", "import \(module)"]))?.status == 0
}
