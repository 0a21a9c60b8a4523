import ArgumentParser
import Foundation
import Latent

extension TSNE.Configuration.Repulsion: ExpressibleByArgument, HelpValue {}

extension TSNE: FittedByCommand { static var fitCommand: any ParsableCommand.Type { FitTSNE.self } }

/// `latent fit tsne`: t-SNE (openTSNE's defaults, FIt-SNE's interpolation for large sets).
struct FitTSNE: FitMethod {
    static let configuration = CommandConfiguration(
        commandName: "tsne",
        abstract: "t-SNE: codes whose Student-t similarities match the data's neighbour affinities (KL divergence); new samples placed against them.",
        discussion: """
            The 3·perplexity nearest neighbours of each sample (exact below 5 000 samples, NN-descent above) carry \
            Gaussian affinities calibrated to the perplexity; codes start at the first principal components (standard \
            deviation 10⁻⁴) and descend the KL divergence with momentum and gains: 250 iterations with the affinities \
            exaggerated 12×, then 500 plain, learning rate max(n/exaggeration, 200). Repulsion is exact below 1 000 \
            samples and interpolated on FIt-SNE's grid above. The model keeps the training samples: `encode` places \
            new samples by their own affinities to them, `decode` is a network trained after the embedding on the (code, sample) pairs (--decoder mlp; --decoder none averages the samples of the nearest codes instead). \
            Defaults are openTSNE 1.0's.
            """)

    @OptionGroup var common: FitOptions
    @Option(help: .hyperparameter(\TSNE.Configuration.components)) var components: Int?
    @Option(help: .hyperparameter(\TSNE.Configuration.perplexity)) var perplexity: Double?
    @Option(help: .hyperparameter(\TSNE.Configuration.earlyExaggeration)) var earlyExaggeration: Double?
    @Option(help: .hyperparameter(\TSNE.Configuration.earlyExaggerationIterations)) var earlyExaggerationIterations: Int?
    @Option(help: .hyperparameter(\TSNE.Configuration.iterations)) var iterations: Int?
    @Option(help: .hyperparameter(\TSNE.Configuration.learningRate)) var learningRate: Double?
    @Option(help: .hyperparameter(\TSNE.Configuration.initialMomentum)) var initialMomentum: Double?
    @Option(help: .hyperparameter(\TSNE.Configuration.finalMomentum)) var finalMomentum: Double?
    @Option(help: .hyperparameter(\TSNE.Configuration.degreesOfFreedom)) var degreesOfFreedom: Double?
    @Option(help: .hyperparameter(\TSNE.Configuration.repulsion)) var repulsion: TSNE.Configuration.Repulsion?
    @Option(help: .hyperparameter(\TSNE.Configuration.maximumStep)) var maximumStep: Double?
    @Option(help: .hyperparameter(\TSNE.Configuration.transformPerplexity)) var transformPerplexity: Double?
    @Option(help: .hyperparameter(\TSNE.Configuration.transformIterations)) var transformIterations: Int?
    @Option(help: .hyperparameter(\TSNE.Configuration.decodingNeighbours)) var decodingNeighbours: Int?
    @OptionGroup var decoding: DecoderOptions
    @Option(help: "Write a checkpoint every N iterations, beside --output (MODEL.checkpoint.safetensors); Ctrl-C writes one anyway.")
    var checkpointEvery: Int?
    @Flag(help: "Continue from the checkpoint beside --output (same data, options and seed): the result equals an uninterrupted run.")
    var resume = false

    /// Ctrl-C stops after the current iteration, with a checkpoint.
    static var trained: Bool { true }

    func validate() throws {
        try checkDeclaredRanges(configuration, method: TSNE.methodName)
        if let every = checkpointEvery, every < 1 { throw ValidationError("--checkpoint-every must be at least 1") }
    }

    var configuration: TSNE.Configuration {
        let d = TSNE.Configuration.defaults
        return TSNE.Configuration(
            components: components ?? d.components, perplexity: perplexity ?? d.perplexity, earlyExaggeration: earlyExaggeration ?? d.earlyExaggeration,
            earlyExaggerationIterations: earlyExaggerationIterations ?? d.earlyExaggerationIterations, iterations: iterations ?? d.iterations,
            learningRate: learningRate, initialMomentum: initialMomentum ?? d.initialMomentum, finalMomentum: finalMomentum ?? d.finalMomentum,
            degreesOfFreedom: degreesOfFreedom ?? d.degreesOfFreedom, repulsion: repulsion ?? d.repulsion, maximumStep: maximumStep ?? d.maximumStep,
            transformPerplexity: transformPerplexity ?? d.transformPerplexity, transformIterations: transformIterations ?? d.transformIterations,
            decodingNeighbours: decodingNeighbours ?? d.decodingNeighbours, decoder: decoding.configuration)
    }

    func fit(_ context: FitInputs, using generator: inout RandomGenerator) throws -> (model: any Autoencoder, extra: any MethodReport) {
        var policy = CheckpointPolicy(path: CheckpointPolicy.path(besideModel: context.output), every: checkpointEvery, resume: resume)
        policy.writes = context.writes
        let settings = ComputeSettings.current
        var lastKL: Double?
        // The rate of this run's iterations (a resumed run starts past 0), for the time left.
        var first: (iteration: Int, time: Date)?
        let model = try withCheckpointContext(policy) {
            try TSNE.fit(context.samples, configuration: configuration, using: &generator, settings: settings, checkpoints: policy, progress: { progress in
                try context.checkInterruption()
                if let kl = progress.klDivergence { lastKL = kl }
                let now = Date()
                let start = first ?? (progress.iteration - 1, context.start)
                first = start
                let perIteration = now.timeIntervalSince(start.time) / Double(max(progress.iteration - start.iteration, 1))
                let left = perIteration * Double(progress.total - progress.iteration)
                let kl = lastKL.map { String(format: ", KL %.4f", $0) } ?? ""
                context.display.update(String(format: "iteration %d of %d (%@)%@, %@ elapsed, about %@ left", progress.iteration, progress.total,
                                              progress.exaggerated ? "exaggerated" : "plain", kl, formatDuration(now.timeIntervalSince(context.start)),
                                              formatDuration(max(0, left))),
                                       fraction: Double(progress.iteration) / Double(progress.total), force: progress.iteration == progress.total)
            }, decoderProgress: context.reportTraining)
        }
        return (model, model.summary)
    }
}

/// A t-SNE fit reports its KL divergence and how its neighbours and forces were computed.
extension TSNE.Summary: MethodReport {}
