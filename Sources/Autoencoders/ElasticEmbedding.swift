import Foundation
import Tensors

/// The terms of an elastic graph's energy (Albergante et al. 2020, Entropy 22:296, section 2,
/// "the elastic energy"; Gorban & Zinovyev 2009, "Principal graphs and manifolds"):
/// U = MSE + U_E + U_R with
///   MSE = (1/N) Σᵢ min(‖xᵢ − v_{k(i)}‖², R₀²)  (k(i): the node nearest to xᵢ; R₀ the trimming radius),
///   U_E = Σ_edges λ_e ‖v_a − v_b‖²,
///   U_R = Σ_stars μ_j ‖v_j − (1/deg j) Σ_{n ∼ j} v_n‖²  (a star: a node of degree ≥ 2 and its neighbours).
public struct ElasticEnergy: Sendable, Equatable, Codable {
    /// MSE: the mean squared distance of the points to their nearest nodes (R₀² beyond R₀).
    public var approximation: Double
    /// U_E, the stretching of the edges.
    public var edges: Double
    /// U_R, the bending of the stars (their deviation from harmonicity).
    public var stars: Double
    /// U.
    public var total: Double { approximation + edges + stars }

    public init(approximation: Double, edges: Double, stars: Double) {
        (self.approximation, self.edges, self.stars) = (approximation, edges, stars)
    }
}

/// The elastic moduli of a graph's edges and stars.
public struct ElasticModuli: Sendable, Equatable {
    /// λ_e per edge, in the graph's edge order.
    public var edges: [Double]
    /// μ_j per node (0 for nodes of degree < 2, which centre no star).
    public var stars: [Double]

    /// Uniform moduli: λ on every edge, raised by α·max(0, max(deg a, deg b) − 2) on edges that
    /// touch a branching node (ElPiGraph's penalised energy, which discourages branching), and
    /// μ on every node of degree ≥ 2.
    public init(_ graph: ElasticGraph, edge lambda: Double, star mu: Double, branchingPenalty alpha: Double = 0) {
        let degrees = graph.degrees
        edges = graph.edges.map { lambda + alpha * Double(max(0, max(degrees[$0.a], degrees[$0.b]) - 2)) }
        stars = degrees.map { $0 >= 2 ? mu : 0 }
    }
}

/// Points to be approximated by an elastic graph: `n × D`, centred (the embedding measures
/// relative node moves from the data's mean), with their squared norms in Double.
public struct PointCloud: Sendable {
    /// `n × D`, centred.
    public let points: Tensor
    /// ‖xᵢ‖², in Double.
    public let squaredNorms: [Double]
    /// The mean subtracted from the samples, `[D]`.
    public let mean: Tensor

    /// `samples` (`n × D`) centred at their mean.
    public init(_ samples: Tensor) {
        mean = samples.mean(alongAxis: 0)
        points = samples - mean.reshaped([1, samples.columns])
        squaredNorms = points.rowSquaredNorms()
    }

    public var count: Int { points.rows }
    public var dimension: Int { points.columns }
}

/// The nearest node of every point (−1 beyond the trimming radius) and the squared distance
/// to it.
public struct Partition: Sendable, Equatable {
    public var nodes: [Int]
    public var squaredDistances: [Double]

    public init(nodes: [Int], squaredDistances: [Double]) { (self.nodes, self.squaredDistances) = (nodes, squaredDistances) }
}

/// One elastic embedding of a fixed graph: the node positions that minimise the energy,
/// found by alternating the partition of the points with the exact solution of the linear
/// system for the node positions: ElPiGraph's base algorithm for a graph of fixed structure
/// (Albergante et al. 2020, section 2; Gorban & Zinovyev 2009, the splitting algorithm of
/// elastic maps).
public struct ElasticEmbedding: Sendable {
    /// The node positions, `k × D` in the point cloud's centred coordinates, in Double.
    public var nodes: Matrix
    /// The partition of the points by the final nodes.
    public var partition: Partition
    /// The energy of the final nodes and partition.
    public var energy: ElasticEnergy
    /// U after each iteration (after its solve and the partition by the new nodes): never
    /// increasing.
    public var energies: [Double]

