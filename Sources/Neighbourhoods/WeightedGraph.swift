import Tensors
/// An undirected graph with non-negative edge weights, stored as the rows of its symmetric adjacency
/// matrix in compressed form: UMAP's fuzzy simplicial set, the spectral layout's input, and
/// (later) Isomap's neighbourhood graph.
///
/// Row i's neighbours are `columns[rowStart[i] ..< rowStart[i + 1]]`, their weights beside them
/// in `weights`; every edge is stored in both rows.
public struct WeightedGraph: Sendable, Equatable {
    public let rowStart: [Int]
    public let columns: [Int32]
    public let weights: [Float]

    /// The number of vertices.
    public var count: Int { rowStart.count - 1 }
    /// The number of stored (directed) edges: twice the undirected ones.
    public var edgeCount: Int { columns.count }

    public init(rowStart: [Int], columns: [Int32], weights: [Float]) {
        precondition(!rowStart.isEmpty && rowStart.last == columns.count && columns.count == weights.count,
                     "a graph's rows must end at its \(columns.count) edges, one weight each")
        (self.rowStart, self.columns, self.weights) = (rowStart, columns, weights)
    }

    /// The graph with only the edges whose weight satisfies `keep`.
    public func filter(_ keep: (Float) -> Bool) -> WeightedGraph {
        var starts = [0], columns: [Int32] = [], weights: [Float] = []
        for i in 0..<count {
            for e in rowStart[i]..<rowStart[i + 1] where keep(self.weights[e]) {
                columns.append(self.columns[e])
                weights.append(self.weights[e])
            }
            starts.append(columns.count)
        }
        return WeightedGraph(rowStart: starts, columns: columns, weights: weights)
    }

    /// The subgraph on `vertices` (ascending), renumbered 0 ..< vertices.count; edges leaving them dropped.
    public func subgraph(_ vertices: [Int]) -> WeightedGraph {
        var position = [Int32](repeating: -1, count: count)
        for (new, old) in vertices.enumerated() { position[old] = Int32(new) }
        var starts = [0], columns: [Int32] = [], weights: [Float] = []
        for old in vertices {
            for e in rowStart[old]..<rowStart[old + 1] where position[Int(self.columns[e])] >= 0 {
                columns.append(position[Int(self.columns[e])])
                weights.append(self.weights[e])
            }
            starts.append(columns.count)
        }
        return WeightedGraph(rowStart: starts, columns: columns, weights: weights)
    }

    /// The connected components: each vertex's component label, components numbered in the
    /// order of their lowest vertex, and their number.
    public func components() -> (labels: [Int], count: Int) {
        var labels = [Int](repeating: -1, count: count), next = 0, stack: [Int] = []
        for start in 0..<count where labels[start] < 0 {
            labels[start] = next
            stack.append(start)
            while let i = stack.popLast() {
                for e in rowStart[i]..<rowStart[i + 1] where labels[Int(columns[e])] < 0 {
                    labels[Int(columns[e])] = next
                    stack.append(Int(columns[e]))
                }
            }
            next += 1
        }
        return (labels, next)
    }
}

extension WeightedGraph {
    /// The undirected k-nearest-neighbour graph: i and j joined when either is among the other's
    /// k nearest, weighted by their Euclidean distance (the smaller of the two rows' values, which
    /// may differ in rounding): Isomap's neighbourhood graph (Tenenbaum, de Silva & Langford 2000, step 1).
    public init(neighbours graph: NeighbourGraph) {
        let n = graph.count
        var rows = [[Int32: Float]](repeating: [:], count: n)
        for i in 0..<n {
            for (j, squared) in zip(graph.neighbours(of: i), graph.squaredDistances(of: i)) where Int(j) != i {
                let length = squared.squareRoot()
                rows[i][j] = Swift.min(rows[i][j] ?? .infinity, length)
                rows[Int(j)][Int32(i)] = Swift.min(rows[Int(j)][Int32(i)] ?? .infinity, length)
            }
        }
        var starts = [0], columns: [Int32] = [], weights: [Float] = []
        for row in rows {
            for j in row.keys.sorted() { columns.append(j); weights.append(row[j]!) }
            starts.append(columns.count)
        }
        self.init(rowStart: starts, columns: columns, weights: weights)
    }
}

extension FuzzySimplicialSet {
    /// The set as a weighted graph (weights the memberships).
    public var graph: WeightedGraph { WeightedGraph(rowStart: rowStart, columns: columns, weights: memberships) }
}

extension WeightedGraph {
    /// The ε-graph: i and j joined when ‖xᵢ − xⱼ‖ ≤ `radius`, weighted by that distance (Isomap's
    /// other neighbourhood graph; Tenenbaum, de Silva & Langford 2000, step 1). Squared distances
    /// by blocks of rows through GEMM, ‖a‖² + ‖b‖² − 2a·b; each pair measured once and mirrored.
    /// - Throws: when the edges would outgrow the memory budget (a radius joining most pairs).
    public init(radius: Double, samples: Tensor, settings: ComputeSettings = .current) throws {
        let n = samples.rows
        let norms = samples.rowSquaredNorms()
        let limit = radius * radius
        var rows = [[(Int32, Float)]](repeating: [], count: n)
        var edges = 0
        let block = Swift.max(1, Swift.min(n, (1 << 22) / Swift.max(n, 1)))
        for start in stride(from: 0, to: n, by: block) {
            let end = Swift.min(n, start + block)
            let products = matmul(samples.rows(start..<end), samples, transposeB: true, settings: settings).scalars
            for i in start..<end {
                for j in (i + 1)..<n {
                    let squared = Swift.max(0, norms[i] + norms[j] - 2 * Double(products[(i - start) * n + j]))
                    guard squared <= limit else { continue }
                    let length = Float(squared.squareRoot())
                    rows[i].append((Int32(j), length))
                    rows[j].append((Int32(i), length))
                    edges += 2
                }
            }
            let bytes = edges * (MemoryLayout<Int32>.size + MemoryLayout<Float>.size + 2 * MemoryLayout<Int>.size)
            guard !MemoryBudget.exceeds(bytes) else {
                throw NeighbourError("the ε-graph of radius \(radius) joins \(edges / 2) pairs of \(n) samples by row \(end), beyond the memory budget: "
                                         + MemoryBudget.refusal(bytes, for: "its edges") + "; lower the radius")
            }
        }
        var starts = [0], columns: [Int32] = [], weights: [Float] = []
        columns.reserveCapacity(edges)
        weights.reserveCapacity(edges)
        for row in rows {
            for (j, length) in row.sorted(by: { $0.0 < $1.0 }) { columns.append(j); weights.append(length) }
            starts.append(columns.count)
        }
        self.init(rowStart: starts, columns: columns, weights: weights)
    }
}
