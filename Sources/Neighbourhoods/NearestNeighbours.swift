import Tensors

/// Nearest-neighbour search: exact, by blocks of distances through the GEMM (the reference,
/// and the method for small sets), and approximate, by NN-descent from random-projection trees
/// (`descent`, for large ones).
public enum NearestNeighbours {
    /// Distances a tile holds at most (16 MiB of Float32), and reference rows per tile.
    static let blockEntries = 1 << 22, referenceBlockRows = 4096

    /// The exact k-nearest-neighbour graph of the rows of `points` (`n × d`), each point's own
    /// row excluded: distances ‖xᵢ‖² + ‖xⱼ‖² − 2xᵢ·xⱼ (products from the GEMM, norms in Double),
    /// a bounded heap per row. Blocks of rows are fixed, so the graph does not depend on the
    /// thread count. O(n²d) time: for n beyond tens of thousands, `descent` is the method.
    public static func exact(_ points: Tensor, k: Int, settings: ComputeSettings = .current) throws -> NeighbourGraph {
        try check(points, "points")
        return try exact(queries: points, in: points, k: k, excludingSelf: true, settings: settings)
    }

    /// The exact k nearest rows of `reference` (`m × d`) to each row of `queries` (`n × d`);
    /// with `excludingSelf`, `queries` are `reference` and row i is not its own neighbour.
    public static func exact(queries: Tensor, in reference: Tensor, k: Int, excludingSelf: Bool = false,
                             settings: ComputeSettings = .current) throws -> NeighbourGraph {
        try check(queries, "queries")
        try check(reference, "reference points")
        guard queries.columns == reference.columns else {
            throw NeighbourError("neighbours need queries and reference points of one width, got \(queries.shape) and \(reference.shape)")
        }
        let (n, m) = (queries.rows, reference.rows)
        let available = excludingSelf ? m - 1 : m
        guard k >= 1, k <= available else {
            throw NeighbourError("k = \(k) neighbours asked of \(m) point\(m == 1 ? "" : "s")\(excludingSelf ? " (each point excluded from its own)" : ""): k must lie in 1…\(available)")
        }
        // Tiles of queryBlock × referenceBlock distances: the query block's heaps persist while
        // the reference blocks stream past, so memory stays at one tile per thread.
        let referenceBlock = Swift.min(m, referenceBlockRows), queryBlock = Swift.min(n, Swift.max(1, blockEntries / referenceBlock))
        let parts = (n + queryBlock - 1) / queryBlock
        let bytes = Swift.min(settings.threads, parts) * queryBlock * referenceBlock * MemoryLayout<Float>.size
        guard !MemoryBudget.exceeds(bytes) else { throw NeighbourError(MemoryBudget.refusal(bytes, for: "tiles of distances")) }
        let (queryNorms, referenceNorms) = (queries.rowSquaredNorms(), reference.rowSquaredNorms())
        var indices = [Int32](repeating: 0, count: n * k)
        var distances = [Float](repeating: 0, count: n * k)
        let single = ComputeSettings(backend: settings.backend, threads: 1, cpuLevel: settings.cpuLevel)
        let d = queries.columns
        queries.withUnsafeBufferPointer { q in
            reference.withUnsafeBufferPointer { r in
                indices.withUnsafeMutableBufferPointer { indexBuffer in
                    distances.withUnsafeMutableBufferPointer { distanceBuffer in
                        let (qa, ra) = (UInt(bitPattern: q.baseAddress), UInt(bitPattern: r.baseAddress))
                        let (indexAddress, distanceAddress) = (UInt(bitPattern: indexBuffer.baseAddress), UInt(bitPattern: distanceBuffer.baseAddress))
                        forEachPart(parts, settings: settings) { part in
                            let rows = (part * queryBlock)..<Swift.min(n, (part + 1) * queryBlock)
                            var heaps = [BoundedHeap](repeating: BoundedHeap(capacity: k), count: rows.count)
                            var tile = [Float](repeating: 0, count: rows.count * referenceBlock)
                            for start in stride(from: 0, to: m, by: referenceBlock) {
                                let columns = start..<Swift.min(m, start + referenceBlock)
                                tile.withUnsafeMutableBufferPointer { products in
                                    gemm(transposeA: false, transposeB: true, m: rows.count, n: columns.count, k: d, alpha: 1,
                                         a: UnsafePointer<Float>(bitPattern: qa)! + rows.lowerBound * d, lda: d,
                                         b: UnsafePointer<Float>(bitPattern: ra)! + start * d, ldb: d,
                                         beta: 0, c: products.baseAddress!, ldc: columns.count, settings: single)
                                    for (offset, i) in rows.enumerated() {
                                        let row = products.baseAddress! + offset * columns.count
                                        for (position, j) in columns.enumerated() where !(excludingSelf && j == i) {
                                            heaps[offset].insert(Float(Swift.max(queryNorms[i] + referenceNorms[j] - 2 * Double(row[position]), 0)), Int32(j))
                                        }
                                    }
                                }
                            }
                            let outIndices = UnsafeMutablePointer<Int32>(bitPattern: indexAddress)!, outDistances = UnsafeMutablePointer<Float>(bitPattern: distanceAddress)!
                            for (offset, i) in rows.enumerated() { heaps[offset].writeSorted(indices: outIndices + i * k, distances: outDistances + i * k) }
                        }
                    }
                }
            }
        }
        return NeighbourGraph(k: k, indices: indices, distances: distances)
    }

