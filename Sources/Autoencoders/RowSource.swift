import Collectives
import DataFormats
import NeuralNetworks
import Tensors

/// Rows a method is fitted to: samples in memory (a ``Tensor``, `n × D`) or data streamed from
/// NPY shards (``NPYShards``, ``StreamedShards``), never all in memory.
///
/// A fit asks two things of its rows: statistics over all of them (``compute(_:parts:)``: the
/// range a loss needs, the moments a standardisation needs, the sums of PCA), and the rows
/// training draws its batches from with the rows held out (``split(holdingOut:parts:using:)``).
/// How the rows are cut into parts and processes belongs to the run (``FitContext/parts``), not
/// to the source.
public protocol RowSource {
    /// The rows training draws batches from.
    associatedtype Training: TrainingRows
    /// n, the number of rows.
    var rows: Int { get }
    /// D, the values per row.
    var columns: Int { get }
    /// `[n, D]`: what fits check first (a tensor may have another rank).
    var shape: [Int] { get }
    /// What messages call the rows beside their shape: "the shards in PATH"; empty for samples
    /// in memory.
    var sourceName: String { get }
    /// `statistic` over every row, in row order; with `parts` shared by several processes each
    /// reads only its parts and the parts' states are merged in part order, so that the result
    /// is the same for any number of processes.
    func compute<Statistic: RowStatistic>(_ statistic: Statistic, parts: PartTree) throws -> Statistic.Result
    /// The rows training draws batches from and the rows held out of them (in memory; nil when
    /// none are) as `training`'s held-out fraction asks.
    func split(holdingOut training: TrainingConfiguration, parts: PartTree,
               using generator: inout RandomGenerator) throws -> (training: Training, heldOut: Tensor?)
}

/// A statistic of rows computed block by block, partial → merge → finish: the same code serves
/// samples in memory (one block), NPY shards (blocks as they are read) and processes (each
/// merges its parts' blocks; the parts are merged in part order).
///
/// The state is a vector of Doubles, so that processes can gather it.
public protocol RowStatistic {
    associatedtype Result
    /// The state of no rows.
    var initial: [Double] { get }
    /// Adds `block`, rows `firstRow ..< firstRow + block.rows` of the source, to `state`.
    func accumulate(_ state: inout [Double], _ block: Tensor, firstRow: Int) throws
    /// Merges `later`, the state of the rows that follow, into `state`.
    func merge(_ state: inout [Double], _ later: [Double])
    /// The result of the state of every row.
    func finish(_ state: [Double]) throws -> Result
}

extension Tensor: RowSource {
    public var sourceName: String { "" }

    /// The statistic of the samples as one block: in memory, every process holds them all.
    public func compute<Statistic: RowStatistic>(_ statistic: Statistic, parts: PartTree) throws -> Statistic.Result {
        var state = statistic.initial
        try statistic.accumulate(&state, self, firstRow: 0)
        return try statistic.finish(state)
    }

    /// ⌊f·n⌋ rows drawn at random (``TrainingConfiguration/holdOut(_:using:)``).
    public func split(holdingOut training: TrainingConfiguration, parts: PartTree,
                      using generator: inout RandomGenerator) throws -> (training: Tensor, heldOut: Tensor?) {
        training.holdOut(self, using: &generator)
    }
}

/// NPY shards streamed through a shuffle buffer of ``bufferRows`` rows (``ShardStream``).
public struct StreamedShards: RowSource {
    public let shards: NPYShards
    /// Rows shuffled together as they stream.
    public let bufferRows: Int

    /// The most rows held out (in memory, for the held-out loss).
    public static let maximumHeldOutRows = 10_000

    /// The rows held out of `rows` rows: ⌊f·n⌋ (at least 1) for the training's held-out
    /// fraction f > 0, at most ``maximumHeldOutRows``; 0 for f = 0.
    public static func heldOutRows(_ training: TrainingConfiguration, rows n: Int) -> Int {
        training.heldOutFraction > 0 ? Swift.min(maximumHeldOutRows, Swift.max(1, Int(training.heldOutFraction * Double(n)))) : 0
    }

    public init(_ shards: NPYShards, bufferRows: Int = ShardStream.defaultBufferRows) {
        (self.shards, self.bufferRows) = (shards, bufferRows)
    }

    public var rows: Int { shards.rows }
    public var columns: Int { shards.columns }
    public var shape: [Int] { [shards.rows, shards.columns] }
    public var sourceName: String { "the shards in \(shards.name)" }

    public func compute<Statistic: RowStatistic>(_ statistic: Statistic, parts: PartTree) throws -> Statistic.Result {
        let states = try ShardStream(shards, bufferRows: bufferRows, parts: parts).partStatistics(parts, initial: statistic.initial) { state, first, block in
            try statistic.accumulate(&state, block, firstRow: first)
        }
        var state = states[0]
        for later in states.dropFirst() { statistic.merge(&state, later) }
        return try statistic.finish(state)
    }

    /// The last ⌊f·n⌋ rows in shard order, at most ``maximumHeldOutRows``
    /// (``heldOutRows(_:rows:)``): shuffle rows across shards beforehand if their order means
    /// something.
    public func split(holdingOut training: TrainingConfiguration, parts: PartTree,
                      using generator: inout RandomGenerator) throws -> (training: ShardStream, heldOut: Tensor?) {
        let stream = try ShardStream(shards, heldOutRows: Self.heldOutRows(training, rows: shards.rows),
                                     bufferRows: bufferRows, parts: parts)
        return (stream, try stream.heldOut())
    }
}

extension NPYShards: RowSource {
    public var shape: [Int] { [rows, columns] }
    public var sourceName: String { StreamedShards(self).sourceName }

    /// The shards streamed through a buffer of ``ShardStream/defaultBufferRows`` rows.
    public func compute<Statistic: RowStatistic>(_ statistic: Statistic, parts: PartTree) throws -> Statistic.Result {
        try StreamedShards(self).compute(statistic, parts: parts)
    }

    public func split(holdingOut training: TrainingConfiguration, parts: PartTree,
                      using generator: inout RandomGenerator) throws -> (training: ShardStream, heldOut: Tensor?) {
        try StreamedShards(self).split(holdingOut: training, parts: parts, using: &generator)
    }
}
