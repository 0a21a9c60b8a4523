import Collectives
import DataFormats
import NeuralNetworks
import Tensors

/// Training rows streamed from a folder of NPY shards, never all in memory: each epoch visits
/// the shards in an order drawn from the run's generator and shuffles rows within a buffer of
/// `bufferRows` rows (the scheme of TensorFlow's file interleaving then `shuffle(buffer_size)`),
/// so memory is bounded by the buffer, whatever the data's size.
///
/// Rows near each other in a shard meet in the same buffer more often than in a full shuffle;
/// a buffer many batches long and shards in random order make batches close to uniform draws.
/// The last `heldOutRows` rows (in shard order) are held out: not streamed, read into memory for
/// the held-out loss; shuffle the rows across shards beforehand if their order means something.
///
/// In a data-parallel run (``parts`` shared by several processes) each process draws the same
/// order, shuffling row addresses rather than rows, and reads only its parts' rows of each
/// batch (`TrainingEpoch.nextShare()`) and, in passes, its parts of the data
/// (`forEachBlock(in:rows:_:)`): the batches are the same for any number of processes, and
/// each reads 1/N of them.
public struct ShardStream: TrainingRows {
    /// Rows a buffer holds by default: 16 384 (51 MB of 784 floats).
    public static let defaultBufferRows = 16_384
    /// Rows read from a shard at a time.
    public static let readRows = 4_096

    public let shards: NPYShards
    /// The rows streamed, as (shard, rows) pieces in shard order; the held-out tail excluded.
    let pieces: [(shard: Int, rows: Range<Int>)]
    let heldOutPieces: [(shard: Int, rows: Range<Int>)]
    public let rows: Int
    /// The width of the rows given out (after ``mapped(columns:_:)``).
    public let columns: Int
    /// Rows shuffled together (at least a batch).
    public let bufferRows: Int
    /// Applied to rows as they are given out: a standardization, a stack's lower layers.
    let transform: ((Tensor) -> Tensor)?
    /// The parts batches and passes are cut into, and the processes sharing them.
    public let parts: PartTree

    /// Whether this process reads only its parts' rows (other processes read the rest).
    var readsOwnPartsOnly: Bool { parts.communicator.size > 1 }

    /// Streams `shards`, holding out their last `heldOutRows` rows; `parts` shared by several
    /// processes makes each read only its parts of every batch and pass.
    public init(_ shards: NPYShards, heldOutRows: Int = 0, bufferRows: Int = defaultBufferRows, parts: PartTree = .serial) throws {
        guard bufferRows >= 1 else { throw AutoencoderError("the shuffle buffer needs at least 1 row, got \(bufferRows)") }
        guard heldOutRows >= 0, heldOutRows < shards.rows else {
            throw AutoencoderError("\(shards.name): cannot hold out \(heldOutRows) of its \(shards.rows) rows")
        }
        var pieces: [(shard: Int, rows: Range<Int>)] = [], tail: [(shard: Int, rows: Range<Int>)] = []
        var remaining = shards.rows - heldOutRows
        for (index, shard) in shards.shards.enumerated() where shard.rows > 0 {
            let streamed = min(shard.rows, remaining)
            if streamed > 0 { pieces.append((index, 0..<streamed)) }
            if streamed < shard.rows { tail.append((index, streamed..<shard.rows)) }
            remaining -= streamed
        }
        self.init(shards: shards, pieces: pieces, heldOutPieces: tail, columns: shards.columns, bufferRows: bufferRows, transform: nil, parts: parts)
    }

    private init(shards: NPYShards, pieces: [(shard: Int, rows: Range<Int>)], heldOutPieces: [(shard: Int, rows: Range<Int>)], columns: Int,
                 bufferRows: Int, transform: ((Tensor) -> Tensor)?, parts: PartTree) {
        (self.shards, self.pieces, self.heldOutPieces, self.columns, self.bufferRows, self.transform) = (shards, pieces, heldOutPieces, columns, bufferRows, transform)
        self.parts = parts
        rows = pieces.reduce(0) { $0 + $1.rows.count }
    }