    static func check(_ points: Tensor, _ name: String) throws {
        guard points.rank == 2, points.rows >= 1 else { throw NeighbourError("neighbours need \(name) as a non-empty n × d matrix, got shape \(points.shape)") }
        guard points.rows < Int(Int32.max) else { throw NeighbourError("neighbours index at most \(Int32.max - 1) points, got \(points.rows)") }
        try points.checkFinite(name)
    }
}

/// The k smallest (distance, index) pairs seen, as a max-heap on (distance, index): the root is
/// the worst kept, so most candidates are rejected by one comparison.
struct BoundedHeap {
    let capacity: Int
    private(set) var distances: [Float] = [], indices: [Int32] = []

    init(capacity: Int) {
        self.capacity = capacity
        distances.reserveCapacity(capacity)
        indices.reserveCapacity(capacity)
    }

    mutating func removeAll() {
        distances.removeAll(keepingCapacity: true)
        indices.removeAll(keepingCapacity: true)
    }

    @inline(__always) static func worse(_ d1: Float, _ i1: Int32, than d2: Float, _ i2: Int32) -> Bool { d1 > d2 || (d1 == d2 && i1 > i2) }

    /// Keeps (d, j) if it is among the `capacity` smallest so far.
    @inline(__always) mutating func insert(_ d: Float, _ j: Int32) {
        if distances.count < capacity {
            distances.append(d)
            indices.append(j)
            var child = distances.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.worse(distances[child], indices[child], than: distances[parent], indices[parent]) else { break }
                distances.swapAt(child, parent)
                indices.swapAt(child, parent)
                child = parent
            }
            return
        }
        guard Self.worse(distances[0], indices[0], than: d, j) else { return }
        distances[0] = d
        indices[0] = j
        var parent = 0
        while true {
            let (left, right) = (2 * parent + 1, 2 * parent + 2)
            var largest = parent
            if left < capacity, Self.worse(distances[left], indices[left], than: distances[largest], indices[largest]) { largest = left }
            if right < capacity, Self.worse(distances[right], indices[right], than: distances[largest], indices[largest]) { largest = right }
            if largest == parent { break }
            distances.swapAt(parent, largest)
            indices.swapAt(parent, largest)
            parent = largest
        }
    }

    /// The kept pairs, nearest first.
    func writeSorted(indices out: UnsafeMutablePointer<Int32>, distances outDistances: UnsafeMutablePointer<Float>) {
        let order = (0..<distances.count).sorted { Self.worse(distances[$1], indices[$1], than: distances[$0], indices[$0]) }
        for (position, entry) in order.enumerated() {
            out[position] = indices[entry]
            outDistances[position] = distances[entry]
        }
    }
}
