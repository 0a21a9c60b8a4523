import ArgumentParser
import Foundation
import Latent

extension WassersteinAutoencoder.Penalty: ExpressibleByArgument {}

/// `latent fit wasserstein-autoencoder`: Tolstikhin et al.'s WAE.
struct FitWassersteinAutoencoder: TrainedFitCommand {
    typealias Method = WassersteinAutoencoder
    static let configuration = CommandConfiguration(
        commandName: "wasserstein-autoencoder",
        abstract: "The Wasserstein autoencoder (Tolstikhin et al. 2018): a deterministic autoencoder whose codes' distribution is pulled toward N(0, σ²I) by λ·MMD (or sliced Wasserstein, or Sinkhorn).")

    @OptionGroup var common: FitOptions
    @Option(help: "The code size d. (default: 20)") var codeSize: Int?
    @Option(help: "Encoder hidden widths, mirrored by the decoder: 400 or 512,256. (default: 400)") var hidden: Widths?
    @Option(help: "The hidden layers' activation: \(Activation.names). (default: relu)") var activation: Activation?
    @Option(help: "Reconstruction cost: mse (linear output; the paper's ‖x − y‖², which λ = 10 is weighed against) or bce (sigmoid output, data in [0, 1]; needs a much larger --lambda). (default: mse)")
    var loss: Loss?
    @Option(help: "The penalty between the batch's codes and prior draws: mmd (inverse multiquadric kernel), sliced or sinkhorn. (default: mmd)")
    var penalty: WassersteinAutoencoder.Penalty?
    @Option(help: "λ, the penalty's weight. (default: 10, the paper's MNIST setting)") var lambda: Float?
    @Option(help: "σ² of the prior N(0, σ²I). (default: 1)") var priorVariance: Float?
    @Option(help: "Directions per batch of --penalty sliced. (default: 50)") var projections: Int?
    @Option(help: "ε of --penalty sinkhorn, in squared code units. (default: 0.1)") var epsilon: Double?
    @Option(name: .customLong("init"), help: "small-normal, xavier, he or fan-in-uniform. (default: fan-in-uniform)") var initialization: Initializer?
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
