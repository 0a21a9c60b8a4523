import Autoencoders
import Collectives
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
            return try KMeans.fit(StreamedShards(shards, bufferRows: 500), configuration: configuration, using: &generator)
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

    /// Processes sharing a stream's parts draw the same batches and each reads only its parts'
    /// rows of each: the shares, put together in rank order, are one process's batches.
    @Test(arguments: [(2, 0), (4, 13), (4, 0)])
    func eachProcessReadsOnlyItsPartsOfEveryBatch(processes: Int, heldOut: Int) throws {
        let sizes = [40, 3, 77, 20], (batchSize, buffer, seed) = (16, 50, UInt64(8))
        let whole = try epoch(try ShardStream(try indexedShards(sizes), heldOutRows: heldOut, bufferRows: buffer), batchSize: batchSize, seed: seed)
        let folder = try indexedShards(sizes).name
        let shares = try ThreadedProcesses(size: processes).run { communicator in
            // Each process opens the shards itself: its own count of the rows it read.
            let shards = try NPYShards(folder: folder)
            let stream = try ShardStream(shards, heldOutRows: heldOut, bufferRows: buffer, parts: try PartTree(communicator, parts: 4))
            var generator = RandomGenerator(seed: seed)
            var epoch = try stream.epoch(batchSize: batchSize, using: &generator)
            var batches: [(offset: Int, count: Int, rows: [Int])] = []
            while let share = try epoch.nextShare() {
                batches.append((share.offset, share.count, (0..<share.rows.rows).map { Int(share.rows[$0, 0]) }))
            }
            return (batches: batches, rowsRead: shards.rowsRead)
        }
        for (index, batch) in whole.enumerated() {
            let pieces = shares.map { $0.batches[index] }
            #expect(pieces.allSatisfy { $0.count == batch.count })
            let offsets: [Int] = (0..<processes).map { rank in (rank * (4 / processes)) * batch.count / 4 }
            #expect(pieces.map(\.offset) == offsets)
            #expect(pieces.flatMap(\.rows) == batch)
        }
        for share in shares {
            #expect(share.batches.count == whole.count)
            #expect(share.rowsRead == share.batches.reduce(0) { $0 + $1.rows.count })
        }
        #expect(shares.reduce(0) { $0 + $1.rowsRead } == whole.joined().count)
    }

    /// A pass in parts (``RowSource/compute(_:parts:progress:)``: the range and moments, a sum)
    /// gives every process the same result for any number of processes sharing the parts, each
    /// having read only its own parts' rows.
    @Test(arguments: [1, 2, 4])
    func passesInPartsAreTheSameOnAnyNumberOfProcesses(processes: Int) throws {
        let folder = try indexedShards([40, 3, 77, 20]).name
        let results = try ThreadedProcesses(size: processes).run { communicator in
            let shards = try NPYShards(folder: folder)
            let parts = try PartTree(communicator, parts: 4)
            let summary = try shards.summary(method: "test", parts: parts)
            let sum = try shards.compute(FirstColumnSum(), parts: parts)
            return (summary.low, summary.high, summary.means!, sum, shards.rowsRead, parts.localRows(count: shards.rows).count)
        }
        for (low, high, means, sum, rowsRead, ownRows) in results {
            #expect(low == 0 && high == 139 && sum == Double((0..<140).reduce(0, +)))
            #expect(means.map(\.bitPattern) == results[0].2.map(\.bitPattern))
            // Two passes over its own parts' rows, nothing else.
            #expect(ownRows == 140 / processes || ownRows == 140 / processes + 1)
            #expect(rowsRead == 2 * ownRows)
        }
    }

    /// Trained from shards by two processes that each read only their parts (every RBM, the
    /// fine-tuning, the passes for the range and moments): the model of one process with the
    /// same parts, bit for bit, and each process read about half as many rows.
    @Test(arguments: [DeepAutoencoder.Configuration.InputScaling.none, .standardize])
    func aDeepAutoencoderFromShardsIsTheSameOnTwoProcessesReadingHalf(scaling: DeepAutoencoder.Configuration.InputScaling) throws {
        var generator = RandomGenerator(seed: 15)
        let codes = Tensor.randomNormal([600, 2], using: &generator)
        let samples = (matmul(codes, Tensor.randomNormal([2, 16], using: &generator)).tanh() + 1) / 2
        let folder = temporaryFolder()
        for part in 0..<3 { try NPY.write(samples.rows((part * 200)..<((part + 1) * 200)), to: "\(folder)/s\(part).npy") }
        // Parts of 50 rows: a matrix product's tail rows (an RBM's input through the ones below)
        // round as they would in a batch of 100 only if each part is mapped alone.
        var configuration = DeepAutoencoder.Configuration(hidden: [12, 6], codeSize: 3, pretrainingEpochs: 1, pretrainingBatchSize: 100)
        configuration.inputScaling = scaling
        if scaling == .standardize { (configuration.loss, configuration.outputActivation) = (.squaredError, .linear) }
        configuration.training = TrainingConfiguration(epochs: 2, batchSize: 100, learningRate: 0.01, heldOutFraction: 0.1)
        let checkpoint = temporaryPath("parts.checkpoint.safetensors")
        let settings = configuration
        @Sendable func fit(_ communicator: any Communicator) throws -> (weights: [[UInt32]], rowsRead: Int) {
            let shards = try NPYShards(folder: folder)
            var generator = RandomGenerator(seed: 4)
            let context = FitContext(checkpoints: CheckpointPolicy(path: checkpoint, every: nil, writes: false), parts: try PartTree(communicator, parts: 2))
            let model = try DeepAutoencoder.fit(StreamedShards(shards, bufferRows: 100), configuration: settings, using: &generator, context: context)
            return ((model.encoder.parameters + model.decoder.parameters).map { $0.scalars.map(\.bitPattern) }, shards.rowsRead)
        }
        let one = try fit(SingleProcess())
        let two = try ThreadedProcesses(size: 2).run { try fit($0) }
        // Every process reads a few rows whole: each RBM's monitor (its first rows, at most
        // RBM.monitorRows), each stage's divergence probe (its first batch) and the held-out
        // rows; of the rest, its half.
        let streamed = 540, fixed = 3 * min(RBM.monitorRows, streamed) + 4 * 100 + 60
        for process in two {
            let differing = zip(process.weights, one.weights).filter { $0 != $1 }.count
            #expect(differing == 0, "\(differing) of \(one.weights.count) weight matrices differ from one process's")
            #expect(process.rowsRead - fixed == (one.rowsRead - fixed) / 2, "read \(process.rowsRead) of one process's \(one.rowsRead)")
        }
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
            return try DeepAutoencoder.fit(StreamedShards(shards, bufferRows: 300), configuration: configuration, using: &generator,
                                           context: FitContext(checkpoints: checkpoints) { _ in
                                               seen += 1
                                               if let reports, seen == reports { throw CancellationError() }
                                           })
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
        #expect(resumed.encoder.parameters == whole.encoder.parameters)
        #expect(resumed.decoder.parameters == whole.decoder.parameters)
    }
}

