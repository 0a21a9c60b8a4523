import Foundation
import Tensors

extension PrincipalGraph {
    /// Each sample's projection onto the graph: the nearest point of any edge, as the edge, the
    /// position t ∈ [0, 1] along it from its first node, and the squared distance. For edge
    /// (a, b): t = clamp((x − v_a)·(v_b − v_a) / ‖v_b − v_a‖², 0, 1). Computed row by row in
    /// Double (a sample's projection does not depend on the others); ties go to the lower edge.
    public func project(_ samples: Tensor) -> (edges: [Int], positions: [Double], squaredDistances: [Double]) {
        let (n, d) = (samples.rows, inputSize)
        let v = nodes.scalars.map(Double.init)
        let edges = graph.edges
        // Per edge: v_a, the direction b − a and its squared length.
        let directions = edges.map { edge in (0..<d).map { v[edge.b * d + $0] - v[edge.a * d + $0] } }
        let lengths = directions.map { $0.reduce(0) { $0 + $1 * $1 } }
        var chosen = [Int](repeating: 0, count: n), positions = [Double](repeating: 0, count: n), distances = [Double](repeating: 0, count: n)
        samples.withUnsafeBufferPointer { x in
            chosen.withUnsafeMutableBufferPointer { chosenOut in
                positions.withUnsafeMutableBufferPointer { positionsOut in
                    distances.withUnsafeMutableBufferPointer { distancesOut in
                        nonisolated(unsafe) let (x, chosenOut, positionsOut, distancesOut) = (x, chosenOut, positionsOut, distancesOut)
                        forEachChunk(of: n, minimumChunk: max(1, (1 << 16) / max(1, edges.count * d))) { rows in
                            var offset = [Double](repeating: 0, count: d)
                            for i in rows {
                                var best = (edge: 0, t: 0.0, squared: Double.infinity)
                                for (e, edge) in edges.enumerated() {
                                    var along = 0.0
                                    for c in 0..<d {
                                        offset[c] = Double(x[i * d + c]) - v[edge.a * d + c]
                                        along += offset[c] * directions[e][c]
                                    }
                                    let t = lengths[e] > 0 ? min(1, max(0, along / lengths[e])) : 0
                                    var squared = 0.0
                                    for c in 0..<d { let r = offset[c] - t * directions[e][c]; squared += r * r }
                                    if squared < best.squared { best = (e, t, squared) }
                                }
                                (chosenOut[i], positionsOut[i], distancesOut[i]) = best
                            }
                        }
                    }
                }
            }
        }
        return (chosen, positions, distances)
    }

    /// The nodes of a curve (from its lowest-numbered end) or a circle (from node 0 towards its
    /// first neighbour, ending at node 0 again) in order, and the arc length at each.
    static func arcLengths(_ graph: ElasticGraph, nodes: Tensor, closed: Bool) -> (path: [Int], lengths: [Double]) {
        let neighbours = graph.neighbours
        let start = closed ? 0 : (neighbours.firstIndex { $0.count == 1 } ?? 0)
        var path = [start]
        var previous = -1, current = start
        while let next = neighbours[current].first(where: { $0 != previous && ($0 != start || closed) }), path.count <= graph.nodeCount {
            path.append(next)
            (previous, current) = (current, next)
            if next == start { break }
        }
        let d = nodes.columns
        var lengths = [0.0]
        for (a, b) in zip(path, path.dropFirst()) {
            let length = (0..<d).reduce(0.0) { sum, c in let t = Double(nodes[b, c]) - Double(nodes[a, c]); return sum + t * t }.squareRoot()
            lengths.append(lengths.last! + length)
        }
        return (path, lengths)
    }

    /// The total arc length of a curve, or the perimeter of a circle.
    public var length: Double { configuration.topology == .tree ? graph.edges.indices.reduce(0) { $0 + edgeLength($1) } : arcLengths.last ?? 0 }

    func edgeLength(_ e: Int) -> Double {
        let edge = graph.edges[e]
        return (0..<inputSize).reduce(0.0) { sum, c in let t = Double(nodes[edge.b, c]) - Double(nodes[edge.a, c]); return sum + t * t }.squareRoot()
    }

    /// Curves and circles: the arc length of each projected point from the path's start.
    func intrinsicCoordinates(_ projection: (edges: [Int], positions: [Double], squaredDistances: [Double])) -> [Double] {
        // Each edge's place on the path: the segment index and whether it runs a → b.
        var segment = [Int: (index: Int, forward: Bool)]()
        for (index, (a, b)) in zip(path, path.dropFirst()).enumerated() {
            if let e = graph.edges.firstIndex(of: ElasticGraph.Edge(a, b)) { segment[e] = (index, true) }
            else if let e = graph.edges.firstIndex(of: ElasticGraph.Edge(b, a)) { segment[e] = (index, false) }
        }
        return zip(projection.edges, projection.positions).map { e, t in
            let (index, forward) = segment[e]!
            let length = arcLengths[index + 1] - arcLengths[index]
            return arcLengths[index] + (forward ? t : 1 - t) * length
        }
    }

