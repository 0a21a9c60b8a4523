import Collectives
import DataFormats
import Foundation
import NeuralNetworks
import Tensors

/// Passes over a stream's rows, part by part: statistics the same for any number of processes.
extension ShardStream {
    /// Calls `body` with this process's parts of the streamed rows (part p: rows
    /// ⌊p·n/P⌋ ..< ⌊(p+1)·n/P⌋ in shard order), part by part, in blocks of at most `blockRows`
    /// rows, transformed: a pass whose per-part results ``PartTree/gathered(_:)`` or
    /// ``PartTree/sum(_:)`` then combine in part order, the same for any number of processes.
    public func forEachBlock(in parts: PartTree, rows blockRows: Int = readRows, _ body: (_ part: Int, _ block: Tensor) throws -> Void) throws {
        for part in parts.localParts {
            let wanted = parts.rows(ofPart: part, count: rows)
            var first = 0
            for piece in pieces {
                let covered = (first..<(first + piece.rows.count)).clamped(to: wanted)
                for start in stride(from: covered.lowerBound, to: covered.upperBound, by: blockRows) {
                    let local = piece.rows.lowerBound + start - first
                    let block = try shards.rows(local..<(local + min(blockRows, covered.upperBound - start)), ofShard: piece.shard)
                    try body(part, transform?(block) ?? block)
                }
                first += piece.rows.count
                if first >= wanted.upperBound { break }
            }
        }
    }

    /// A statistic of each part of the streamed rows, on every process, in part order: this
    /// process's parts computed block by block (`accumulate` updates a part's values, which
    /// start as `initial`), the others' gathered (``PartTree/gathered(_:)``). Merged in part
    /// order, they give the same bits for any number of processes.
    public func partStatistics(_ parts: PartTree, initial: [Double],
                               _ accumulate: (_ values: inout [Double], _ block: Tensor) throws -> Void) throws -> [[Double]] {
        var local = parts.localParts.map { _ in initial }
        try forEachBlock(in: parts) { part, block in try accumulate(&local[part - parts.localParts.lowerBound], block) }
        return try parts.gathered(local)
    }

    /// The smallest and largest value of the streamed rows, each process reading its parts.
    public func range(_ parts: PartTree = .serial, check: (Tensor) throws -> Void = { _ in }) throws -> (low: Float, high: Float) {
        let all = try partStatistics(parts, initial: [.infinity, -.infinity]) { values, block in
            try check(block)
            (values[0], values[1]) = (Swift.min(values[0], Double(block.min())), Swift.max(values[1], Double(block.max())))
        }
        return (Float(all.map { $0[0] }.min()!), Float(all.map { $0[1] }.max()!))
    }

    /// The columns' means and (population) variances over the streamed rows, in Double: Chan,
    /// Golub & LeVeque's (1979) pairwise update over blocks, then over the parts in part order;
    /// each process reads its parts. `check` sees each block as it is read.
    public func moments(_ parts: PartTree = .serial, check: (Tensor) throws -> Void = { _ in }) throws -> (means: [Double], variances: [Double]) {
        let d = columns
        let statistics = try partStatistics(parts, initial: Array(repeating: 0, count: 1 + 2 * d)) { state, block in
            try check(block)
            var blockState = [Double(block.rows)] + [Double](repeating: 0, count: d)
                + FeatureScaling.columnVariances(block).map { $0 * Double(block.rows) }
            block.withUnsafeBufferPointer { x in
                for j in 0..<d {
                    var sum = 0.0
                    for row in 0..<block.rows { sum += Double(x[row * d + j]) }
                    blockState[1 + j] = sum / Double(block.rows)
                }
            }
            mergeMoments(&state, blockState, columns: d)
        }
        var moments = statistics[0]
        for part in statistics.dropFirst() { mergeMoments(&moments, part, columns: d) }
        return (Array(moments[1..<(1 + d)]), moments[(1 + d)...].map { $0 / Swift.max(moments[0], 1) })
    }
}

extension ShardStream {
    /// The rows a fit from shards trains on: at least 2; a first pass checks every value's
    /// magnitude and, when the method's loss or likelihood needs it (`unitInterval`: what
    /// needs it, and the option to use otherwise), that they lie in [0, 1]; the last rows are
    /// held out as `training` asks (``DeepAutoencoder/streamedHeldOutRows(_:rows:)``).
    static func training(_ shards: NPYShards, method: String, unitInterval: (what: String, otherwise: String)?, training: TrainingConfiguration,
                         bufferRows: Int, parts: PartTree = .serial) throws -> ShardStream {
        guard shards.rows >= 2 else { throw AutoencoderError("\(method): needs at least 2 samples, the shards hold \(shards.rows)") }
        let (low, high) = try ShardStream(shards, bufferRows: bufferRows, parts: parts).range(parts) { try checkTrainableMagnitude($0, method: method) }
        if let unitInterval, low < 0 || high > 1 {
            throw AutoencoderError("\(method): \(unitInterval.what) needs data in [0, 1] (found \(low)…\(high)); scale the shards or use \(unitInterval.otherwise)")
        }
        return try ShardStream(shards, heldOutRows: DeepAutoencoder.streamedHeldOutRows(training, rows: shards.rows), bufferRows: bufferRows, parts: parts)
    }
}

/// Merges the moments `other` into `state`, both (count, means of `columns` columns, scatter
/// Σ(x − mean)² of each): Chan, Golub & LeVeque's (1979) update for two sets' union.
func mergeMoments(_ state: inout [Double], _ other: [Double], columns d: Int) {
    let (count, m) = (state[0], other[0])
    guard m > 0 else { return }
    for j in 0..<d {
        let delta = other[1 + j] - state[1 + j]
        state[1 + d + j] += other[1 + d + j] + delta * delta * count * m / (count + m)
        state[1 + j] += delta * m / (count + m)
    }
    state[0] = count + m
}