    /// The same stream with `transform` (giving rows of `columns` values) applied to what it gives out.
    public func mapped(columns: Int, _ transform: @escaping (Tensor) -> Tensor) -> ShardStream {
        let inner = self.transform
        return ShardStream(shards: shards, pieces: pieces, heldOutPieces: heldOutPieces, columns: columns, bufferRows: bufferRows,
                           transform: inner.map { inner in { transform(inner($0)) } } ?? transform, parts: parts)
    }

    /// The held-out rows, in memory, transformed; nil when none are held out.
    public func heldOut() throws -> Tensor? {
        guard !heldOutPieces.isEmpty else { return nil }
        let parts = try heldOutPieces.map { try shards.rows($0.rows, ofShard: $0.shard) }
        let rows = parts.count == 1 ? parts[0] : Tensor.concatenate(parts, alongAxis: 0)
        return transform?(rows) ?? rows
    }

    /// Calls `body` with the streamed rows in shard order, in blocks of at most `blockRows`
    /// rows, transformed: a pass over the data (its range, its mean).
    public func forEachBlock(rows blockRows: Int = readRows, _ body: (Tensor) throws -> Void) throws {
        for piece in pieces {
            for start in stride(from: piece.rows.lowerBound, to: piece.rows.upperBound, by: blockRows) {
                let block = try shards.rows(start..<min(piece.rows.upperBound, start + blockRows), ofShard: piece.shard)
                try body(transform?(block) ?? block)
            }
        }
    }

    public func leadingRows(_ count: Int) throws -> Tensor {
        var parts: [Tensor] = [], have = 0
        for piece in pieces where have < count {
            let take = min(count - have, piece.rows.count)
            parts.append(try shards.rows(piece.rows.lowerBound..<(piece.rows.lowerBound + take), ofShard: piece.shard))
            have += take
        }
        let rows = parts.count == 1 ? parts[0] : Tensor.concatenate(parts, alongAxis: 0)
        return transform?(rows) ?? rows
    }

    /// The transform of rows `offset ..< offset + rows` of a batch of `count` rows, part by
    /// part when the batch is cut into parts: a matrix product's rows can round differently
    /// with the number of rows it is computed with (its kernel's tail), so each part's rows
    /// are transformed alone, the same whether one process holds the whole batch or each holds
    /// its parts.
    func transformed(_ rows: Tensor, offset: Int, of count: Int) -> Tensor {
        guard let transform else { return rows }
        guard parts.isSplit else { return transform(rows) }
        let held = offset..<(offset + rows.rows)
        let pieces = (0..<parts.parts).map { parts.rows(ofPart: $0, count: count).clamped(to: held) }.filter { !$0.isEmpty }
        guard pieces.count > 1 else { return transform(rows) }
        return Tensor.concatenate(pieces.map { transform(rows.rows(($0.lowerBound - offset)..<($0.upperBound - offset))) }, alongAxis: 0)
    }

    public func epoch(batchSize: Int, using generator: inout RandomGenerator) throws -> Epoch {
        var shuffle = RandomGenerator(seed: generator.next())
        let order = shuffle.permutation(pieces.count)
        return Epoch(stream: self, batchSize: batchSize, capacity: max(bufferRows, batchSize), order: order, generator: shuffle)
    }

    /// One epoch: pieces in a drawn order, read into a buffer whose rows are given out in a
    /// drawn order; what is left of a buffer joins the next fill. The buffer holds the rows'
    /// addresses, and their values too unless this process reads only its parts of each batch.
    public struct Epoch: TrainingEpoch {
        let stream: ShardStream
        let batchSize: Int
        let capacity: Int
        let order: [Int]
        var generator: RandomGenerator
        /// Reads this process's rows of each batch (its shards opened once an epoch).
        let reader: NPYShards.Reader
        /// The next piece to read (index into `order`) and the next row within it.
        var piece = 0, row = 0
        /// Up to `capacity` rows (`filled`): their addresses and (read ahead) raw values, given
        /// out in `permutation` order from `position`.
        var addresses: [NPYShards.RowAddress] = []
        var buffer: [Float] = []
        var filled = 0
        var permutation: [Int] = []
        var position = 0

