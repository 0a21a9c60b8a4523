import Foundation
import Neighbourhoods
import Tensors

/// Sparse affinities, rows in compressed form: row i's entries are `columns[rowStart[i] ..< rowStart[i + 1]]`.
struct SparseAffinities: Sendable {
    let rowStart: [Int]
    let columns: [Int32]
    let values: [Float]
    var rows: Int { rowStart.count - 1 }
}

extension TSNE {
    /// The conditional affinities p_{j|i} = exp(−βᵢ dᵢⱼ²) / Σₖ exp(−βᵢ dᵢₖ²) over each row's
    /// listed neighbours (squared distances `squared`, `k` a row), βᵢ found by bisection so that
    /// the entropy −Σⱼ p_{j|i} log p_{j|i} equals log(perplexity) (van der Maaten & Hinton 2008,
    /// eq. 1 and the perplexity below it), within 10⁻⁵ nats or after 200 halvings, in Double.
    /// Rows are independent: the split over threads does not change them.
    ///
    /// A row whose neighbours are all at one distance (duplicates) has its entropy fixed at log k:
    /// its affinities are uniform whatever β. A row whose nearest neighbours tie in numbers
    /// beyond the perplexity cannot fall to log(perplexity): β grows to its bound and the ties share the mass.
    public static func conditionalAffinities(squared: [Float], k: Int, perplexity: Double, settings: ComputeSettings = .current) -> [Float] {
        let n = squared.count / k
        var out = [Float](repeating: 0, count: squared.count)
        let target = Foundation.log(perplexity)
        squared.withUnsafeBufferPointer { distances in
            out.withUnsafeMutableBufferPointer { result in
                let (from, to) = (UInt(bitPattern: distances.baseAddress), UInt(bitPattern: result.baseAddress))
                forEachChunk(of: n, minimumChunk: 256, settings: settings) { rows in
                    let d = UnsafePointer<Float>(bitPattern: from)!, p = UnsafeMutablePointer<Float>(bitPattern: to)!
                    var weights = [Double](repeating: 0, count: k)
                    for i in rows {
                        let row = d + i * k
                        var nearest = Double.infinity
                        for j in 0..<k { nearest = Swift.min(nearest, Double(row[j])) }
                        var (beta, low, high) = (1.0, 0.0, Double.infinity)
                        for _ in 0..<200 {
                            // Distances measured from the nearest: the weights cannot all underflow.
                            var (sum, weighted) = (0.0, 0.0)
                            for j in 0..<k {
                                let shifted = Double(row[j]) - nearest
                                let w = Foundation.exp(-beta * shifted)
                                weights[j] = w
                                sum += w
                                weighted += w * shifted
                            }
                            let entropy = Foundation.log(sum) + beta * weighted / sum
                            if abs(entropy - target) < 1e-5 { break }
                            if entropy > target {
                                low = beta
                                beta = high.isFinite ? (beta + high) / 2 : beta * 2
                            } else {
                                high = beta
                                beta = (beta + low) / 2
                            }
                        }
                        let sum = weights.reduce(0, +)
                        for j in 0..<k { p[i * k + j] = Float(weights[j] / sum) }
                    }
                }
            }
        }
        return out
    }

    /// The joint affinities P = (P_c + P_cᵀ) / 2n of the conditional ones over `graph`: pᵢⱼ =
    /// (p_{j|i} + p_{i|j}) / 2n, symmetric, summing to 1 (eq. after 3 of the paper). Each row's
    /// entries sorted by column, so the sums are formed in one order.
    static func jointAffinities(graph: NeighbourGraph, conditional: [Float]) -> SparseAffinities {
        let (n, k) = (graph.count, graph.k)
        var counts = [Int](repeating: k, count: n)
        for j in graph.indices { counts[Int(j)] += 1 }
        var starts = [Int](repeating: 0, count: n + 1)
        for i in 0..<n { starts[i + 1] = starts[i] + counts[i] }
        var fill = Array(starts.dropLast())
        var entryColumns = [Int32](repeating: 0, count: starts[n]), entryValues = [Double](repeating: 0, count: starts[n])
        for i in 0..<n {
            for position in (i * k)..<((i + 1) * k) {
                let j = Int(graph.indices[position]), p = Double(conditional[position])
                entryColumns[fill[i]] = Int32(j); entryValues[fill[i]] = p; fill[i] += 1
                entryColumns[fill[j]] = Int32(i); entryValues[fill[j]] = p; fill[j] += 1
            }
        }
        // Merge each row's duplicates (a pair listed both ways).
        var rowStart = [0], columns: [Int32] = [], values: [Float] = []
        columns.reserveCapacity(starts[n])
        values.reserveCapacity(starts[n])
        let scale = 1 / (2 * Double(n))
        for i in 0..<n {
            let entries = (starts[i]..<starts[i + 1]).sorted { entryColumns[$0] < entryColumns[$1] || (entryColumns[$0] == entryColumns[$1] && $0 < $1) }
            var last: Int32 = -1, total = 0.0
            for e in entries {
                if entryColumns[e] != last {
                    if last >= 0 { columns.append(last); values.append(Float(total * scale)) }
                    (last, total) = (entryColumns[e], 0)
                }
                total += entryValues[e]
            }
            if last >= 0 { columns.append(last); values.append(Float(total * scale)) }
            rowStart.append(columns.count)
        }
        return SparseAffinities(rowStart: rowStart, columns: columns, values: values)
    }
}
