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
    @Option(help: .hyperparameter(\Method.Configuration.codeSize)) var codeSize: Int?
    @Option(help: .hyperparameter(\Method.Configuration.hidden)) var hidden: Widths?
    @Option(help: .hyperparameter(\Method.Configuration.activation)) var activation: Activation?
    @Option(help: .hyperparameter(\Method.Configuration.loss)) var loss: Loss?
    @Option(help: .hyperparameter(\Method.Configuration.penalty)) var penalty: WassersteinAutoencoder.Penalty?
    @Option(help: .hyperparameter(\Method.Configuration.lambda, note: "the paper's MNIST setting")) var lambda: Float?
    @Option(help: .hyperparameter(\Method.Configuration.priorVariance)) var priorVariance: Float?
    @Option(help: .hyperparameter(\Method.Configuration.projections)) var projections: Int?
    @Option(help: .hyperparameter(\Method.Configuration.epsilon)) var epsilon: Double?
    @Option(name: .customLong("init"), help: .hyperparameter(\Method.Configuration.initializer)) var initialization: Initializer?
    @Option(help: .hyperparameter(\Method.Configuration.architecture), transform: { try NetworkArchitecture(parsing: $0) })
    var architecture: NetworkArchitecture?
    @OptionGroup var trainingOptions: TrainingOptions
    @OptionGroup var heldOutOptions: HeldOutOptions
    @OptionGroup var stream: StreamOptions

    func validate() throws {
        if projections != nil, penalty != .sliced { throw ValidationError("--projections sets the directions of --penalty sliced") }
        if epsilon != nil, penalty != .sinkhorn { throw ValidationError("--epsilon sets ε of --penalty sinkhorn") }
    }

    func configuration(for data: FitData) throws -> WassersteinAutoencoder.Configuration {
        let defaults = WassersteinAutoencoder.Configuration()
        return WassersteinAutoencoder.Configuration(
            hidden: hidden?.values ?? defaults.hidden, codeSize: codeSize ?? defaults.codeSize, activation: activation ?? defaults.activation,
            loss: loss ?? defaults.loss, penalty: penalty ?? defaults.penalty, lambda: lambda ?? defaults.lambda,
            priorVariance: priorVariance ?? defaults.priorVariance, projections: projections ?? defaults.projections, epsilon: epsilon ?? defaults.epsilon,
            initializer: initialization ?? defaults.initializer, training: try trainingOptions.configuration(over: defaults.training, heldOut: heldOutOptions),
            architecture: architecture ?? defaults.architecture, imageShape: (architecture ?? defaults.architecture) == .mlp ? nil : data.sampleShape)
    }
}
