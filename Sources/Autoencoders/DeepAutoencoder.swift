import DataFormats
import NeuralNetworks
import Tensors

/// The deep autoencoder of Hinton & Salakhutdinov (Science 313, 2006): an encoder of dense
/// layers D → h₁ → … → h_L → d and its mirror image as decoder, pretrained greedily as a stack
/// of RBMs (each trained on the hidden probabilities of the one below, the top one with linear
/// code units), unrolled (decoder weights start as the transposed encoder weights, then are
/// untied) and fine-tuned by backpropagation of the reconstruction error. Without pretraining
/// the weights start from an `Initializer` instead: the lecture's comparison (large initial
/// weights find poor minima, small ones make early gradients vanish).
///
/// ENCODE is the encoder (`n × D` → `n × d`), DECODE the decoder (`n × d` → `n × D`), with
/// activations chosen per role: hidden layers, the code layer, the output layer.
public struct DeepAutoencoder: TrainedMethod {
    /// Hyperparameters.
    public struct Configuration: Codable, Sendable, Equatable, TrainedConfiguration {
        /// How the weights start.
        public enum Pretraining: String, Codable, Sendable, CaseIterable {
            /// Greedy layer-wise RBM pretraining (the paper's).
            case rbm
            /// From ``Configuration/initializer``.
            case none
        }

        /// How inputs are scaled before the network sees them.
        public enum InputScaling: String, Codable, Sendable, CaseIterable {
            /// As given: pixels in [0, 1], the paper's case (Bernoulli visible units, bce).
            case none
            /// Per feature to mean 0 and variance 1 (real-valued data: unit-variance Gaussian
            /// visible units, mse, a linear output); undone by DECODE.
            case standardize
        }

        /// Encoder hidden widths h₁ … h_L (the paper's 1000, 500, 250); the decoder mirrors them.
        public var hidden: [Int]
        /// d
        public var codeSize: Int
        public var hiddenActivation: Activation
        public var codeActivation: Activation
        public var outputActivation: Activation
        /// bce (with a sigmoid output, computed from logits) or mse.
        public var loss: Loss
        public var pretraining: Pretraining
        /// Epochs of each RBM (the paper's code: 10).
        public var pretrainingEpochs: Int
        /// Mini-batch size of the RBMs (the paper's: 100).
        public var pretrainingBatchSize: Int
        /// The RBMs' learning rate; nil takes Hinton's: 0.1 between binary units, 0.001 where
        /// the visible or hidden units are Gaussian.
        public var pretrainingLearningRate: Float?
        /// The RBMs' momentum: initial, then final from `pretrainingMomentumSwitchEpoch` on;
        /// nil takes Hinton's 0.5, then 0.9 after 5 epochs.
        public var pretrainingMomentum: PretrainingMomentum?

        /// A momentum schedule of RBM training: `initial` for the first `switchEpoch` epochs,
        /// then `final`.
        public struct PretrainingMomentum: Codable, Sendable, Equatable {
            public var initial: Float, final: Float, switchEpoch: Int
            public init(initial: Float, final: Float, switchEpoch: Int) {
                (self.initial, self.final, self.switchEpoch) = (initial, final, switchEpoch)
            }
        }
        /// The RBMs' momenta, initial and final (`pretrainingMomentum`'s); empty when Hinton's.
        public var pretrainingMomenta: [Float] {
            pretrainingMomentum.map { [$0.initial, $0.final] } ?? []
        }
        /// The epoch the RBMs' momentum switches at (`pretrainingMomentum`'s); nil when Hinton's.
        public var pretrainingMomentumSwitchEpoch: Int? { pretrainingMomentum?.switchEpoch }

        /// Initial weights without pretraining.
        public var initializer: Initializer
        /// Fine-tuning (or, without pretraining, all training).
        public var training: TrainingConfiguration
        public var inputScaling: InputScaling
        /// The encoder's and decoder's kind (``NetworkArchitecture``): dense layers of `hidden`
        /// widths (which RBM pretraining needs), the convolutions for `imageShape`, or layer
        /// lists; the code layer (dense, `codeActivation`) follows the encoder's layers.
        public var architecture: NetworkArchitecture
        /// The samples' image shape (`[H, W]` or `[H, W, C]`) for convolutional architectures;
        /// nil for flat samples. The command line takes it from the data.
        public var imageShape: [Int]?

