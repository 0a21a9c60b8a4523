import Tensors

extension WeightedGraph {
    /// The lengths of the shortest paths from each of `sources` to every vertex (`sources.count ×
    /// count`, row-major; ∞ where none leads), edge weights as lengths: Dijkstra's algorithm
    /// (1959) from each source with a binary heap and lazy deletion, O(E log V) a source, the
    /// sources in parallel. Sums run along each path in Double; a source's row does not depend
    /// on the thread count.
    public func shortestPaths(from sources: [Int], settings: ComputeSettings = .current) -> [Double] {
        let n = count
        var out = [Double](repeating: .infinity, count: sources.count * n)
        rowStart.withUnsafeBufferPointer { starts in
            columns.withUnsafeBufferPointer { columns in
                weights.withUnsafeBufferPointer { weights in
                    out.withUnsafeMutableBufferPointer { result in
                        let a = (UInt(bitPattern: starts.baseAddress), UInt(bitPattern: columns.baseAddress), UInt(bitPattern: weights.baseAddress),
                                 UInt(bitPattern: result.baseAddress))
                        forEachPart(sources.count, settings: settings) { s in
                            let starts = UnsafePointer<Int>(bitPattern: a.0)!, columns = UnsafePointer<Int32>(bitPattern: a.1)!
                            let weights = UnsafePointer<Float>(bitPattern: a.2)!
                            let distance = UnsafeMutablePointer<Double>(bitPattern: a.3)! + s * n
                            var heap = DistanceHeap()
                            distance[sources[s]] = 0
                            heap.push(0, sources[s])
                            while let (d, i) = heap.pop() {
                                guard d == distance[i] else { continue }
                                for e in starts[i]..<starts[i + 1] {
                                    let j = Int(columns[e]), candidate = d + Double(weights[e])
                                    if candidate < distance[j] {
                                        distance[j] = candidate
                                        heap.push(candidate, j)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}

/// A binary min-heap of (distance, vertex), ties to the lower vertex: stale entries stay and are
/// skipped when popped (lazy deletion).
struct DistanceHeap {
    private var keys: [Double] = [], vertices: [Int] = []

    private func less(_ a: Int, _ b: Int) -> Bool { keys[a] < keys[b] || (keys[a] == keys[b] && vertices[a] < vertices[b]) }

    private mutating func exchange(_ a: Int, _ b: Int) {
        keys.swapAt(a, b)
        vertices.swapAt(a, b)
    }

    mutating func push(_ key: Double, _ vertex: Int) {
        keys.append(key)
        vertices.append(vertex)
        var child = keys.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { break }
            exchange(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (Double, Int)? {
        guard let first = keys.first else { return nil }
        let vertex = vertices[0]
        exchange(0, keys.count - 1)
        keys.removeLast()
        vertices.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < keys.count, less(left, smallest) { smallest = left }
            if right < keys.count, less(right, smallest) { smallest = right }
            guard smallest != parent else { break }
            exchange(parent, smallest)
            parent = smallest
        }
        return (first, vertex)
    }
}
