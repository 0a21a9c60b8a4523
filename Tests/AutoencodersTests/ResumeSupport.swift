import Autoencoders
import Foundation
import NeuralNetworks
import Testing
import TestSupport
import Tensors

/// Thrown from a progress callback to stop a run as Ctrl-C would.
struct Interrupt: Error {}

/// The property every trained method keeps: a run interrupted at `interruptAt` (epoch, batch)
/// that writes a checkpoint, then resumed from it with the same seed, ends with the model and
/// loss terms of the uninterrupted run, bit for bit. `fit(generator, checkpoints, progress)`
/// fits the method once.
func expectResumedRunEqualsUninterrupted<M: Autoencoder>(
    _ name: String, seed: UInt64 = 4, interruptAt: (epoch: Int, batch: Int) = (2, 2),
    fit: (inout RandomGenerator, CheckpointPolicy?, @escaping (TrainingProgress) throws -> Void) throws -> M,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> (uninterrupted: M, resumed: M) {
    var generator = RandomGenerator(seed: seed)
    let uninterrupted = try fit(&generator, nil) { _ in }
    let path = temporaryPath("\(name).checkpoint.safetensors")
    defer { try? FileManager.default.removeItem(atPath: path) }
    generator = RandomGenerator(seed: seed)
    #expect(throws: Interrupt.self, sourceLocation: sourceLocation) {
        _ = try fit(&generator, CheckpointPolicy(path: path, every: nil)) { p in
            if p.epoch == interruptAt.epoch, p.batch == interruptAt.batch { throw Interrupt() }
        }
    }
    generator = RandomGenerator(seed: seed)
    let resumed = try fit(&generator, CheckpointPolicy(path: path, every: nil, resume: true)) { _ in }
    #expect(resumed.stateTensors.map(\.tensor) == uninterrupted.stateTensors.map(\.tensor), sourceLocation: sourceLocation)
    #expect(resumed.trainingHistory?.stages.map(\.record.terms) == uninterrupted.trainingHistory?.stages.map(\.record.terms), sourceLocation: sourceLocation)
    return (uninterrupted, resumed)
}
