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
        subcommands: FitMethods.all)
}

/// A method of the library that `latent fit` fits: its command, declared beside the command.
/// The one registry is the library's (``Methods/all``); the command line lists, in its order,
/// the commands of the methods that have one (the RBM is fitted as part of the deep autoencoder).
protocol FittedByCommand: Autoencoder {
    /// `latent fit NAME`: a ``FitMethod``, or the translator's command, which takes domains.
    static var fitCommand: any ParsableCommand.Type { get }
}

/// The fit commands, from the library's registry.
enum FitMethods {
    /// One command per registered method that has one, in the registry's order.
    static var all: [any ParsableCommand.Type] { Methods.all.compactMap { ($0 as? any FittedByCommand.Type)?.fitCommand } }

    /// The methods' names on the command line.
    static var names: [String] { all.map { $0.configuration.commandName ?? "" } }
    /// The methods that run in parts and across processes (`--parts`, `mpirun`).
    static var splitting: [String] { all.compactMap { $0 as? any FitMethod.Type }.filter { $0.splits }.map { $0.configuration.commandName ?? "" } }
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
