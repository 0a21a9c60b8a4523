import Foundation
import Latent

/// One process's share of a batch read from shards (`NPYShards.gatherRows`: 50 rows of 784
/// float32, the half of a batch of 100 that one of two processes reads) against the same rows
/// gathered from a tensor in memory (the reference: what a process holding the data does).
/// Ten shards of 6 000 rows (the Fashion-MNIST layout of `Benchmarks/data_parallel.sh`), rows
/// drawn from a window of 16 384 (the shuffle buffer); the shards' pages are in the page cache
/// after the first round, as they are when a machine's memory holds its share.
func benchmarkGather(repetitions: Int, folder: String) throws {
    let (shardCount, shardRows, columns, share, window, calls) = (10, 6_000, 784, 50, 16_384, 400)
    try? FileManager.default.removeItem(atPath: folder)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var generator = RandomGenerator(seed: 2)
    let data = Tensor.randomUniform([shardCount * shardRows, columns], using: &generator)
    for k in 0..<shardCount { try NPY.write(data.rows((k * shardRows)..<((k + 1) * shardRows)), to: "\(folder)/part-\(k).npy") }
    let shards = try NPYShards(folder: folder)
    // The batches' rows: a window of consecutive rows, as a shuffle buffer holds.
    let batches: [[Int]] = (0..<calls).map { call in
        let start = (call * share) % (shards.rows - window)
        return (0..<share).map { _ in start + generator.nextInt(below: window) }
    }
    let addresses = batches.map { $0.map { NPYShards.RowAddress(shard: $0 / shardRows, row: $0 % shardRows) } }
    var checksum: Float = 0
    let fromShards = medianSeconds(repetitions: repetitions, warmup: 1) {
        // As a stream's epoch reads: one reader, its shards opened once.
        let reader = NPYShards.Reader(shards)
        for batch in addresses { checksum += try! reader.gatherRows(batch)[0, 0] }
    }
    let reopened = medianSeconds(repetitions: repetitions, warmup: 1) {
        // The shards opened again for every batch (NPYShards.gatherRows).
        for batch in addresses { checksum += try! shards.gatherRows(batch)[0, 0] }
    }
    let inMemory = medianSeconds(repetitions: repetitions, warmup: 1) {
        for batch in batches { checksum += data.gatherRows(batch)[0, 0] }
    }
    print("Gathering \(share) rows × \(columns) float32 (one process's half of a batch of 100), median of \(repetitions) × \(calls) batches (checksum \(checksum)):")
    print(String(format: "  from 10 shards (NPYShards.Reader)  %8.1f µs per batch  %6.2f µs per row", fromShards / Double(calls) * 1e6, fromShards / Double(calls * share) * 1e6))
    print(String(format: "  opened for every batch                 %8.1f µs per batch  %6.2f µs per row", reopened / Double(calls) * 1e6, reopened / Double(calls * share) * 1e6))
    print(String(format: "  from memory (Tensor.gatherRows)        %8.1f µs per batch  %6.2f µs per row", inMemory / Double(calls) * 1e6, inMemory / Double(calls * share) * 1e6))
    print(String(format: "  ratio                                  %8.1f×", fromShards / inMemory))
    try? FileManager.default.removeItem(atPath: folder)
}
