import Foundation

/// The structure of an elastic principal graph: nodes numbered 0 ..< `nodeCount`, undirected
/// edges, and the graph grammar that grows and shrinks it (Gorban, Sumner & Zinovyev 2007,
/// "Topological grammars for data approximation"; Albergante et al. 2020, "Robust and scalable
/// learning of complex intrinsic dataset geometry via ElPiGraph", Entropy 22:296, section 2.3).
///
/// Node positions are not part of the structure: an operation says where its new node goes as
/// a ``Placement``, and the embedding computes it.
public struct ElasticGraph: Sendable, Equatable, Codable {
    /// An undirected edge between nodes `a` and `b` (`a` is where an edge's position 0 lies).
    public struct Edge: Sendable, Equatable, Codable, Hashable {
        public var a: Int, b: Int
        public init(_ a: Int, _ b: Int) { (self.a, self.b) = (a, b) }
        /// The other end of the edge from `node`.
        public func other(_ node: Int) -> Int { node == a ? b : a }
    }

    /// One operation of the graph grammar.
    public enum Operation: Sendable, Equatable, Hashable, CustomStringConvertible {
        /// Grow: a new node at the midpoint of the edge, which it splits in two.
        case bisectEdge(Int)
        /// Grow: a new leaf attached to the node.
        case addNode(to: Int)
        /// Shrink: the leaf and its edge removed.
        case removeLeaf(Int)
        /// Shrink: the edge's two ends merged into one node at their midpoint, which keeps both
        /// ends' other edges (only edges between two non-leaves: a leaf's edge is `removeLeaf`).
        case shrinkEdge(Int)

        public var description: String {
            switch self {
            case .bisectEdge(let e): "bisect edge \(e)"
            case .addNode(let node): "add a node to node \(node)"
            case .removeLeaf(let node): "remove leaf \(node)"
            case .shrinkEdge(let e): "shrink edge \(e)"
            }
        }
        /// Whether the operation adds a node (the new graph is then the old one, nodes and
        /// numbering kept, plus one node at the end).
        public var grows: Bool {
            switch self { case .bisectEdge, .addNode: true; case .removeLeaf, .shrinkEdge: false }
        }
    }

    /// Where an operation puts the nodes of the new graph, from the old graph's positions.
    public struct Placement: Sendable, Equatable {
        /// How the one node without an old position is placed.
        public enum NewNode: Sendable, Equatable {
            /// At the mean of two old nodes (a bisected edge's ends, a shrunk edge's ends).
            case midpoint(Int, Int)
            /// A leaf's new neighbour, on the far side of the leaf: 2·v_leaf − v_neighbour.
            case extending(leaf: Int, from: Int)
            /// A non-leaf's new neighbour, at the mean of the data points whose nearest node is
            /// that node (the node's own place when it has none).
            case meanOfPoints(of: Int)
        }

        /// For each node of the new graph, the old node whose position it keeps; nil for the
        /// node placed by `new`.
        public var old: [Int?]
        public var new: NewNode?
    }

    public private(set) var nodeCount: Int
    public private(set) var edges: [Edge]

    /// A graph of `nodeCount` nodes and `edges`; every edge must join two different nodes in
    /// range, once.
    public init(nodeCount: Int, edges: [Edge]) throws {
        guard nodeCount >= 1 else { throw AutoencoderError("an elastic graph needs at least one node, got \(nodeCount)") }
        var seen = Set<Edge>()
        for (index, edge) in edges.enumerated() {
            guard (0..<nodeCount).contains(edge.a), (0..<nodeCount).contains(edge.b), edge.a != edge.b else {
                throw AutoencoderError("elastic graph: edge \(index) joins nodes \(edge.a) and \(edge.b); nodes are 0 … \(nodeCount - 1), two different ones")
            }
            guard seen.insert(Edge(min(edge.a, edge.b), max(edge.a, edge.b))).inserted else {
                throw AutoencoderError("elastic graph: edge \(index) joins nodes \(edge.a) and \(edge.b) a second time")
            }
        }
        (self.nodeCount, self.edges) = (nodeCount, edges)
    }

    /// A path 0 – 1 – … – (n − 1).
    public static func path(_ n: Int) -> ElasticGraph {
        try! ElasticGraph(nodeCount: n, edges: (0..<(n - 1)).map { Edge($0, $0 + 1) })
    }

    /// A cycle 0 – 1 – … – (n − 1) – 0 (n ≥ 3).
    public static func cycle(_ n: Int) -> ElasticGraph {
        try! ElasticGraph(nodeCount: n, edges: (0..<n).map { Edge($0, ($0 + 1) % n) })
    }

    /// The number of edges at each node.
    public var degrees: [Int] {
        var degrees = [Int](repeating: 0, count: nodeCount)
        for edge in edges { degrees[edge.a] += 1; degrees[edge.b] += 1 }
        return degrees
    }

