import ArgumentParser
import Foundation
import Latent

extension Likelihood: ExpressibleByArgument {}

extension VariationalAutoencoder: FittedByCommand { static var fitCommand: any ParsableCommand.Type { FitVariationalAutoencoder.self } }

/// `latent fit vae`: Kingma & Welling's variational autoencoder.
struct FitVariationalAutoencoder: TrainedFitCommand {
    typealias Method = VariationalAutoencoder
    static let configuration = CommandConfiguration(
        commandName: "vae",
        abstract: "The variational autoencoder (Kingma & Welling 2014): q(z|x) = N(μ, σ²), reparametrised sampling, loss = reconstruction + β·KL to N(0, I).",
        discussion: trainingDefaults(VariationalAutoencoder.Configuration.defaultTraining))
    static let splits = true

    @OptionGroup var common: FitOptions
    @Option(help: .hyperparameter(\Method.Configuration.codeSize)) var codeSize: Int?
    @Option(help: .hyperparameter(\Method.Configuration.hidden)) var hidden: Widths?
    @Option(help: .hyperparameter(\Method.Configuration.activation)) var activation: Activation?
    @Option(help: .hyperparameter(\Method.Configuration.likelihood)) var likelihood: Likelihood?
    @Option(help: .hyperparameter(\Method.Configuration.outputVariance)) var outputVariance: Float?
    @Option(help: .hyperparameter(\Method.Configuration.beta)) var beta: Float?
    @Option(help: .hyperparameter(\Method.Configuration.klWarmupEpochs, note: "no warm-up")) var klWarmup: Int?
    @Option(name: .customLong("init"), help: .hyperparameter(\Method.Configuration.initializer, note: "PyTorch's")) var initialization: Initializer?
    @Option(help: .hyperparameter(\Method.Configuration.architecture), transform: { try NetworkArchitecture(parsing: $0) })
    var architecture: NetworkArchitecture?
    @Flag(help: "A conditional VAE: the label, one-hot, joins the encoder's input and the decoder's code (`latent sample --class NAME` then draws a class). Needs labels.")
    var conditionOnLabels = false
    @OptionGroup var trainingOptions: TrainingOptions
    @OptionGroup var heldOutOptions: HeldOutOptions
    @OptionGroup var stream: StreamOptions

    var labelledOption: String? { conditionOnLabels ? "--condition-on-labels" : nil }

    func validate() throws {
        if outputVariance != nil, likelihood != .gaussian { throw ValidationError("--output-variance sets the variance of --likelihood gaussian") }
    }

    /// With --condition-on-labels, the samples and their label one-hot.
    func rows(_ inputs: FitInputs) throws -> (rows: Tensor, classes: Int) {
        guard conditionOnLabels else { return (inputs.samples, 0) }
        let classes = try inputs.classCount(for: "--condition-on-labels", data: common.data)
        return (try VariationalAutoencoder.conditioned(inputs.samples, labels: inputs.labels!, classes: classes), classes)
    }

    /// The last epoch's KL term, and a warning when the posterior collapsed.
    func results(of model: VariationalAutoencoder, data: FitData) -> any MethodReport {
        guard let kl = model.trainingHistory?.stages.last?.record.terms?["kl"]?.last else { return NoReport() }
        if Double(kl) < Self.collapsedKL { warnOfCollapse(kl: Double(kl), conditional: data.classes > 0) }
        return Report(klPerSample: Double(kl))
    }

    /// The last epoch's KL term, nats per sample.
    struct Report: MethodReport {
        var klPerSample: Double
        enum CodingKeys: String, CodingKey { case klPerSample = "kl_per_sample" }
    }

    /// Below this KL (nats per sample) the codes carry almost nothing of x: posterior collapse.
    static let collapsedKL = 1.0

    /// Says on stderr that the posterior collapsed onto the prior, with the measured KL and what to try.
    func warnOfCollapse(kl: Double, conditional: Bool) {
        let text = String(format: "hint: the KL term is %.3g nats per sample, below %.0f: the posterior has collapsed onto the prior, so the codes "
                          + "carry little of each sample and %@ alike; try --kl-warmup 10 (or more), a smaller --beta, a smaller "
                          + "--code-size or more --epochs (README: \"When a VAE's samples all look alike\")\n",
                          kl, Self.collapsedKL, conditional ? "the samples of a class look" : "samples look")
        Console.error(text)
    }

    /// The configuration these options ask for, on data whose values do or do not all lie in
    /// [0, 1], conditioned on the data's classes (0: none).
    func configuration(for data: FitData) throws -> VariationalAutoencoder.Configuration {
        let (unit, classes) = (data.unitInterval, data.classes)
        let defaults = VariationalAutoencoder.Configuration()
        return VariationalAutoencoder.Configuration(
            hidden: hidden?.values ?? defaults.hidden, codeSize: codeSize ?? defaults.codeSize, activation: activation ?? defaults.activation,
            likelihood: likelihood ?? VariationalAutoencoder.Configuration.defaultLikelihood(unitInterval: unit), outputVariance: outputVariance ?? defaults.outputVariance,
            beta: beta ?? defaults.beta, klWarmupEpochs: klWarmup ?? defaults.klWarmupEpochs, initializer: initialization ?? defaults.initializer,
            training: try trainingOptions.configuration(over: defaults.training, heldOut: heldOutOptions), conditionClasses: classes,
            architecture: architecture ?? defaults.architecture, imageShape: (architecture ?? defaults.architecture) == .mlp ? nil : data.sampleShape)
    }
}
