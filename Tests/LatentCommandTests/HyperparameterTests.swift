import Foundation
import Latent
import LatentCommand
import Testing
import TestSupport

/// Each hyperparameter is declared once, in the library: its `latent fit` option, the option's
/// help, and the check of its range all come from that declaration.
@Suite struct HyperparametersDeclaredOnce {
    /// One declared hyperparameter of a method with a fit command.
    struct Declared: CustomStringConvertible, Sendable {
        let command: String
        let name: String
        let summary: String
        let valid: String?
        var description: String { "\(command) \(name)" }
        /// The summary up to the first setting it names (the command line says those as flags).
        var plainSummary: String { String(summary.prefix { $0 != "`" }) }
    }

    static func declarations<C: HyperparameterDeclaring>(_ configuration: C.Type) -> [(name: String, summary: String, valid: String?)] {
        C.hyperparameters.map { ($0.name, $0.summary, $0.valid) }
    }

    /// The declarations of the configuration of `method`, nil when it declares none.
    static func declarations<M: Autoencoder>(_ method: M.Type) -> [(name: String, summary: String, valid: String?)]? {
        guard let declaring = M.Configuration.self as? any HyperparameterDeclaring.Type else { return nil }
        return declarations(declaring)
    }

    /// Every declared hyperparameter of every method `latent fit` fits (the RBM is fitted only
    /// inside the deep autoencoder), with the training ones of trained methods.
    static let declared: [Declared] = Methods.builtIn.flatMap { method -> [Declared] in
        guard fitOptions[method.methodName] != nil, let own = declarations(method) else { return [] }
        let training = method is any TrainedMethod.Type ? declarations(TrainingConfiguration.self) : []
        return (own + training).map { Declared(command: method.methodName, name: $0.name, summary: $0.summary, valid: $0.valid) }
    }

    /// Every `latent fit` subcommand's options (long name → help), from ArgumentParser's own description.
    static let fitOptions: [String: [String: String]] = {
        let dump = try! runProcess(try! latentExecutable(), ["--experimental-dump-help"])
        let root = try! JSONSerialization.jsonObject(with: Data(dump.output.utf8)) as! [String: Any]
        let commands = (root["command"] as! [String: Any])["subcommands"] as! [[String: Any]]
        let fit = commands.first { $0["commandName"] as? String == "fit" }!
        let flat = { (text: String) in text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        var options: [String: [String: String]] = [:]
        for command in fit["subcommands"] as! [[String: Any]] {
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                for name in argument["names"] as? [[String: Any]] ?? [] where name["kind"] as? String == "long" {
                    options[command["commandName"] as! String, default: [:]]["--" + (name["name"] as! String)] = flat(argument["abstract"] as? String ?? "")
                }
            }
        }
        return options
    }()

    /// The option of `parameter`'s command whose help is its declared summary; nil when none.
    static func flag(_ parameter: Declared) -> String? {
        fitOptions[parameter.command]?.filter { $0.value.contains(parameter.plainSummary) }.keys.sorted().first
    }

    /// Each declared hyperparameter of a method is an option of its `latent fit` command, whose
    /// help is the declared summary.
    @Test func everyDeclaredHyperparameterIsAnOptionHelpedByItsSummary() throws {
        #expect(Self.declared.count >= 80)
        #expect(Set(Self.declared.map(\.command)).count == 16, "\(Set(Self.declared.map(\.command)).sorted())")
        #expect(Self.fitOptions.count == 16)
        let missing = Self.declared.filter { Self.flag($0) == nil }
        #expect(missing.isEmpty, "declared in the library, no option of its command says it: \(missing)")
    }

