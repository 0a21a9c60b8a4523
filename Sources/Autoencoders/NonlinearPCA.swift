import DataFormats
import NeuralNetworks
import Tensors

/// Kramer's nonlinear PCA (AIChE Journal 37(2), 1991): an autoassociative network
/// input → mapping layer (sigmoid) → bottleneck of f nodes → demapping layer (sigmoid) → output,
/// trained to reproduce its input. ENCODE is the first half (x ↦ t, Kramer's eq. 4, t = G(x)),
/// DECODE the second (t ↦ x̂ = H(t), eq. 5); the distortion is Kramer's objective E = Σ‖x − x̂‖².
///
/// Inputs are standardised per feature first (the sigmoid layers need inputs of order one; the
/// mean and scale are stored with the model). With `extraction = .sequential`, f networks with a
/// one-node bottleneck are trained one after another, each on the residuals the previous ones
/// leave (Kramer, section "Sequential extraction"): t₁ = G₁(x), r₁ = x − H₁(t₁), t₂ = G₂(r₁), …,
/// and x̂ = Σᵢ Hᵢ(tᵢ). Shapes: `samples: n × D`, `codes: n × f`.
///
/// A continuous code cannot represent a closed curve: on the `circle` dataset any 1-D code must
/// break somewhere, and the reconstruction jumps across the break (tested and documented).
public struct NonlinearPCA: TrainedMethod {
    /// Hyperparameters.
    public struct Configuration: Codable, Sendable, Equatable, TrainedConfiguration {
        /// All factors in one network, or one network per factor on the residuals.
        public enum Extraction: String, Codable, Sendable, CaseIterable {
            case simultaneous, sequential
        }

        /// f, the bottleneck width (number of nonlinear factors).
        public var components: Int
        /// Nodes of the mapping layer.
        public var mappingWidth: Int
        /// Nodes of the demapping layer; nil: as many as the mapping layer (Kramer's choice).
        public var demappingWidth: Int?
        /// The bottleneck's activation: linear (Kramer's choice) or sigmoid.
        public var bottleneck: Activation
        public var extraction: Extraction
        public var initializer: Initializer
        public var training: TrainingConfiguration

        /// Default mapping width: 32 nodes.
        public static let defaultMappingWidth = 32
        /// Default training: Adam at 3e-3, 300 epochs of batches of 64 (small data: curves of a
        /// few hundred to a few thousand points).
        public static let defaultTraining = TrainingConfiguration(epochs: 300, batchSize: 64, learningRate: 3e-3, minimumSteps: 5_000)

        public init(components: Int, mappingWidth: Int = defaultMappingWidth, demappingWidth: Int? = nil, bottleneck: Activation = .linear,
                    extraction: Extraction = .simultaneous, initializer: Initializer = .xavier,
                    training: TrainingConfiguration = defaultTraining) {
            self.components = components
            self.mappingWidth = mappingWidth
            self.demappingWidth = demappingWidth
            self.bottleneck = bottleneck
            self.extraction = extraction
            self.initializer = initializer
            self.training = training
        }

        /// One network per stage: widths D → M → width → M′ → D.
        func stageWidths(features: Int) -> [(encoder: [Int], decoder: [Int])] {
            let width = extraction == .simultaneous ? components : 1
            let stages = extraction == .simultaneous ? 1 : components
            return Array(repeating: ([features, mappingWidth, width], [width, demappingWidth ?? mappingWidth, features]), count: stages)
        }
        var encoderActivations: [Activation] { [.sigmoid, bottleneck] }
        static let decoderActivations: [Activation] = [.sigmoid, .linear]
    }

    /// One network: its encoder G and decoder H.
    public struct Stage: Sendable, Equatable {
        public let encoder: LayerStack
        public let decoder: LayerStack
    }

    public static let methodName = "nonlinear-pca"
    public let configuration: Configuration
    /// Per-feature mean and scale of the training data (`[D]` each).
    public let inputMean: Tensor, inputScale: Tensor
    public let stages: [Stage]
    /// Each stage's training record.
    public let records: [TrainingRecord]

    public var inputSize: Int { inputMean.shape[0] }
    public var codeSize: Int { configuration.components }

