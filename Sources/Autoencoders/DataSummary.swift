import Collectives
import Foundation
import Tensors

/// What a fit learns of its rows in one pass before training: their range, and the columns'
/// moments when the method standardises (in Double).
public struct DataSummary: Sendable {
    /// n, the rows.
    public let rows: Int
    /// D, the feature columns (label columns excluded).
    public let features: Int
    /// The smallest and the largest feature value.
    public let low: Float, high: Float
    /// Each feature column's mean and population variance, when asked for.
    public let means: [Double]?, variances: [Double]?
    /// Each feature column's smallest and largest value, with the moments.
    public let columnLows: [Double]?, columnHighs: [Double]?

    /// Whether every feature value lies in [0, 1] (Bernoulli likelihoods, the bce loss).
    public var liesInUnitInterval: Bool { low >= 0 && high <= 1 }
}

extension RowSource {
    /// One pass over the rows (each process its parts, ``compute(_:parts:progress:)``) that
    /// checks every value is finite and small enough to train on, and gives their range and,
    /// with `moments`, each column's mean, variance and range; messages name `method`.
    /// - Throws: at the first value that is not finite or too large, naming its row.
    public func summary(method: String, moments: Bool = true, parts: PartTree = .serial) throws -> DataSummary {
        try compute(TrainingDataCheck(method: method, shape: shape, labelColumns: 0, moments: moments), parts: parts)
    }
}

/// The pass every trained fit makes over its rows (``RowStatistic``): each value finite and
/// small enough to train on (``largestTrainableMagnitude(samples:)``), each row's label columns
/// (the last `labelColumns`) a one-hot, and the features' range and, with `moments`, their
/// means and variances: Chan, Golub & LeVeque's (1979) update over blocks, exact two-pass sums
/// within one.
struct TrainingDataCheck: RowStatistic {
    let method: String
    /// n × D of the whole source, for messages and the magnitude limit.
    let shape: [Int]
    let labelColumns: Int
    let moments: Bool

    var features: Int { shape[1] - labelColumns }

    /// low, high, then with moments: count, the features' means, their scatters Σ(x − mean)²,
    /// then each feature's low and high.
    var initial: [Double] {
        let d = features
        return [.infinity, -.infinity] + (moments ? Array(repeating: 0, count: 1 + 2 * d) + Array(repeating: .infinity, count: d) + Array(repeating: -.infinity, count: d) : [])
    }

    /// Where the columns' lows start in the state (their highs follow).
    private var rangesStart: Int { 2 + 1 + 2 * features }

    func accumulate(_ state: inout [Double], _ block: Tensor, firstRow: Int) throws {
        try checkFinite(block, firstRow: firstRow)
        try checkTrainableMagnitude(block, method: method, firstRow: firstRow, whole: shape)
        let (rows, width, d) = (block.rows, block.columns, features)
        try block.withUnsafeBufferPointer { x in
            for row in 0..<rows where labelColumns > 0 {
                let label = x[(row * width + d)..<((row + 1) * width)]
                guard label.allSatisfy({ $0 == 0 || $0 == 1 }), label.reduce(0, +) == 1 else {
                    throw AutoencoderError("\(method): sample \(firstRow + row): the last \(labelColumns) columns must be its label one-hot, got \(Array(label))")
                }
            }
            var (low, high) = (Float.infinity, -Float.infinity)
            for row in 0..<rows {
                for j in 0..<d { (low, high) = (min(low, x[row * width + j]), max(high, x[row * width + j])) }
            }
            (state[0], state[1]) = (min(state[0], Double(low)), max(state[1], Double(high)))
            guard moments, rows > 0 else { return }
            let (lows, highs) = (rangesStart, rangesStart + d)
            for row in 0..<rows {
                for j in 0..<d {
                    let value = Double(x[row * width + j])
                    (state[lows + j], state[highs + j]) = (min(state[lows + j], value), max(state[highs + j], value))
                }
            }
            var blockState = [Double(rows)] + Array(repeating: 0, count: 2 * d)
            for row in 0..<rows { for j in 0..<d { blockState[1 + j] += Double(x[row * width + j]) } }
            for j in 0..<d { blockState[1 + j] /= Double(rows) }
            for row in 0..<rows {
                for j in 0..<d { let e = Double(x[row * width + j]) - blockState[1 + j]; blockState[1 + d + j] += e * e }
            }
            var moments = Array(state[2..<rangesStart])
            mergeMoments(&moments, blockState, columns: d)
            state.replaceSubrange(2..<rangesStart, with: moments)
        }
    }

    func merge(_ state: inout [Double], _ later: [Double]) {
        (state[0], state[1]) = (min(state[0], later[0]), max(state[1], later[1]))
        guard moments else { return }
        var moments = Array(state[2..<rangesStart])
        mergeMoments(&moments, Array(later[2..<rangesStart]), columns: features)
        state.replaceSubrange(2..<rangesStart, with: moments)
        let d = features
        for j in 0..<d { state[rangesStart + j] = min(state[rangesStart + j], later[rangesStart + j]) }
        for j in d..<(2 * d) { state[rangesStart + j] = max(state[rangesStart + j], later[rangesStart + j]) }
    }

    func finish(_ state: [Double]) throws -> DataSummary {
        let d = features
        let count = moments ? max(state[2], 1) : 0
        return DataSummary(rows: shape[0], features: d, low: Float(state[0]), high: Float(state[1]),
                           means: moments ? Array(state[3..<(3 + d)]) : nil,
                           variances: moments ? state[(3 + d)..<rangesStart].map { $0 / count } : nil,
                           columnLows: moments ? Array(state[rangesStart..<(rangesStart + d)]) : nil,
                           columnHighs: moments ? Array(state[(rangesStart + d)...]) : nil)
    }

    /// Throws at the first non-finite value, naming its row among all the rows.
    private func checkFinite(_ block: Tensor, firstRow: Int) throws {
        guard let index = block.scalars.firstIndex(where: { !$0.isFinite }) else { return }
        throw TensorError.nonFinite(context: "\(method) input", shape: shape, index: firstRow * block.columns + index, value: block.scalars[index])
    }
}

/// Merges the moments `other` into `state`, both (count, means of `columns` columns, scatter
/// Σ(x − mean)² of each): Chan, Golub & LeVeque's (1979) update for two sets' union.
func mergeMoments(_ state: inout [Double], _ other: [Double], columns d: Int) {
    let (count, m) = (state[0], other[0])
    guard m > 0 else { return }
    // The first block's moments are taken as they are: (δ·m)/m need not round back to δ.
    guard count > 0 else { state = other; return }
    for j in 0..<d {
        let delta = other[1 + j] - state[1 + j]
        state[1 + d + j] += other[1 + d + j] + delta * delta * count * m / (count + m)
        state[1 + j] += delta * m / (count + m)
    }
    state[0] = count + m
}
