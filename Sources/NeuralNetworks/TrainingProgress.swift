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
    /// What ``heldOutLoss`` measures ("held-out": the objective; a translator's "held-out FOSCTTM").
    public var heldOutName = "held-out"
    /// The learning rate of this epoch (0 where the caller's step chooses its own).
    public var learningRate: Float = 0
    /// The stage of a multi-stage fit ("fine-tuning", "rbm 1/4", …); empty for one stage.
    public var phase: String = ""
    /// Further per-epoch figures of a method, on the report that closes an epoch (an RBM's
    /// "free energy"), by name.
    public var epochMetrics: [String: Float] = [:]
    /// The epoch's mean of each loss term so far, in the step's order (the first is `loss`),
    /// for steps with several terms.
    public var terms: [(name: String, value: Float)] = []

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
    /// The held-out loss after an epoch became NaN or infinite.
    case nonFiniteHeldOutLoss(epoch: Int, value: Float)
    /// The loss of a fixed probe of training rows grew from `reference` (before training) to
    /// `value` (after this batch), past ``Trainer/divergenceFactor`` times: the steps are too
    /// large, and the weights are being wrecked while the loss stays finite (`DivergenceGuard`).
    case diverged(epoch: Int, batch: Int, value: Float, reference: Float)
    /// A hyperparameter is out of range.
    case invalidConfiguration(String)
    /// A checkpoint does not belong to this run (other parameters, shapes or stage).
    case checkpointMismatch(String)
    /// Another process of a data-parallel run stopped (interrupted, or an error of its own):
    /// this one stops after the same batch.
    case stoppedByAnotherProcess

    public var description: String {
        switch self {
        case let .nonFiniteLoss(epoch, batch, value) where epoch == 1 && batch == 1:
            // Before any step: the learning rate played no part.
            "the untrained model's loss on the first batch is \(value): the data's values are too large for it; scale them (`scaling: .standardize`) or check them for extreme values"
        case let .nonFiniteLoss(epoch, batch, value):
            "loss became \(value) at epoch \(epoch), batch \(batch); lower the learning rate or check the data for extreme values"
        case let .nonFiniteHeldOutLoss(epoch, value):
            "the held-out loss became \(value) after epoch \(epoch); lower the learning rate or check the data for extreme values"
        case let .diverged(epoch, batch, value, reference):
            "training diverged at epoch \(epoch), batch \(batch): the loss of the first batch's samples grew from \(reference) before training to \(value); lower the learning rate"
        case let .invalidConfiguration(message): message
        case let .checkpointMismatch(message): "checkpoint does not match this run: \(message)"
        case .stoppedByAnotherProcess: "another process of this run stopped; this one stopped after the same batch"
        }
    }
}
