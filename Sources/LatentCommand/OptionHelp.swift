import ArgumentParser
import Latent

/// A default as option help shows it, in the command line's spelling: the library declares
/// each default once, and the help says the library's value (ArgumentParser says the defaults
/// of options that have one itself; options left unset to let the library choose say them
/// through ``ArgumentHelp/defaulted(_:_:note:)``).
protocol HelpValue {
    var helpText: String { get }
}

extension Int: HelpValue { var helpText: String { "\(self)" } }
extension Float: HelpValue { var helpText: String { self == rounded() && abs(self) < 1e9 ? "\(Int(self))" : "\(self)" } }
extension Double: HelpValue { var helpText: String { self == rounded() && abs(self) < 1e15 ? "\(Int(self))" : "\(self)" } }
extension Array: HelpValue where Element: HelpValue { var helpText: String { map(\.helpText).joined(separator: ",") } }
extension HelpValue where Self: RawRepresentable, RawValue == String { var helpText: String { rawValue } }
extension Activation: HelpValue {}
extension Likelihood: HelpValue {}
extension GaussianMixture.Covariance: HelpValue {}
extension PCA.Configuration.Solver: HelpValue {}
extension NetworkArchitecture: HelpValue { var helpText: String { description } }
extension KMeans.Configuration.Initialization: HelpValue {}
extension PrincipalGraph.Configuration.Topology: HelpValue {}
extension Initializer: HelpValue {}
extension Loss: HelpValue {}
extension OptimizerKind: HelpValue {}
extension AdversarialLoss: HelpValue {}
extension FeatureScaling.Kind: HelpValue {}
extension NonlinearPCA.Configuration.Extraction: HelpValue {}
extension DeepAutoencoder.Configuration.Pretraining: HelpValue {}
extension WassersteinAutoencoder.Penalty: HelpValue {}
extension Translator.Matcher: HelpValue {}
extension Translator.AnchorDistance: HelpValue {}

/// Refuses, before any data are read, a configuration with a hyperparameter outside the
/// range the library declares (the fit checks it again, with the data).
func checkDeclaredRanges(_ configuration: some HyperparameterDeclaring, method: String) throws {
    if let violation = configuration.firstViolation { throw ValidationErrorText("\(method): \(violation)") }
}

extension ArgumentHelp {
    /// A hyperparameter's help, from the library's one declaration of it (``Hyperparameter``):
    /// what it means, the valid range and the default (with a `note` on it); settings the
    /// summary names are said as flags. ArgumentParser lists a choice's values itself.
    static func hyperparameter<C: HyperparameterDeclaring, V: HelpValue>(_ keyPath: KeyPath<C, V>, commandLine: String? = nil, note: String? = nil) -> ArgumentHelp {
        hyperparameter(declared(keyPath), value: C.defaults[keyPath: keyPath].helpText, commandLine: commandLine, note: note)
    }

    /// An optional hyperparameter's help; its declared default is nil, said by `note`.
    static func hyperparameter<C: HyperparameterDeclaring, V: HelpValue>(_ keyPath: KeyPath<C, V?>, note: String? = nil) -> ArgumentHelp {
        hyperparameter(declared(keyPath), value: C.defaults[keyPath: keyPath]?.helpText ?? "none", commandLine: nil, note: note)
    }

    /// A switch's help: its summary, then what it means for the command line's other commands.
    static func hyperparameter<C: HyperparameterDeclaring>(_ keyPath: KeyPath<C, Bool>, commandLine: String? = nil) -> ArgumentHelp {
        ArgumentHelp(([LibrarySpellings.commandLine(declared(keyPath).summary)] + (commandLine.map { [$0] } ?? [])).joined(separator: " "))
    }

    /// The declaration at `keyPath`; a key path the configuration does not declare is a
    /// mistake in the command, caught by every test that asks for its help.
    private static func declared<C: HyperparameterDeclaring>(_ keyPath: PartialKeyPath<C>) -> Hyperparameter<C> {
        guard let declared = C.hyperparameter(keyPath) else { preconditionFailure("\(C.self) declares no hyperparameter at \(keyPath)") }
        return declared
    }

    /// `commandLine`: what the option means beyond the field (how a command line spells it).
    private static func hyperparameter<C>(_ declared: Hyperparameter<C>, value: String, commandLine: String?, note: String?) -> ArgumentHelp {
        let text = ([LibrarySpellings.commandLine(declared.summary)] + (commandLine.map { [$0] } ?? [])).joined(separator: " ")
        let defaultText: String? = switch declared.defaultValue {
        case .declared: value
        case .required: nil
        case .rule(let rule): LibrarySpellings.commandLine(rule)
        }
        let parts = [declared.valid, defaultText.map { "default: \($0)\(note.map { ", " + $0 } ?? "")" }].compactMap { $0 }
        return ArgumentHelp(parts.isEmpty ? text : "\(text) (\(parts.joined(separator: "; ")))")
    }

    /// `text`, then the library's default `value` (with a `note` on it).
    static func defaulted(_ text: String, _ value: some HelpValue, note: String? = nil) -> ArgumentHelp {
        ArgumentHelp("\(text) (default: \(value.helpText)\(note.map { ", " + $0 } ?? ""))")
    }

    /// `text`, then a default that follows a rule (the data's range, the model, the machine).
    static func defaulted(_ text: String, rule: String) -> ArgumentHelp {
        ArgumentHelp("\(text) (default: \(rule))")
    }
}

/// A trained method's training defaults, as its `--help` says them: the library's
/// configuration, in the training options' terms.
func trainingDefaults(_ c: TrainingConfiguration) -> String {
    let schedule = switch c.schedule {
    case .constant: "constant"
    case .step(let every, let factor): "step (×\(factor.helpText) every \(every) epochs)"
    case .cosine(let fraction): "cosine (down to \(fraction.helpText) of the first rate)"
    }
    let steps = c.minimumSteps.map { ", at least \($0) steps" } ?? ""
    return "Training defaults: \(c.epochs) epochs\(steps), batches of \(c.batchSize), \(c.optimizer.rawValue) at a learning rate of "
        + "\(c.learningRate.helpText), schedule \(schedule), \(c.heldOutFraction.helpText) held out."
}
