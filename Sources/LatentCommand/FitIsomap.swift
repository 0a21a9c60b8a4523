import ArgumentParser
import Foundation
import Latent

extension Isomap: FittedByCommand { static var fitCommand: any ParsableCommand.Type { FitIsomap.self } }

/// `latent fit isomap`: classical scaling of geodesic distances through the neighbourhood graph.
struct FitIsomap: FitMethod {
    static let configuration = CommandConfiguration(
        commandName: "isomap",
        abstract: "Isomap: classical scaling of the geodesic distances along the k-nearest-neighbour graph.",
        discussion: """
            Each sample joined to its --neighbours 10 nearest (exact below 5 000 samples, NN-descent above); the \
            graph must be connected (else an error names its components: raise --neighbours). Shortest paths by \
            Dijkstra's algorithm from every sample up to 2 000 samples, above from --landmarks (default 1 000, drawn \
            at random: landmark Isomap); classical scaling of the sources' squared geodesic distances, every sample \
            placed by the landmark formula. `encode` places new samples by their geodesics through their nearest \
            training samples; `decode` is a network trained after the embedding on the (code, sample) pairs (--decoder mlp; --decoder none averages the samples of the nearest codes instead).
            """)

    @OptionGroup var common: FitOptions
    @Option(help: .hyperparameter(\Isomap.Configuration.components)) var components: Int?
    @Option(help: .hyperparameter(\Isomap.Configuration.neighbours)) var neighbours: Int?
    @Option(help: .hyperparameter(\Isomap.Configuration.landmarks)) var landmarks: Int?
    @Option(help: .hyperparameter(\Isomap.Configuration.radius)) var radius: Double?
    @Option(help: .hyperparameter(\Isomap.Configuration.decodingNeighbours)) var decodingNeighbours: Int?
    @OptionGroup var decoding: DecoderOptions

    /// Ctrl-C stops the decoder's training after the current batch.
    static var trained: Bool { true }

    func validate() throws {
        if radius != nil, neighbours != nil { throw ValidationError("--neighbours sets the k-nearest-neighbour graph, which --radius replaces: give one") }
        try checkDeclaredRanges(configuration, method: Isomap.methodName)
    }

    var configuration: Isomap.Configuration {
        let d = Isomap.Configuration.defaults
        return Isomap.Configuration(components: components ?? d.components, neighbours: neighbours ?? d.neighbours, landmarks: landmarks, radius: radius,
                                    decodingNeighbours: decodingNeighbours ?? d.decodingNeighbours, decoder: decoding.configuration)
    }

    func fit(_ context: FitInputs, using generator: inout RandomGenerator) throws -> (model: any Autoencoder, extra: any MethodReport) {
        context.display.update("neighbours, shortest paths and classical scaling", fraction: 0)
        let model = try Isomap.fit(context.samples, configuration: configuration, using: &generator, decoderProgress: context.reportTraining)
        return (model, model.summary)
    }
}

/// An Isomap fit reports its sources, graph and eigenvalues.
extension Isomap.Summary: MethodReport {}
