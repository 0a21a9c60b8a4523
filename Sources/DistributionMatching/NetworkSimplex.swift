/// The primal network simplex method for the transportation problem
///
///     minimise Σᵢⱼ Cᵢⱼ Pᵢⱼ  subject to  Σⱼ Pᵢⱼ = aᵢ,  Σᵢ Pᵢⱼ = bⱼ,  P ≥ 0,
///
/// with aᵢ > 0, bⱼ > 0 and Σa = Σb (Dantzig 1951; as a minimum-cost flow on the complete
/// bipartite graph, Ahuja, Magnanti & Orlin, "Network Flows", 1993, ch. 11; the solver of
/// Bonneel, van de Panne, Paris & Heidrich 2011, "Displacement interpolation using Lagrangian
/// mass transport", which POT's `ot.emd` runs).
///
/// A basis is a spanning tree of the n sources, m sinks and an artificial root; it starts with
/// every source sending aᵢ to the root and the root sending bⱼ to every sink, over artificial
/// arcs whose cost M exceeds any path of real arcs, so they empty as real arcs enter. Every
/// artificial arc starts with positive flow, so the first tree is strongly feasible, and the
/// leaving arc is chosen as Cunningham (1976) prescribes (the last blocking arc met when the
/// cycle is traversed along the entering arc's flow from its apex), which keeps it so and
/// rules out cycling on degenerate pivots. Entering arcs are priced by block search
/// (Grigoriadis 1986): blocks of about √(nm) arcs, the most negative reduced cost of the first
/// block that has one.
///
/// Potentials: the reduced cost of arc s → t is c + πₛ − πₜ, zero on tree arcs. When a pivot
/// replaces the leaving arc, the subtree cut off below it is re-hung from the entering arc and
/// its potentials shift by one constant, so a pivot costs the cycle plus that subtree.
struct NetworkSimplex {
    let n: Int, m: Int
    /// The cost matrix, row-major `n × m`.
    let cost: UnsafeBufferPointer<Double>
    /// Nodes 0 ..< n are sources, n ..< n + m sinks, n + m the root. Arcs i·m + j are real
    /// (source i → sink j); arc n·m + v is node v's artificial arc (v → root for a source,
    /// root → v for a sink).
    var parent: [Int32], predecessorArc: [Int], upward: [Bool], flow: [Double]
    var potential: [Double], depth: [Int32]
    var firstChild: [Int32], nextSibling: [Int32], previousSibling: [Int32]
    var nextArc = 0
    var root: Int { n + m }

    /// The first tree: every node a child of the root, over its artificial arc.
    init(cost: UnsafeBufferPointer<Double>, a: [Double], b: [Double], artificialCost: Double) {
        (n, m, self.cost) = (a.count, b.count, cost)
        let nodes = n + m + 1
        parent = [Int32](repeating: -1, count: nodes)
        predecessorArc = [Int](repeating: -1, count: nodes)
        upward = [Bool](repeating: false, count: nodes)
        flow = [Double](repeating: 0, count: nodes)
        potential = [Double](repeating: 0, count: nodes)
        depth = [Int32](repeating: 0, count: nodes)
        firstChild = [Int32](repeating: -1, count: nodes)
        nextSibling = [Int32](repeating: -1, count: nodes)
        previousSibling = [Int32](repeating: -1, count: nodes)
        for v in 0..<(n + m) {
            let source = v < n
            parent[v] = Int32(n + m)
            predecessorArc[v] = n * m + v
            upward[v] = source
            flow[v] = source ? a[v] : b[v - n]
            // Zero reduced cost on the artificial arc: M + π_v − π_root (source) or M + π_root − π_v (sink).
            potential[v] = source ? -artificialCost : artificialCost
            depth[v] = 1
            attach(v, to: n + m)
        }
    }

    /// The reduced cost of real arc source i → sink j.
    @inline(__always) func reducedCost(_ i: Int, _ j: Int) -> Double {
        cost[i * m + j] + potential[i] - potential[n + j]
    }