    /// Curves and circles: the edge and position of the point at arc length `s` (clamped to the
    /// curve's ends; taken modulo the perimeter on a circle).
    func place(atArcLength s: Double) -> (edge: Int, position: Double) {
        let total = arcLengths.last ?? 0
        var s = s.isFinite ? s : 0
        if configuration.topology == .circle, total > 0 { s = s - (s / total).rounded(.down) * total } else { s = min(max(s, 0), total) }
        // The last segment whose start is at or before s.
        var index = 0
        while index + 2 < arcLengths.count, arcLengths[index + 1] <= s { index += 1 }
        let (a, b) = (path[index], path[index + 1])
        let length = arcLengths[index + 1] - arcLengths[index]
        let t = length > 0 ? (s - arcLengths[index]) / length : 0
        if let e = graph.edges.firstIndex(of: ElasticGraph.Edge(a, b)) { return (e, t) }
        return (graph.edges.firstIndex(of: ElasticGraph.Edge(b, a))!, 1 - t)
    }

    /// The branches of the graph: maximal paths whose inner nodes have degree 2, between nodes
    /// of degree ≠ 2 (leaves and branching nodes), numbered in the order of their first edge.
    /// Returns the branch of each edge. A curve is one branch; a circle is one branch.
    public var branchOfEdge: [Int] {
        let degrees = graph.degrees, neighbours = graph.neighbours
        var branch = [Int](repeating: -1, count: graph.edges.count)
        var edgeIndex = [ElasticGraph.Edge: Int]()
        for (e, edge) in graph.edges.enumerated() { edgeIndex[edge] = e; edgeIndex[ElasticGraph.Edge(edge.b, edge.a)] = e }
        var count = 0
        for e in graph.edges.indices where branch[e] < 0 {
            // Walk both ways from the edge through nodes of degree 2.
            branch[e] = count
            for start in [graph.edges[e].a, graph.edges[e].b] {
                var (previous, current) = (graph.edges[e].other(start), start)
                while degrees[current] == 2 {
                    let next = neighbours[current].first { $0 != previous }!
                    let nextEdge = edgeIndex[ElasticGraph.Edge(current, next)]!
                    if branch[nextEdge] >= 0 { break }
                    branch[nextEdge] = count
                    (previous, current) = (current, next)
                }
            }
            count += 1
        }
        return branch
    }

    /// The branch of each code's point (see ``branchOfEdge``).
    public func branches(of codes: Tensor) throws -> [Int] {
        let placesByEdge = try places(of: codes)
        let branch = branchOfEdge
        return placesByEdge.map { branch[$0.edge] }
    }

    /// The distance along the graph from node `root` to each code's point (pseudotime), for
    /// curves and trees. The default root is the lowest-numbered leaf.
    /// - Throws: on a circle (no unique path), or when `root` is not a node.
    public func pseudotime(of codes: Tensor, root: Int? = nil) throws -> [Double] {
        guard configuration.topology != .circle else { throw AutoencoderError("principal graph: a circle has no pseudotime (use its arc-length code)") }
        let root = root ?? (graph.degrees.firstIndex(of: 1) ?? 0)
        guard (0..<graph.nodeCount).contains(root) else {
            throw AutoencoderError("principal graph: root \(root) is not a node (nodes 0 … \(graph.nodeCount - 1))")
        }
        // Distances from the root along the tree's edges.
        var distance = [Double](repeating: .infinity, count: graph.nodeCount)
        distance[root] = 0
        var stack = [root]
        let incident = graph.edges.indices.reduce(into: [[Int]](repeating: [], count: graph.nodeCount)) { lists, e in
            lists[graph.edges[e].a].append(e); lists[graph.edges[e].b].append(e)
        }
        while let node = stack.popLast() {
            for e in incident[node] {
                let next = graph.edges[e].other(node)
                if distance[next].isInfinite { distance[next] = distance[node] + edgeLength(e); stack.append(next) }
            }
        }
        return try places(of: codes).map { place in
            let edge = graph.edges[place.edge]
            let length = edgeLength(place.edge)
            return distance[edge.a] <= distance[edge.b] ? distance[edge.a] + place.position * length : distance[edge.b] + (1 - place.position) * length
        }
    }

    /// The edge and position of each code's point.
    func places(of codes: Tensor) throws -> [(edge: Int, position: Double)] {
        guard codes.rank == 2, codes.columns == codeSize else {
            throw AutoencoderError("principal graph: codes of width \(codeSize) expected; got shape \(codes.shape)")
        }
        if configuration.topology != .tree { return (0..<codes.rows).map { place(atArcLength: Double(codes[$0, 0])) } }
        return try (0..<codes.rows).map { r in
            let value = codes[r, 0]
            guard value.isFinite, value.rounded() == value, (0..<graph.edges.count).contains(Int(value)) else {
                throw AutoencoderError("principal graph: code row \(r) names edge \(value); the tree's edges are 0 … \(graph.edges.count - 1)")
            }
            return (Int(value), Double(codes[r, 1]))
        }
    }

    /// A code that DECODE maps onto each node, `k × d`: the node's arc length on curves and
    /// circles; on trees an edge at the node and the position 0 or 1 there. Through a scaling
    /// wrapper's DECODE, the nodes in the data's own units.
    public var nodeCodes: Tensor {
        switch configuration.topology {
        case .tree:
            let incident = (0..<graph.nodeCount).map { node in graph.edges.firstIndex { $0.a == node || $0.b == node }! }
            return Tensor(shape: [graph.nodeCount, 2]) { index in
                let (node, column) = (index / 2, index % 2)
                let e = incident[node]
                return column == 0 ? Float(e) : (graph.edges[e].a == node ? 0 : 1)
            }
        case .curve, .circle:
            var length = [Double](repeating: 0, count: graph.nodeCount)
            // A circle's path ends at its first node again: the first arc length wins.
            for (node, s) in zip(path, arcLengths).reversed() { length[node] = s }
            return Tensor(shape: [graph.nodeCount, 1]) { Float(length[$0]) }
        }
    }
}