        init(stream: ShardStream, batchSize: Int, capacity: Int, order: [Int], generator: RandomGenerator) {
            (self.stream, self.batchSize, self.capacity, self.order, self.generator) = (stream, batchSize, capacity, order, generator)
            reader = NPYShards.Reader(stream.shards)
            row = order.first.map { stream.pieces[$0].rows.lowerBound } ?? 0
        }

        var exhausted: Bool { piece >= order.count }

        public mutating func next() throws -> Tensor? {
            guard let batch = try nextBatch() else { return nil }
            let rows = stream.readsOwnPartsOnly ? try reader.gatherRows(batch.map { addresses[$0] }) : values(of: batch)
            return stream.transformed(rows, offset: 0, of: batch.count)
        }

        /// The batch's rows of this process's parts only, when the other processes read the rest.
        public mutating func nextShare() throws -> BatchShare? {
            guard stream.readsOwnPartsOnly else { return try next().map(BatchShare.init(whole:)) }
            guard let batch = try nextBatch() else { return nil }
            let local = stream.parts.localRows(count: batch.count)
            let rows = try reader.gatherRows(batch[local].map { addresses[$0] })
            return BatchShare(rows: stream.transformed(rows, offset: local.lowerBound, of: batch.count), offset: local.lowerBound, of: batch.count)
        }

        public mutating func skip() throws { _ = try nextBatch() }

        /// The next batch's places in the buffer.
        mutating func nextBatch() throws -> [Int]? {
            if permutation.count - position < batchSize, !exhausted { try refill() }
            let take = min(batchSize, permutation.count - position)
            guard take > 0 else { return nil }
            defer { position += take }
            return Array(permutation[position..<(position + take)])
        }

        /// The read-ahead values of the buffer's rows `slots`.
        func values(of slots: [Int]) -> Tensor {
            let d = stream.shards.columns
            return Tensor(shape: [slots.count, d]) { out in
                buffer.withUnsafeBufferPointer { source in
                    for (r, index) in slots.enumerated() {
                        for j in 0..<d { out[r * d + j] = source[index * d + j] }
                    }
                }
            }
        }

        /// Keeps the rows not given out yet, fills the buffer from the pieces, draws a new order.
        mutating func refill() throws {
            let d = stream.shards.columns, readsAhead = !stream.readsOwnPartsOnly
            if addresses.isEmpty {
                addresses = Array(repeating: NPYShards.RowAddress(shard: 0, row: 0), count: capacity)
                if readsAhead { buffer = [Float](repeating: 0, count: capacity * d) }
            }
            let kept = Array(permutation[position...])
            let addressesKept = kept.map { addresses[$0] }
            addresses.replaceSubrange(0..<kept.count, with: addressesKept)
            if readsAhead {
                let rowsKept: [Float] = kept.flatMap { buffer[($0 * d)..<(($0 + 1) * d)] }
                buffer.replaceSubrange(0..<rowsKept.count, with: rowsKept)
            }
            filled = kept.count
            while filled < capacity, !exhausted {
                let current = stream.pieces[order[piece]]
                let take = min(ShardStream.readRows, capacity - filled, current.rows.upperBound - row)
                for i in 0..<take { addresses[filled + i] = NPYShards.RowAddress(shard: current.shard, row: row + i) }
                if readsAhead {
                    let block = try stream.shards.rows(row..<(row + take), ofShard: current.shard)
                    block.withUnsafeBufferPointer { values in
                        buffer.withUnsafeMutableBufferPointer { out in
                            for i in 0..<(take * d) { out[filled * d + i] = values[i] }
                        }
                    }
                }
                filled += take
                row += take
                if row == current.rows.upperBound {
                    piece += 1
                    if !exhausted { row = stream.pieces[order[piece]].rows.lowerBound }
                }
            }
            permutation = generator.permutation(filled)
            position = 0
        }
    }
}