    /// The stages trained on standardized rows (in memory, or streamed from shards): each on
    /// what the ones before it leave (``TrainedMethod/fit(_:configuration:using:context:)``).
    public static func train<Rows: TrainingRows>(_ data: TrainingData<Rows>, configuration: Configuration, run: TrainingRun,
                                                 using generator: inout RandomGenerator) throws -> NonlinearPCA {
        let d = data.features
        let (mean, scale) = standardization(means: data.summary.means!, variances: data.summary.variances!)
        let standardized = data.mapped(columns: d) { ($0 - mean) / scale }
        var (training, heldOut) = (standardized.training, standardized.heldOut)
        var stages: [Stage] = [], records: [TrainingRecord] = []
        let shapes = configuration.stageWidths(features: d)
        for (index, widths) in shapes.enumerated() {
            let phase = shapes.count == 1 ? "" : "factor \(index + 1)/\(shapes.count)"
            var encoder = LayerStack.trainable(widths: widths.encoder, activations: configuration.encoderActivations,
                                               initializer: configuration.initializer, using: &generator)
            var decoder = LayerStack.trainable(widths: widths.decoder, activations: Configuration.decoderActivations,
                                               initializer: configuration.initializer, using: &generator)
            // Stages a resumed run finished before its checkpoint come from the file.
            if let resumed = run.resumed, resumed.training.metadata.phase != phase,
               let finished = try finishedStage(index, resumed, widths: widths, configuration: configuration) {
                (encoder, decoder) = (finished.encoder.trainable(), finished.decoder.trainable())
            } else {
                let parameters = encoder.namedParameters(prefix: "stage.\(index).encoder") + decoder.namedParameters(prefix: "stage.\(index).decoder")
                let finished = stages
                let record = try Trainer(configuration.training, phase: phase).run(
                    parameters: parameters, samples: training, heldOut: heldOut, using: &generator,
                    hooks: run.hooks(completed: { finished.enumerated().flatMap { stageTensors($1, $0) } }),
                    loss: { batch in squaredError(decoder(encoder(Variable(batch))), batch) },
                    heldOutLoss: { rows in ReconstructionMetrics(samples: rows, reconstructions: decoder(encoder(rows))).ssePerSample })
                records.append(record)
            }
            let stage = Stage(encoder: LayerStack(encoder), decoder: LayerStack(decoder))
            stages.append(stage)
            // The next factor is extracted from what this one leaves (for a stream, batch by batch).
            if index + 1 < shapes.count {
                training = training.mapped(columns: d) { $0 - stage.decoder(stage.encoder($0)) }
                heldOut = heldOut.map { $0 - stage.decoder(stage.encoder($0)) }
            }
        }
        return NonlinearPCA(configuration: configuration, inputMean: mean, inputScale: scale, stages: stages, records: records)
    }

    public static func requirements(_ configuration: Configuration) -> DataRequirements { DataRequirements(moments: true) }

    public static func validate(_ configuration: Configuration, features: Int) throws { try configuration.validate(features: features) }

    /// Per-feature mean and standard deviation (1 where a feature is constant) of columns of
    /// these means and (population) variances.
    static func standardization(means: [Double], variances: [Double]) -> (mean: Tensor, scale: Tensor) {
        (Tensor(means.map(Float.init)), Tensor(variances.map { $0 > 0 && $0.isFinite ? Float($0.squareRoot()) : 1 }))
    }

    private static func stageTensors(_ stage: Stage, _ index: Int) -> [(name: String, tensor: Tensor)] {
        stage.encoder.namedTensors("stage.\(index).encoder") + stage.decoder.namedTensors("stage.\(index).decoder")
    }

    private static func finishedStage(_ index: Int, _ file: CheckpointFile, widths: (encoder: [Int], decoder: [Int]),
                                      configuration: Configuration) throws -> Stage? {
        let state = SafeTensorsFile(tensors: file.completed)
        guard state["stage.\(index).encoder.0.weight"] != nil else { return nil }
        return Stage(encoder: try LayerStack.load("stage.\(index).encoder", widths: widths.encoder, activations: configuration.encoderActivations,
                                                  from: state, file: "checkpoint"),
                     decoder: try LayerStack.load("stage.\(index).decoder", widths: widths.decoder, activations: Configuration.decoderActivations,
                                                  from: state, file: "checkpoint"))
    }

