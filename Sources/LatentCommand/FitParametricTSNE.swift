import ArgumentParser
import Foundation
import Latent

extension ParametricTSNE: FittedByCommand { static var fitCommand: any ParsableCommand.Type { FitParametricTSNE.self } }

/// `latent fit parametric-tsne`: an encoder network trained with t-SNE's KL divergence within each batch (van der Maaten 2009).
struct FitParametricTSNE: FitMethod {
    static let configuration = CommandConfiguration(
        commandName: "parametric-tsne",
        abstract: "Parametric t-SNE: an encoder network trained with t-SNE's KL divergence within each batch, so that encoding a new sample is one forward pass.",
        discussion: """
            Within each batch of 1 000 samples, t-SNE's joint affinities (each sample's 90 nearest others in the batch, \
            its Gaussian calibrated to perplexity 30, symmetrised) and the codes' Student-t similarities; Adam on their \
            KL divergence over the weights of an encoder (3 hidden layers of 100 ReLU units) for 50 passes (van der \
            Maaten 2009). `encode` is one forward pass of the encoder; `decode` is a network trained after it on the \
            (code, sample) pairs (--decoder mlp; --decoder none averages the samples of the nearest codes instead).
            """)

    @OptionGroup var common: FitOptions
    @Option(help: .hyperparameter(\ParametricTSNE.Configuration.components)) var components: Int?
    @Option(help: .hyperparameter(\ParametricTSNE.Configuration.perplexity)) var perplexity: Double?
    @Option(help: .hyperparameter(\ParametricTSNE.Configuration.degreesOfFreedom)) var degreesOfFreedom: Double?
    @Option(help: .hyperparameter(\ParametricTSNE.Configuration.hidden)) var hidden: Widths?
    @Option(help: .hyperparameter(\ParametricTSNE.Configuration.epochs)) var epochs: Int?
    @Option(help: .hyperparameter(\ParametricTSNE.Configuration.batchSize)) var batchSize: Int?
    @Option(help: .hyperparameter(\ParametricTSNE.Configuration.learningRate)) var learningRate: Float?
    @Option(help: .hyperparameter(\ParametricTSNE.Configuration.decodingNeighbours)) var decodingNeighbours: Int?
    @OptionGroup var decoding: DecoderOptions

    /// Ctrl-C stops after the current batch.
    static var trained: Bool { true }

    func validate() throws { try checkDeclaredRanges(configuration, method: ParametricTSNE.methodName) }

    var configuration: ParametricTSNE.Configuration {
        let d = ParametricTSNE.Configuration.defaults
        return ParametricTSNE.Configuration(
            components: components ?? d.components, perplexity: perplexity ?? d.perplexity, degreesOfFreedom: degreesOfFreedom ?? d.degreesOfFreedom,
            hidden: hidden?.values ?? d.hidden, epochs: epochs ?? d.epochs, batchSize: batchSize ?? d.batchSize, learningRate: learningRate ?? d.learningRate,
            decodingNeighbours: decodingNeighbours ?? d.decodingNeighbours, decoder: decoding.configuration)
    }

    func fit(_ context: FitInputs, using generator: inout RandomGenerator) throws -> (model: any Autoencoder, extra: any MethodReport) {
        let model = try ParametricTSNE.fit(context.samples, configuration: configuration, using: &generator, progress: context.reportTraining)
        return (model, ParametricTSNEReport(klDivergence: model.summary.klDivergence.last.map(Double.init)))
    }
}

/// A parametric t-SNE fit reports its last epoch's KL divergence within a batch.
struct ParametricTSNEReport: MethodReport {
    var klDivergence: Double?
    enum CodingKeys: String, CodingKey { case klDivergence = "kl_divergence" }
}
