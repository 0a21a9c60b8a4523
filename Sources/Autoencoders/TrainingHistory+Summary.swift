import Foundation
import NeuralNetworks

/// What a fit's training came to, in a few numbers: the epochs run, the median seconds per
/// epoch, whether early stopping ended a stage, the last stage's loss (what it measures, its
/// last value, held out too), the epoch whose weights the model keeps, and with batches in
/// parts the share of time their sums took. Pretraining stages (RBMs) are left out.
///
/// The losses are in the units the network saw: scaled when its inputs were.
public struct TrainingSummary: Codable, Sendable, Equatable {
    public var epochs: Int
    /// The median of the epochs' wall-clock seconds (0 when none ran).
    public var secondsPerEpoch: Double
    public var stoppedEarly: Bool
    /// Batches in parts: the share of training time spent summing gradients (across processes:
    /// exchanging them and waiting for the slowest).
    public var summingShare: Double?
    /// What the losses measure ("binary cross-entropy per sample", …).
    public var trainingLoss: String?
    public var finalLoss: Double?
    public var finalHeldOutLoss: Double?
    /// The 1-based epoch whose weights the model keeps.
    public var bestEpoch: Int?
    /// The held-out loss of `bestEpoch`.
    public var bestHeldOutLoss: Double?

    enum CodingKeys: String, CodingKey {
        case epochs, secondsPerEpoch = "seconds_per_epoch", stoppedEarly = "stopped_early", summingShare = "summing_share"
        case trainingLoss = "training_loss", finalLoss = "final_loss", finalHeldOutLoss = "final_held_out_loss"
        case bestEpoch = "best_epoch", bestHeldOutLoss = "best_held_out_loss"
    }

    /// The summary of `history`'s training stages.
    public init(_ history: TrainingHistory) {
        let stages = history.stages.filter { !$0.isPretraining }
        let records = stages.map(\.record)
        let seconds = records.flatMap(\.secondsPerEpoch).sorted()
        epochs = records.map(\.trainLoss.count).reduce(0, +)
        secondsPerEpoch = seconds.isEmpty ? 0 : seconds[seconds.count / 2]
        stoppedEarly = records.contains { $0.stoppedEarly }
        let summing = records.compactMap(\.summingSecondsPerEpoch).flatMap { $0 }
        if !summing.isEmpty {
            let total = records.filter { $0.summingSecondsPerEpoch != nil }.flatMap(\.secondsPerEpoch).reduce(0, +)
            summingShare = summing.reduce(0, +) / max(total, Self.shortestTotal)
        }
        guard let last = stages.last else { return }
        trainingLoss = last.loss
        finalLoss = Double(last.record.trainLoss.last ?? .nan)
        finalHeldOutLoss = last.record.heldOutLoss.last.map(Double.init)
        let kept = last.record.keptEpoch > 0 ? last.record.keptEpoch : last.record.trainLoss.count
        bestEpoch = kept
        if kept >= 1, kept <= last.record.heldOutLoss.count { bestHeldOutLoss = Double(last.record.heldOutLoss[kept - 1]) }
    }

    /// A floor under the seconds the summing share divides by, so that no clock's zero divides.
    private static let shortestTotal = 1e-9
}
