import Collectives
import DataFormats
import NeuralNetworks
import Tensors

/// Rows a method is fitted to: samples in memory (a `Tensor`, `n × D`) or data streamed from
/// NPY shards (`NPYShards`, ``StreamedShards``), never all in memory.
///
/// A fit asks two things of its rows: statistics over all of them (`compute(_:parts:)`: the
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
    /// Calls `body` with the rows `range` in order, in consecutive blocks (at most `blockRows`
    /// rows each when read from files; rows in memory are handed as one block).
    func forEachBlock(in range: Range<Int>, rows blockRows: Int, _ body: (_ firstRow: Int, _ block: Tensor) throws -> Void) throws
    /// The rows training draws batches from and the rows held out of them (in memory; nil when
    /// none are) as `training`'s held-out fraction asks.
    func split(holdingOut training: TrainingConfiguration, parts: PartTree,
               using generator: inout RandomGenerator) throws -> (training: Training, heldOut: Tensor?)
}

extension RowSource {
    /// `statistic` over every row: each part's rows (part p: ⌊p·n/P⌋ ..< ⌊(p+1)·n/P⌋) block by
    /// block, each process its own parts, then the parts' states merged in part order on every
    /// process: the same result for any number of processes sharing the parts. `progress`
    /// gets the rows of each block this process has added.
    public func compute<Statistic: RowStatistic>(_ statistic: Statistic, parts: PartTree = .serial,
                                                 progress: (_ rows: Int) throws -> Void = { _ in }) throws -> Statistic.Result {
        let local = try parts.localParts.map { part in
            var state = statistic.initial
            try forEachBlock(in: parts.rows(ofPart: part, count: rows), rows: ShardStream.readRows) { first, block in
                try statistic.accumulate(&state, block, firstRow: first)
                try progress(block.rows)
            }
            return state
        }
        let states = parts.parts == 1 ? local : try parts.gathered(local)
        var state = states[0]
        for later in states.dropFirst() { statistic.merge(&state, later) }
        return try statistic.finish(state)
    }
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

    /// Rows `range` as one block (no copy when they are all the rows).
    public func forEachBlock(in range: Range<Int>, rows blockRows: Int, _ body: (_ firstRow: Int, _ block: Tensor) throws -> Void) throws {
        guard !range.isEmpty else { return }
        try body(range.lowerBound, range == 0..<rows ? self : self.rows(range))
    }

    /// ⌊f·n⌋ rows drawn at random (`TrainingConfiguration.holdOut(_:using:)`).
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

    public func forEachBlock(in range: Range<Int>, rows blockRows: Int, _ body: (_ firstRow: Int, _ block: Tensor) throws -> Void) throws {
        try shards.forEachBlock(in: range, rows: blockRows, body)
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
    public func split(holdingOut training: TrainingConfiguration, parts: PartTree,
                      using generator: inout RandomGenerator) throws -> (training: ShardStream, heldOut: Tensor?) {
        try StreamedShards(self).split(holdingOut: training, parts: parts, using: &generator)
    }
}

extension Autoencoder {
    /// The distortion Σᵢ ‖xᵢ − DECODE(ENCODE(xᵢ))‖² of rows in memory or streamed, in Double,
    /// each process over its parts (``RowSource/compute(_:parts:progress:)``).
    public func distortion(of rows: some RowSource, parts: PartTree = .serial) throws -> Double {
        try rows.compute(DistortionSum(model: self), parts: parts)
    }
}

/// Σ ‖x − DECODE(ENCODE(x))‖² as a ``RowStatistic``.
private struct DistortionSum: RowStatistic {
    let model: any Autoencoder
    var initial: [Double] { [0] }
    func accumulate(_ state: inout [Double], _ block: Tensor, firstRow: Int) throws { state[0] += try model.distortion(block) }
    func merge(_ state: inout [Double], _ later: [Double]) { state[0] += later[0] }
    func finish(_ state: [Double]) throws -> Double { state[0] }
}
