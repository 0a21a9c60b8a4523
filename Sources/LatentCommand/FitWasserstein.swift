import ArgumentParser
import Foundation
import Latent

extension WassersteinAutoencoder.Penalty: ExpressibleByArgument {}

extension WassersteinAutoencoder: FittedByCommand { static var fitCommand: any ParsableCommand.Type { FitWassersteinAutoencoder.self } }

/// `latent fit wasserstein-autoencoder`: Tolstikhin et al.'s WAE.
struct FitWassersteinAutoencoder: TrainedFitCommand {
    typealias Method = WassersteinAutoencoder
    static let configuration = CommandConfiguration(
        commandName: "wasserstein-autoencoder",
        abstract: "The Wasserstein autoencoder (Tolstikhin et al. 2018): a deterministic autoencoder whose codes' distribution is pulled toward N(0, σ²I) by λ·MMD (or sliced Wasserstein, or Sinkhorn).",
        discussion: trainingDefaults(WassersteinAutoencoder.Configuration.defaultTraining))

    @OptionGroup var common: FitOptions
    @Option(help: .defaulted("The code size d.", WassersteinAutoencoder.Configuration().codeSize)) var codeSize: Int?
    @Option(help: .defaulted("Encoder hidden widths, mirrored by the decoder: 400 or 512,256.", WassersteinAutoencoder.Configuration().hidden)) var hidden: Widths?
    @Option(help: .defaulted("The hidden layers' activation: \(Activation.names).", WassersteinAutoencoder.Configuration().activation)) var activation: Activation?
    @Option(help: .defaulted("Reconstruction cost: mse (linear output; the paper's ‖x − y‖², which λ = 10 is weighed against) or bce (sigmoid output, data in [0, 1]; needs a much larger --lambda).",
                             WassersteinAutoencoder.Configuration().loss))
    var loss: Loss?
    @Option(help: .defaulted("The penalty between the batch's codes and prior draws: mmd (inverse multiquadric kernel), sliced or sinkhorn.", WassersteinAutoencoder.Configuration().penalty))
    var penalty: WassersteinAutoencoder.Penalty?
    @Option(help: .defaulted("λ, the penalty's weight.", WassersteinAutoencoder.Configuration().lambda, note: "the paper's MNIST setting")) var lambda: Float?
    @Option(help: .defaulted("σ² of the prior N(0, σ²I).", WassersteinAutoencoder.Configuration().priorVariance)) var priorVariance: Float?
    @Option(help: .defaulted("Directions per batch of --penalty sliced.", WassersteinAutoencoder.Configuration().projections)) var projections: Int?
    @Option(help: .defaulted("ε of --penalty sinkhorn, in squared code units.", WassersteinAutoencoder.Configuration().epsilon)) var epsilon: Double?
    @Option(name: .customLong("init"), help: .defaulted("small-normal, xavier, he or fan-in-uniform.", WassersteinAutoencoder.Configuration().initializer)) var initialization: Initializer?
    @OptionGroup var trainingOptions: TrainingOptions
    @OptionGroup var heldOutOptions: HeldOutOptions
    @OptionGroup var stream: StreamOptions

    func validate() throws {
        if let lambda, !(lambda >= 0 && lambda.isFinite) { throw ValidationError("--lambda must be a finite number ≥ 0, got \(lambda)") }
        if let priorVariance, !(priorVariance > 0) { throw ValidationError("--prior-variance must be positive, got \(priorVariance)") }
        if projections != nil, penalty != .sliced { throw ValidationError("--projections sets the directions of --penalty sliced") }
        if epsilon != nil, penalty != .sinkhorn { throw ValidationError("--epsilon sets ε of --penalty sinkhorn") }
    }

    func configuration(for data: FitData) throws -> WassersteinAutoencoder.Configuration {
        let defaults = WassersteinAutoencoder.Configuration()
        return WassersteinAutoencoder.Configuration(
            hidden: hidden?.values ?? defaults.hidden, codeSize: codeSize ?? defaults.codeSize, activation: activation ?? defaults.activation,
            loss: loss ?? defaults.loss, penalty: penalty ?? defaults.penalty, lambda: lambda ?? defaults.lambda,
            priorVariance: priorVariance ?? defaults.priorVariance, projections: projections ?? defaults.projections, epsilon: epsilon ?? defaults.epsilon,
            initializer: initialization ?? defaults.initializer, training: try trainingOptions.configuration(over: defaults.training, heldOut: heldOutOptions))
    }
}