        /// The paper's widths.
        public static let paperHidden = [1000, 500, 250]
        /// Default fine-tuning: Adam at 1e-3 on batches of 128 for 20 epochs.
        public static let defaultTraining = TrainingConfiguration(epochs: 20, batchSize: 128, learningRate: 1e-3, minimumSteps: 3_000)

        /// Hidden widths for `features` inputs when none are given: the paper's 1000-500-250
        /// for images of 784 pixels or more, else those widths scaled by D / 784 (at least 16
        /// and 4 × the code size each), so a table of 13 columns gets 17-16-16, not a network of
        /// 1.2 million weights for 178 samples.
        public static func defaultHidden(features: Int, codeSize: Int) -> [Int] {
            guard features < 784 else { return paperHidden }
            return paperHidden.map { max(Int((Double($0) * Double(features) / 784).rounded()), 4 * codeSize, 16) }
        }

        public init(hidden: [Int] = paperHidden, codeSize: Int = 30, hiddenActivation: Activation = .sigmoid,
                    codeActivation: Activation = .linear, outputActivation: Activation = .sigmoid, loss: Loss = .binaryCrossEntropy,
                    pretraining: Pretraining = .rbm, pretrainingEpochs: Int = 10, pretrainingBatchSize: Int = 100,
                    initializer: Initializer = .xavier, training: TrainingConfiguration = defaultTraining, inputScaling: InputScaling = .none,
                    architecture: NetworkArchitecture = .mlp, imageShape: [Int]? = nil) {
            self.hidden = hidden
            self.codeSize = codeSize
            self.hiddenActivation = hiddenActivation
            self.codeActivation = codeActivation
            self.outputActivation = outputActivation
            self.loss = loss
            self.pretraining = pretraining
            self.pretrainingEpochs = pretrainingEpochs
            self.pretrainingBatchSize = pretrainingBatchSize
            self.initializer = initializer
            self.training = training
            self.inputScaling = inputScaling
            self.architecture = architecture
            self.imageShape = imageShape
        }

        /// The hidden activation and initialisation that convolutional networks train well with
        /// (PyTorch's defaults for convolutions): the paper's sigmoid units and Xavier weights,
        /// tuned for RBM pretraining, learn slowly through convolutions.
        public static let convolutionalHiddenActivation = Activation.relu
        public static let convolutionalInitializer = Initializer.fanInUniform

        /// Hyperparameters added after a file was written read as their defaults.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Self()
            self.init(hidden: try c.decode(.hidden, or: d.hidden), codeSize: try c.decode(.codeSize, or: d.codeSize),
                      hiddenActivation: try c.decode(.hiddenActivation, or: d.hiddenActivation), codeActivation: try c.decode(.codeActivation, or: d.codeActivation),
                      outputActivation: try c.decode(.outputActivation, or: d.outputActivation), loss: try c.decode(.loss, or: d.loss),
                      pretraining: try c.decode(.pretraining, or: d.pretraining), pretrainingEpochs: try c.decode(.pretrainingEpochs, or: d.pretrainingEpochs),
                      pretrainingBatchSize: try c.decode(.pretrainingBatchSize, or: d.pretrainingBatchSize), initializer: try c.decode(.initializer, or: d.initializer),
                      training: try c.decode(.training, or: d.training), inputScaling: try c.decode(.inputScaling, or: d.inputScaling),
                      architecture: try c.decode(.architecture, or: d.architecture), imageShape: try c.decodeIfPresent([Int].self, forKey: .imageShape))
            pretrainingLearningRate = try c.decodeIfPresent(Float.self, forKey: .pretrainingLearningRate)
            pretrainingMomentum = try c.decodeIfPresent(PretrainingMomentum.self, forKey: .pretrainingMomentum)
        }

        /// The encoder (its layers, then the code layer) and the decoder for samples of `features`.
        public func layouts(features: Int) throws -> (encoder: NetworkLayout, decoder: NetworkLayout) {
            let name = DeepAutoencoder.methodName
            let base = try architecture.layouts(features: features, imageShape: imageShape, hidden: hidden, activation: hiddenActivation,
                                                codeWidth: codeSize, outputActivation: outputActivation, method: name)
            return (try NetworkLayout(inputShape: base.encoder.inputShape, layers: base.encoder.layers + [.dense(outputs: codeSize, activation: codeActivation)],
                                      name: "\(name) encoder"), base.decoder)
        }

