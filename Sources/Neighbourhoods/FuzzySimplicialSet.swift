import Foundation
import Tensors

/// The fuzzy simplicial set of a k-nearest-neighbour graph: UMAP's weighted graph of the data
/// (McInnes, Healy & Melville 2018, "UMAP: Uniform manifold approximation and projection for
/// dimension reduction", §3.1, Algorithms 2 and 3).
///
/// Each point i sees its neighbours through its own metric: the distance to its nearest
/// neighbour, ρᵢ, is subtracted (local connectivity 1: every point is connected to at least one
/// other with strength 1) and the rest scaled by σᵢ, found by bisection so that
///
///     Σⱼ exp(−max(0, dᵢⱼ − ρᵢ) / σᵢ) = log₂(k + 1),
///
/// the point counted as its own first neighbour, as umap-learn counts it (n_neighbors = k + 1).
/// The directed strengths wᵢⱼ = exp(−max(0, dᵢⱼ − ρᵢ)/σᵢ) are united by the probabilistic
/// t-conorm, w = wᵢⱼ + wⱼᵢ − wᵢⱼwⱼᵢ: a symmetric graph, rows in compressed form with columns
/// ascending. Distances are Euclidean (the graph's squared distances, rooted). umap-learn 0.5's
/// constants: 64 halvings at most, a tolerance of 10⁻⁵ on the sum, and σᵢ at least 10⁻³ of the
/// mean distance (the row's when ρᵢ > 0, else all rows').
public struct FuzzySimplicialSet: Sendable, Equatable {
    /// Row i's neighbours are `columns[rowStart[i] ..< rowStart[i + 1]]`, ascending.
    public let rowStart: [Int]
    public let columns: [Int32]
    /// The united membership strengths, in (0, 1].
    public let memberships: [Float]
    /// ρᵢ, each point's distance to its nearest other point (0 when all its neighbours coincide with it).
    public let nearestDistances: [Double]
    /// σᵢ, each point's distance scale.
    public let scales: [Double]

    /// The number of points.
    public var count: Int { rowStart.count - 1 }

    /// Bisection steps at most, the tolerance on the sum, and the smallest scale as a fraction
    /// of the mean distance (umap-learn's `n_iter`, `SMOOTH_K_TOLERANCE`, `MIN_K_DIST_SCALE`).
    public static let bisections = 64, tolerance = 1e-5, minimumScale = 1e-3

    /// The fuzzy simplicial set of `graph` (k neighbours each, the point itself excluded).
    public init(graph: NeighbourGraph) {
        let (n, k) = (graph.count, graph.k)
        let distances = graph.distances.map { Double($0).squareRoot() }
        // Means as umap-learn takes them, over each row with the point's own distance 0.
        let overall = distances.reduce(0, +) / Double(n * (k + 1))
        let target = Foundation.log2(Double(k + 1))
        var rho = [Double](repeating: 0, count: n), sigma = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let row = distances[(i * k)..<((i + 1) * k)]
            rho[i] = row.first { $0 > 0 } ?? 0
            let middle = Self.scale(of: row, nearest: rho[i], target: target)
            let mean = rho[i] > 0 ? row.reduce(0, +) / Double(k + 1) : overall
            sigma[i] = Swift.max(middle, Self.minimumScale * mean)
        }
        // The directed strengths, each row's sorted by column; then the same transposed (filled in
        // row order, so each column's sources ascend); then their union per row by a merge of the
        // two sorted lists: w = (a + b) − ab where both directions exist.
        var outgoing = [[(Int32, Double)]](repeating: [], count: n)
        var incomingCount = [Int](repeating: 0, count: n + 1)
        for i in 0..<n {
            for (position, j) in graph.neighbours(of: i).enumerated() where Int(j) != i {
                let d = distances[i * k + position] - rho[i]
                outgoing[i].append((j, d <= 0 || sigma[i] == 0 ? 1 : Foundation.exp(-d / sigma[i])))
                incomingCount[Int(j) + 1] += 1
            }
            outgoing[i].sort { $0.0 < $1.0 }
        }
        for j in 0..<n { incomingCount[j + 1] += incomingCount[j] }
        var fill = incomingCount, sources = [Int32](repeating: 0, count: incomingCount[n]), incoming = [Double](repeating: 0, count: incomingCount[n])
        for i in 0..<n {
            for (j, w) in outgoing[i] {
                sources[fill[Int(j)]] = Int32(i)
                incoming[fill[Int(j)]] = w
                fill[Int(j)] += 1
            }
        }
        var rowStart = [0], columns: [Int32] = [], memberships: [Float] = []
        columns.reserveCapacity(2 * incomingCount[n])
        memberships.reserveCapacity(2 * incomingCount[n])
        for i in 0..<n {
            let forward = outgoing[i]
            var (f, r) = (0, incomingCount[i])
            let end = incomingCount[i + 1]
            while f < forward.count || r < end {
                let column: Int32, w: Double
                if r == end || (f < forward.count && forward[f].0 < sources[r]) {
                    (column, w) = (forward[f].0, forward[f].1)
                    f += 1
                } else if f == forward.count || sources[r] < forward[f].0 {
                    (column, w) = (sources[r], incoming[r])
                    r += 1
                } else {
                    let (a, b) = (forward[f].1, incoming[r])
                    (column, w) = (forward[f].0, (a + b) - a * b)
                    f += 1
                    r += 1
                }
                guard w > 0 else { continue }
                columns.append(column)
                memberships.append(Float(w))
            }
            rowStart.append(columns.count)
        }
        (self.rowStart, self.columns, self.memberships, self.nearestDistances, self.scales) = (rowStart, columns, memberships, rho, sigma)
    }

    /// σ by bisection such that Σⱼ exp(−max(0, dⱼ − ρ)/σ) = target, within ``tolerance`` or after
    /// ``bisections`` halvings (umap-learn's `smooth_knn_dist`, before its lower bound on σ).
    public static func scale(of distances: ArraySlice<Double>, nearest rho: Double, target: Double) -> Double {
        var (low, high, middle) = (0.0, Double.infinity, 1.0)
        for _ in 0..<bisections {
            var sum = 0.0
            for d in distances { sum += d - rho > 0 ? Foundation.exp(-(d - rho) / middle) : 1 }
            if abs(sum - target) < tolerance { break }
            if sum > target {
                high = middle
                middle = (low + high) / 2
            } else {
                low = middle
                middle = high.isInfinite ? middle * 2 : (low + high) / 2
            }
        }
        return middle
    }
}
