import ArgumentParser
import Latent

extension LearnedDecoder.Configuration.Kind: ExpressibleByArgument, HelpValue {}

/// The decoder a projective method (tsne, umap, mds, isomap) learns after its embedding:
/// `--decoder mlp|none` and how the network trains. With `none` the other options are errors.
struct DecoderOptions: ParsableArguments {
    @Option(help: .hyperparameter(\LearnedDecoder.Configuration.kind)) var decoder: LearnedDecoder.Configuration.Kind?
    @Option(help: .hyperparameter(\LearnedDecoder.Configuration.hidden)) var decoderHidden: Widths?
    @Option(help: .hyperparameter(\LearnedDecoder.Configuration.activation)) var decoderActivation: Activation?
    @Option(help: .hyperparameter(\LearnedDecoder.Configuration.loss)) var decoderLoss: Loss?
    @Option(help: .hyperparameter(\LearnedDecoder.Configuration.epochs)) var decoderEpochs: Int?
    @Option(help: .hyperparameter(\LearnedDecoder.Configuration.batchSize)) var decoderBatchSize: Int?
    @Option(help: .hyperparameter(\LearnedDecoder.Configuration.learningRate)) var decoderLearningRate: Float?

    func validate() throws {
        guard decoder == LearnedDecoder.Configuration.Kind.none else { return }
        let given = [("--decoder-hidden", decoderHidden != nil), ("--decoder-activation", decoderActivation != nil), ("--decoder-loss", decoderLoss != nil),
                     ("--decoder-epochs", decoderEpochs != nil), ("--decoder-batch-size", decoderBatchSize != nil),
                     ("--decoder-learning-rate", decoderLearningRate != nil)].filter(\.1).map(\.0)
        if let first = given.first { throw ValidationError("\(first) sets the learned decoder: it needs --decoder mlp, not --decoder none") }
    }

    /// The decoder's configuration: the library's defaults with the options given.
    var configuration: LearnedDecoder.Configuration {
        let d = LearnedDecoder.Configuration.defaults
        return LearnedDecoder.Configuration(kind: decoder ?? d.kind, hidden: decoderHidden?.values ?? d.hidden, activation: decoderActivation ?? d.activation,
                                            loss: decoderLoss ?? d.loss, epochs: decoderEpochs ?? d.epochs, batchSize: decoderBatchSize ?? d.batchSize,
                                            learningRate: decoderLearningRate ?? d.learningRate)
    }
}
