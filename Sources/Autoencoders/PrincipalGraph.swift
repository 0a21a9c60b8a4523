import DataFormats
import Foundation
import NeuralNetworks
import Tensors

/// An elastic principal graph (Gorban & Zinovyev; Albergante et al. 2020, "Robust and scalable
/// learning of complex intrinsic dataset geometry via ElPiGraph", Entropy 22:296): a graph of
/// nodes embedded in data space that approximates the data, grown by a graph grammar that at
/// each step keeps the candidate of least elastic energy (``ElasticEnergy``). Curves, closed
/// curves and trees: structures a manifold cannot describe (a one-unit bottleneck must tear a
/// circle; no manifold branches).
///
/// As an autoencoder: ENCODE projects a sample onto the nearest point of the graph's edges,
/// DECODE returns that point. The code is the intrinsic coordinate on curves and circles (the
/// arc length from the curve's first end, or around the circle from node 0: one column), and
/// on trees the edge and the position along it (two columns: edge index, t ∈ [0, 1] from the
/// edge's first node); ``branches(of:)`` and ``pseudotime(of:root:)`` read a tree's codes.
public struct PrincipalGraph: Autoencoder {
    /// Hyperparameters (ElPiGraph's published defaults).
    public struct Configuration: Codable, Sendable, Equatable {
        /// The kind of graph, which fixes the start and the grammar.
        public enum Topology: String, Codable, Sendable, Equatable, CaseIterable {
            /// An open curve: a path grown by bisecting edges.
            case curve
            /// A closed curve: a cycle grown by bisecting edges.
            case circle
            /// A tree: per cycle two steps of growth (bisect an edge or add a node to a node),
            /// then one of shrinking (remove a leaf or shrink an internal edge).
            case tree
        }

        public var topology: Topology
        /// The number of nodes of the final graph.
        public var nodes: Int
        /// λ, the elastic modulus of the edges (U_E).
        public var edgeElasticity: Double
        /// μ, the elastic modulus of the stars (U_R).
        public var starElasticity: Double
        /// α, the branching penalty: λ_e + α·max(0, max degree of the edge's ends − 2).
        public var branchingPenalty: Double
        /// R₀: points farther than this from every node count R₀² and do not move the nodes
        /// (robust principal graphs); nil: no trimming.
        public var trimmingRadius: Double?
        /// The most iterations of one embedding.
        public var maximumIterations: Int
        /// ε: an embedding stops when the largest relative squared node move falls below it.
        public var tolerance: Double
        /// The nodes of the starting graph, placed from PCA.
        public var initialNodes: Int

        public init(topology: Topology, nodes: Int, edgeElasticity: Double = 0.01, starElasticity: Double = 0.1, branchingPenalty: Double = 0,
                    trimmingRadius: Double? = nil, maximumIterations: Int = 10, tolerance: Double = 0.01, initialNodes: Int = 3) {
            self.topology = topology
            self.nodes = nodes
            self.edgeElasticity = edgeElasticity
            self.starElasticity = starElasticity
            self.branchingPenalty = branchingPenalty
            self.trimmingRadius = trimmingRadius
            self.maximumIterations = maximumIterations
            self.tolerance = tolerance
            self.initialNodes = initialNodes
        }

        /// The grammar of each step of one growth cycle.
        var cycle: [[ElasticGraph.Operation.Kind]] {
            switch topology {
            case .curve, .circle: [[.bisectEdge]]
            case .tree: [[.bisectEdge, .addNode], [.bisectEdge, .addNode], [.removeLeaf, .shrinkEdge]]
            }
        }
    }

    /// One step of the growth: the operation the grammar chose and the energy after it.
    public struct GrowthStep: Codable, Sendable, Equatable {
        /// What was done ("initial graph", "bisect edge 3", …).
        public var operation: String
        public var nodes: Int
        public var barcode: String
        public var energy: ElasticEnergy
        /// Iterations of the chosen candidate's embedding.
        public var iterations: Int
        /// Candidates embedded to choose this step.
        public var candidates: Int
    }

    public static let methodName = "principal-graph"
    public let configuration: Configuration
    public let graph: ElasticGraph
    /// The node positions, `k × D`.
    public let nodes: Tensor
    /// The growth, step by step.
    public let growth: [GrowthStep]

    public var inputSize: Int { nodes.columns }
    public var codeSize: Int { configuration.topology == .tree ? 2 : 1 }
    /// The energy of the final graph.
    public var energy: ElasticEnergy? { growth.last?.energy }

    /// A model from its parts; `nodes` is `k × D` for the graph's k nodes.
    public init(configuration: Configuration, graph: ElasticGraph, nodes: Tensor, growth: [GrowthStep]) throws {
        guard nodes.rank == 2, nodes.rows == graph.nodeCount, !graph.edges.isEmpty, graph.isConnected else {
            throw AutoencoderError("principal graph: \(graph.nodeCount) nodes with \(graph.edges.count) edges (connected: \(graph.isConnected)) and node positions of shape \(nodes.shape) do not make a graph")
        }
        if configuration.topology != .circle, graph.edges.count != graph.nodeCount - 1 {
            throw AutoencoderError("principal graph: a \(configuration.topology.rawValue) of \(graph.nodeCount) nodes has \(graph.nodeCount - 1) edges, not \(graph.edges.count)")
        }
        if configuration.topology != .tree, graph.degrees.contains(where: { $0 > 2 }) {
            throw AutoencoderError("principal graph: a \(configuration.topology.rawValue) has no node of degree above 2")
        }
        (self.configuration, self.graph, self.nodes, self.growth) = (configuration, graph, nodes, growth)
        (path, arcLengths) = configuration.topology == .tree ? ([], []) : Self.arcLengths(graph, nodes: nodes, closed: configuration.topology == .circle)
    }