    /// A value just outside a declared range ("at least 1" → 0, "positive" → 0, "in [0, 1)" → 1).
    static func outside(_ valid: String) -> String? {
        let ranges: [(pattern: String, value: (Double) -> Double)] = [
            (#"^(?:each )?at least (-?[0-9.]+)$"#, { $0 - 1 }), (#"^(?:at least one value, )?each at least (-?[0-9.]+)$"#, { $0 - 1 }),
            (#"^(?:each )?positive$"#, { _ in 0 }), (#"^(?:each )?in \[(-?[0-9.]+), [0-9.]+[\])]$"#, { $0 - 1 }),
            (#"^(?:each )?in \((-?[0-9.]+), [0-9.]+\]$"#, { $0 }), (#"^greater than (-?[0-9.]+)$"#, { $0 }),
        ]
        for (pattern, value) in ranges {
            guard let match = valid.range(of: pattern, options: .regularExpression) else { continue }
            let number = valid[match].split(separator: " ").compactMap { Double($0.trimmingCharacters(in: CharacterSet(charactersIn: "[(,"))) }.first ?? 0
            let outside = value(number)
            return outside == outside.rounded() ? "\(Int(outside))" : "\(outside)"
        }
        return nil
    }

    static let ranged = declared.filter { $0.valid != nil }

    /// A value outside its declared range is refused before any data are read (the data named
    /// do not exist), and the message names the flag the user gave, never the library's field.
    /// Run in this process (``LatentCLI/runInProcess(_:in:)``): a command per range, no process spawned.
    @Test(arguments: ranged)
    func aValueOutOfRangeIsRefusedNamingTheFlag(_ parameter: Declared) throws {
        let value = try #require(Self.outside(parameter.valid!), "no value outside '\(parameter.valid!)'")
        let flag = try #require(Self.flag(parameter))
        // A list (widths, a pair of momenta): two values, both outside.
        let given = parameter.valid!.contains("each ") ? "\(value),\(value)" : value
        var arguments = ["fit", parameter.command, "--output", "m.safetensors", "\(flag)=\(given)"]
        switch parameter.command {
        case "translator": arguments += ["--domain", "a=absent-a.csv", "--domain", "b=absent-b.csv"]
        default: arguments += ["--data", "absent.csv"]
        }
        for (required, value) in [("--code-size", "1"), ("--clusters", "2"), ("--topology", "curve"), ("--nodes", "4")]
        where flag != required && Self.requiredOptions[parameter.command, default: []].contains(required) && !(flag == "--variance-fraction" && required == "--code-size") {
            arguments += [required, value]
        }
        arguments += Self.neededBeside["\(parameter.command) \(flag)"] ?? Self.neededBeside[flag] ?? []
        // In this process: the check comes before any file is touched.
        let result = LatentCLI.runInProcess(arguments)
        #expect(result.status != 0)
        #expect(result.errors.hasPrefix("Error: ") && result.errors.contains("\(flag) must"), "\(arguments.joined(separator: " ")): \(result.errors)")
        #expect(!result.errors.contains("CommandError"), "\(result.errors)")
        #expect(!result.errors.contains("absent"), "read the data before checking \(flag): \(result.errors)")
        #expect(!result.errors.contains("`"), "\(result.errors)")
    }

    /// The options an option sets a part of (a mixture prior's components, the Sinkhorn
    /// penalty's ε): without them the command refuses the option itself.
    static let neededBeside: [String: [String]] = [
        "adversarial-autoencoder --components": ["--prior", "mixture"], "adversarial-autoencoder --radius": ["--prior", "mixture"],
        "adversarial-autoencoder --gradient-penalty": ["--adversarial-loss", "wgan-gp"],
        "vae --output-variance": ["--likelihood", "gaussian"],
        "wasserstein-autoencoder --projections": ["--penalty", "sliced"], "wasserstein-autoencoder --epsilon": ["--penalty", "sinkhorn"],
        "translator --epsilon": ["--matcher", "sinkhorn"], "translator --classifier-weight": ["--latent-classifier"],
        // Every trained method's.
        "--lr-step-every": ["--lr-schedule", "step"], "--lr-step-factor": ["--lr-schedule", "step"], "--lr-minimum-fraction": ["--lr-schedule", "cosine"],
    ]

    /// The options a command cannot run without.
    static let requiredOptions: [String: [String]] = [
        "linear-autoencoder": ["--code-size"], "nonlinear-pca": ["--code-size"], "kmeans": ["--clusters"],
        "principal-graph": ["--topology", "--nodes"], "pca": ["--code-size"],
    ]

    /// Help says each hyperparameter's range and default, as declared.
    @Test func helpSaysTheDeclaredRangeAndDefault() throws {
        let flat = { (text: String) in text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        let vae = flat(try latent("fit", "vae", "--help", in: scratchFolder()).output)
        let beta = try #require(VariationalAutoencoder.Configuration.hyperparameter(\.beta))
        #expect(vae.contains("\(beta.summary) (\(beta.valid!); default: \(Int(VariationalAutoencoder.Configuration.defaults.beta)))"), "\(vae)")
        let graph = flat(try latent("fit", "principal-graph", "--help", in: scratchFolder()).output)
        #expect(graph.contains("λ, the elastic modulus of the edges. (positive; default: \(PrincipalGraph.Configuration.defaults.edgeElasticity))"), "\(graph)")
    }
}