    private init(configuration: Configuration, inputMean: Tensor, inputScale: Tensor, stages: [Stage], records: [TrainingRecord]) {
        self.configuration = configuration
        self.inputMean = inputMean
        self.inputScale = inputScale
        self.stages = stages
        self.records = records
    }

    public func encodeUnchecked(_ samples: Tensor) -> Tensor {
        var residual = (samples - inputMean) / inputScale
        var codes: [Tensor] = []
        for (index, stage) in stages.enumerated() {
            let code = stage.encoder(residual)
            codes.append(code)
            if index + 1 < stages.count { residual = residual - stage.decoder(code) }
        }
        return codes.count == 1 ? codes[0] : Tensor.concatenate(codes, alongAxis: 1)
    }

    public func decodeUnchecked(_ codes: Tensor) throws -> Tensor {
        var reconstruction = Tensor.zeros([codes.shape[0], inputSize])
        var column = 0
        for stage in stages {
            let width = stage.encoder.widths.last!
            reconstruction += stage.decoder(codes.columns(column..<(column + width)))
            column += width
        }
        return reconstruction * inputScale + inputMean
    }

    public var stateTensors: [(name: String, tensor: Tensor)] {
        [("input_mean", inputMean), ("input_scale", inputScale)] + stages.enumerated().flatMap { Self.stageTensors($1, $0) }
    }

    public init(configuration: Configuration, state: SafeTensorsFile, file: String) throws {
        let mean = try state.tensor("input_mean", file: file)
        guard mean.rank == 1 else { throw DataFormatError(file, .entry("tensor 'input_mean'"), "has shape \(mean.shape), expected [D]") }
        let d = mean.shape[0]
        let stages = try configuration.stageWidths(features: d).indices.map { index in
            let widths = configuration.stageWidths(features: d)[index]
            return Stage(encoder: try LayerStack.load("stage.\(index).encoder", widths: widths.encoder, activations: configuration.encoderActivations,
                                                      from: state, file: file),
                         decoder: try LayerStack.load("stage.\(index).decoder", widths: widths.decoder, activations: Configuration.decoderActivations,
                                                      from: state, file: file))
        }
        self.init(configuration: configuration, inputMean: mean, inputScale: try state.tensor("input_scale", shape: [d], file: file),
                  stages: stages, records: try TrainingHistory.read(from: state, path: file)?.stages.map(\.record) ?? [])
    }

    /// One stage per extracted factor (sequential), or one for all (simultaneous).
    public var trainingHistory: TrainingHistory? {
        records.isEmpty ? nil : TrainingHistory(stages: records.enumerated().map { index, record in
            .init(name: records.count == 1 ? "training" : "factor \(index + 1)", loss: "squared error per sample, standardised inputs", record: record)
        })
    }
}

extension NonlinearPCA.Configuration {
    /// Checks this configuration against data of `d` features.
    func validate(features d: Int) throws {
        try checkRanges(NonlinearPCA.methodName)
        guard components <= d else {
            throw AutoencoderError("\(NonlinearPCA.methodName): \(components) components requested; it needs 1…\(d) (the number of features)")
        }
        guard [.linear, .sigmoid].contains(bottleneck) else {
            throw AutoencoderError("\(NonlinearPCA.methodName): the bottleneck is linear or sigmoid (Kramer 1991), not \(bottleneck)")
        }
        do { try training.validate() } catch { throw AutoencoderError("\(NonlinearPCA.methodName): \(error)") }
    }
}

extension NonlinearPCA.Configuration: HyperparameterDeclaring {
    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.components, "components", "The number of factors f (the bottleneck's width).", .atLeast(1), default: .required),
        .init(\.mappingWidth, "mappingWidth", "Nodes of the mapping layer.", .atLeast(1)),
        .init(\.demappingWidth, "demappingWidth", "Nodes of the demapping layer.", .atLeast(1), default: .rule("as many as the mapping layer, Kramer's choice")),
        .init(\.bottleneck, "bottleneck", "The bottleneck's activation: linear (Kramer's choice) or sigmoid."),
        .init(\.extraction, "extraction", "simultaneous (one network) or sequential (one factor at a time, on residuals)."),
        .init(\.initializer, "initializer", "The weights' initialisation."),
    ]

    /// Kramer's network for one factor (`components` has no default).
    public static var defaults: Self { Self(components: 1) }
}
