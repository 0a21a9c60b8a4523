import Foundation
import Testing
import TestSupport

/// Every input a fuzz harness once crashed on (`Fuzz/Corpus/TARGET/regression-*`, committed with
/// its fix) replays through the same harness without a crash: `latent-fuzz` of an ordinary build
/// runs each input once and exits 0.
@Test func fuzzFindingsStayFixed() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Fuzz/Corpus").standardizedFileURL
    let harness = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("latent-fuzz").path
    let candidates = [harness, FileManager.default.currentDirectoryPath + "/.build/release/latent-fuzz"]
    let executable = try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0) }, "latent-fuzz is not built")
    var replayed = 0
    for target in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() {
        let folder = root.appendingPathComponent(target).path
        let inputs = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("regression-") }.sorted()
        guard !inputs.isEmpty else { continue }
        let result = try runProcess("/usr/bin/env", ["LATENT_FUZZ_TARGET=\(target)", executable] + inputs.map { folder + "/" + $0 })
        #expect(result.status == 0, "\(target): \(inputs): \(result.errors.suffix(1500))")
        replayed += inputs.count
    }
    #expect(replayed >= 3)
}
