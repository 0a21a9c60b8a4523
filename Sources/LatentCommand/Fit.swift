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
