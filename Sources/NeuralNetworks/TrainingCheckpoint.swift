import Tensors

/// The state of a training run at the end of an epoch: enough to continue it so that the result
/// equals an uninterrupted run's (parameters, optimizer state, the generator that shuffles the
/// batches, loss histories and early-stopping bookkeeping).
///
/// It is format-free: ``tensors`` and ``metadata`` are what a file holds (the Autoencoders layer
/// writes them as one safetensors file beside the model).
public struct TrainingCheckpoint: Sendable {
    /// The Codable part.
    public struct Metadata: Codable, Sendable, Equatable {
        /// The stage of a multi-stage fit this checkpoint belongs to ("" for one stage).
        public var phase: String
        public var epochsCompleted: Int
        public var generator: RandomGenerator
        public var trainLoss: [Float]
        public var heldOutLoss: [Float]
        /// 1-based epoch of the lowest held-out loss so far; 0 before any.
        public var bestEpoch: Int
        public var optimizerSteps: Int
        /// Names of the parameters, in order.
        public var parameterNames: [String]
        /// Batches of epoch `epochsCompleted + 1` already trained, when the run stopped inside
        /// an epoch (an interruption); `generator` is then the one that drew that epoch's
        /// batches, so they are drawn again alike. Nil or 0 at an epoch's end.
        public var batchesCompleted: Int?
        /// The sum of those batches' losses (the epoch's mean loss continues from it).
        public var epochLossSum: Double?
        /// Inside an epoch: the generator that drew its batches (`generator` is then the one
        /// after the finished batches, which a step's noise draws may have advanced).
        public var epochGenerator: RandomGenerator?
        /// Steps with several loss terms: every term's series but the first (which is
        /// `trainLoss`), and inside an epoch the sums of every term so far.
        public var termLosses: [String: [Float]]?
        public var termSums: [Double]?
        /// Steps with figures at epochs' ends (``TrainingStep/epochMetrics()``): their series.
        public var epochMetrics: [String: [Float]]?
        /// Steps with several parameter groups: each group's optimizer step count and the number
        /// of its tensors among the checkpoint's optimizer tensors, in group order.
        public var groupOptimizerSteps: [Int]?
        public var groupOptimizerTensorCounts: [Int]?
        /// The divergence probe's loss before training (`DivergenceGuard`).
        public var divergenceProbeLoss: Double?
        /// The parts each batch was cut into (`PartTree`); nil for one. A run resumes
        /// exactly only with the same parts.
        public var parts: Int?

        public init(phase: String, epochsCompleted: Int, generator: RandomGenerator, trainLoss: [Float], heldOutLoss: [Float],
                    bestEpoch: Int, optimizerSteps: Int, parameterNames: [String]) {
            self.phase = phase
            self.epochsCompleted = epochsCompleted
            self.generator = generator
            self.trainLoss = trainLoss
            self.heldOutLoss = heldOutLoss
            self.bestEpoch = bestEpoch
            self.optimizerSteps = optimizerSteps
            self.parameterNames = parameterNames
        }
    }

    public var metadata: Metadata
    /// The parameters, in `metadata.parameterNames` order.
    public var parameters: [Tensor]
    /// The parameters at `bestEpoch` (empty when early stopping is off).
    public var bestParameters: [Tensor]
    public var optimizerTensors: [Tensor]

    public init(metadata: Metadata, parameters: [Tensor], bestParameters: [Tensor], optimizerTensors: [Tensor]) {
        self.metadata = metadata
        self.parameters = parameters
        self.bestParameters = bestParameters
        self.optimizerTensors = optimizerTensors
    }

    /// Named tensors for a file: `parameter.NAME`, `best.NAME`, `optimizer.I`.
    public var tensors: [(name: String, tensor: Tensor)] {
        zip(metadata.parameterNames, parameters).map { ("parameter.\($0)", $1) }
            + zip(metadata.parameterNames, bestParameters).map { ("best.\($0)", $1) }
            + optimizerTensors.enumerated().map { ("optimizer.\($0)", $1) }
    }

    /// Rebuilds a checkpoint from its metadata and a lookup of its named tensors.
    public init(metadata: Metadata, tensor: (String) throws -> Tensor?) throws {
        func required(_ name: String) throws -> Tensor {
            guard let t = try tensor(name) else { throw TrainingError.checkpointMismatch("tensor '\(name)' is missing") }
            return t
        }
        let parameters = try metadata.parameterNames.map { try required("parameter.\($0)") }
        let best = try metadata.parameterNames.compactMap { try tensor("best.\($0)") }
        guard best.isEmpty || best.count == parameters.count else {
            throw TrainingError.checkpointMismatch("it holds best values for \(best.count) of \(parameters.count) parameters")
        }
        var optimizer: [Tensor] = []
        while let t = try tensor("optimizer.\(optimizer.count)") { optimizer.append(t) }
        self.init(metadata: metadata, parameters: parameters, bestParameters: best, optimizerTensors: optimizer)
    }
}
