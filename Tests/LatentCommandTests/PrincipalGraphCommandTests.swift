import Foundation
import Latent
import Testing
import TestSupport

/// `latent fit principal-graph` end to end: the JSON keys the issue names, progress on stderr,
/// the model through encode and report, and bad options as one-line errors.
@Suite struct PrincipalGraphCommand {
    @Test func fitsATreeAndReportsIt() throws {
        let folder = scratchFolder()
        let fit = try latent("fit", "principal-graph", "--data", "star?n=600&dimension=5", "--topology", "tree", "--nodes", "12",
                             "--alpha", "0.001", "--output", "tree.safetensors", "--json", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let result = try json(fit.output)
        #expect(result["barcode"] as? String == "1||12", "\(result)")
        let fve = try #require(result["fraction_of_variance_explained"] as? Double)
        #expect(fve > 0.9 && fve <= 1)
        let energy = try #require(result["energy"] as? [String: Double])
        #expect(Set(energy.keys) == ["total", "mse", "edges", "stars"] && abs(energy["total"]! - energy["mse"]! - energy["edges"]! - energy["stars"]!) < 1e-12)
        let growth = try #require(result["growth"] as? [[String: Any]])
        #expect(growth.first?["operation"] as? String == "initial graph" && growth.last?["nodes"] as? Int == 12)
        #expect(fit.errors.contains("of 12 nodes"), "progress: \(fit.errors)")
        let model = try #require(try Methods.load(from: folder + "/tree.safetensors") as? PrincipalGraph)
        #expect(model.graph.nodeCount == 12 && model.configuration.branchingPenalty == 0.001)
        let encode = try latent("encode", "tree.safetensors", "--data", "star?n=30&dimension=5&seed=3", "--output", "codes.npy", in: folder)
        #expect(encode.status == 0, "\(encode.errors)")
        let report = try latent("report", "tree.safetensors", "--data", "star?n=300&dimension=5", "--output", "report", "--quiet", in: folder)
        #expect(report.status == 0, "\(report.errors)")
        let page = try String(contentsOfFile: folder + "/report/index.html", encoding: .utf8)
        #expect(page.contains("graph.svg") && page.contains("growth.svg") && page.contains("1||12"))
    }

    /// The README's "Principal graphs" commands, run as written, show what it says: a tree
    /// with one branching node on the star.
    @Test func readmeCommandsRunAsWritten() throws {
        let commands = try ReadmeUserData.commands(section: "Principal graphs")
        #expect(commands.count >= 4, "the README section lost its examples: \(commands)")
        let folder = scratchFolder()
        let binaries = URL(fileURLWithPath: try latentExecutable()).deletingLastPathComponent().path
        for command in commands {
            let result = try runProcess("/bin/sh", ["-c", "cd '\(folder)' && PATH='\(binaries)':\"$PATH\" \(command) --threads 1"])
            #expect(result.status == 0, "\(command): \(result.errors)")
            if command.contains("--json") { #expect(try json(result.output)["barcode"] as? String == "1||30", "\(result.output)") }
        }
        #expect(FileManager.default.fileExists(atPath: folder + "/tree-report/graph.svg"))
    }

    @Test(arguments: [
        (["--topology", "circle", "--nodes", "2"], "at least 3 initial nodes"),
        (["--topology", "tree", "--nodes", "8", "--lambda", "0"], "--lambda must be positive, got 0"),
        (["--topology", "ring", "--nodes", "8"], "topology"),
        (["--topology", "curve", "--nodes", "8", "--trimming-radius=-1"], "--trimming-radius must be positive, got -1"),
    ])
    func badOptionsAreOneLineErrors(_ extra: [String], _ message: String) throws {
        let result = try runLatent(["fit", "principal-graph", "--data", "circle?n=50", "--output", "x.safetensors", "--quiet"] + extra, in: scratchFolder())
        #expect(result.status != 0 && result.errors.contains(message), "\(extra): \(result.errors)")
    }
}
