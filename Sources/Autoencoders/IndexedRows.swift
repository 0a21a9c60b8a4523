import DataFormats
import Tensors

/// Rows read by index, as a training step asks for them: a tensor in memory, or NPY shards on
/// disk (``ShardRows``), whose rows are read when a batch draws them and never all at once.
///
/// For methods whose batches are rows drawn anywhere in the data (the translator draws every
/// domain's rows uniformly): a batch from shards is the same batch, value for value, as from
/// the data in memory.
public protocol IndexedRows {
    /// n
    var rows: Int { get }
    /// D
    var columns: Int { get }
    /// Rows `indices`, in their order (`count × D`).
    func gatherRows(_ indices: [Int]) throws -> Tensor
}

extension Tensor: IndexedRows {}

/// Rows a method both passes over (``RowSource``: statistics block by block) and reads by index
/// (``IndexedRows``): samples in memory, or NPY shards read as batches draw them.
public protocol IndexedRowSource: RowSource {
    /// The rows by index, each read through `transform` (a scaling fitted in a pass over them;
    /// nil: as they are).
    func indexed(_ transform: ((Tensor) throws -> Tensor)?) throws -> any IndexedRows
}

extension Tensor: IndexedRowSource {
    /// The samples `transform`ed at once.
    public func indexed(_ transform: ((Tensor) throws -> Tensor)?) throws -> any IndexedRows { try transform?(self) ?? self }
}

extension NPYShards: IndexedRowSource {
    /// The rows read from the shards as they are asked for (``ShardRows``), never all at once.
    public func indexed(_ transform: ((Tensor) throws -> Tensor)?) throws -> any IndexedRows { ShardRows(self, transform: transform) }
}

/// The rows of NPY shards by index (the rows of all shards in order), read as they are asked
/// for (`NPYShards.Reader`: each shard opened once), then `transform`ed (a scaling fitted in
/// a pass over the shards). Not for concurrent use.
public final class ShardRows: IndexedRows {
    public let shards: NPYShards
    let reader: NPYShards.Reader
    /// The first row of each shard among all rows.
    let starts: [Int]
    let transform: ((Tensor) throws -> Tensor)?

    public init(_ shards: NPYShards, transform: ((Tensor) throws -> Tensor)? = nil) {
        self.shards = shards
        reader = NPYShards.Reader(shards)
        var first = 0
        starts = shards.shards.map { shard in defer { first += shard.rows }; return first }
        self.transform = transform
    }

    public var rows: Int { shards.rows }
    public var columns: Int { shards.columns }

    public func gatherRows(_ indices: [Int]) throws -> Tensor {
        let addresses = indices.map { index in
            precondition(index >= 0 && index < shards.rows, "row \(index) of \(shards.rows)")
            // The last shard starting at or before the row (an empty shard shares its start with the next).
            var (low, high) = (0, starts.count - 1)
            while low < high {
                let middle = (low + high + 1) / 2
                if starts[middle] <= index { low = middle } else { high = middle - 1 }
            }
            return NPYShards.RowAddress(shard: low, row: index - starts[low])
        }
        let values = try reader.gatherRows(addresses)
        return try transform?(values) ?? values
    }
}
