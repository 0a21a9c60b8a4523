import ArgumentParser
import Foundation
import Latent

extension ParametricUMAP: FittedByCommand { static var fitCommand: any ParsableCommand.Type { FitParametricUMAP.self } }

/// `latent fit parametric-umap`: an encoder network trained with UMAP's loss (Sainburg et al. 2021).
struct FitParametricUMAP: FitMethod {
    static let configuration = CommandConfiguration(
        commandName: "parametric-umap",
        abstract: "Parametric UMAP: an encoder network trained with UMAP's cross entropy, so that encoding a new sample is one forward pass.",
        discussion: """
            UMAP's graph (each sample's 14 nearest others, their fuzzy simplicial set), then Adam on UMAP's cross \
            entropy over the weights of an encoder (3 hidden layers of 100 ReLU units, Sainburg, McInnes & Gentner 2021) \
            instead of over free codes: batches of 1 000 edges, each weighted by its membership, 5 negative samples per \
            edge drawn from the batch's other edges, 20 passes over the edges. `encode` is one forward pass of the \
            encoder; `decode` is a network trained after it on the (code, sample) pairs (--decoder mlp; --decoder none \
            averages the samples of the nearest codes instead), or with --reconstruction-weight λ > 0 trained with \
            the encoder on the cross entropy plus λ times its reconstruction loss (Sainburg et al.'s autoencoder).
            """)

    @OptionGroup var common: FitOptions
    @Option(help: .hyperparameter(\ParametricUMAP.Configuration.components)) var components: Int?
    @Option(help: .hyperparameter(\ParametricUMAP.Configuration.neighbours)) var neighbours: Int?
    @Option(help: .hyperparameter(\ParametricUMAP.Configuration.minimumDistance)) var minimumDistance: Double?
    @Option(help: .hyperparameter(\ParametricUMAP.Configuration.spread)) var spread: Double?
    @Option(help: .hyperparameter(\ParametricUMAP.Configuration.negativeSampleRate)) var negativeSampleRate: Int?
    @Option(help: .hyperparameter(\ParametricUMAP.Configuration.repulsionStrength)) var repulsionStrength: Double?
    @Option(help: .hyperparameter(\ParametricUMAP.Configuration.hidden)) var hidden: Widths?
    @Option(help: .hyperparameter(\ParametricUMAP.Configuration.epochs)) var epochs: Int?
    @Option(help: .hyperparameter(\ParametricUMAP.Configuration.batchSize)) var batchSize: Int?
    @Option(help: .hyperparameter(\ParametricUMAP.Configuration.learningRate)) var learningRate: Float?
    @Option(help: .hyperparameter(\ParametricUMAP.Configuration.reconstructionWeight)) var reconstructionWeight: Double?
    @Option(help: .hyperparameter(\ParametricUMAP.Configuration.decodingNeighbours)) var decodingNeighbours: Int?
    @OptionGroup var decoding: DecoderOptions

    /// Ctrl-C stops after the current batch.
    static var trained: Bool { true }

    func validate() throws { try checkDeclaredRanges(configuration, method: ParametricUMAP.methodName) }

    var configuration: ParametricUMAP.Configuration {
        let d = ParametricUMAP.Configuration.defaults
        return ParametricUMAP.Configuration(
            components: components ?? d.components, neighbours: neighbours ?? d.neighbours, minimumDistance: minimumDistance ?? d.minimumDistance,
            spread: spread ?? d.spread, negativeSampleRate: negativeSampleRate ?? d.negativeSampleRate,
            repulsionStrength: repulsionStrength ?? d.repulsionStrength, hidden: hidden?.values ?? d.hidden, epochs: epochs ?? d.epochs,
            batchSize: batchSize ?? d.batchSize, learningRate: learningRate ?? d.learningRate,
            reconstructionWeight: reconstructionWeight ?? d.reconstructionWeight, decodingNeighbours: decodingNeighbours ?? d.decodingNeighbours,
            decoder: decoding.configuration)
    }

    func fit(_ context: FitInputs, using generator: inout RandomGenerator) throws -> (model: any Autoencoder, extra: any MethodReport) {
        context.display.update("neighbours and the fuzzy graph", fraction: 0)
        let model = try ParametricUMAP.fit(context.samples, configuration: configuration, using: &generator, progress: context.reportTraining)
        return (model, ParametricReport(edges: model.summary.edges, exactNeighbours: model.summary.exactNeighbours, a: model.summary.a, b: model.summary.b))
    }
}

/// A parametric UMAP fit reports its graph and its curve (the encoder's losses are its training history).
struct ParametricReport: MethodReport {
    var edges: Int, exactNeighbours: Bool, a: Double, b: Double
    enum CodingKeys: String, CodingKey { case edges, exactNeighbours = "exact_neighbours", a, b }
}
