import Foundation
import Latent
import Testing
import TestSupport

/// Where a fault-injection run is killed: a moment after the first stderr line that contains
/// `trigger`, either a fixed delay later or while the process holds its `save`-th file being
/// written after that line (seen in /proc/PID/fd: the file of an atomic write has no name, or
/// a hidden `.tmp` one).
struct KillPoint: CustomTestStringConvertible, Sendable {
    enum Moment: Sendable { case after(milliseconds: Double), duringSave(Int) }
    let trigger: String
    let moment: Moment

    var testDescription: String {
        switch moment {
        case let .after(milliseconds): return "\(milliseconds) ms after '\(trigger)'"
        case let .duringSave(count): return "during save \(count) after '\(trigger)'"
        }
    }
}

/// A run of `latent` killed with SIGKILL at a ``KillPoint``: whether the kill landed (the
/// process may finish first) and its stderr up to then.
struct KilledRun {
    let killed: Bool
    let errors: String

    /// Starts `latent arguments` in `folder` (one thread) and kills it at `point`.
    init(_ arguments: [String], in folder: String, at point: KillPoint) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try latentExecutable())
        process.arguments = arguments + ["--threads", "1"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let errors = Pipe()
        (process.standardError, process.standardOutput) = (errors, FileHandle.nullDevice)
        try process.run()
        var text = ""
        while !text.contains(point.trigger) {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        var killed = false
        if text.contains(point.trigger) {
            switch point.moment {
            case let .after(milliseconds):
                usleep(UInt32(milliseconds * 1000))
                killed = Foundation.kill(process.processIdentifier, SIGKILL) == 0
            case let .duringSave(count):
                killed = Self.kill(process, whenWritingFile: count, in: folder)
            }
        }
        text += String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        self.killed = killed && process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
        self.errors = text
    }

    /// Polls the open files of `process` and kills it while it writes the `count`-th distinct
    /// file (by inode) of an atomic write in `folder`; false when the process ended first.
    static func kill(_ process: Process, whenWritingFile count: Int, in folder: String) -> Bool {
        let descriptors = "/proc/\(process.processIdentifier)/fd"
        let resolvedFolder = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        var seen = Set<UInt64>()
        while process.isRunning {
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: descriptors)) ?? [] {
                let link = descriptors + "/" + entry
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link) else { continue }
                // A nameless O_TMPFILE file reads as "FOLDER/#INODE (deleted)", then as its hidden ".tmp" name.
                guard target.hasPrefix(resolvedFolder + "/#") || target.hasPrefix(folder + "/#") || target.hasSuffix(".tmp") else { continue }
                var info = stat()
                guard stat(link, &info) == 0, seen.insert(UInt64(info.st_ino)).inserted else { continue }
                if seen.count == count { return Foundation.kill(process.processIdentifier, SIGKILL) == 0 }
            }
        }
        return false
    }
}

