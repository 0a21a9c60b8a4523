import Foundation
import Tensors

extension NPYShards {
    /// One row of one shard.
    public struct RowAddress: Hashable, Sendable {
        public let shard: Int
        public let row: Int
        public init(shard: Int, row: Int) { (self.shard, self.row) = (shard, row) }
    }

    /// The rows at `addresses`, in their order (`count × D`, Float32), values checked finite
    /// (``Reader/gatherRows(_:)`` of a reader opened for this call).
    public func gatherRows(_ addresses: [RowAddress]) throws -> Tensor {
        try Reader(self).gatherRows(addresses)
    }

    /// Reads rows by address, each shard opened once (on its first row) for the reader's life:
    /// what a process of a data-parallel run reads of each batch drawn from a shuffle buffer of
    /// row addresses, its own rows and none of the others' (a few kilobytes a row, from
    /// scattered offsets of the shards the buffer draws from). Not for concurrent use.
    public final class Reader {
        public let shards: NPYShards
        private var descriptors: [Int32]
        private var scratch: [UInt8] = []

        public init(_ shards: NPYShards) {
            self.shards = shards
            descriptors = Array(repeating: -1, count: shards.shards.count)
        }

        deinit { for descriptor in descriptors where descriptor >= 0 { close(descriptor) } }

        /// The rows at `addresses`, in their order (`count × D`, Float32), values checked
        /// finite: read in file order, runs of neighbouring rows (or a row asked twice) as one
        /// read.
        public func gatherRows(_ addresses: [RowAddress]) throws -> Tensor {
            let d = shards.columns
            try MemoryBudget.check(addresses.count * d * (MemoryLayout<Float>.size + 8), for: "\(addresses.count) rows × \(d) features", file: shards.name)
            var out = [Float](repeating: 0, count: addresses.count * d)
            let order = addresses.indices.sorted { (addresses[$0].shard, addresses[$0].row) < (addresses[$1].shard, addresses[$1].row) }
            var run = 0
            while run < order.count {
                let shard = addresses[order[run]].shard
                precondition(shard >= 0 && shard < shards.shards.count, "shard \(shard) of \(shards.shards.count)")
                var last = run
                while last + 1 < order.count, addresses[order[last + 1]].shard == shard,
                      addresses[order[last + 1]].row - addresses[order[last]].row <= 1 { last += 1 }
                let first = addresses[order[run]].row, through = addresses[order[last]].row
                precondition(first >= 0 && through < shards.shards[shard].rows, "rows \(first)…\(through) of a shard of \(shards.shards[shard].rows)")
                let rows = through - first + 1
                try out.withUnsafeMutableBufferPointer { out in
                    let base = out.baseAddress!
                    if rows == 1 {
                        // One row (perhaps asked more than once): read straight into its place.
                        try read(first..<(first + 1), ofShard: shard, into: base + order[run] * d)
                        for position in run..<last { (base + order[position + 1] * d).update(from: base + order[run] * d, count: d) }
                    } else {
                        var values = [Float](repeating: 0, count: rows * d)
                        try values.withUnsafeMutableBufferPointer { try read(first..<(through + 1), ofShard: shard, into: $0.baseAddress!) }
                        values.withUnsafeBufferPointer { values in
                            for position in run...last {
                                (base + order[position] * d).update(from: values.baseAddress! + (addresses[order[position]].row - first) * d, count: d)
                            }
                        }
                    }
                }
                run = last + 1
            }
            return try Tensor(shape: [addresses.count, d], scalars: out)
        }

        /// Rows `range` of shard `index`, decoded into `destination` and checked finite.
        private func read(_ range: Range<Int>, ofShard index: Int, into destination: UnsafeMutablePointer<Float>) throws {
            let shard = shards.shards[index]
            if descriptors[index] < 0 { descriptors[index] = try FileIO.openDescriptor(shard.path) }
            let count = range.count * shards.columns, bytes = count * shard.dtype.width
            let offset = shard.dataStart + range.lowerBound * shards.columns * shard.dtype.width
            if scratch.count < bytes { scratch = [UInt8](repeating: 0, count: bytes) }
            let read = try scratch.withUnsafeMutableBytes {
                try FileIO.readFully(descriptors[index], at: offset, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<bytes]), path: shard.path)
            }
            guard read == bytes else { throw DataFormatError(shard.path, .byte(offset + read), "file ends early (changed while being read?)") }
            scratch.withUnsafeBufferPointer { shard.dtype.decode($0.baseAddress!, count: count, to: destination) }
            for i in 0..<count where !destination[i].isFinite {
                throw DataFormatError(shard.path, nil, "row \(range.lowerBound + i / shards.columns), column \(i % shards.columns): non-finite value \(destination[i])")
            }
            shards.countRead(range.count)
        }
    }
}