        /// Encoder widths D → h₁ → … → d and decoder widths d → … → D.
        func widths(features: Int) -> (encoder: [Int], decoder: [Int]) {
            let encoder = [features] + hidden + [codeSize]
            return (encoder, encoder.reversed())
        }
        /// The configuration of RBM `layer` of the stack (`widths`: the encoder's).
        func rbm(_ layer: Int, widths: [Int], binaryData: Bool) -> RBM.Configuration {
            let defaults = RBM.Configuration(hiddenUnits: 1)
            let momentum = pretrainingMomentum
            return RBM.Configuration(hiddenUnits: widths[layer + 1], visible: layer == 0 && !binaryData ? .gaussian : .bernoulli,
                                     hidden: layer == widths.count - 2 && codeActivation == .linear ? .gaussian : .bernoulli,
                                     epochs: pretrainingEpochs, batchSize: pretrainingBatchSize, learningRate: pretrainingLearningRate,
                                     initialMomentum: momentum?.initial ?? defaults.initialMomentum,
                                     finalMomentum: momentum?.final ?? defaults.finalMomentum,
                                     momentumSwitchEpoch: momentum?.switchEpoch ?? defaults.momentumSwitchEpoch)
        }
        var encoderActivations: [Activation] { Array(repeating: hiddenActivation, count: hidden.count) + [codeActivation] }
        var decoderActivations: [Activation] { Array(repeating: hiddenActivation, count: hidden.count) + [outputActivation] }

