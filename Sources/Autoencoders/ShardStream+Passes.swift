import Collectives
import DataFormats
import Foundation
import NeuralNetworks
import Tensors

/// Passes over a stream's rows, part by part: statistics the same for any number of processes.
extension ShardStream {
    /// Calls `body` with this process's parts of the streamed rows (part p: rows
    /// ⌊p·n/P⌋ ..< ⌊(p+1)·n/P⌋ in shard order), part by part, in blocks of at most `blockRows`
    /// rows, transformed, with the index of each block's first row among the streamed rows: a
    /// pass whose per-part results ``PartTree/gathered(_:)`` or ``PartTree/sum(_:)`` then
    /// combine in part order, the same for any number of processes.
    public func forEachBlock(in parts: PartTree, rows blockRows: Int = readRows,
                             _ body: (_ part: Int, _ firstRow: Int, _ block: Tensor) throws -> Void) throws {
        for part in parts.localParts {
            let wanted = parts.rows(ofPart: part, count: rows)
            var first = 0
            for piece in pieces {
                let covered = (first..<(first + piece.rows.count)).clamped(to: wanted)
                for start in stride(from: covered.lowerBound, to: covered.upperBound, by: blockRows) {
                    let local = piece.rows.lowerBound + start - first
                    let block = try shards.rows(local..<(local + min(blockRows, covered.upperBound - start)), ofShard: piece.shard)
                    try body(part, start, transform?(block) ?? block)
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
                               _ accumulate: (_ values: inout [Double], _ firstRow: Int, _ block: Tensor) throws -> Void) throws -> [[Double]] {
        var local = parts.localParts.map { _ in initial }
        try forEachBlock(in: parts) { part, first, block in try accumulate(&local[part - parts.localParts.lowerBound], first, block) }
        return try parts.gathered(local)
    }

    /// The smallest and largest value of the streamed rows, each process reading its parts.
    public func range(_ parts: PartTree = .serial, check: (Tensor) throws -> Void = { _ in }) throws -> (low: Float, high: Float) {
        let all = try partStatistics(parts, initial: [.infinity, -.infinity]) { values, _, block in
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
        let statistics = try partStatistics(parts, initial: Array(repeating: 0, count: 1 + 2 * d)) { state, _, block in
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
