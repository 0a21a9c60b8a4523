import Tensors

/// The state of one NN-descent search: a bounded max-heap of (squared distance, index, new?)
/// per point, flat (`n × k`), and the phases that fill it.
///
/// Determinism: every phase computes its candidate updates in fixed parts of points (their
/// order fixed), then applies them heap by heap in that order; the threads only share out the
/// parts and the heaps. Random choices come from hashes of (seed, phase, point), never from a
/// shared generator.
struct DescentSearch: Sendable {
    let points: Tensor
    let n: Int, d: Int, k: Int
    let settings: ComputeSettings
    let seed: UInt64
    let trees: Int, leafSize: Int, iterations: Int, candidates: Int
    /// Heaps: the worst kept entry at each point's slot 0; −1 marks an empty slot (distance ∞).
    var distances: [Float], indices: [Int32], fresh: [Bool]
    /// ‖xᵢ‖², for the distances nₐ + n_b − 2xₐ·x_b among listed rows.
    let norms: [Float]

    /// Points per part of a phase: fixed, so the order of updates is too.
    static let partSize = 256
    /// Points whose joins are evaluated against one snapshot of the heaps (bounds the updates
    /// held at once).
    static let chunkSize = 4096

    init(points: Tensor, k: Int, settings: ComputeSettings, seed: UInt64, configuration: (trees: Int, leafSize: Int, iterations: Int, candidates: Int)) {
        (self.points, n, d, self.k, self.settings, self.seed) = (points, points.rows, points.columns, k, settings, seed)
        (trees, leafSize, iterations, candidates) = configuration
        distances = [Float](repeating: .infinity, count: n * k)
        indices = [Int32](repeating: -1, count: n * k)
        fresh = [Bool](repeating: false, count: n * k)
        var norms = [Float](repeating: 0, count: points.rows)
        let (level, d) = (settings.cpuLevel, points.columns)
        points.withUnsafeBufferPointer { x in Kernels.squaredNorms(level: level, rows: x.baseAddress!, features: d, count: x.count / Swift.max(d, 1), into: &norms) }
        self.norms = norms
    }

    /// An update of a heap: `other` offered to `target` at `distance`.
    typealias Update = (target: Int32, other: Int32, distance: Float)

    // MARK: Distances and heaps

    /// ‖xₐ − x_b‖² for each listed pair, by the pair kernel.
    func pairDistances(_ first: [Int32], _ second: [Int32]) -> [Float] {
        var out = [Float](repeating: 0, count: first.count)
        guard !first.isEmpty else { return out }
        let level = settings.cpuLevel
        points.withUnsafeBufferPointer { x in
            Kernels.pairSquaredDistances(level: level, rows: x.baseAddress!, features: d, first: first, second: second, count: first.count, into: &out)
        }
        return out
    }

    /// The squared distances among the rows of `list`: entry a·c + b for a < b (c = the list's
    /// length), four by four rows at a time.
    func listedDistances(_ list: [Int32]) -> [Float] {
        var out = [Float](repeating: 0, count: list.count * list.count)
        guard list.count > 1 else { return out }
        let level = settings.cpuLevel
        points.withUnsafeBufferPointer { x in
            Kernels.listedSquaredDistances(level: level, rows: x.baseAddress!, features: d, listed: list, count: list.count, norms: norms, into: &out)
        }
        return out
    }