        func validate(features: Int) throws {
            try checkRanges("deep autoencoder")
            if inputScaling == .standardize, loss == .binaryCrossEntropy || outputActivation == .sigmoid {
                throw AutoencoderError("deep autoencoder: standardised inputs take negative values: use `loss: .squaredError` with a linear output activation")
            }
            if loss == .binaryCrossEntropy, outputActivation != .sigmoid {
                throw AutoencoderError("deep autoencoder: the bce loss needs a sigmoid output (got \(outputActivation)); use `loss: .squaredError`")
            }
            if pretraining == .rbm {
                guard architecture == .mlp else {
                    throw AutoencoderError("deep autoencoder: RBM pretraining stacks dense layers; with `architecture: \(architecture)` use `pretraining: .none`")
                }
                guard hiddenActivation == .sigmoid, [.linear, .sigmoid].contains(codeActivation) else {
                    throw AutoencoderError("deep autoencoder: RBM pretraining needs sigmoid hidden units and a linear or sigmoid code (got \(hiddenActivation), \(codeActivation)); use `pretraining: .none`")
                }
            }
            do { try training.validate() } catch { throw AutoencoderError("deep autoencoder: \(error)") }
            do { _ = try layouts(features: features) } catch let error as NetworkLayoutError { throw AutoencoderError(error.description) }
        }
    }

    /// Whether every value of `samples` lies in [0, 1] (pixels: Bernoulli units, bce, a sigmoid output).

    /// The choices that depend on the data, where the caller leaves them open: data in [0, 1]
    /// get the paper's bce, no scaling and a sigmoid output; other real-valued data mse,
    /// standardised inputs and a linear output. A bce loss keeps the inputs unscaled (its
    /// targets must lie in [0, 1]), and standardised inputs take a linear output.
    public static func dataDefaults(for samples: Tensor, loss: Loss? = nil, inputScaling: Configuration.InputScaling? = nil)
        -> (loss: Loss, inputScaling: Configuration.InputScaling, outputActivation: Activation) {
        dataDefaults(unitInterval: liesInUnitInterval(samples), loss: loss, inputScaling: inputScaling)
    }

    /// ``dataDefaults(for:loss:inputScaling:)`` for data whose values do (`unitInterval`) or
    /// do not all lie in [0, 1]: what a streamed fit knows after a pass over its shards.
    public static func dataDefaults(unitInterval unit: Bool, loss: Loss? = nil, inputScaling: Configuration.InputScaling? = nil)
        -> (loss: Loss, inputScaling: Configuration.InputScaling, outputActivation: Activation) {
        let loss = loss ?? (unit ? .binaryCrossEntropy : .squaredError)
        let scaling = inputScaling ?? (unit || loss == .binaryCrossEntropy ? .none : .standardize)
        return (loss, scaling, loss == .binaryCrossEntropy || (unit && scaling == .none) ? .sigmoid : .linear)
    }

    public static let methodName = "deep-autoencoder"
    public let configuration: Configuration
    public let encoder: TrainedNetwork
    public let decoder: TrainedNetwork
    /// Per-feature mean and scale applied before ENCODE and undone after DECODE (0 and 1 without
    /// ``Configuration/InputScaling/standardize``), `[D]` each.
    public let inputMean: Tensor, inputScale: Tensor
    /// The fine-tuning record.
    public let record: TrainingRecord?
    /// Each RBM's reconstruction error per epoch (empty without pretraining).
    public let pretrainingErrors: [[Float]]

    public var inputSize: Int { encoder.layout.inputWidth }
    public var codeSize: Int { configuration.codeSize }

    /// Pretrains (when configured), unrolls and fine-tunes
    /// (``TrainedMethod/fit(_:configuration:using:context:)``); streamed rows feed every RBM
    /// and the fine-tuning batch by batch (an RBM's input through the RBMs below it), so memory
    /// holds the network, one shuffle buffer and the held-out rows.
    ///
    /// Checkpoints are written during each RBM's training and during fine-tuning, and when the
    /// progress callback interrupts; a resumed run continues exactly: inside the RBM it stopped
    /// in (the RBMs below it come from the checkpoint, the running one's weights, momenta and
    /// generator too), or in fine-tuning (every weight, the optimizer state and the generator
    /// come from it, so pretraining is skipped). With ``Configuration/InputScaling/standardize``
    /// each column is standardised by its mean and deviation (in Double) before the network.
    public static func train<Rows: TrainingRows>(_ data: TrainingData<Rows>, configuration: Configuration, run: TrainingRun,
                                                 using generator: inout RandomGenerator) throws -> DeepAutoencoder {
        let d = data.features
        let standardize = configuration.inputScaling == .standardize
        let (mean, scale) = standardize ? NonlinearPCA.standardization(means: data.summary.means!, variances: data.summary.variances!)
            : (Tensor.zeros([d]), Tensor.ones([d]))
        let scaled = standardize ? data.mapped(columns: d) { ($0 - mean) / scale } : data
        // Bernoulli visible units for data in [0, 1] as the network sees them.
        let binaryData = !standardize && data.summary.liesInUnitInterval
        let (training, heldOut, resumed, resumedPhase) = (scaled.training, scaled.heldOut, run.resumed, run.resumedPhase)
        let layouts: (encoder: NetworkLayout, decoder: NetworkLayout)
        do { layouts = try configuration.layouts(features: d) } catch let error as NetworkLayoutError { throw AutoencoderError(error.description) }
        // Pretraining, or a fresh start.
        var pretrainingErrors: [[Float]] = []
        let encoder: Network, decoder: Network
        // A resumed run takes every weight from its checkpoint: pretraining would be overwritten.
        let resumesPretraining = resumedPhase?.hasPrefix(rbmPhasePrefix) ?? false
        if let resumedPhase, !resumesPretraining, resumedPhase != fineTuningPhase(configuration) {
            throw AutoencoderError("cannot resume: the checkpoint's stage '\(resumedPhase)' is not one of this run's (RBM pretraining or fine-tuning); it was written by another version; start afresh without `CheckpointPolicy.resume`")
        }
        if configuration.pretraining == .rbm, resumed == nil || resumesPretraining {
            // A pretraining checkpoint holds the finished RBMs and the running one's trainer state.
            let finished = try resumed.map { try finishedRBMs($0, configuration: configuration, features: d, binaryData: binaryData) } ?? []
            let rbms = try pretrain(rows: training, configuration: configuration, using: &generator, binaryData: binaryData, finished: finished,
                                    hooks: { finished in run.hooks(completed: { rbmTensors(finished) }) })
            pretrainingErrors = rbms.map(\.reconstructionError)
            let unrolled = unroll(rbms, configuration: configuration)
            (encoder, decoder) = (Network(layouts.encoder, parameters: unrolled.encoder.namedTensors("").map(\.tensor)),
                                  Network(layouts.decoder, parameters: unrolled.decoder.namedTensors("").map(\.tensor)))
        } else {
            encoder = Network(layouts.encoder, initializer: configuration.initializer, using: &generator)
            decoder = Network(layouts.decoder, initializer: configuration.initializer, using: &generator)
        }
        // With bce the last layer emits logits during training; the sigmoid is in the loss.
        let logits = configuration.loss == .binaryCrossEntropy
        let trainingDecoder = !logits ? decoder
            : Network(try layouts.decoder.replacingOutputActivation(with: .linear), parameters: decoder.parameters.map(\.value))
        let parameters = encoder.namedParameters(prefix: "encoder") + trainingDecoder.namedParameters(prefix: "decoder")
        let hooks = run.hooks()
        let loss = configuration.loss
        let record = try Trainer(configuration.training, phase: fineTuningPhase(configuration)).run(
            parameters: parameters, samples: training, heldOut: heldOut, using: &generator, hooks: hooks,
            loss: { batch in loss(trainingDecoder(encoder(Variable(batch))), batch) },
            heldOutLoss: { rows in Double(loss(Variable(trainingDecoder(encoder(rows))), rows).value.scalar) })
        let decoderStack = TrainedNetwork(layout: layouts.decoder, parameters: trainingDecoder.parameters.map(\.value))
        return DeepAutoencoder(configuration: configuration, encoder: TrainedNetwork(encoder), decoder: decoderStack,
                               inputMean: mean, inputScale: scale, record: record, pretrainingErrors: pretrainingErrors)
    }

    /// The bce loss needs data in [0, 1]; a standardisation needs the columns' moments.
    public static func requirements(_ configuration: Configuration) -> DataRequirements {
        DataRequirements(unitInterval: configuration.loss == .binaryCrossEntropy ? ("the bce loss", "loss: .squaredError") : nil,
                         moments: configuration.inputScaling == .standardize)
    }

    public static func validate(_ configuration: Configuration, features: Int) throws { try configuration.validate(features: features) }

    /// Unrolling (Hinton & Salakhutdinov 2006, Fig. 1): the encoder is the RBMs' recognition
    /// weights bottom up (Wᵢ, cᵢ), the decoder their generative weights top down (Wᵢᵀ, bᵢ);
    /// the two halves are untied from here on. Activations follow the configuration's roles.
    public static func unroll(_ rbms: [RBM], configuration: Configuration) -> (encoder: LayerStack, decoder: LayerStack) {
        let encoder = zip(rbms, configuration.encoderActivations).map { rbm, activation in
            LayerStack.Layer(weight: rbm.weight, bias: rbm.hiddenBias, activation: activation)
        }
        let decoder = zip(rbms.reversed(), configuration.decoderActivations).map { rbm, activation in
            LayerStack.Layer(weight: rbm.weight.transposed(), bias: rbm.visibleBias, activation: activation)
        }
        return (LayerStack(layers: encoder), LayerStack(layers: decoder))
    }

    /// Greedy layer-wise pretraining: RBM i learns the hidden probabilities of RBM i − 1; the
    /// first has Bernoulli visible units (data in [0, 1]) or Gaussian ones, the top one Gaussian
    /// (linear) hidden units when the code is linear (Hinton & Salakhutdinov 2006, Fig. 1).
    /// Each RBM trains on the `Trainer` in phase "rbm I/L".
    ///
    /// - Parameters:
    ///   - binaryData: whether `samples` lie in [0, 1] (Bernoulli visible units), when known.
    ///   - finished: RBMs already trained (from a checkpoint): the stack continues above them.
    ///   - hooks: the trainer's hooks for the next RBM, given the RBMs finished below it.
    public static func pretrain(_ samples: Tensor, configuration: Configuration, using generator: inout RandomGenerator,
                                binaryData: Bool? = nil, finished: [RBM] = [],
                                hooks: ([RBM]) -> TrainingHooks = { _ in .none }) throws -> [RBM] {
        try pretrain(rows: samples, configuration: configuration, using: &generator, binaryData: binaryData ?? liesInUnitInterval(samples),
                     finished: finished, hooks: hooks)
    }

    /// Greedy layer-wise pretraining on rows in memory or streamed: a stream feeds each RBM
    /// its batches through the RBMs below it, as they are read.
    static func pretrain<Rows: TrainingRows>(rows samples: Rows, configuration: Configuration, using generator: inout RandomGenerator,
                                             binaryData: Bool, finished: [RBM], hooks: ([RBM]) -> TrainingHooks) throws -> [RBM] {
        let widths = configuration.widths(features: samples.columns).encoder
        var input = samples, rbms: [RBM] = []
        for layer in 0..<(widths.count - 1) {
            if layer < finished.count {
                rbms.append(finished[layer])
                input = input.mapped(columns: widths[layer + 1], finished[layer].encodeUnchecked)
                continue
            }
            let rbm = try RBM.fit(rows: input, configuration: configuration.rbm(layer, widths: widths, binaryData: binaryData), using: &generator,
                                  phase: "\(rbmPhasePrefix)\(layer + 1)/\(widths.count - 1)", hooks: hooks(rbms))
            rbms.append(rbm)
            input = input.mapped(columns: widths[layer + 1], rbm.encodeUnchecked)
        }
        return rbms
    }

    /// The phases of a fit: "rbm I/L" for each RBM, then "fine-tuning" ("" without pretraining).
    static let rbmPhasePrefix = "rbm "
    static func fineTuningPhase(_ configuration: Configuration) -> String { configuration.pretraining == .rbm ? "fine-tuning" : "" }

    /// The RBMs of a pretraining checkpoint, named `rbm.I.…` among its finished tensors; their
    /// configurations follow from the stack's (`binaryData`: whether the data lie in [0, 1]).
    static func finishedRBMs(_ file: CheckpointFile, configuration: Configuration, features: Int, binaryData: Bool) throws -> [RBM] {
        let state = SafeTensorsFile(tensors: file.completed)
        let widths = configuration.widths(features: features).encoder
        var rbms: [RBM] = []
        while rbms.count < widths.count - 1, state["rbm.\(rbms.count).weight"] != nil {
            let prefix = "rbm.\(rbms.count)."
            let tensors = SafeTensorsFile(tensors: state.tensors.filter { $0.name.hasPrefix(prefix) }.map { (String($0.name.dropFirst(prefix.count)), $0.tensor) })
            rbms.append(try RBM(configuration: configuration.rbm(rbms.count, widths: widths, binaryData: binaryData), state: tensors, file: "checkpoint"))
        }
        return rbms
    }

    /// Tensors of finished RBMs for a pretraining checkpoint.
    static func rbmTensors(_ rbms: [RBM]) -> [(name: String, tensor: Tensor)] {
        rbms.enumerated().flatMap { index, rbm in rbm.stateTensors.map { ("rbm.\(index).\($0.name)", $0.tensor) } }
    }

    private init(configuration: Configuration, encoder: TrainedNetwork, decoder: TrainedNetwork, inputMean: Tensor, inputScale: Tensor,
                 record: TrainingRecord?, pretrainingErrors: [[Float]]) {
        self.configuration = configuration
        self.encoder = encoder
        self.decoder = decoder
        self.inputMean = inputMean
        self.inputScale = inputScale
        self.record = record
        self.pretrainingErrors = pretrainingErrors
    }

    private var standardizes: Bool { configuration.inputScaling == .standardize }

    public func encodeUnchecked(_ samples: Tensor) -> Tensor { encoder(standardizes ? (samples - inputMean) / inputScale : samples) }
    public func decodeUnchecked(_ codes: Tensor) throws -> Tensor {
        standardizes ? decoder(codes) * inputScale + inputMean : decoder(codes)
    }

    public var stateTensors: [(name: String, tensor: Tensor)] {
        encoder.namedTensors("encoder") + decoder.namedTensors("decoder")
            + (standardizes ? [("input_mean", inputMean), ("input_scale", inputScale)] : [])
    }

    public init(configuration: Configuration, state: SafeTensorsFile, file: String) throws {
        let d = try configuration.architecture.storedFeatures(imageShape: configuration.imageShape, firstWeight: "encoder.0.weight", state: state, file: file)
        let layouts: (encoder: NetworkLayout, decoder: NetworkLayout)
        do { layouts = try configuration.layouts(features: d) } catch let error as NetworkLayoutError {
            throw DataFormatError(file, .entry("the configuration"), error.description)
        }
        let standardizes = configuration.inputScaling == .standardize
        self.init(configuration: configuration,
                  encoder: try TrainedNetwork.load("encoder", layout: layouts.encoder, from: state, file: file),
                  decoder: try TrainedNetwork.load("decoder", layout: layouts.decoder, from: state, file: file),
                  inputMean: standardizes ? try state.tensor("input_mean", shape: [d], file: file) : .zeros([d]),
                  inputScale: standardizes ? try state.tensor("input_scale", shape: [d], file: file) : .ones([d]),
                  history: try TrainingHistory.read(from: state, path: file))
    }

    /// A loaded model with the record and pretraining errors its file's history holds.
    private init(configuration: Configuration, encoder: TrainedNetwork, decoder: TrainedNetwork, inputMean: Tensor, inputScale: Tensor,
                 history: TrainingHistory?) {
        self.init(configuration: configuration, encoder: encoder, decoder: decoder, inputMean: inputMean, inputScale: inputScale,
                  record: history?.stage(Self.fineTuningStage)?.record,
                  pretrainingErrors: history?.stages.filter(\.isPretraining).map(\.record.trainLoss) ?? [])
    }

    static let fineTuningStage = "fine-tuning"

    /// The pretraining RBMs' reconstruction errors, then fine-tuning.
    public var trainingHistory: TrainingHistory? {
        let rbms = pretrainingErrors.enumerated().map { index, errors in
            TrainingHistory.Stage(name: "RBM \(index + 1)", loss: "squared reconstruction error per sample",
                                  record: TrainingRecord(trainLoss: errors), isPretraining: true)
        }
        let fineTuning = record.map { [TrainingHistory.Stage(name: Self.fineTuningStage, loss: "\(configuration.loss.displayName) per sample", record: $0)] } ?? []
        return rbms.isEmpty && fineTuning.isEmpty ? nil : TrainingHistory(stages: rbms + fineTuning)
    }
}

