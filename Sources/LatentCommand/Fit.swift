import ArgumentParser
import Foundation
import Latent

/// `latent fit METHOD`: one subcommand per method, each with only the options that method takes
/// (an option it does not take is an error), and the options every fit shares.
struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit a method to data and save the model.",
        discussion: """
            Progress goes to stderr, results to stdout (one JSON object with --json). `latent fit METHOD --help` \
            shows the options of one method.
            """,
        subcommands: FitMethods.all + [FitTranslator.self])
}

/// The command line's registry of methods: one fit command per method the library registers
/// (``Methods/all``), matched by name (a test checks that both lists name the same methods).
enum FitMethods {
    static let all: [any FitMethod.Type] = [FitKMeans.self, FitPCA.self, FitLinearAutoencoder.self, FitNonlinearPCA.self, FitDeepAutoencoder.self, FitVariationalAutoencoder.self, FitWassersteinAutoencoder.self,
                                         FitAdversarialAutoencoder.self, FitPrincipalGraph.self]

    /// The methods' names on the command line (the translator's command takes domains, not one
    /// data set, so it is not a ``FitMethod``).
    static var names: [String] { all.map { $0.configuration.commandName ?? "" } + [FitTranslator.configuration.commandName ?? ""] }
    /// The methods that run in parts and across processes (`--parts`, `mpirun`).
    static var splitting: [String] { all.filter { $0.splits }.map { $0.configuration.commandName ?? "" } }
}

/// `--json` keys of a trained method: epochs run, median seconds per epoch, whether early
/// stopping ended a stage, the training loss and what it measures (`training_loss`: its units
/// are those the network saw, scaled when the inputs were; `sse_per_sample` is in the data's
/// own units), the epoch whose weights the model keeps with its held-out loss, and with
/// batches in parts the share of time their sums took (`summing_share`).
func trainingSummary(_ history: TrainingHistory) -> [String: Any] {
    let stages = history.stages.filter { !$0.isPretraining }
    let records = stages.map(\.record)
    var summary: [String: Any] = [
        "epochs": records.map(\.trainLoss.count).reduce(0, +),
        "seconds_per_epoch": medianSeconds(records.flatMap(\.secondsPerEpoch)),
        "stopped_early": records.contains { $0.stoppedEarly },
    ]
    // Batches in parts: the share of training time spent summing gradients (across processes:
    // exchanging them and waiting for the slowest).
    let summing = records.compactMap(\.summingSecondsPerEpoch).flatMap { $0 }
    if !summing.isEmpty {
        summary["summing_share"] = summing.reduce(0, +) / max(records.filter { $0.summingSecondsPerEpoch != nil }.flatMap(\.secondsPerEpoch).reduce(0, +), 1e-9)
    }
    if let last = stages.last {
        summary["training_loss"] = last.loss
        summary["final_loss"] = Double(last.record.trainLoss.last ?? .nan)
        if let heldOut = last.record.heldOutLoss.last { summary["final_held_out_loss"] = Double(heldOut) }
        let kept = last.record.keptEpoch > 0 ? last.record.keptEpoch : last.record.trainLoss.count
        summary["best_epoch"] = kept
        if kept >= 1, kept <= last.record.heldOutLoss.count { summary["best_held_out_loss"] = Double(last.record.heldOutLoss[kept - 1]) }
    }
    return summary
}

/// Runs `body`; a training error or Ctrl-C then says where the last good checkpoint is.
func withCheckpointContext<T>(_ checkpoints: CheckpointPolicy?, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as TrainingError {
        guard let checkpoints, FileManager.default.fileExists(atPath: checkpoints.path) else { throw error }
        throw ValidationErrorText("\(error); the last good state stays in \(checkpoints.path)")
    } catch is InterruptionMonitor.Interrupted {
        guard let checkpoints, FileManager.default.fileExists(atPath: checkpoints.path) else {
            throw ValidationErrorText("interrupted before any checkpoint was written")
        }
        throw ValidationErrorText("interrupted; continue from the last checkpoint (\(checkpoints.path)) by repeating the command with --resume")
    }
}
