import Foundation
import Latent
import LatentCommand
import Testing
import TestSupport

/// `latent` run in the test's own process (``LatentCLI/runInProcess(_:in:)``): the same results,
/// messages and exit status as the executable, and commands side by side that keep their own
/// output and compute settings.
@Suite struct CommandsInProcess {
    /// `arguments` with `<folder>` standing for `folder`.
    static func arguments(_ template: [String], in folder: String) -> [String] {
        template.map { $0.replacingOccurrences(of: "<folder>", with: folder) }
    }

    /// Output with `folder` written `<folder>` and, in JSON, the timings left out.
    static func comparable(_ text: String, folder: String) throws -> String {
        let text = text.replacingOccurrences(of: folder, with: "<folder>")
        guard text.hasPrefix("{"), var object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return text }
        for key in object.keys where key.contains("seconds") || key == "command" { object.removeValue(forKey: key) }
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: .sortedKeys), as: UTF8.self)
    }

    @Test(arguments: [
        ["fit", "pca", "--data", "circle?n=60", "--code-size", "1", "--output", "<folder>/p.safetensors", "--json", "--quiet"],
        ["fit", "kmeans", "--data", "blobs?n=90", "--clusters", "3", "--output", "<folder>/k.safetensors", "--json", "--quiet", "--threads", "1"],
        ["fit", "vae", "--data", "circle", "--output", "<folder>/v.safetensors", "--beta", "0"],
        ["fit", "nonlinear-pca", "--data", "kramer-curve?n=40", "--code-size", "9", "--output", "<folder>/n.safetensors", "--quiet"],
        ["fit", "principal-graph", "--help"],
        ["distance", "circle?n=40", "circle?n=40&seed=2", "--json", "--quiet"],
        ["no-such-command"],
    ])
    func saysWhatTheExecutableSays(_ template: [String]) throws {
        let (here, there) = (scratchFolder(), scratchFolder())
        let inProcess = LatentCLI.runInProcess(Self.arguments(template, in: here))
        let spawned = try runProcess(try latentExecutable(), Self.arguments(template, in: there), in: there)
        #expect(inProcess.status == spawned.status, "\(template)")
        #expect(try Self.comparable(inProcess.output, folder: here) == Self.comparable(spawned.output, folder: there), "\(template)")
        #expect(inProcess.errors.replacingOccurrences(of: here, with: "<folder>") == spawned.errors.replacingOccurrences(of: there, with: "<folder>"),
                "\(template)")
    }

    /// Fits side by side in one process, at different thread counts, each give the model the
    /// executable gives alone (results do not depend on threads) and keep their own output.
    @Test func fitsSideBySideKeepTheirOwnSettingsAndOutput() async throws {
        let folder = scratchFolder()
        let fit: @Sendable (String, Int) -> [String] = { name, threads in
            ["fit", "nonlinear-pca", "--data", "kramer-curve?n=200", "--code-size", "1", "--hidden", "6", "--epochs", "3", "--minimum-steps", "0",
             "--threads", "\(threads)", "--cpu-level", threads == 1 ? "baseline" : CPULevel.detected.description, "--gemm", "builtin",
             "--output", folder + "/\(name).safetensors", "--json", "--quiet"]
        }
        let outcomes = await withTaskGroup(of: (String, LatentCLI.Outcome).self) { group in
            for (name, threads) in [("one", 1), ("two", 2)] {
                group.addTask { (name, LatentCLI.runInProcess(fit(name, threads))) }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        for (name, outcome) in outcomes {
            #expect(outcome.status == 0, "\(name): \(outcome.errors)")
            let result = try #require(try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any])
            #expect(result["model"] as? String == folder + "/\(name).safetensors", "each run prints its own result")
        }
        let alone = try runProcess(try latentExecutable(), fit("alone", 2), in: folder)
        #expect(alone.status == 0, "\(alone.errors)")
        let two = try SafeTensorsFile.read(folder + "/two.safetensors"), reference = try SafeTensorsFile.read(folder + "/alone.safetensors")
        #expect(two.tensors.map(\.tensor) == reference.tensors.map(\.tensor), "another fit beside it changed the model")
        let one = try SafeTensorsFile.read(folder + "/one.safetensors")
        for ((_, a), (_, b)) in zip(one.tensors, reference.tensors) {
            #expect(a.isApproximatelyEqual(to: b, relativeTolerance: 1e-3, absoluteTolerance: 1e-4), "the baseline kernels agree to Float32 rounding")
        }
        #expect(one.metadata[SafeTensorsFile.commandKey]?.hasPrefix("latent fit nonlinear-pca") == true, "the model records its own command line")
        #expect(one.metadata[SafeTensorsFile.commandKey]?.contains("--threads 1 --cpu-level baseline") == true)
    }
}
