import ArgumentParser
import Foundation
import Latent

extension Likelihood: ExpressibleByArgument {}

/// `latent fit vae`: Kingma & Welling's variational autoencoder.
struct FitVariationalAutoencoder: FitMethod {
    static let configuration = CommandConfiguration(
        commandName: "vae",
        abstract: "The variational autoencoder (Kingma & Welling 2014): q(z|x) = N(μ, σ²), reparametrised sampling, loss = reconstruction + β·KL to N(0, I).")
    static let trained = true
    static let splits = true

    @OptionGroup var common: FitOptions
    @Option(help: "The latent dimension d. (default: 20)") var codeSize: Int?
    @Option(help: "Encoder hidden widths, mirrored by the decoder: 400 or 512,256. (default: 400)") var hidden: Widths?
    @Option(help: "The hidden layers' activation: \(Activation.names). (default: relu)") var activation: Activation?
    @Option(help: "p(x|z): bernoulli, continuous-bernoulli (data in [0, 1]), gaussian (σ² from --output-variance) or gaussian-learned-variance. (default: bernoulli for data in [0, 1], else gaussian-learned-variance)")
    var likelihood: Likelihood?
    @Option(help: "σ² of the gaussian likelihood. (default: 1)") var outputVariance: Float?
    @Option(help: "β, the KL term's weight (1: the ELBO). (default: 1)") var beta: Float?
    @Option(help: "Epochs over which the KL weight rises linearly to β. (default: 0, no warm-up)") var klWarmup: Int?
    @Option(name: .customLong("init"), help: "small-normal, xavier, he or fan-in-uniform. (default: fan-in-uniform, PyTorch's)")
    var initialization: Initializer?
    @Flag(help: "A conditional VAE: the label, one-hot, joins the encoder's input and the decoder's code (`latent sample --class NAME` then draws a class). Needs labels.")
    var conditionOnLabels = false
    @OptionGroup var trainingOptions: TrainingOptions
    @OptionGroup var heldOutOptions: HeldOutOptions
    @OptionGroup var stream: StreamOptions

    /// Data in NPY shards are streamed (``fitStreamed(_:trainingOptions:stream:fit:extra:)``).
    func run() throws {
        guard case .file(let folder, .npyShards) = try DatasetSpec(parsing: common.data) else { return try fitInMemory() }
        if conditionOnLabels { throw ValidationErrorText("--condition-on-labels needs labels, which shards do not hold: give the data as a file with --labels") }
        try fitStreamed(folder, trainingOptions: trainingOptions, stream: stream) {
            shards, range, checkpoints, generator, progress in
            let configuration = try self.configuration(unitInterval: range.low >= 0 && range.high <= 1, classes: 0)
            return try VariationalAutoencoder.fit(shards, configuration: configuration, bufferRows: stream.bufferRows,
                                                  using: &generator, checkpoints: checkpoints, progress: progress)
        }
    }

    func validate() throws {
        if let beta, !(beta > 0) { throw ValidationError("--beta must be positive, got \(beta)") }
        if let outputVariance, !(outputVariance > 0) { throw ValidationError("--output-variance must be positive, got \(outputVariance)") }
        if outputVariance != nil, likelihood != .gaussian { throw ValidationError("--output-variance sets the variance of --likelihood gaussian") }
        if let klWarmup, klWarmup < 0 { throw ValidationError("--kl-warmup must not be negative") }
    }

    func fit(_ context: FitContext, using generator: inout RandomGenerator) throws -> (model: any Autoencoder, extra: [String: Any]) {
        var samples = context.samples
        let unit = samples.min() >= 0 && samples.max() <= 1
        var classes = 0
        if conditionOnLabels {
            classes = try context.classCount(for: "--condition-on-labels", data: common.data)
            samples = try VariationalAutoencoder.conditioned(samples, labels: context.labels!, classes: classes)
        }
        let configuration = try self.configuration(unitInterval: unit, classes: classes)
        var (model, extra) = try fitWithCheckpoints(trainingOptions, context) { checkpoints in
            try VariationalAutoencoder.fit(samples, configuration: configuration, using: &generator, checkpoints: checkpoints,
                                           progress: context.reportTraining)
        }
        if let kl = model.trainingHistory?.stages.last?.record.terms?["kl"]?.last {
            extra["kl_per_sample"] = Double(kl)
            if Double(kl) < Self.collapsedKL, context.writes { warnOfCollapse(kl: Double(kl), conditional: classes > 0) }
        }
        return (model, extra)
    }

    /// Below this KL (nats per sample) the codes carry almost nothing of x: posterior collapse.
    static let collapsedKL = 1.0

    /// Says on stderr that the posterior collapsed onto the prior, with the measured KL and what to try.
    func warnOfCollapse(kl: Double, conditional: Bool) {
        let text = String(format: "hint: the KL term is %.3g nats per sample, below %.0f: the posterior has collapsed onto the prior, so the codes "
                          + "carry little of each sample and %@ alike; try --kl-warmup 10 (or more), a smaller --beta, a smaller "
                          + "--code-size or more --epochs (README: \"When a VAE's samples all look alike\")\n",
                          kl, Self.collapsedKL, conditional ? "the samples of a class look" : "samples look")
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// The configuration these options ask for, on data whose values do (`unitInterval`) or do
    /// not all lie in [0, 1], conditioned on `classes` classes (0: none).
    func configuration(unitInterval unit: Bool, classes: Int) throws -> VariationalAutoencoder.Configuration {
        let defaults = VariationalAutoencoder.Configuration()
        return VariationalAutoencoder.Configuration(
            hidden: hidden?.values ?? defaults.hidden, codeSize: codeSize ?? defaults.codeSize, activation: activation ?? defaults.activation,
            likelihood: likelihood ?? (unit ? .bernoulli : .learnedGaussian), outputVariance: outputVariance ?? defaults.outputVariance,
            beta: beta ?? defaults.beta, klWarmupEpochs: klWarmup ?? defaults.klWarmupEpochs, initializer: initialization ?? defaults.initializer,
            training: try trainingOptions.configuration(over: defaults.training, heldOut: heldOutOptions), conditionClasses: classes)
    }
}
