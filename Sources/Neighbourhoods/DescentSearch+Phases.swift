import Tensors

extension DescentSearch {
    // MARK: Random-projection forest

    /// Seeds the heaps with every pair that shares a leaf of a random-projection tree (Dasgupta
    /// & Freund 2008; pynndescent's initialisation): a tree splits a set by the hyperplane
    /// halfway between two of its points, picked at random, until a set fits a leaf.
    mutating func plantForest() {
        var forest = [[[Int32]]](repeating: [], count: trees)
        let search = self
        forest.withUnsafeMutableBufferPointer { buffer in
            let address = UInt(bitPattern: buffer.baseAddress)
            forEachPart(trees, settings: settings) { tree in
                UnsafeMutablePointer<[[Int32]]>(bitPattern: address)![tree] = search.leaves(ofTree: tree)
            }
        }
        for leaves in forest {
            let parts = stride(from: 0, to: leaves.count, by: Self.partSize / 4).map { $0..<Swift.min(leaves.count, $0 + Self.partSize / 4) }
            let updates = collect(parts.count) { part in
                var updates: [Update] = []
                for leaf in leaves[parts[part]] {
                    let distances = search.listedDistances(leaf)
                    for a in leaf.indices {
                        for b in (a + 1)..<leaf.count {
                            let distance = distances[a * leaf.count + b]
                            updates.append((leaf[a], leaf[b], distance))
                            updates.append((leaf[b], leaf[a], distance))
                        }
                    }
                }
                return updates
            }
            _ = apply(updates)
        }
    }

    /// The leaves of tree `tree`: sets of at most `leafSize` point indices.
    func leaves(ofTree tree: Int) -> [[Int32]] {
        var generator = RandomGenerator(seed: mix(seed, 1, UInt64(tree)))
        var (stack, leaves) = ([(0..<Int32(n)).map { $0 }], [[Int32]]())
        while let set = stack.popLast() {
            if set.count <= leafSize { leaves.append(set); continue }
            let (left, right) = split(set, using: &generator)
            stack.append(right)
            stack.append(left)
        }
        return leaves
    }

    /// Splits `set` by the hyperplane halfway between two of its points, picked at random: x
    /// goes left when x·(a − b) > (‖a‖² − ‖b‖²)/2 (nearer a), a tie by a coin; one pass over the
    /// rows. When every point falls on one side (duplicates), a random half goes each way.
    func split(_ set: [Int32], using generator: inout RandomGenerator) -> ([Int32], [Int32]) {
        let first = generator.nextInt(below: set.count)
        var second = generator.nextInt(below: set.count - 1)
        if second >= first { second += 1 }
        let (a, b) = (Int(set[first]), Int(set[second]))
        var (normal, offset) = ([Float](repeating: 0, count: d), 0.0)
        var projections = [Float](repeating: 0, count: set.count)
        let level = settings.cpuLevel
        points.withUnsafeBufferPointer { x in
            for f in 0..<d {
                let (u, v) = (x[a * d + f], x[b * d + f])
                normal[f] = u - v
                offset += (Double(u) * Double(u) - Double(v) * Double(v)) / 2
            }
            Kernels.rowDots(level: level, rows: x.baseAddress!, features: d, listed: set, count: set.count, with: normal, into: &projections)
        }
        let threshold = Float(offset)
        var (left, right) = ([Int32](), [Int32]())
        for (position, point) in set.enumerated() {
            let goesLeft = projections[position] > threshold || (projections[position] == threshold && generator.next() & 1 == 0)
            if goesLeft { left.append(point) } else { right.append(point) }
        }
        if left.isEmpty || right.isEmpty {
            var shuffled = set
            generator.shuffle(&shuffled)
            return (Array(shuffled[..<(set.count / 2)]), Array(shuffled[(set.count / 2)...]))
        }
        return (left, right)
    }

    /// Fills the heaps that the forest left short (points in small leaves) with random points.
    mutating func fillFromRandomPoints() {
        for i in 0..<n where indices[i * k] < 0 {
            var attempt: UInt64 = 0
            while indices[i * k] < 0 {
                let j = Int32(mix(seed, 3, UInt64(i), attempt) % UInt64(n))
                attempt += 1
                guard Int(j) != i else { continue }
                let distance = pairDistances([Int32(i)], [j])[0]
                _ = apply([[(Int32(i), j, distance)]])
            }
        }
    }

    // MARK: Local joins

    /// Rounds of local joins until a round improves fewer than δ·n·k entries or `iterations`
    /// rounds have run.
    mutating func descend(delta: Double) {
        for round in 0..<iterations {
            let (fresh, old) = candidates(round: round)
            var improved = 0
            for start in stride(from: 0, to: n, by: Self.chunkSize) {
                let chunk = start..<Swift.min(n, start + Self.chunkSize)
                // Thresholds from the heaps as the chunk starts: a pair is worth offering if it
                // beats either end's worst kept neighbour.
                let thresholds = (0..<n).map { indices[$0 * k] < 0 ? Float.infinity : distances[$0 * k] }
                let parts = stride(from: chunk.lowerBound, to: chunk.upperBound, by: Self.partSize).map { $0..<Swift.min(chunk.upperBound, $0 + Self.partSize) }
                let search = self
                let updates = collect(parts.count) { part in
                    search.join(parts[part], fresh: fresh, old: old, thresholds: thresholds)
                }
                improved += apply(updates)
            }
            if Double(improved) <= delta * Double(n * k) { break }
        }
    }