    /// Applies updates (target, other, distance) listed part by part, each heap in list order;
    /// heaps are shared out among the threads by ranges of targets (each worker writes only its
    /// own points' slots). Returns how many were kept.
    mutating func apply(_ parts: [[Update]]) -> Int {
        let (n, k) = (n, k)
        let workers = Swift.max(1, Swift.min(settings.threads, n / 1024))
        var kept = [Int](repeating: 0, count: workers)
        let settings = settings
        distances.withUnsafeMutableBufferPointer { distanceBuffer in
            indices.withUnsafeMutableBufferPointer { indexBuffer in
                fresh.withUnsafeMutableBufferPointer { freshBuffer in
                    kept.withUnsafeMutableBufferPointer { counts in
                        let (da, ia, fa, ca) = (UInt(bitPattern: distanceBuffer.baseAddress), UInt(bitPattern: indexBuffer.baseAddress),
                                                UInt(bitPattern: freshBuffer.baseAddress), UInt(bitPattern: counts.baseAddress))
                        forEachPart(workers, settings: settings) { worker in
                            let distances = UnsafeMutableBufferPointer(start: UnsafeMutablePointer<Float>(bitPattern: da), count: n * k)
                            let indices = UnsafeMutableBufferPointer(start: UnsafeMutablePointer<Int32>(bitPattern: ia), count: n * k)
                            let fresh = UnsafeMutableBufferPointer(start: UnsafeMutablePointer<Bool>(bitPattern: fa), count: n * k)
                            let range = Int32(n * worker / workers)..<Int32(n * (worker + 1) / workers)
                            var count = 0
                            for part in parts {
                                for update in part where range.contains(update.target) {
                                    if Self.offer(Int(update.target), update.other, update.distance, k: k, distances: distances, indices: indices, fresh: fresh) { count += 1 }
                                }
                            }
                            UnsafeMutablePointer<Int>(bitPattern: ca)![worker] = count
                        }
                    }
                }
            }
        }
        return kept.reduce(0, +)
    }

    /// Offers (distance, j) to point i's heap; true when it was kept (a new entry, flagged fresh).
    /// Refused: no better than the worst kept, or j already there.
    static func offer(_ i: Int, _ j: Int32, _ distance: Float, k: Int, distances: UnsafeMutableBufferPointer<Float>,
                      indices: UnsafeMutableBufferPointer<Int32>, fresh: UnsafeMutableBufferPointer<Bool>) -> Bool {
        let base = i * k
        guard indices[base] < 0 || BoundedHeap.worse(distances[base], indices[base], than: distance, j) else { return false }
        for slot in base..<(base + k) where indices[slot] == j { return false }
        distances[base] = distance
        indices[base] = j
        fresh[base] = true
        func worse(_ a: Int, than b: Int) -> Bool {
            if indices[a] < 0 || indices[b] < 0 { return indices[a] < 0 && indices[b] >= 0 }
            return BoundedHeap.worse(distances[a], indices[a], than: distances[b], indices[b])
        }
        var parent = 0
        while true {
            let (left, right) = (2 * parent + 1, 2 * parent + 2)
            var largest = parent
            if left < k, worse(base + left, than: base + largest) { largest = left }
            if right < k, worse(base + right, than: base + largest) { largest = right }
            if largest == parent { break }
            distances.swapAt(base + parent, base + largest)
            indices.swapAt(base + parent, base + largest)
            fresh.swapAt(base + parent, base + largest)
            parent = largest
        }
        return true
    }

    /// The graph: each heap sorted, nearest first.
    func graph() -> NeighbourGraph {
        var (outIndices, outDistances) = ([Int32](repeating: 0, count: n * k), [Float](repeating: 0, count: n * k))
        for i in 0..<n {
            let base = i * k
            let order = (base..<(base + k)).sorted { BoundedHeap.worse(distances[$1], indices[$1], than: distances[$0], indices[$0]) }
            for (position, slot) in order.enumerated() {
                outIndices[base + position] = indices[slot]
                outDistances[base + position] = distances[slot]
            }
        }
        return NeighbourGraph(k: k, indices: outIndices, distances: outDistances)
    }
}

/// A 64-bit mix of a seed and up to three values (SplitMix64's finaliser): the search's random
/// choices, reproducible from (seed, phase, point) whatever runs them.
@inline(__always) func mix(_ seed: UInt64, _ a: UInt64, _ b: UInt64 = 0, _ c: UInt64 = 0) -> UInt64 {
    var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* (a &+ 1) &+ 0xBF58_476D_1CE4_E5B9 &* (b &+ 1) &+ 0x94D0_49BB_1331_11EB &* (c &+ 1)
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
