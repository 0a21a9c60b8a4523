import Dispatch
import Tensors

/// Where a training run stands, reported after every mini-batch.
public struct TrainingProgress: Sendable {
    /// 1-based epoch and its count.
    public let epoch: Int, epochs: Int
    /// 1-based batch within the epoch and the epoch's batch count.
    public let batch: Int, batches: Int
    /// The mean loss of this epoch's batches so far.
    public let loss: Float
    /// Samples processed per second since the run started.
    public let samplesPerSecond: Double
    /// Seconds since the run started.
    public let elapsedSeconds: Double
    /// Seconds left at the current speed.
    public let estimatedSecondsRemaining: Double
    /// The held-out loss, on reports that close an epoch of a run with held-out data.
    public var heldOutLoss: Float? = nil
    /// The learning rate of this epoch (0 where the caller's step chooses its own).
    public var learningRate: Float = 0
    /// The stage of a multi-stage fit ("fine-tuning", "rbm 1/4", …); empty for one stage.
    public var phase: String = ""
    /// Further per-epoch figures of a method, on the report that closes an epoch (an RBM's
    /// "free energy"), by name.
    public var epochMetrics: [String: Float] = [:]
    /// The epoch's mean of each loss term so far, by name, for steps with several terms.
    public var terms: [String: Float] = [:]

    /// Whether this report closes an epoch.
    public var isEpochEnd: Bool { batch == batches }

    /// A report after `processed` of the run's `total` samples, `elapsedSeconds` in: the speed is
    /// their ratio and the estimate assumes it holds for the rest.
    public init(epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Float, processed: Int, total: Int, elapsedSeconds: Double) {
        let speed = Double(processed) / max(elapsedSeconds, 1e-9)
        self.init(epoch: epoch, epochs: epochs, batch: batch, batches: batches, loss: loss, samplesPerSecond: speed,
                  elapsedSeconds: elapsedSeconds, estimatedSecondsRemaining: Double(total - processed) / max(speed, 1e-9))
    }

    public init(epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Float, samplesPerSecond: Double,
                elapsedSeconds: Double, estimatedSecondsRemaining: Double) {
        self.epoch = epoch
        self.epochs = epochs
        self.batch = batch
        self.batches = batches
        self.loss = loss
        self.samplesPerSecond = samplesPerSecond
        self.elapsedSeconds = elapsedSeconds
        self.estimatedSecondsRemaining = estimatedSecondsRemaining
    }
}

/// Errors that stop training.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The loss became NaN or infinite.
    case nonFiniteLoss(epoch: Int, batch: Int, value: Float)
    /// A hyperparameter is out of range.
    case invalidConfiguration(String)
    /// A checkpoint does not belong to this run (other parameters, shapes or stage).
    case checkpointMismatch(String)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(epoch, batch, value):
            "loss became \(value) at epoch \(epoch), batch \(batch); lower the learning rate or check the data for extreme values"
        case let .invalidConfiguration(message): message
        case let .checkpointMismatch(message): "checkpoint does not match this run: \(message)"
        }
    }
}

/// The one mini-batch training loop: each epoch shuffles the samples with the seeded generator,
/// cuts them into batches, and calls `step` on each; progress goes to a callback (the library
/// never prints).
public struct TrainingLoop: Codable, Sendable, Equatable {
    /// Passes over the data.
    public var epochs: Int
    /// Samples per mini-batch (the last batch of an epoch may be smaller).
    public var batchSize: Int
    /// Whether each epoch visits the samples in a fresh random order.
    public var shuffle: Bool

    public init(epochs: Int, batchSize: Int, shuffle: Bool = true) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.shuffle = shuffle
    }

    /// Runs the loop over the rows of `samples`.
    ///
    /// - Parameters:
    ///   - step: trains on one batch (its rows and their indices into `samples`) and returns
    ///     the batch loss.
    ///   - progress: called after every batch.
    /// - Returns: the mean batch loss of each epoch.
    /// - Throws: ``TrainingError/nonFiniteLoss(epoch:batch:value:)`` as soon as a step returns
    ///   NaN or infinity, and whatever `step` throws.
    @discardableResult
    public func run(samples: Tensor, using generator: inout RandomGenerator,
                    progress: (TrainingProgress) -> Void = { _ in },
                    step: (_ batch: Tensor, _ indices: [Int]) throws -> Float) throws -> [Float] {
        require(epochs >= 0 && batchSize > 0, "TrainingLoop needs epochs ≥ 0 and batchSize > 0, got \(epochs), \(batchSize)")
        require(samples.rank >= 1 && samples.shape[0] > 0, "TrainingLoop needs at least one sample, got shape \(samples.shape)")
        let n = samples.shape[0]
        let start = DispatchTime.now().uptimeNanoseconds
        var processed = 0
        var history: [Float] = []
        for epoch in 1...max(epochs, 1) where epochs > 0 {
            let batches = generator.batches(count: n, size: batchSize, shuffled: shuffle)
            var total = 0.0
            for (index, indices) in batches.enumerated() {
                let loss = try step(samples.gatherRows(indices), indices)
                guard loss.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch, batch: index + 1, value: loss) }
                total += Double(loss)
                processed += indices.count
                progress(TrainingProgress(epoch: epoch, epochs: epochs, batch: index + 1, batches: batches.count,
                                          loss: Float(total / Double(index + 1)), processed: processed, total: epochs * n,
                                          elapsedSeconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
            }
            history.append(Float(total / Double(batches.count)))
        }
        return history
    }
}
