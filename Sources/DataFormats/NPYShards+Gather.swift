import Foundation
import Tensors

extension NPYShards {
    /// One row of one shard.
    public struct RowAddress: Hashable, Sendable {
        public let shard: Int
        public let row: Int
        public init(shard: Int, row: Int) { (self.shard, self.row) = (shard, row) }
    }

    /// The rows at `addresses`, in their order (`count × D`, Float32), values checked finite:
    /// a batch's rows read one by one, each shard opened once, neighbouring rows read together.
    ///
    /// What a process of a data-parallel run reads of a batch drawn from a shuffle buffer of
    /// row addresses: its own rows, none of the others' (a few kilobytes a row, from scattered
    /// offsets of the shards the buffer draws from).
    public func gatherRows(_ addresses: [RowAddress]) throws -> Tensor {
        let d = columns
        try MemoryBudget.check(addresses.count * d * (MemoryLayout<Float>.size + 8), for: "\(addresses.count) rows × \(d) features", file: name)
        var out = [Float](repeating: 0, count: addresses.count * d)
        // Read in file order: runs of consecutive rows of a shard as one read.
        let order = addresses.indices.sorted { (addresses[$0].shard, addresses[$0].row) < (addresses[$1].shard, addresses[$1].row) }
        var start = 0
        while start < order.count {
            let shard = addresses[order[start]].shard
            precondition(shard >= 0 && shard < shards.count, "shard \(shard) of \(shards.count)")
            var end = start
            while end < order.count, addresses[order[end]].shard == shard { end += 1 }
            let file = try FileIO.open(shards[shard].path)
            defer { fclose(file) }
            var run = start
            while run < end {
                var last = run
                // A repeated address (the same row twice in a batch) joins the run as well.
                while last + 1 < end, addresses[order[last + 1]].row - addresses[order[last]].row <= 1 { last += 1 }
                let first = addresses[order[run]].row, through = addresses[order[last]].row
                precondition(first >= 0 && through < shards[shard].rows, "rows \(first)…\(through) of a shard of \(shards[shard].rows)")
                let values = try read(first..<(through + 1), ofShard: shard, from: file)
                for position in run...last {
                    let source = (addresses[order[position]].row - first) * d, target = order[position] * d
                    out.withUnsafeMutableBufferPointer { o in
                        values.withUnsafeBufferPointer { v in o.baseAddress!.advanced(by: target).update(from: v.baseAddress! + source, count: d) }
                    }
                }
                run = last + 1
            }
            start = end
        }
        return try Tensor(shape: [addresses.count, d], scalars: out)
    }
}
