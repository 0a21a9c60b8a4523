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
    /// Passes over the next batch without needing its rows (a resumed epoch's finished batches).
    mutating func skip() throws
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
