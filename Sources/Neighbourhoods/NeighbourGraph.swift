import Tensors

/// The k nearest neighbours of every point of a set (itself excluded), nearest first: the
/// graph under t-SNE's and UMAP's affinities, trustworthiness and kNN accuracy.
///
/// `indices` and `distances` are `count × k`, row-major; distances are squared Euclidean
/// (Float32, from the rows as given). Ties are broken by the lower index. Duplicates of a point
/// are its neighbours at distance 0.
public struct NeighbourGraph: Sendable, Equatable {
    /// Neighbours per point.
    public let k: Int
    /// Neighbour indices, `count × k`.
    public let indices: [Int32]
    /// Their squared distances, `count × k`, ascending along each row.
    public let distances: [Float]

    /// Points in the graph.
    public var count: Int { k == 0 ? 0 : indices.count / k }

    public init(k: Int, indices: [Int32], distances: [Float]) {
        precondition(k > 0 && indices.count == distances.count && indices.count % k == 0, "a graph of \(indices.count) neighbours is not a multiple of k = \(k)")
        (self.k, self.indices, self.distances) = (k, indices, distances)
    }

    /// The neighbours of point `i`, nearest first.
    public func neighbours(of i: Int) -> ArraySlice<Int32> { indices[(i * k)..<((i + 1) * k)] }

    /// The squared distances to them.
    public func squaredDistances(of i: Int) -> ArraySlice<Float> { distances[(i * k)..<((i + 1) * k)] }

    /// The fraction of `reference`'s neighbours (the exact graph) that this graph found:
    /// recall@k = (1/(n·k)) Σᵢ |Nᵢ ∩ N*ᵢ|. Neighbours at the same distance as the reference's
    /// k-th count as found (a tie may be broken either way).
    public func recall(against reference: NeighbourGraph) -> Double {
        precondition(reference.count == count && reference.k >= k, "recall needs the reference graph of the same points with at least k = \(k) neighbours")
        var found = 0
        for i in 0..<count {
            let exact = Set(reference.neighbours(of: i).prefix(k))
            let boundary = reference.distances[i * reference.k + k - 1]
            for (j, d) in zip(neighbours(of: i), squaredDistances(of: i)) where exact.contains(j) || d <= boundary { found += 1 }
        }
        return Double(found) / Double(count * k)
    }
}

/// A failure of a neighbour search: what was asked and why it cannot be done.
public struct NeighbourError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
