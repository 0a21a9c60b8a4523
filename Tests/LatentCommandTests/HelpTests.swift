import Foundation
import Latent
import Testing
import TestSupport

/// Every `--help` lists only options its command takes, and every value an option accepts.
@Suite struct HelpListsWhatIsTaken {
    @Test func theTranslatorListsNoOptionItRefuses() throws {
        let help = try latent("fit", "translator", "--help", in: scratchFolder())
        // Labels come per domain (--domain-labels); held-out pairs and early stopping it takes.
        #expect(!help.output.contains("--labels "), "fit translator --help lists --labels")
        #expect(help.output.contains("--held-out") && help.output.contains("--early-stopping"))
        // Methods of one data set take --labels.
        let vae = try latent("fit", "vae", "--help", in: scratchFolder())
        #expect(vae.output.contains("--held-out") && vae.output.contains("--early-stopping") && vae.output.contains("--labels "))
        let refused = try latent("fit", "translator", "--domain", "a=circle", "--domain", "b=circle", "--labels", "0.1", "--output", "t.safetensors", in: scratchFolder())
        #expect(refused.status != 0 && refused.errors.contains("Unknown option '--labels'"), "\(refused.errors)")
    }

    /// Defaults are declared once, in the library: the help says the library's values, and no
    /// command writes a default by hand.
    @Test func helpStatesTheLibrarysDefaults() throws {
        let vae = try latent("fit", "vae", "--help", in: scratchFolder()).output
        let aae = try latent("fit", "adversarial-autoencoder", "--help", in: scratchFolder()).output
        let deep = try latent("fit", "deep-autoencoder", "--help", in: scratchFolder()).output
        let kmeans = try latent("fit", "kmeans", "--help", in: scratchFolder()).output
        let flat = { (text: String) in text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        let expected: [(String, String)] = [
            (vae, "The latent dimension d. (at least 1; default: \(VariationalAutoencoder.Configuration().codeSize))"),
            (vae, "(default: \(VariationalAutoencoder.Configuration().initializer.rawValue), PyTorch's)"),
            (aae, "The critic's hidden widths. (at least one value, each at least 1; default: \(AdversarialAutoencoder.Configuration().criticHidden.map(String.init).joined(separator: ",")))"),
            (aae, "The radius of the circle of a mixture prior's means. (positive; default: \(Int(CodePrior.defaultRadius)))"),
            (deep, "Epochs of each RBM. (at least 1; default: \(DeepAutoencoder.Configuration().pretrainingEpochs))"),
            (kmeans, "Independent runs, the best kept. (at least 1; default: \(KMeans.Configuration(clusters: 1).initializations))"),
        ]
        for (help, text) in expected { #expect(flat(help).contains(text), "\(text)") }
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/LatentCommand")
        for file in try FileManager.default.contentsOfDirectory(atPath: sources.path) where file.hasSuffix(".swift") && file != "OptionHelp.swift" {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            #expect(!text.contains("(default:"), "\(file) writes a default into its help by hand")
        }
    }

    @Test func everyMetricIsListed() throws {
        let help = try latent("distance", "--help", in: scratchFolder())
        #expect(help.output.contains("mmd, sliced, sinkhorn or emd"), "\(help.output)")
        #expect(help.output.contains("entropy term"), "the Sinkhorn divergence's convention is not named")
    }

    @Test func imagesHaveAScaleOption() throws {
        for command in [["sample"], ["interpolate"], ["translate"]] {
            let help = try runLatent(command + ["--help"], in: scratchFolder())
            #expect(help.output.contains("--image-scale"), "\(command) --help")
        }
    }

    /// Every option that takes one of a set of values names each of them in its command's help
    /// (a choice's summary comes from the library, which does not spell values as flags take them).
    @Test func everyAcceptedValueIsListed() throws {
        let dump = try runProcess(try latentExecutable(), ["--experimental-dump-help"])
        let root = try JSONSerialization.jsonObject(with: Data(dump.output.utf8)) as! [String: Any]
        var accepted: [(path: [String], option: String, values: [String])] = []
        func visit(_ command: [String: Any], path: [String]) {
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                guard let values = argument["allValueStrings"] as? [String] ?? argument["allValues"] as? [String], !values.isEmpty else { continue }
                accepted.append((path, argument["valueName"] as? String ?? "?", values))
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] { visit(sub, path: path + [sub["commandName"] as? String ?? ""]) }
        }
        visit(root["command"] as! [String: Any], path: [])
        #expect(accepted.count >= 40)
        var helps: [[String]: String] = [:], unlisted: [String] = []
        for (path, option, values) in accepted {
            if helps[path] == nil { helps[path] = try runLatent(path + ["--help"], in: scratchFolder()).output }
            let help = helps[path]!.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            for value in values where help.range(of: "(^|[ (,:])" + NSRegularExpression.escapedPattern(for: value) + "($|[ ),.:;])", options: .regularExpression) == nil {
                unlisted.append("latent \(path.joined(separator: " ")) --\(option): \(value)")
            }
        }
        #expect(unlisted.isEmpty, "values missing from help: \(unlisted)")
    }
}
