import ArgumentParser
import Foundation
import Latent

extension AdversarialLoss: ExpressibleByArgument {}

/// The shape of an adversarial autoencoder's prior, as the command line names it.
enum PriorShape: String, ExpressibleByArgument, CaseIterable {
    /// N(0, σ²I).
    case normal
    /// Gaussians on a circle (CodePrior.mixture).
    case mixture
}

extension AdversarialAutoencoder: FittedByCommand { static var fitCommand: any ParsableCommand.Type { FitAdversarialAutoencoder.self } }

/// `latent fit adversarial-autoencoder`: Makhzani et al.'s AAE.
struct FitAdversarialAutoencoder: TrainedFitCommand {
    typealias Method = AdversarialAutoencoder
    static let configuration = CommandConfiguration(
        commandName: "adversarial-autoencoder",
        abstract: "The adversarial autoencoder (Makhzani et al. 2016): a deterministic autoencoder whose codes a critic cannot tell from prior draws (N(0, σ²I) or a mixture, one component per class with --labelled-components).",
        discussion: trainingDefaults(AdversarialAutoencoder.Configuration.defaultTraining))

    @OptionGroup var common: FitOptions
    @Option(help: .hyperparameter(\Method.Configuration.codeSize)) var codeSize: Int?
    @Option(help: .hyperparameter(\Method.Configuration.hidden)) var hidden: Widths?
    @Option(help: .hyperparameter(\Method.Configuration.activation)) var activation: Activation?
    @Option(help: .hyperparameter(\Method.Configuration.loss)) var loss: Loss?
    @Option(help: .defaulted("p(z): normal (N(0, σ²I)) or mixture (Gaussians on a circle in the code's first two coordinates).", PriorShape.normal))
    var prior: PriorShape?
    @Option(help: .hyperparameter(\Method.Configuration.priorVariance, note: "with --prior normal")) var priorVariance: Float?
    @Option(help: .hyperparameter(\Method.Configuration.priorComponents)) var components: Int?
    @Option(help: .hyperparameter(\Method.Configuration.priorRadius)) var radius: Float?
    @Flag(help: .hyperparameter(\Method.Configuration.labelledComponents, commandLine: "`latent sample --class NAME` then draws a class; implies --prior mixture."))
    var labelledComponents = false
    @Option(help: .hyperparameter(\Method.Configuration.criticHidden)) var criticHidden: Widths?
    @Option(help: .hyperparameter(\Method.Configuration.adversarialLoss)) var adversarialLoss: AdversarialLoss?
    @Option(help: .hyperparameter(\Method.Configuration.gradientPenalty)) var gradientPenalty: Float?
    @Option(help: .hyperparameter(\Method.Configuration.criticSteps)) var criticSteps: Int?
    @Option(help: .hyperparameter(\Method.Configuration.criticLearningRateScale)) var criticLearningRate: Float?
    @Option(help: .hyperparameter(\Method.Configuration.generatorLearningRateScale)) var generatorLearningRate: Float?
    @Option(name: .customLong("init"), help: .hyperparameter(\Method.Configuration.initializer)) var initialization: Initializer?
    @Option(help: .hyperparameter(\Method.Configuration.architecture), transform: { try NetworkArchitecture(parsing: $0) })
    var architecture: NetworkArchitecture?
    @OptionGroup var trainingOptions: TrainingOptions
    @OptionGroup var heldOutOptions: HeldOutOptions
    @OptionGroup var stream: StreamOptions

    func validate() throws {
        if priorVariance != nil, prior == .mixture || labelledComponents { throw ValidationError("--prior-variance sets σ² of --prior normal") }
        if labelledComponents, prior == .normal { throw ValidationError("--labelled-components puts one mixture component per class: it needs --prior mixture (the default with it)") }
        let mixture = prior == .mixture || labelledComponents
        if components != nil, !mixture { throw ValidationError("--components sets the components of --prior mixture") }
        if radius != nil, !mixture { throw ValidationError("--radius sets the circle of --prior mixture") }
        if gradientPenalty != nil, adversarialLoss != .wassersteinGradientPenalty { throw ValidationError("--gradient-penalty sets λ of --adversarial-loss wgan-gp") }
    }

    var labelledOption: String? { labelledComponents ? "--labelled-components" : nil }

    /// With --labelled-components, the samples and their label one-hot (one component per class).
    func rows(_ inputs: FitInputs) throws -> (rows: Tensor, classes: Int) {
        guard labelledComponents else { return (inputs.samples, 0) }
        let classes = try inputs.classCount(for: "--labelled-components", data: common.data)
        if let components, components != classes {
            throw ValidationErrorText("--labelled-components puts one component per class: \(common.data) has \(classes) classes, --components says \(components)")
        }
        return (try VariationalAutoencoder.conditioned(inputs.samples, labels: inputs.labels!, classes: classes), classes)
    }

    func configuration(for data: FitData) throws -> AdversarialAutoencoder.Configuration {
        try configuration(components: data.classes > 0 ? data.classes : components ?? CodePrior.defaultComponents, sampleShape: data.sampleShape)
    }

    /// The configuration these options ask for, a mixture prior having `count` components, on
    /// samples of `sampleShape` (for convolutions).
    func configuration(components count: Int, sampleShape: [Int]? = nil) throws -> AdversarialAutoencoder.Configuration {
        let defaults = AdversarialAutoencoder.Configuration()
        let codePrior: CodePrior = prior == .mixture || labelledComponents
            ? .mixture(components: count, radius: radius ?? CodePrior.defaultRadius) : .normal(variance: priorVariance ?? 1)
        return AdversarialAutoencoder.Configuration(
            hidden: hidden?.values ?? defaults.hidden, codeSize: codeSize ?? defaults.codeSize, activation: activation ?? defaults.activation,
            loss: loss ?? defaults.loss, prior: codePrior, labelledComponents: labelledComponents,
            criticHidden: criticHidden?.values ?? defaults.criticHidden, adversarialLoss: adversarialLoss ?? defaults.adversarialLoss,
            gradientPenalty: gradientPenalty ?? defaults.gradientPenalty, criticSteps: criticSteps ?? defaults.criticSteps,
            criticLearningRateScale: criticLearningRate ?? defaults.criticLearningRateScale,
            generatorLearningRateScale: generatorLearningRate ?? defaults.generatorLearningRateScale, initializer: initialization ?? defaults.initializer,
            training: try trainingOptions.configuration(over: defaults.training, heldOut: heldOutOptions),
            architecture: architecture ?? defaults.architecture, imageShape: (architecture ?? defaults.architecture) == .mlp ? nil : sampleShape)
    }
}
extension PriorShape: HelpValue {}