extension DeepAutoencoder.Configuration: HyperparameterDeclaring {
    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.codeSize, "codeSize", "Code width.", .atLeast(1)),
        .init(\.hidden, "hidden", "The encoder's hidden widths; the decoder mirrors them.", each: .atLeast(1),
              default: .rule("\(paperHidden.map(String.init).joined(separator: ",")), the paper's, scaled down below 784 features")),
        .init(\.hiddenActivation, "hiddenActivation", "Hidden units' activation.",
              default: .rule("\(Self().hiddenActivation) (the paper's); \(convolutionalHiddenActivation) with convolutions")),
        .init(\.codeActivation, "codeActivation", "The code layer's activation."),
        .init(\.outputActivation, "outputActivation", "The output layer's activation.",
              default: .rule("\(DeepAutoencoder.dataDefaults(unitInterval: true).outputActivation) for data in [0, 1], else \(DeepAutoencoder.dataDefaults(unitInterval: false).outputActivation)")),
        .init(\.loss, "loss", "Reconstruction cost: bce (sigmoid output, data in [0, 1]) or mse.",
              default: .rule("\(DeepAutoencoder.dataDefaults(unitInterval: true).loss.rawValue) for data in [0, 1], else \(DeepAutoencoder.dataDefaults(unitInterval: false).loss.rawValue)")),
        .init(\.pretraining, "pretraining", "rbm (greedy RBM pretraining, then fine-tuning) or none."),
        .init(\.pretrainingEpochs, "pretrainingEpochs", "Epochs of each RBM.", .atLeast(1)),
        .init(\.pretrainingBatchSize, "pretrainingBatchSize", "Mini-batch size of the RBMs.", .atLeast(1)),
        .init(\.pretrainingLearningRate, "pretrainingLearningRate", "The RBMs' learning rate.", .greaterThan(0),
              default: .rule("Hinton's: \(RBM.Configuration.defaultLearningRate(visible: .bernoulli, hidden: .bernoulli)) between binary units, \(RBM.Configuration.defaultLearningRate(visible: .gaussian, hidden: .bernoulli)) with Gaussian ones")),
        .init(\.pretrainingMomenta, "pretrainingMomenta", "The RBMs' momentum, INITIAL,FINAL.", each: RBM.Configuration.momentumRange,
              default: .rule("\(RBM.Configuration.defaults.initialMomentum),\(RBM.Configuration.defaults.finalMomentum), Hinton's")),
        .init(\.pretrainingMomentumSwitchEpoch, "pretrainingMomentumSwitchEpoch", "Epochs of each RBM at the initial momentum.", .atLeast(0),
              default: .rule("\(RBM.Configuration.defaults.momentumSwitchEpoch), Hinton's")),
        .init(\.initializer, "initializer", "Initial weights without pretraining (`pretraining: .none`).",
              default: .rule("\(Self().initializer.rawValue); \(convolutionalInitializer.rawValue) (PyTorch's) with convolutions")),
        .init(\.architecture, "architecture",
              "The networks: mlp (dense layers of `hidden`), conv (convolutions for the samples' image shape) or 'ENCODER LAYERS | DECODER LAYERS'; "
              + "the code layer follows the encoder's layers."),
    ]

    public static var defaults: Self { Self() }
}