    /// The entering arc by block search from where the last search stopped: the most negative
    /// reduced cost below −`tolerance` in the first block that has one; nil at an optimum.
    mutating func enteringArc(blockSize: Int, tolerance: Double) -> Int? {
        let (arcs, n, m, cost, start) = (n * m, n, m, cost, nextArc)
        let (chosen, stop) = potential.withUnsafeBufferPointer { potential -> (Int, Int) in
            var best = -tolerance, chosen = -1, searched = 0
            var arc = start, i = arc / m, j = arc % m
            while searched < arcs {
                let end = min(searched + blockSize, arcs)
                while searched < end {
                    let reduced = cost[arc] + potential[i] - potential[n + j]
                    if reduced < best { (best, chosen) = (reduced, arc) }
                    searched += 1
                    arc += 1
                    j += 1
                    if j == m {
                        j = 0
                        i += 1
                        if arc == arcs { (arc, i) = (0, 0) }
                    }
                }
                if chosen >= 0 { break }
            }
            return (chosen, arc)
        }
        guard chosen >= 0 else { return nil }
        nextArc = stop
        return chosen
    }

    /// One pivot on real arc `entering` (source i → sink j, reduced cost negative): flow pushed
    /// around its cycle, the leaving arc dropped and the tree and potentials updated.
    mutating func pivot(_ entering: Int) {
        let p = entering / m, q = n + entering % m
        // The apex: where the paths from p and from q to the root meet.
        var (x, y) = (p, q)
        while x != y {
            if depth[x] >= depth[y] { x = Int(parent[x]) } else { y = Int(parent[y]) }
        }
        let apex = x
        // The cycle carries flow along p → q, up from q to the apex, down from the apex to p.
        // Blocking arcs are those whose flow falls: on p's side (flow runs parent → node) the
        // upward ones, on q's side (node → parent) the downward ones. Cunningham's rule: the
        // last blocking arc met from the apex, i.e. on q's side the one nearest the apex, else on
        // p's side the one nearest p.
        var delta = Double.infinity, leaving = -1, onSideOfP = true
        var u = p
        while u != apex {
            if upward[u], flow[u] < delta { (delta, leaving) = (flow[u], u) }
            u = Int(parent[u])
        }
        u = q
        while u != apex {
            if !upward[u], flow[u] <= delta { (delta, leaving, onSideOfP) = (flow[u], u, false) }
            u = Int(parent[u])
        }
        precondition(leaving >= 0, "network simplex: a cycle without a blocking arc (unbounded), which a transportation problem cannot have")
        if delta > 0 {
            u = p
            while u != apex {
                flow[u] += upward[u] ? -delta : delta
                u = Int(parent[u])
            }
            u = q
            while u != apex {
                flow[u] += upward[u] ? delta : -delta
                u = Int(parent[u])
            }
        }
        // The subtree below the leaving arc is re-hung from the entering arc at its end inside it.
        let (inside, outside) = onSideOfP ? (p, q) : (q, p)
        let reduced = reducedCost(p, q - n)
        let shift = inside == q ? reduced : -reduced
        // Reverse the path inside → leaving: each node's parent becomes the node below it.
        var node = inside, newParent = outside
        var arc = entering, arcUpward = inside == p, arcFlow = delta
        while true {
            let (oldParent, oldArc, oldUpward, oldFlow) = (Int(parent[node]), predecessorArc[node], upward[node], flow[node])
            detach(node)
            parent[node] = Int32(newParent)
            predecessorArc[node] = arc
            upward[node] = arcUpward
            flow[node] = arcFlow
            attach(node, to: newParent)
            if node == leaving { break }
            (newParent, node) = (node, oldParent)
            (arc, arcUpward, arcFlow) = (oldArc, !oldUpward, oldFlow)
        }
        // Potentials and depths of the re-hung subtree, depth first.
        var stack = [inside]
        while let v = stack.popLast() {
            potential[v] += shift
            depth[v] = depth[Int(parent[v])] + 1
            var child = firstChild[v]
            while child >= 0 {
                stack.append(Int(child))
                child = nextSibling[Int(child)]
            }
        }
    }

    mutating func attach(_ v: Int, to p: Int) {
        let head = firstChild[p]
        nextSibling[v] = head
        previousSibling[v] = -1
        if head >= 0 { previousSibling[Int(head)] = Int32(v) }
        firstChild[p] = Int32(v)
    }

    mutating func detach(_ v: Int) {
        let p = Int(parent[v])
        guard p >= 0 else { return }
        let (before, after) = (previousSibling[v], nextSibling[v])
        if before >= 0 { nextSibling[Int(before)] = after } else { firstChild[p] = after }
        if after >= 0 { previousSibling[Int(after)] = before }
        (nextSibling[v], previousSibling[v]) = (-1, -1)
    }
}