    /// Curves and circles: the nodes in order along the curve (a circle's first node again at
    /// the end), and the arc length from the first at each.
    let path: [Int], arcLengths: [Double]

    // MARK: Autoencoder

    public func encodeUnchecked(_ samples: Tensor) -> Tensor {
        let projection = project(samples)
        switch configuration.topology {
        case .tree:
            return Tensor(shape: [samples.rows, 2]) { index in
                index % 2 == 0 ? Float(projection.edges[index / 2]) : Float(projection.positions[index / 2])
            }
        case .curve, .circle:
            let coordinates = intrinsicCoordinates(projection)
            return Tensor(shape: [samples.rows, 1]) { Float(coordinates[$0]) }
        }
    }

    public func decodeUnchecked(_ codes: Tensor) throws -> Tensor {
        let d = inputSize
        let places = try places(of: codes)
        return nodes.withUnsafeBufferPointer { v in
            Tensor(shape: [codes.rows, d]) { index in
                let (row, c) = (index / d, index % d)
                let edge = graph.edges[places[row].edge]
                let t = Float(places[row].position)
                return v[edge.a * d + c] + t * (v[edge.b * d + c] - v[edge.a * d + c])
            }
        }
    }

    public var stateTensors: [(name: String, tensor: Tensor)] {
        [("nodes", nodes), ("edges", Tensor(shape: [graph.edges.count, 2]) { Float($0 % 2 == 0 ? graph.edges[$0 / 2].a : graph.edges[$0 / 2].b) })]
    }

    public init(configuration: Configuration, state: SafeTensorsFile, file: String) throws {
        let nodes = try state.tensor("nodes", file: file)
        let edges = try state.tensor("edges", file: file)
        guard nodes.rank == 2, edges.rank == 2, edges.columns == 2 else {
            throw DataFormatError(file, .entry("tensor 'edges'"), "shape \(edges.shape) with nodes \(nodes.shape): expected [E, 2] and [k, D]")
        }
        let pairs = try (0..<edges.rows).map { e -> ElasticGraph.Edge in
            let (a, b) = (edges[e, 0], edges[e, 1])
            guard a.rounded() == a, b.rounded() == b, a >= 0, b >= 0, a < Float(nodes.rows), b < Float(nodes.rows) else {
                throw DataFormatError(file, .entry("tensor 'edges'"), "row \(e) joins \(a) and \(b): not nodes 0 … \(nodes.rows - 1)")
            }
            return ElasticGraph.Edge(Int(a), Int(b))
        }
        let growth = try state.value(of: ModelFileSchema.principalGraphGrowth, file: file) ?? []
        do {
            try self.init(configuration: configuration, graph: try ElasticGraph(nodeCount: nodes.rows, edges: pairs), nodes: nodes, growth: growth)
        } catch let error as AutoencoderError {
            throw DataFormatError(file, .entry("tensor 'edges'"), error.message)
        }
    }

    public func modelFile() throws -> SafeTensorsFile {
        var file = try SafeTensorsFile(method: Self.methodName, configuration: configuration, tensors: stateTensors)
        try file.set(ModelFileSchema.principalGraphGrowth, to: growth)
        return file
    }
}

/// Hyperparameters added after a file was written read as their defaults.
extension PrincipalGraph.Configuration {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(topology: try c.decode(Topology.self, forKey: .topology), nodes: try c.decode(Int.self, forKey: .nodes))
        edgeElasticity = try c.decode(.edgeElasticity, or: edgeElasticity)
        starElasticity = try c.decode(.starElasticity, or: starElasticity)
        branchingPenalty = try c.decode(.branchingPenalty, or: branchingPenalty)
        trimmingRadius = try c.decodeIfPresent(Double.self, forKey: .trimmingRadius)
        maximumIterations = try c.decode(.maximumIterations, or: maximumIterations)
        tolerance = try c.decode(.tolerance, or: tolerance)
        initialNodes = try c.decode(.initialNodes, or: initialNodes)
    }
}

extension PrincipalGraph.Configuration: HyperparameterDeclaring {
    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.topology, "topology", "The kind of graph: curve (open), circle (closed) or tree.", default: .required),
        .init(\.nodes, "nodes", "The number of nodes of the final graph.", .atLeast(2), default: .required),
        .init(\.edgeElasticity, "edgeElasticity", "λ, the elastic modulus of the edges.", .greaterThan(0)),
        .init(\.starElasticity, "starElasticity", "μ, the elastic modulus of the stars (bending).", .atLeast(0)),
        .init(\.branchingPenalty, "branchingPenalty", "α, the branching penalty added to λ on edges at nodes of degree above 2.", .atLeast(0)),
        .init(\.trimmingRadius, "trimmingRadius",
              "R₀: points farther than this from every node count R₀² and do not pull the nodes (robust graphs).", .greaterThan(0)),
        .init(\.maximumIterations, "maximumIterations", "The most iterations of one embedding.", .atLeast(1)),
        .init(\.tolerance, "tolerance", "ε: an embedding stops when the largest relative squared node move falls below it.", .greaterThan(0)),
        .init(\.initialNodes, "initialNodes", "The nodes of the starting graph, placed by PCA (at least 2 for a curve, 3 otherwise).", .atLeast(2)),
    ]

    /// ElPiGraph's published defaults, for a curve of two nodes (the topology and the nodes have no default).
    public static var defaults: Self { Self(topology: .curve, nodes: 2) }
}
