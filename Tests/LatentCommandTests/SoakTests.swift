import Foundation
import Testing
import TestSupport

/// Part of the soak tour of the command line (Scripts/soak.py) on every test run: 100
/// episodes of random data sets, methods and options, and the commands that follow a fit.
/// Every command exits 0 with valid output or with a one-line error; none dies of a signal,
/// crashes or hangs. The script runs longer tours with other seeds (RELIABILITY.md).
@Test func aSoakTourOfTheCommandLineFindsNoFailure() throws {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Scripts/soak.py").standardizedFileURL.path
    let result = try runProcess("python3", [script, "--episodes", "100", "--seed", "2026", "--latent", try latentExecutable(), "--timeout", "300"])
    #expect(result.status == 0 && result.output.contains(": 0 failures"), "\(result.output.suffix(2000))\n\(result.errors.suffix(4000))")
    #expect(result.output.contains("fit translator") && result.output.contains("evaluate"), "the tour did not reach every command: \(result.output)")
}
