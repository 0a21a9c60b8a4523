import DataFormats
import Foundation
import NeuralNetworks

/// What a trained model remembers of its training: per stage (an RBM of the pretraining,
/// fine-tuning, a factor of sequential nonlinear PCA) its per-epoch losses. Saved as JSON in
/// the model file's metadata, so a report drawn from a saved model shows its curves.
public struct TrainingHistory: Codable, Sendable, Equatable {
    /// One stage of training and its record.
    public struct Stage: Codable, Sendable, Equatable {
        public var name: String
        /// What `record.trainLoss` measures ("binary cross-entropy per sample", …).
        public var loss: String
        public var record: TrainingRecord
        /// Whether the stage prepared the model for a later one (an RBM of greedy pretraining)
        /// rather than training the model itself.
        public var isPretraining: Bool

        public init(name: String, loss: String, record: TrainingRecord, isPretraining: Bool = false) {
            (self.name, self.loss, self.record, self.isPretraining) = (name, loss, record, isPretraining)
        }
    }

    public var stages: [Stage]

    public init(stages: [Stage]) { self.stages = stages }

    /// The history stored in a model file, or nil when it holds none (``ModelFileSchema/trainingHistory``).
    /// - Throws: when the stored history cannot be read.
    public static func read(from file: SafeTensorsFile, path: String) throws -> TrainingHistory? { try file.trainingHistory(file: path) }

    /// The stage called `name`, if any.
    public func stage(_ name: String) -> Stage? { stages.first { $0.name == name } }
}
