import Tensors

/// The rows a ``Trainer`` draws its batches from: a tensor in memory, or a stream of data too
/// large for memory (`ShardStream`, which reads NPY shards in a shuffled order through a
/// bounded buffer).
///
/// Each epoch's order is drawn from the run's generator when the epoch starts, so a resumed run
/// draws the same batches; the batches are then read one by one.
public protocol TrainingRows {
    /// One epoch's batches, in order.
    associatedtype Epoch: TrainingEpoch
    /// n, the number of rows.
    var rows: Int { get }
    /// D, the values per row.
    var columns: Int { get }
    /// The batches of one epoch, `batchSize` rows each (the last ⌈n / batchSize⌉-th may be
    /// smaller), in an order drawn from `generator` now.
    func epoch(batchSize: Int, using generator: inout RandomGenerator) throws -> Epoch
    /// The first `count` rows (all when there are fewer): the divergence guard's fixed probe.
    func leadingRows(_ count: Int) throws -> Tensor
    /// These rows with `transform` applied (giving rows of `columns` values): at once in
    /// memory, as each batch is read in a stream (a stack's lower layers feeding the next).
    func mapped(columns: Int, _ transform: @escaping (Tensor) -> Tensor) -> Self
}

/// The batches of one epoch, read in order.
public protocol TrainingEpoch {
    /// The next batch (`rows × D`), or nil after the last.
    mutating func next() throws -> Tensor?
    /// The next batch as far as this process reads it: the whole batch, or (rows that read
    /// only this process's parts of each batch: ``BatchShare``) its parts' rows.
    mutating func nextShare() throws -> BatchShare?
    /// Passes over the next batch without needing its rows (a resumed epoch's finished batches).
    mutating func skip() throws
}

extension TrainingEpoch {
    public mutating func nextShare() throws -> BatchShare? { try next().map(BatchShare.init(whole:)) }
}

/// The rows of one batch that this process holds: the whole batch, or, when each process of a
/// data-parallel run reads only its parts, the contiguous rows of its parts.
public struct BatchShare {
    /// B, the rows of the whole batch.
    public let count: Int
    /// Where ``rows`` start within the batch.
    public let offset: Int
    /// The rows held: `b × D`, rows `offset ..< offset + b` of the batch.
    public let rows: Tensor

    /// All of `batch`.
    public init(whole batch: Tensor) {
        (count, offset, rows) = (batch.shape[0], 0, batch)
    }

    /// Rows `offset ..< offset + rows.shape[0]` of a batch of `count` rows.
    public init(rows: Tensor, offset: Int, of count: Int) {
        precondition(offset >= 0 && offset + rows.shape[0] <= count, "rows \(offset)..<\(offset + rows.shape[0]) of a batch of \(count)")
        (self.count, self.offset, self.rows) = (count, offset, rows)
    }

    /// Whether every row of the batch is held.
    public var isWhole: Bool { offset == 0 && rows.shape[0] == count }

    /// Rows `range` of the batch, which must lie among those held.
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(range.lowerBound >= offset && range.upperBound <= offset + rows.shape[0],
                     "rows \(range) of a batch share holding \(offset)..<\(offset + rows.shape[0])")
        return range == offset..<(offset + rows.shape[0]) ? rows : rows.rows((range.lowerBound - offset)..<(range.upperBound - offset))
    }
}

extension TrainingRows {
    /// ⌈n / batchSize⌉: the batches of an epoch.
    public func batchCount(batchSize: Int) -> Int { (rows + batchSize - 1) / batchSize }
}

extension Tensor: TrainingRows {
    /// A tensor's epoch: a permutation of its rows cut into batches, each gathered when read.
    public struct Epoch: TrainingEpoch {
        let samples: Tensor
        let batches: [[Int]]
        var index = 0

        public mutating func next() throws -> Tensor? {
            guard index < batches.count else { return nil }
            defer { index += 1 }
            return samples.gatherRows(batches[index])
        }

        public mutating func skip() throws { index += 1 }
    }

    public func epoch(batchSize: Int, using generator: inout RandomGenerator) throws -> Epoch {
        Epoch(samples: self, batches: generator.batches(count: shape[0], size: batchSize))
    }

    public func leadingRows(_ count: Int) throws -> Tensor { self.rows(0..<Swift.min(count, shape[0])) }

    public func mapped(columns: Int, _ transform: @escaping (Tensor) -> Tensor) -> Tensor { transform(self) }
}