/// SIGKILL at moments across pretraining, training, checkpoint writes and the model's save of
/// the deep autoencoder, the VAE and the translator; then the run is repeated with `--resume`
/// (afresh when no checkpoint was written yet). Each time: the model file is the previous model
/// or the finished one, whole, and nothing else is left in the folder; the resumed run's model
/// equals an uninterrupted run's, tensor for tensor (one thread).
@Suite(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/fd"), "kills during a save are timed by /proc (Linux)"))
struct FaultInjection {
    /// A method's command, the data it needs, and where to kill it.
    struct Scenario: CustomTestStringConvertible, Sendable {
        let name: String
        let arguments: [String]
        let points: [KillPoint]
        var testDescription: String { name }
    }

    static let checkpointing = ["--checkpoint-every", "1", "--checkpoint-interval", "0", "--output", "m.safetensors"]

    /// Kills in each epoch-long stretch of a run of `epochs` epochs whose epoch lines read
    /// `prefix`epoch k/`epochs`, and during the last checkpoint's and the model's writes.
    static func points(prefix: String, epochs: Int, delays: [Double]) -> [KillPoint] {
        zip(1..., delays).map { KillPoint(trigger: "\(prefix)epoch \(min($0, epochs))/\(epochs)", moment: .after(milliseconds: $1)) }
            + [KillPoint(trigger: "\(prefix)epoch 2/\(epochs)", moment: .duringSave(1)),
               KillPoint(trigger: "\(prefix)epoch \(epochs)/\(epochs)", moment: .duringSave(1)),
               KillPoint(trigger: "\(prefix)epoch \(epochs)/\(epochs)", moment: .duringSave(2))]
    }

    static let scenarios: [Scenario] = [
        Scenario(name: "deep-autoencoder",
                 arguments: ["fit", "deep-autoencoder", "--data", "fashion-mnist-mini:train", "--hidden", "64,32", "--code-size", "8",
                             "--pretrain-epochs", "3", "--epochs", "5"],
                 points: [KillPoint(trigger: "loaded", moment: .after(milliseconds: 0)),
                          KillPoint(trigger: "rbm 1/3: epoch 1/3", moment: .after(milliseconds: 2)),
                          KillPoint(trigger: "rbm 1/3: epoch 2/3", moment: .duringSave(1)),
                          KillPoint(trigger: "rbm 2/3: epoch 2/3", moment: .after(milliseconds: 0)),
                          KillPoint(trigger: "rbm 3/3: epoch 1/3", moment: .after(milliseconds: 1)),
                          KillPoint(trigger: "rbm 3/3: epoch 3/3", moment: .duringSave(1)),
                          KillPoint(trigger: "model written", moment: .after(milliseconds: 0))]
                     + points(prefix: "fine-tuning: ", epochs: 5, delays: [0, 3, 1])),
        Scenario(name: "vae",
                 arguments: ["fit", "vae", "--data", "fashion-mnist-mini:train", "--hidden", "64", "--code-size", "4", "--epochs", "5"],
                 points: [KillPoint(trigger: "loaded", moment: .after(milliseconds: 1))] + points(prefix: "", epochs: 5, delays: [0, 4, 2])),
        Scenario(name: "translator",
                 arguments: ["fit", "translator", "--domain", "a=a.npy", "--domain", "b=b.npy", "--code-size", "2", "--hidden", "32",
                             "--critic-hidden", "16", "--epochs", "5", "--batch-size", "50"],
                 points: [KillPoint(trigger: "loaded b", moment: .after(milliseconds: 0))] + points(prefix: "", epochs: 5, delays: [0, 3, 1])),
    ]

    /// The tensors of the model file at `path`.
    static func tensors(_ path: String) throws -> [Tensor] { try SafeTensorsFile.read(path).tensors.map(\.tensor) }

    @Test(arguments: scenarios)
    func killedRunsResumeToTheUninterruptedModel(_ scenario: Scenario) throws {
        let reference = scratchFolder()
        try TranslatorCommands().writeViews(count: 600, in: reference)
        let uninterrupted = try runLatent(scenario.arguments + Self.checkpointing + ["--quiet"], in: reference)
        try #require(uninterrupted.status == 0, "\(uninterrupted.errors)")
        let expected = try Self.tensors(reference + "/m.safetensors")
        // The model a killed run must leave intact: another seed's.
        let other = try runLatent(scenario.arguments + ["--seed", "9", "--output", "previous.safetensors", "--quiet"], in: reference)
        try #require(other.status == 0, "\(other.errors)")
        let previous = try Self.tensors(reference + "/previous.safetensors")
        #expect(previous != expected)
        var killed = 0
        for point in scenario.points {
            let folder = scratchFolder()
            for file in ["a.npy", "b.npy"] { try FileManager.default.copyItem(atPath: reference + "/" + file, toPath: folder + "/" + file) }
            try FileManager.default.copyItem(atPath: reference + "/previous.safetensors", toPath: folder + "/m.safetensors")
            let run = try KilledRun(scenario.arguments + Self.checkpointing, in: folder, at: point)
            if run.killed { killed += 1 }
            // The model file is whole: the previous one, or (killed after its rename, which may come
            // between the poll that saw the file being written and the signal) the finished one.
            let left = try Self.tensors(folder + "/m.safetensors")
            #expect(left == previous || left == expected, "\(point.testDescription): the model file is neither the previous nor the finished model")
            // Besides them, only a hidden temporary file of a write killed between naming and renaming.
            let expectedFiles: Set<String> = ["a.npy", "b.npy", "m.safetensors", "m.checkpoint.safetensors"]
            let files = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
            #expect(files.subtracting(expectedFiles).allSatisfy { $0.hasPrefix(".m.") && $0.hasSuffix(".tmp") }, "\(point.testDescription): left \(files.sorted())")
            let resume = files.contains("m.checkpoint.safetensors") ? ["--resume"] : []
            let finished = try runLatent(scenario.arguments + Self.checkpointing + resume + ["--quiet"], in: folder)
            #expect(finished.status == 0, "\(point.testDescription): \(finished.errors)")
            #expect(try Self.tensors(folder + "/m.safetensors") == expected, "\(point.testDescription): the resumed model differs from the uninterrupted one")
            // The finished run removed what the killed one left.
            #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder)) == expectedFiles, "\(point.testDescription)")
        }
        // Most kills land: a run that ends before its kill point checks nothing about the kill.
        #expect(killed >= scenario.points.count - 2, "only \(killed) of \(scenario.points.count) kills landed")
    }

    /// A run at a learning rate of 10³ over the output of a good run: an error naming the epoch
    /// and batch where it diverged, a non-zero exit, and the good run's model and checkpoint
    /// untouched (the diverging run writes none).
    @Test(arguments: scenarios)
    func aDivergingRunStopsAndKeepsTheLastGoodCheckpoint(_ scenario: Scenario) throws {
        let folder = scratchFolder()
        try TranslatorCommands().writeViews(count: 600, in: folder)
        let good = try runLatent(scenario.arguments + Self.checkpointing + ["--quiet"], in: folder)
        try #require(good.status == 0, "\(good.errors)")
        let before = try ["m.safetensors", "m.checkpoint.safetensors"].map { try Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0)) }
        let diverging = try runLatent(scenario.arguments + Self.checkpointing + ["--learning-rate", "1000", "--quiet"], in: folder)
        #expect(diverging.status == 1 && diverging.errors.contains(" at epoch 1, batch ") && diverging.errors.contains("lower the learning rate")
                && diverging.errors.contains("the last good state stays in m.checkpoint.safetensors"), "\(diverging.errors)")
        #expect(diverging.errors.split(separator: "\n").count == 1, "not one line: \(diverging.errors)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/m.safetensors")) == before[0])
        // The checkpoint is the good run's, or (the deep autoencoder) this run's own from before
        // the stage that diverged (RBM pretraining does not use --learning-rate): finite either way.
        let checkpoint = try SafeTensorsFile.read(folder + "/m.checkpoint.safetensors")
        #expect(checkpoint.tensors.allSatisfy { $0.tensor.scalars.allSatisfy(\.isFinite) })
        if scenario.name != "deep-autoencoder" { #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/m.checkpoint.safetensors")) == before[1]) }
    }
}