    /// Embeds `graph` with `moduli` into `cloud`, starting from `nodes` (`k × D`) and from
    /// `start` (a partition by those nodes, when the caller knows one; computed otherwise).
    /// Stops when the largest relative squared move of a node, maxⱼ ‖v′ⱼ − vⱼ‖² / ‖v′ⱼ‖²
    /// (ElPiGraph's criterion, in centred coordinates), falls below `tolerance`, or after
    /// `maximumIterations`.
    /// - Throws: when no point lies within the trimming radius of a node.
    public init(_ cloud: PointCloud, graph: ElasticGraph, moduli: ElasticModuli, nodes start: Matrix, partition: Partition? = nil,
                trimmingRadius: Double? = nil, maximumIterations: Int, tolerance: Double) throws {
        var nodes = start
        var partition = partition ?? Self.partition(cloud, nodes: nodes, trimmingRadius: trimmingRadius)
        var energies: [Double] = []
        for _ in 0..<max(1, maximumIterations) {
            let solved = try Self.solve(cloud, graph: graph, moduli: moduli, partition: partition)
            let move = Self.largestRelativeMove(from: nodes, to: solved)
            nodes = solved
            partition = Self.partition(cloud, nodes: nodes, trimmingRadius: trimmingRadius)
            energies.append(Self.energy(cloud, graph: graph, moduli: moduli, nodes: nodes, partition: partition, trimmingRadius: trimmingRadius).total)
            if move < tolerance { break }
        }
        self.nodes = nodes
        self.partition = partition
        self.energy = Self.energy(cloud, graph: graph, moduli: moduli, nodes: nodes, partition: partition, trimmingRadius: trimmingRadius)
        self.energies = energies
    }

    /// The nearest node of each point by GEMM: ‖x − v‖² = ‖x‖² − 2x·v + ‖v‖², the nodes ranked
    /// in Float (the lowest index wins a tie) and the distance kept in Double; points farther
    /// than R₀ from every node get −1 (`Tensor.nearestCentresRankedInFloat`).
    public static func partition(_ cloud: PointCloud, nodes: Matrix, trimmingRadius: Double?) -> Partition {
        let (k, d) = (nodes.rows, cloud.dimension)
        let norms = (0..<k).map { j in (0..<d).reduce(0.0) { $0 + nodes[j, $1] * nodes[j, $1] } }
        // One thread: a graph's candidates are embedded in parallel already.
        let nearest = cloud.points.nearestCentresRankedInFloat(nodes.tensor, centreSquaredNorms: norms, rowSquaredNorms: cloud.squaredNorms,
                                                               beyond: trimmingRadius.map { $0 * $0 } ?? .infinity)
        return Partition(nodes: nearest.indices, squaredDistances: nearest.squaredDistances)
    }

    /// `partition` (by nodes that have not moved) updated for one more node at `position`:
    /// only the points nearer to it than to their own node change (their squared distances
    /// computed directly, in Double).
    public static func partition(_ partition: Partition, adding node: Int, at position: [Double], _ cloud: PointCloud, trimmingRadius: Double?) -> Partition {
        var updated = partition
        let limit = trimmingRadius.map { $0 * $0 } ?? .infinity
        for (i, squared) in cloud.points.squaredDistances(toPoint: position).enumerated() {
            let current = partition.nodes[i] < 0 ? Double.infinity : partition.squaredDistances[i]
            if squared < current, squared <= limit { (updated.nodes[i], updated.squaredDistances[i]) = (node, squared) }
        }
        return updated
    }