    /// Each node's neighbours, in the order of the edges.
    public var neighbours: [[Int]] {
        var neighbours = [[Int]](repeating: [], count: nodeCount)
        for edge in edges { neighbours[edge.a].append(edge.b); neighbours[edge.b].append(edge.a) }
        return neighbours
    }

    /// ElPiGraph's barcode: the counts of nodes of degree ≥ 3, from the highest degree down to 3,
    /// then `||` and the number of nodes (`1||100`: one node of degree 3 among 100; `0||30`
    /// for a curve). Written `k₃` for degree 3, `k₄|k₃` with degree-4 nodes, and so on.
    public var barcode: String {
        let degrees = degrees
        let highest = max(3, degrees.max() ?? 0)
        let counts = stride(from: highest, through: 3, by: -1).map { d in degrees.filter { $0 == d }.count }
        return counts.map(String.init).joined(separator: "|") + "||\(nodeCount)"
    }

    /// The operations of `grammar` that apply to this graph, in a fixed order (by kind, then by
    /// edge or node index).
    public func candidates(_ grammar: [Operation.Kind]) -> [Operation] {
        let degrees = degrees
        return grammar.flatMap { kind -> [Operation] in
            switch kind {
            case .bisectEdge: return edges.indices.map { .bisectEdge($0) }
            case .addNode: return (0..<nodeCount).map { .addNode(to: $0) }
            case .removeLeaf: return nodeCount > 2 ? (0..<nodeCount).filter { degrees[$0] == 1 }.map { .removeLeaf($0) } : []
            case .shrinkEdge:
                // Ends with a common neighbour (a triangle) would merge two edges into one.
                let neighbours = neighbours
                return nodeCount > 2 ? edges.indices.filter { e in
                    let (a, b) = (edges[e].a, edges[e].b)
                    return degrees[a] >= 2 && degrees[b] >= 2 && Set(neighbours[a]).isDisjoint(with: neighbours[b])
                }.map { .shrinkEdge($0) } : []
            }
        }
    }

    /// The graph after `operation`, and where its nodes go.
    public func applying(_ operation: Operation) -> (graph: ElasticGraph, placement: Placement) {
        let kept: [Int?] = Array(0..<nodeCount)
        switch operation {
        case .bisectEdge(let e):
            let (edge, new) = (edges[e], nodeCount)
            var edges = self.edges
            edges[e] = Edge(edge.a, new)
            edges.append(Edge(new, edge.b))
            return (try! ElasticGraph(nodeCount: nodeCount + 1, edges: edges), Placement(old: kept + [nil], new: .midpoint(edge.a, edge.b)))
        case .addNode(let node):
            let graph = try! ElasticGraph(nodeCount: nodeCount + 1, edges: edges + [Edge(node, nodeCount)])
            let neighbours = self.neighbours[node]
            let new: Placement.NewNode = neighbours.count == 1 ? .extending(leaf: node, from: neighbours[0]) : .meanOfPoints(of: node)
            return (graph, Placement(old: kept + [nil], new: new))
        case .removeLeaf(let leaf):
            // Nodes after the leaf move down by one.
            let renumber = { (node: Int) in node > leaf ? node - 1 : node }
            let edges = self.edges.filter { $0.a != leaf && $0.b != leaf }.map { Edge(renumber($0.a), renumber($0.b)) }
            return (try! ElasticGraph(nodeCount: nodeCount - 1, edges: edges), Placement(old: kept.filter { $0 != leaf }, new: nil))
        case .shrinkEdge(let e):
            // The edge's higher end goes; its lower end becomes the merged node, at the midpoint.
            let (keep, drop) = (min(edges[e].a, edges[e].b), max(edges[e].a, edges[e].b))
            let renumber = { (node: Int) in node == drop ? keep : (node > drop ? node - 1 : node) }
            var edges: [Edge] = []
            for (index, edge) in self.edges.enumerated() where index != e { edges.append(Edge(renumber(edge.a), renumber(edge.b))) }
            let old = kept.filter { $0 != drop }.map { $0 == keep ? nil : $0 }
            return (try! ElasticGraph(nodeCount: nodeCount - 1, edges: edges), Placement(old: old, new: .midpoint(keep, drop)))
        }
    }

    /// Whether every node can be reached from node 0.
    public var isConnected: Bool {
        let neighbours = neighbours
        var seen = [Bool](repeating: false, count: nodeCount)
        var stack = [0]
        seen[0] = true
        while let node = stack.popLast() {
            for next in neighbours[node] where !seen[next] { seen[next] = true; stack.append(next) }
        }
        return !seen.contains(false)
    }
}

extension ElasticGraph.Operation {
    /// The kinds of operation, to name a grammar.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case bisectEdge = "bisect-edge", addNode = "add-node", removeLeaf = "remove-leaf", shrinkEdge = "shrink-edge"
    }
}
