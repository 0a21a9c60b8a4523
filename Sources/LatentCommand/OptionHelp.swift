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

extension ArgumentHelp {
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
