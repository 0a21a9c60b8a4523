import Foundation
import Latent

/// The library names a setting in its messages as Swift spells it, in backquotes
/// (`` `loss: .squaredError` ``, `` `labelColumn` ``, `` `parts: 4` ``); the command line says
/// its flag instead (`--loss mse`, `--label-column`, `--parts 4`). Messages reach the user
/// through ``commandLine(_:)``: errors in ``LatentCLI/fail(_:rank:of:)``, notes where they are
/// printed.
enum LibrarySpellings {
    /// A setting's flag, and its values where the command line spells them otherwise than the
    /// library's cases (kebab-case of the case name, the default).
    struct Flag {
        let flag: String
        var values: [String: String] = [:]
    }

    /// Every setting library messages name, by its library name.
    static let flags: [String: Flag] = [
        "header": Flag(flag: "--header", values: ["present": "yes", "absent": "no", "automatic": "auto"]),
        "labelColumn": Flag(flag: "--label-column"),
        "labelsPath": Flag(flag: "--labels"),
        "indexColumn": Flag(flag: "--index-column"),
        "dropColumns": Flag(flag: "--drop-columns"),
        "columns": Flag(flag: "--columns"),
        "transpose": Flag(flag: "--transpose"),
        "missing": Flag(flag: "--missing"),
        "allowNonFinite": Flag(flag: "--allow-non-finite"),
        "MemoryBudget.limit": Flag(flag: "--memory-limit"),
        "scaling": Flag(flag: "--scale"),
        "loss": Flag(flag: "--loss", values: ["squaredError": "mse", "binaryCrossEntropy": "bce"]),
        "decoderLoss": Flag(flag: "--decoder-loss", values: ["squaredError": "mse", "binaryCrossEntropy": "bce"]),
        "likelihood": Flag(flag: "--likelihood", values: ["learnedGaussian": "gaussian-learned-variance"]),
        "pretraining": Flag(flag: "--pretrain"),
        "solver": Flag(flag: "--solver"),
        "CheckpointPolicy.every": Flag(flag: "--checkpoint-every"),
        "CheckpointPolicy.resume": Flag(flag: "--resume"),
        "parts": Flag(flag: "--parts"),
        "heldOutFraction": Flag(flag: "--held-out"),
        "codesFrom": Flag(flag: "--codes-from"),
        "label": Flag(flag: "--class"),
        "labels": Flag(flag: "--labels"),
        "count": Flag(flag: "--count"),
        "pairing": Flag(flag: "--pairs"),
        "testSplit": Flag(flag: "--test-split"),
        // Hyperparameters whose flag is not their name in kebab-case.
        "initializer": Flag(flag: "--init"),
        "initialization": Flag(flag: "--init"),
        "klWarmupEpochs": Flag(flag: "--kl-warmup"),
        "criticLearningRateScale": Flag(flag: "--critic-learning-rate"),
        "generatorLearningRateScale": Flag(flag: "--generator-learning-rate"),
        "hiddenActivation": Flag(flag: "--activation"),
        "pretrainingEpochs": Flag(flag: "--pretrain-epochs"),
        "pretrainingBatchSize": Flag(flag: "--pretrain-batch-size"),
        "pretrainingLearningRate": Flag(flag: "--pretrain-learning-rate"),
        "maximumIterations": Flag(flag: "--max-iterations"),
        "maximumComponents": Flag(flag: "--max-components"),
        "earlyStoppingPatience": Flag(flag: "--early-stopping"),
        "miniBatchSize": Flag(flag: "--mini-batch"),
        "scheduleStepEvery": Flag(flag: "--lr-step-every"),
        "scheduleStepFactor": Flag(flag: "--lr-step-factor"),
        "scheduleMinimumFraction": Flag(flag: "--lr-minimum-fraction"),
        "pretrainingMomenta": Flag(flag: "--pretrain-momentum"),
        "pretrainingMomentumSwitchEpoch": Flag(flag: "--pretrain-momentum-switch"),
    ]

    /// Settings one command spells otherwise than ``flags`` (the same field name means another
    /// option there), by the command's path (`fit nonlinear-pca`).
    static let commandFlags: [String: [String: Flag]] = [
        "fit nonlinear-pca": [
            "components": Flag(flag: "--code-size"),
            "mappingWidth": Flag(flag: "--hidden"),
            "demappingWidth": Flag(flag: "--hidden"),
        ],
        "fit principal-graph": [
            "edgeElasticity": Flag(flag: "--lambda"),
            "starElasticity": Flag(flag: "--mu"),
            "branchingPenalty": Flag(flag: "--alpha"),
        ],
        "fit adversarial-autoencoder": [
            "priorComponents": Flag(flag: "--components"),
            "priorRadius": Flag(flag: "--radius"),
        ],
    ]

    /// The path of the command `arguments` run (`fit vae`, `fit-density`).
    static func commandPath(_ arguments: [String]) -> String {
        arguments.first == "fit" ? arguments.prefix(2).joined(separator: " ") : arguments.first ?? ""
    }

    /// Every hyperparameter a configuration of the command line's methods declares: a name
    /// without an entry in ``flags`` is its flag in kebab-case (`codeSize` → `--code-size`).
    static let hyperparameters: Set<String> = {
        func declared<M: Autoencoder>(_ method: M.Type) -> [String] {
            (M.Configuration.self as? any HyperparameterDeclaring.Type)?.hyperparameterNames ?? []
        }
        return Set(Methods.all.flatMap { declared($0) } + TrainingConfiguration.hyperparameterNames + Translator.Domain.hyperparameterNames
                   + GaussianMixture.Configuration.hyperparameterNames)
    }()

    /// The flag of a setting the library names, in the command `command` (a ``commandPath(_:)``);
    /// nil for one the command line does not know.
    static func flag(_ name: String, command: String = "") -> Flag? {
        commandFlags[command]?[name] ?? flags[name] ?? (hyperparameters.contains(name) ? Flag(flag: "--" + kebabCase(name)) : nil)
    }

    /// `text` with every backquoted library setting it knows spelled as the command line's flag
    /// (as the command `arguments` run spells it, for a message of that command).
    static func commandLine(_ text: String, arguments: [String] = []) -> String {
        let command = commandPath(arguments)
        guard text.contains("`") else { return text }
        let pattern = try! NSRegularExpression(pattern: "`([A-Za-z.]+)(?:: ([^`]+))?`")
        var result = text
        for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).reversed() {
            guard let whole = Range(match.range, in: text), let nameRange = Range(match.range(at: 1), in: text),
                  let flag = flag(String(text[nameRange]), command: command) else { continue }
            var spelled = flag.flag
            if let valueRange = Range(match.range(at: 2), in: text) {
                let value = String(text[valueRange])
                let bare = value.hasPrefix(".") ? String(value.dropFirst()) : value
                spelled += " " + (flag.values[bare] ?? (value.hasPrefix(".") ? kebabCase(bare) : value))
            }
            result.replaceSubrange(whole, with: spelled)
        }
        return result
    }

    /// `dropRows` → `drop-rows`.
    static func kebabCase(_ name: String) -> String {
        name.reduce(into: "") { out, character in
            if character.isUppercase { out += "-" + character.lowercased() } else { out.append(character) }
        }
    }
}