    /// The node positions minimising U for a fixed partition: setting ∂U/∂V = 0 gives
    /// (diag(nⱼ/N) + L_λ + L_μ)·V = S/N, with nⱼ and Sⱼ the count and sum of the points of node
    /// j, L_λ = Σ_e λ_e (e_a − e_b)(e_a − e_b)ᵀ and L_μ = Σ_j μ_j s_j s_jᵀ, s_j = e_j −
    /// (1/deg j) Σ_{n∼j} e_n. Symmetric positive definite on a connected graph with a point on
    /// some node: solved by Cholesky, in Double.
    public static func solve(_ cloud: PointCloud, graph: ElasticGraph, moduli: ElasticModuli, partition: Partition) throws -> Matrix {
        let (k, d, total) = (graph.nodeCount, cloud.dimension, Double(cloud.count))
        var system = Matrix(rows: k, columns: k, values: [Double](repeating: 0, count: k * k))
        let members = cloud.points.clusterSums(labels: partition.nodes, clusters: k)
        let (sums, counts) = (members.sums, members.counts)
        guard counts.contains(where: { $0 > 0 }) else {
            throw AutoencoderError("elastic graph: no point lies within the trimming radius of any node (raise the trimming radius)")
        }
        for j in 0..<k { system[j, j] += Double(counts[j]) / total }
        for (e, edge) in graph.edges.enumerated() {
            let lambda = moduli.edges[e]
            system[edge.a, edge.a] += lambda; system[edge.b, edge.b] += lambda
            system[edge.a, edge.b] -= lambda; system[edge.b, edge.a] -= lambda
        }
        for (j, neighbours) in graph.neighbours.enumerated() where moduli.stars[j] > 0 && neighbours.count >= 2 {
            // s_j: +1 at the centre, −1/deg at each neighbour.
            let weights = [(j, 1.0)] + neighbours.map { ($0, -1.0 / Double(neighbours.count)) }
            for (r, wr) in weights { for (c, wc) in weights { system[r, c] += moduli.stars[j] * wr * wc } }
        }
        // All D coordinates at once: one right-hand side per column of the sums.
        return try CholeskyDecomposition(system).solve(Matrix(rows: k, columns: d, values: sums.map { $0 / total }))
    }

    /// U of `nodes` with `partition`.
    public static func energy(_ cloud: PointCloud, graph: ElasticGraph, moduli: ElasticModuli, nodes: Matrix, partition: Partition,
                              trimmingRadius: Double?) -> ElasticEnergy {
        let trimmed = trimmingRadius.map { $0 * $0 } ?? 0
        let approximation = zip(partition.nodes, partition.squaredDistances).reduce(0.0) { $0 + ($1.0 < 0 ? trimmed : $1.1) } / Double(cloud.count)
        let d = nodes.columns
        func squaredDistance(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
        let rows = (0..<nodes.rows).map { j in Array(nodes.values[(j * d)..<((j + 1) * d)]) }
        let edges = zip(graph.edges, moduli.edges).reduce(0.0) { $0 + $1.1 * squaredDistance(rows[$1.0.a], rows[$1.0.b]) }
        var stars = 0.0
        for (j, neighbours) in graph.neighbours.enumerated() where moduli.stars[j] > 0 && neighbours.count >= 2 {
            let centre = (0..<d).map { c in neighbours.reduce(0.0) { $0 + rows[$1][c] } / Double(neighbours.count) }
            stars += moduli.stars[j] * squaredDistance(rows[j], centre)
        }
        return ElasticEnergy(approximation: approximation, edges: edges, stars: stars)
    }

    /// maxⱼ ‖bⱼ − aⱼ‖² / ‖bⱼ‖² (a node at the origin counts its move against 1).
    static func largestRelativeMove(from a: Matrix, to b: Matrix) -> Double {
        let d = a.columns
        var largest = 0.0
        for j in 0..<a.rows {
            var move = 0.0, norm = 0.0
            for c in 0..<d { let t = b[j, c] - a[j, c]; move += t * t; norm += b[j, c] * b[j, c] }
            largest = max(largest, move / (norm > 0 ? norm : 1))
        }
        return largest
    }
}