/// Lloyd's k-means over shards in parts: the same centroids bit for bit on one process and on
/// several sharing the parts, the inertia exact for them and Lloyd's in memory on separated
/// clusters.
@Test(arguments: [2, 4])
func lloydOverShardsInPartsIsTheSameOnAnyNumberOfProcesses(processes: Int) throws {
    var generator = RandomGenerator(seed: 9)
    let centres = Tensor.randomNormal([3, 4], standardDeviation: 8, using: &generator)
    let samples = Tensor(shape: [1_200, 4]) { i in centres[(i / 4) % 3, i % 4] } + Tensor.randomNormal([1_200, 4], using: &generator)
    let folder = temporaryFolder()
    for part in 0..<3 { try NPY.write(samples.rows((part * 400)..<((part + 1) * 400)), to: "\(folder)/k\(part).npy") }
    let configuration = KMeans.Configuration(clusters: 3, initializations: 2)
    let fit: @Sendable (any Communicator) throws -> KMeans = { communicator in
        var generator = RandomGenerator(seed: 4)
        return try KMeans.fit(StreamedShards(try NPYShards(folder: folder), bufferRows: 300), configuration: configuration, using: &generator,
                              context: FitContext(parts: try PartTree(communicator, parts: 4)))
    }
    let one = try fit(SingleProcess())
    for model in try ThreadedProcesses(size: processes).run(fit) {
        #expect(model.centroids.scalars.map(\.bitPattern) == one.centroids.scalars.map(\.bitPattern))
        #expect(model.inertiaHistory == one.inertiaHistory)
    }
    #expect(abs(try one.distortion(samples) - one.inertia) <= 1e-6 * one.inertia)
    var inMemory = RandomGenerator(seed: 4)
    let lloyd = try KMeans.fit(samples, configuration: configuration, using: &inMemory)
    #expect(abs(one.inertia - lloyd.inertia) <= 1e-5 * lloyd.inertia, "shards \(one.inertia) against memory \(lloyd.inertia)")
}

/// Σ of the first column, as a ``RowStatistic``.
private struct FirstColumnSum: RowStatistic {
    var initial: [Double] { [0] }
    func accumulate(_ state: inout [Double], _ block: Tensor, firstRow: Int) throws { state[0] += Double(block.columns(0..<1).sum()) }
    func merge(_ state: inout [Double], _ later: [Double]) { state[0] += later[0] }
    func finish(_ state: [Double]) throws -> Double { state[0] }
}
