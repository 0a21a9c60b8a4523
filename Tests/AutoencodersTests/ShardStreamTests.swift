import Autoencoders
import DataFormats
import Foundation
import NeuralNetworks
import Testing
import TestSupport
import Tensors

/// Rows 0 ..< n whose first column is the row's index, written as shards of the given sizes.
private func indexedShards(_ sizes: [Int], columns: Int = 3) throws -> NPYShards {
    let folder = temporaryFolder()
    var first = 0
    for (index, size) in sizes.enumerated() {
        let rows = Tensor(shape: [size, columns]) { i in i % columns == 0 ? Float(first + i / columns) : Float(i % columns) / 10 }
        try NPY.write(rows, to: "\(folder)/part-\(index).npy")
        first += size
    }
    return try NPYShards(folder: folder)
}

/// The row indices of one epoch's batches.
private func epoch(_ stream: ShardStream, batchSize: Int, seed: UInt64) throws -> [[Int]] {
    var generator = RandomGenerator(seed: seed)
    var epoch = try stream.epoch(batchSize: batchSize, using: &generator)
    var batches: [[Int]] = []
    while let batch = try epoch.next() { batches.append((0..<batch.rows).map { Int(batch[$0, 0]) }) }
    return batches
}

@Suite struct ShardStreams {
    @Test(arguments: [(7, 5, 0), (32, 64, 0), (10, 1000, 13), (1, 3, 40), (25, 25, 1)])
    func everyEpochGivesEveryStreamedRowOnceInFullBatches(batchSize: Int, buffer: Int, heldOut: Int) throws {
        let shards = try indexedShards([40, 3, 0, 77, 20])
        let stream = try ShardStream(shards, heldOutRows: heldOut, bufferRows: buffer)
        let streamed = shards.rows - heldOut
        #expect(stream.rows == streamed)
        let batches = try epoch(stream, batchSize: batchSize, seed: 1)
        #expect(batches.count == stream.batchCount(batchSize: batchSize))
        #expect(batches.dropLast().allSatisfy { $0.count == batchSize })
        #expect(batches.flatMap { $0 }.sorted() == Array(0..<streamed))
        // The held-out rows are the last ones, in memory.
        let held = try stream.heldOut()
        #expect((held.map { t in (0..<t.rows).map { Int(t[$0, 0]) } } ?? []) == Array(streamed..<shards.rows))
        // Same seed, same order; another epoch's seed, another order.
        #expect(try epoch(stream, batchSize: batchSize, seed: 1) == batches)
        if streamed > 2 * batchSize { #expect(try epoch(stream, batchSize: batchSize, seed: 2) != batches) }
    }

    @Test func theOrderMixesShardsAndRowsWithinTheBuffer() throws {
        let shards = try indexedShards([100, 100, 100, 100])
        let stream = try ShardStream(shards, bufferRows: 200)
        let first = try epoch(stream, batchSize: 10, seed: 3)[0]
        // A batch draws from the buffer's two shards, not from a run of neighbours.
        #expect(Set(first.map { $0 / 100 }).count == 2)
        #expect(first != first.sorted())
    }

    @Test func mappedStreamsTransformWhatTheyGiveOut() throws {
        let stream = try ShardStream(try indexedShards([6, 6]), heldOutRows: 2).mapped(columns: 1) { $0.columns(0..<1) * 2 }
        #expect(stream.columns == 1)
        #expect(try stream.leadingRows(3).scalars == [0, 2, 4])
        #expect(try stream.heldOut()?.scalars == [20, 22])
        var generator = RandomGenerator(seed: 1)
        var epoch = try stream.epoch(batchSize: 4, using: &generator)
        #expect(try epoch.next()?.shape == [4, 1])
        #expect(throws: AutoencoderError.self) { try ShardStream(try indexedShards([6]), heldOutRows: 6) }
    }

    /// Mini-batch k-means over shards: near Lloyd's inertia in memory (seeded by k-means++), the
    /// inertia exact for its centroids and the same centroids from the same seed (either seeding).
    @Test(arguments: [KMeans.Configuration.Initialization.kMeansPlusPlus, .random])
    func miniBatchKMeansOverShardsIsCloseToLloyd(initialization: KMeans.Configuration.Initialization) throws {
        var generator = RandomGenerator(seed: 8)
        let centres = Tensor.randomNormal([4, 5], standardDeviation: 6, using: &generator)
        let samples = Tensor(shape: [2_000, 5]) { i in centres[(i / 5) % 4, i % 5] } + Tensor.randomNormal([2_000, 5], using: &generator)
        let folder = temporaryFolder()
        for part in 0..<5 { try NPY.write(samples.rows((part * 400)..<((part + 1) * 400)), to: "\(folder)/k\(part).npy") }
        let shards = try NPYShards(folder: folder)
        let configuration = KMeans.Configuration(clusters: 4, initialization: initialization, algorithm: .miniBatch(batchSize: 100), initializations: 3)
        func fit() throws -> KMeans {
            var generator = RandomGenerator(seed: 2)
            return try KMeans.fit(shards, configuration: configuration, bufferRows: 500, using: &generator)
        }
        let streamed = try fit()
        #expect(try fit().centroids == streamed.centroids)
        var lloydGenerator = RandomGenerator(seed: 2)
        let lloyd = try KMeans.fit(samples, configuration: KMeans.Configuration(clusters: 4, initializations: 3), using: &lloydGenerator)
        // k-means++ finds the four clusters; random seeds may put two centroids in one, which
        // mini-batch updates (as Lloyd's) do not undo: only its inertia's exactness is checked.
        if initialization == .kMeansPlusPlus {
            #expect(streamed.inertia <= 1.05 * lloyd.inertia, "mini-batch \(streamed.inertia) against Lloyd \(lloyd.inertia)")
        }
        #expect(abs(try streamed.distortion(samples) - streamed.inertia) <= 1e-6 * streamed.inertia)
    }

    /// A deep autoencoder trained from shards learns, and a run interrupted mid-epoch resumes
    /// from its checkpoint to the uninterrupted model, bit for bit.
    @Test func aDeepAutoencoderTrainsFromShardsAndResumesExactly() throws {
        var generator = RandomGenerator(seed: 5)
        let codes = Tensor.randomNormal([900, 3], using: &generator)
        let samples = (matmul(codes, Tensor.randomNormal([3, 20], using: &generator)).tanh() + 1) / 2
        let folder = temporaryFolder()
        for part in 0..<4 { try NPY.write(samples.rows((part * 225)..<((part + 1) * 225)), to: "\(folder)/s\(part).npy") }
        let shards = try NPYShards(folder: folder)
        var configuration = DeepAutoencoder.Configuration(hidden: [16, 8], codeSize: 3, pretrainingEpochs: 2, pretrainingBatchSize: 50)
        configuration.training = TrainingConfiguration(epochs: 6, batchSize: 50, learningRate: 0.01, heldOutFraction: 0.1)
        func fit(checkpoints: CheckpointPolicy? = nil, stopAfter reports: Int? = nil) throws -> DeepAutoencoder {
            var generator = RandomGenerator(seed: 9)
            var seen = 0
            return try DeepAutoencoder.fit(shards, configuration: configuration, bufferRows: 300, using: &generator, checkpoints: checkpoints) { _ in
                seen += 1
                if let reports, seen == reports { throw CancellationError() }
            }
        }
        let whole = try fit()
        let losses = try #require(whole.record?.trainLoss)
        #expect(losses.last! < losses.first!)
        #expect(whole.record?.heldOutLoss.count == 6)
        let policy = CheckpointPolicy(path: temporaryPath("stream.checkpoint.safetensors"), every: 1)
        // Stop inside the second RBM's first epoch (report 70): its batches come through the first RBM.
        #expect(throws: CancellationError.self) { _ = try fit(checkpoints: policy, stopAfter: 70) }
        var resume = policy
        resume.resume = true
        let resumed = try fit(checkpoints: resume)
        #expect(resumed.encoder.layers.map(\.weight.scalars) == whole.encoder.layers.map(\.weight.scalars))
        #expect(resumed.decoder.layers.map(\.bias.scalars) == whole.decoder.layers.map(\.bias.scalars))
    }
}
