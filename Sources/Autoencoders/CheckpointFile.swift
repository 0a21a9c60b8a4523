import Collectives
import DataFormats
import Foundation
import NeuralNetworks
import Tensors

/// Where and how often a trained method writes checkpoints, and whether it resumes from one.
///
/// A checkpoint is one safetensors file: the method, its configuration (a resumed run must have
/// the same one, or its result would not equal an uninterrupted run's), the tensors of stages
/// already finished, and the running stage's `TrainingCheckpoint`. It is written atomically,
/// after whole epochs with finite losses only, so it always holds the last good state.
public struct CheckpointPolicy: Sendable {
    /// The checkpoint file.
    public var path: String
    /// Epochs between checkpoints; nil writes one only when the run is interrupted (its
    /// progress callback throws), so that it can always resume.
    public var every: Int?
    /// Skip a periodic checkpoint while the last one is younger than this many seconds (the
    /// last epoch's is always written). 0 writes every one.
    public var minimumInterval: Double
    /// Continue from `path` (which must exist) instead of starting afresh.
    public var resume: Bool
    /// Whether this process writes the checkpoint: in a data-parallel run every process
    /// resumes from the file, and rank 0 alone writes it.
    public var writes: Bool

    public init(path: String, every: Int?, minimumInterval: Double = 0, resume: Bool = false, writes: Bool = true) {
        self.path = path
        self.every = every
        self.minimumInterval = minimumInterval
        self.resume = resume
        self.writes = writes
    }

    /// The checkpoint beside a model file: `model.safetensors` → `model.checkpoint.safetensors`.
    public static func path(besideModel model: String) -> String {
        let base = model.lowercased().hasSuffix(".safetensors") ? String(model.dropLast(".safetensors".count)) : model
        return base + ".checkpoint.safetensors"
    }
}

/// The contents of a checkpoint file.
struct CheckpointFile {
    static let checkpointKey = "checkpoint", completedPrefix = "completed."
    /// Tensors of finished stages (named by the method).
    var completed: [(name: String, tensor: Tensor)]
    var training: TrainingCheckpoint

    func write<C: Encodable>(to path: String, method: String, configuration: C) throws {
        var file = try SafeTensorsFile(method: method, configuration: configuration,
                                       tensors: completed.map { (Self.completedPrefix + $0.name, $0.tensor) } + training.tensors)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        file.metadata[Self.checkpointKey] = String(decoding: try encoder.encode(training.metadata), as: UTF8.self)
        try file.write(to: path)
    }

    /// Reads the checkpoint at `path`, which must hold `method` with exactly `configuration`.
    static func read<C: Codable & Equatable>(_ path: String, method: String, configuration: C) throws -> CheckpointFile {
        guard FileManager.default.fileExists(atPath: path) else {
            throw AutoencoderError("cannot resume: no checkpoint at \(path) (write one with `CheckpointPolicy.every`)")
        }
        let file = try SafeTensorsFile.read(path)
        _ = try file.method(file: path, expected: method)
        let stored = try file.configuration(C.self, file: path)
        guard stored == configuration else {
            throw AutoencoderError("cannot resume from \(path): it was written with another configuration (\(file.metadata[SafeTensorsFile.configurationKey] ?? "?")); resume with the same options")
        }
        guard let json = file.metadata[checkpointKey] else {
            throw DataFormatError(path, .entry("__metadata__"), "not a checkpoint (no '\(checkpointKey)' entry)")
        }
        let metadata: TrainingCheckpoint.Metadata
        do { metadata = try JSONDecoder().decode(TrainingCheckpoint.Metadata.self, from: Data(json.utf8)) } catch {
            throw DataFormatError(path, .entry("__metadata__.\(checkpointKey)"), "cannot be read: \(error)")
        }
        let training = try TrainingCheckpoint(metadata: metadata) { file[$0] }
        let completed = file.tensors.filter { $0.name.hasPrefix(completedPrefix) }.map { (String($0.name.dropFirst(completedPrefix.count)), $0.tensor) }
        return CheckpointFile(completed: completed, training: training)
    }
}
