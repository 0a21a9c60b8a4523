import ArgumentParser
import Foundation
import Latent

extension MDS.Configuration.Scaling: ExpressibleByArgument, HelpValue {}

extension MDS: FittedByCommand { static var fitCommand: any ParsableCommand.Type { FitMDS.self } }

/// `latent fit mds`: classical (Torgerson) or metric (SMACOF) multidimensional scaling.
struct FitMDS: FitMethod {
    static let configuration = CommandConfiguration(
        commandName: "mds",
        abstract: "Multidimensional scaling: codes whose distances reproduce the samples' Euclidean distances.",
        discussion: """
            Classical scaling (the default) takes the eigenvectors of the doubly centred squared distances: on \
            Euclidean distances it equals PCA. --metric-mds (--scaling metric) then minimises the stress \
            Σ (‖yᵢ − yⱼ‖ − δᵢⱼ)² by SMACOF's Guttman transform from the classical solution and from random starts \
            (--initialisations 4), keeping the lowest; Kruskal's stress-1 is reported. Holds the n × n distances: \
            at most 5 000 samples. The model keeps the training samples: `encode` places new samples with the \
            training codes fixed, `decode` is a network trained after the embedding on the (code, sample) pairs (--decoder mlp; --decoder none averages the samples of the nearest codes instead).
            """)

    @OptionGroup var common: FitOptions
    @Option(help: .hyperparameter(\MDS.Configuration.components)) var components: Int?
    @Option(help: .hyperparameter(\MDS.Configuration.scaling)) var scaling: MDS.Configuration.Scaling?
    @Flag(help: "Metric MDS by SMACOF: the same as --scaling metric.") var metricMds = false
    @Option(help: .hyperparameter(\MDS.Configuration.initialisations)) var initialisations: Int?
    @Option(help: .hyperparameter(\MDS.Configuration.iterations)) var iterations: Int?
    @Option(help: .hyperparameter(\MDS.Configuration.tolerance)) var tolerance: Double?
    @Option(help: .hyperparameter(\MDS.Configuration.decodingNeighbours)) var decodingNeighbours: Int?
    @OptionGroup var decoding: DecoderOptions

    /// Ctrl-C stops the decoder's training after the current batch.
    static var trained: Bool { true }

    func validate() throws {
        if metricMds, scaling == .classical { throw ValidationError("--metric-mds and --scaling classical contradict each other: give one") }
        try checkDeclaredRanges(configuration, method: MDS.methodName)
    }

    var configuration: MDS.Configuration {
        let d = MDS.Configuration.defaults
        return MDS.Configuration(components: components ?? d.components, scaling: metricMds ? .metric : (scaling ?? d.scaling),
                                 initialisations: initialisations ?? d.initialisations, iterations: iterations ?? d.iterations,
                                 tolerance: tolerance ?? d.tolerance, decodingNeighbours: decodingNeighbours ?? d.decodingNeighbours, decoder: decoding.configuration)
    }

    func fit(_ context: FitInputs, using generator: inout RandomGenerator) throws -> (model: any Autoencoder, extra: any MethodReport) {
        let configuration = configuration
        let model = try MDS.fit(context.samples, configuration: configuration, using: &generator, progress: { progress in
            try context.checkInterruption()
            context.display.update(String(format: "start %d of %d, iteration %d (at most %d), stress-1 %.5f, %@ elapsed", progress.start + 1,
                                          configuration.initialisations, progress.iteration, configuration.iterations, progress.stress,
                                          formatDuration(Date().timeIntervalSince(context.start))),
                                   fraction: (Double(progress.start) + Double(progress.iteration) / Double(configuration.iterations))
                                       / Double(configuration.initialisations))
        }, decoderProgress: context.reportTraining)
        return (model, model.summary)
    }
}

/// An MDS fit reports its stress-1 and eigenvalues.
extension MDS.Summary: MethodReport {}
