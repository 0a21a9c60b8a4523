import ArgumentParser
import Foundation
import Latent

extension UMAP.Configuration.Initialisation: ExpressibleByArgument, HelpValue {}

extension UMAP: FittedByCommand { static var fitCommand: any ParsableCommand.Type { FitUMAP.self } }

/// `latent fit umap`: UMAP (umap-learn 0.5's defaults).
struct FitUMAP: FitMethod {
    static let configuration = CommandConfiguration(
        commandName: "umap",
        abstract: "UMAP: codes whose fuzzy graph matches the data's fuzzy simplicial set (cross entropy); new samples placed against them.",
        discussion: """
            Each sample's 14 nearest others (neighbours − 1; exact below 4 096 samples, NN-descent above) give its fuzzy \
            set (the distance to the nearest subtracted, a scale found by bisection), united over both directions. Codes \
            start at the graph Laplacian's eigenvectors (each connected component apart) scaled into [0, 10], then move by \
            stochastic gradient descent on the cross entropy: each edge sampled in proportion to its strength, 5 negative \
            samples after each, the step falling linearly from 1 to 0 over 500 epochs (200 above 10 000 samples); the \
            similarity of codes is 1/(1 + a·d^(2b)) with a and b fitted to min-dist 0.1 and spread 1. The model keeps the \
            training samples: `encode` places new samples by their fuzzy membership to them, `decode` is a network trained after the embedding on the (code, sample) pairs (--decoder mlp; --decoder none averages the samples of the nearest codes instead). Defaults are umap-learn 0.5's; points move block by block of nearby codes, each block \
            reading its own points as they move and the others as they were at the epoch's start, so the result \
            is the same for any thread count.
            """)

    @OptionGroup var common: FitOptions
    @Option(help: .hyperparameter(\UMAP.Configuration.components)) var components: Int?
    @Option(help: .hyperparameter(\UMAP.Configuration.neighbours)) var neighbours: Int?
    @Option(help: .hyperparameter(\UMAP.Configuration.minimumDistance)) var minimumDistance: Double?
    @Option(help: .hyperparameter(\UMAP.Configuration.spread)) var spread: Double?
    @Option(help: .hyperparameter(\UMAP.Configuration.epochs)) var epochs: Int?
    @Option(help: .hyperparameter(\UMAP.Configuration.learningRate)) var learningRate: Double?
    @Option(help: .hyperparameter(\UMAP.Configuration.negativeSampleRate)) var negativeSampleRate: Int?
    @Option(help: .hyperparameter(\UMAP.Configuration.repulsionStrength)) var repulsionStrength: Double?
    @Option(help: .hyperparameter(\UMAP.Configuration.initialisation)) var initialisation: UMAP.Configuration.Initialisation?
    @Option(help: .hyperparameter(\UMAP.Configuration.transformEpochs)) var transformEpochs: Int?
    @Option(help: .hyperparameter(\UMAP.Configuration.decodingNeighbours)) var decodingNeighbours: Int?
    @OptionGroup var decoding: DecoderOptions
    @Option(help: "Write a checkpoint every N epochs, beside --output (MODEL.checkpoint.safetensors); Ctrl-C writes one anyway.")
    var checkpointEvery: Int?
    @Flag(help: "Continue from the checkpoint beside --output (same data, options and seed): the result equals an uninterrupted run.")
    var resume = false

    /// Ctrl-C stops after the current epoch, with a checkpoint.
    static var trained: Bool { true }

    func validate() throws {
        try checkDeclaredRanges(configuration, method: UMAP.methodName)
        if let every = checkpointEvery, every < 1 { throw ValidationError("--checkpoint-every must be at least 1") }
    }

    var configuration: UMAP.Configuration {
        let d = UMAP.Configuration.defaults
        return UMAP.Configuration(
            components: components ?? d.components, neighbours: neighbours ?? d.neighbours, minimumDistance: minimumDistance ?? d.minimumDistance,
            spread: spread ?? d.spread, epochs: epochs, learningRate: learningRate ?? d.learningRate,
            negativeSampleRate: negativeSampleRate ?? d.negativeSampleRate, repulsionStrength: repulsionStrength ?? d.repulsionStrength,
            initialisation: initialisation ?? d.initialisation, transformEpochs: transformEpochs ?? d.transformEpochs,
            decodingNeighbours: decodingNeighbours ?? d.decodingNeighbours, decoder: decoding.configuration)
    }

    func fit(_ context: FitInputs, using generator: inout RandomGenerator) throws -> (model: any Autoencoder, extra: any MethodReport) {
        var policy = CheckpointPolicy(path: CheckpointPolicy.path(besideModel: context.output), every: checkpointEvery, resume: resume)
        policy.writes = context.writes
        let settings = ComputeSettings.current
        // The rate of this run's epochs (a resumed run starts past 0), for the time left.
        var first: (epoch: Int, time: Date)?
        let model = try withCheckpointContext(policy) {
            try UMAP.fit(context.samples, configuration: configuration, using: &generator, settings: settings, checkpoints: policy, progress: { progress in
                try context.checkInterruption()
                let now = Date()
                let start = first ?? (progress.epoch - 1, context.start)
                first = start
                let perEpoch = now.timeIntervalSince(start.time) / Double(max(progress.epoch - start.epoch, 1))
                let left = perEpoch * Double(progress.total - progress.epoch)
                context.display.update(String(format: "epoch %d of %d, %@ elapsed, about %@ left", progress.epoch, progress.total,
                                              formatDuration(now.timeIntervalSince(context.start)), formatDuration(max(0, left))),
                                       fraction: Double(progress.epoch) / Double(progress.total), force: progress.epoch == progress.total)
            }, decoderProgress: context.reportTraining)
        }
        return (model, model.summary)
    }
}

/// A UMAP fit reports its graph, its curve and how its codes started.
extension UMAP.Summary: MethodReport {}