    /// The pairs of each point's new candidates among themselves and with its old ones, and the
    /// updates for those that beat a threshold.
    func join(_ points: Range<Int>, fresh: CandidateLists, old: CandidateLists, thresholds: [Float]) -> [Update] {
        var updates: [Update] = []
        for i in points {
            let new = Array(fresh.list(i))
            guard !new.isEmpty else { continue }
            let list = new + old.list(i)
            let c = list.count
            let distances = listedDistances(list)
            func offer(_ a: Int, _ b: Int) {
                let (u, v, distance) = (list[a], list[b], distances[a * c + b])
                if distance < thresholds[Int(u)] { updates.append((u, v, distance)) }
                if distance < thresholds[Int(v)] { updates.append((v, u, distance)) }
            }
            for a in new.indices {
                for b in (a + 1)..<new.count { offer(a, b) }
                for b in new.count..<c where list[b] != list[a] { offer(a, b) }
            }
        }
        return updates
    }

    /// Each point's candidates this round: its new (fresh) neighbours and the points that list
    /// it as a new neighbour, sampled to `candidates` by a hashed priority; likewise the old ones.
    /// The new neighbours sampled are marked old (they have been joined).
    mutating func candidates(round: Int) -> (fresh: CandidateLists, old: CandidateLists) {
        var (fresh, old) = (CandidateLists(count: n, capacity: candidates), CandidateLists(count: n, capacity: candidates))
        for i in 0..<n {
            for slot in (i * k)..<((i + 1) * k) where indices[slot] >= 0 {
                let j = indices[slot]
                let priority = mix(seed, 2, UInt64(round), UInt64(i) << 32 | UInt64(j))
                if self.fresh[slot] {
                    fresh.insert(j, into: i, priority: priority)
                    fresh.insert(Int32(i), into: Int(j), priority: priority)
                } else {
                    old.insert(j, into: i, priority: priority)
                    old.insert(Int32(i), into: Int(j), priority: priority)
                }
            }
        }
        for i in 0..<n {
            let sampled = fresh.list(i)
            for slot in (i * k)..<((i + 1) * k) where self.fresh[slot] && sampled.contains(indices[slot]) { self.fresh[slot] = false }
        }
        return (fresh, old)
    }

    /// `body(part)` for `count` parts on the threads, the results in part order.
    func collect(_ count: Int, _ body: @Sendable (Int) -> [Update]) -> [[Update]] {
        var results = [[Update]](repeating: [], count: count)
        results.withUnsafeMutableBufferPointer { buffer in
            let address = UInt(bitPattern: buffer.baseAddress)
            forEachPart(count, settings: settings) { part in
                UnsafeMutablePointer<[Update]>(bitPattern: address)![part] = body(part)
            }
        }
        return results
    }
}

/// Up to `capacity` candidates per point, those of smallest priority kept (a max-heap on the
/// priority, with the set it holds independent of the order of insertion).
struct CandidateLists: Sendable {
    let capacity: Int
    var points: [Int32], priorities: [UInt64], counts: [Int]

    init(count: Int, capacity: Int) {
        self.capacity = capacity
        points = [Int32](repeating: -1, count: count * capacity)
        priorities = [UInt64](repeating: 0, count: count * capacity)
        counts = [Int](repeating: 0, count: count)
    }

    func list(_ i: Int) -> ArraySlice<Int32> { points[(i * capacity)..<(i * capacity + counts[i])] }

    mutating func insert(_ j: Int32, into i: Int, priority: UInt64) {
        let base = i * capacity
        for slot in base..<(base + counts[i]) where points[slot] == j { return }
        if counts[i] < capacity {
            var child = counts[i]
            points[base + child] = j
            priorities[base + child] = priority
            counts[i] += 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard priorities[base + child] > priorities[base + parent] else { break }
                points.swapAt(base + child, base + parent)
                priorities.swapAt(base + child, base + parent)
                child = parent
            }
            return
        }
        guard priority < priorities[base] else { return }
        points[base] = j
        priorities[base] = priority
        var parent = 0
        while true {
            let (left, right) = (2 * parent + 1, 2 * parent + 2)
            var largest = parent
            if left < capacity, priorities[base + left] > priorities[base + largest] { largest = left }
            if right < capacity, priorities[base + right] > priorities[base + largest] { largest = right }
            if largest == parent { break }
            points.swapAt(base + parent, base + largest)
            priorities.swapAt(base + parent, base + largest)
            parent = largest
        }
    }
}
