import Collectives
import NeuralNetworks
import Tensors

/// How a fit is carried out, apart from what it learns: checkpoints, the parts (and processes)
/// each batch and pass is cut into, and progress. The same configuration, data and seed give
/// the same model under any context with the same parts.
public struct FitContext {
    /// Where to write checkpoints and whether to resume from one; nil: none.
    public var checkpoints: CheckpointPolicy?
    /// How each batch's gradient and each pass's sums are computed: whole, or in parts added in
    /// a fixed order, shared by processes (`PartTree`): the same parts give the same model on
    /// any number of processes.
    public var parts: PartTree
    /// Called after every batch and at each epoch's end; an error it throws interrupts training
    /// (after a checkpoint of the last finished batch, when checkpoints are written).
    public var progress: (TrainingProgress) throws -> Void

    public init(checkpoints: CheckpointPolicy? = nil, parts: PartTree = .serial,
                progress: @escaping (TrainingProgress) throws -> Void = { _ in }) {
        self.checkpoints = checkpoints
        self.parts = parts
        self.progress = progress
    }
}

/// One run of a trained method under a ``FitContext``: the checkpoint it resumes from, and the
/// trainer's hooks that report progress and write checkpoints of the method's configuration.
public struct TrainingRun {
    public let context: FitContext
    /// The checkpoint this run continues from, when it resumes.
    let resumed: CheckpointFile?
    /// Writes a checkpoint of this method and configuration; nil when this process writes none.
    let write: ((CheckpointFile) throws -> Void)?

    /// The run of `method` with `configuration` under `context`, reading the checkpoint to
    /// resume from (which must hold the same method and configuration).
    public init<Configuration: Codable & Equatable>(_ context: FitContext, method: String, configuration: Configuration) throws {
        self.context = context
        resumed = try context.checkpoints.flatMap { policy in
            policy.resume ? try CheckpointFile.read(policy.path, method: method, configuration: configuration) : nil
        }
        write = context.checkpoints.flatMap { policy in
            policy.writes ? { try $0.write(to: policy.path, method: method, configuration: configuration) } : nil
        }
    }

    /// The stage a resumed run stopped in (`TrainingCheckpoint.Metadata.phase`); nil for a fresh run.
    public var resumedPhase: String? { resumed?.training.metadata.phase }

    /// The trainer's hooks: progress, checkpoints that hold `completed()` tensors of finished
    /// stages besides the trainer's state, and the state to resume from.
    public func hooks(completed: @escaping () -> [(name: String, tensor: Tensor)] = { [] }) -> TrainingHooks {
        let policy = context.checkpoints
        return TrainingHooks(progress: context.progress, checkpointEvery: policy?.every, checkpointMinimumInterval: policy?.minimumInterval ?? 0,
                             saveCheckpoint: write.map { write in { try write(CheckpointFile(completed: completed(), training: $0)) } },
                             resume: resumed?.training, parts: context.parts)
    }
}
