import Foundation
import Tensors

extension PrincipalGraph {
    /// Progress of a fit: the step just taken.
    public struct GrowthProgress: Sendable {
        public var step: GrowthStep
        /// The node count to reach.
        public var targetNodes: Int
    }

    /// Fits an elastic principal graph to `samples` (`n × D`): the starting graph from PCA
    /// (``Configuration/initialNodes`` nodes along the first principal axis for curves and
    /// trees, ±σ₁; on the ellipse of the first two axes for circles), embedded; then growth
    /// steps until the graph has ``Configuration/nodes`` nodes. Each step embeds every candidate
    /// the step's grammar offers (in parallel: they are independent) and keeps the one of least
    /// energy, the lowest-numbered on a tie: ElPiGraph's graph-grammar optimisation (Albergante et
    /// al. 2020, section 2; Gorban, Sumner & Zinovyev 2007). Deterministic:
    /// PCA's exact solver draws nothing, the generator is not used, and the result does not
    /// depend on the threads of `settings`, which embed the candidates.
    public static func fit(_ samples: Tensor, configuration: Configuration, using generator: inout RandomGenerator,
                           settings: ComputeSettings = .current, progress: (GrowthProgress) -> Void = { _ in }) throws -> PrincipalGraph {
        try checkTrainingSamples(samples, method: "principal graph")
        let c = configuration
        let (n, d) = (samples.rows, samples.columns)
        try c.checkRanges("principal graph")
        let smallest = c.topology == .curve ? 2 : 3
        guard c.initialNodes >= smallest, c.nodes >= c.initialNodes, c.nodes <= n else {
            throw AutoencoderError("principal graph: a \(c.topology.rawValue) needs at least \(smallest) initial nodes and at most as many nodes as samples (\(n)); got \(c.initialNodes) initial and \(c.nodes) nodes")
        }
        guard c.topology != .circle || d >= 2 else { throw AutoencoderError("principal graph: a circle needs samples of at least 2 features; got \(d)") }
        let cloud = PointCloud(samples)
        var graph = c.topology == .circle ? ElasticGraph.cycle(c.initialNodes) : .path(c.initialNodes)
        var embedding = try ElasticEmbedding(cloud, graph: graph, moduli: moduli(graph, c), nodes: try initialNodes(cloud, c, using: &generator),
                                             trimmingRadius: c.trimmingRadius, maximumIterations: c.maximumIterations, tolerance: c.tolerance)
        var growth = [GrowthStep(operation: "initial graph", nodes: graph.nodeCount, barcode: graph.barcode, energy: embedding.energy,
                                 iterations: embedding.energies.count, candidates: 1)]
        progress(GrowthProgress(step: growth[0], targetNodes: c.nodes))
        while graph.nodeCount < c.nodes {
            for grammar in c.cycle {
                let candidates = graph.candidates(grammar)
                guard !candidates.isEmpty else { continue }
                let (operation, next, embedded) = try bestCandidate(candidates, graph: graph, embedding: embedding, cloud: cloud, configuration: c,
                                                                    settings: settings)
                (graph, embedding) = (next, embedded)
                growth.append(GrowthStep(operation: operation.description, nodes: graph.nodeCount, barcode: graph.barcode, energy: embedding.energy,
                                         iterations: embedding.energies.count, candidates: candidates.count))
                progress(GrowthProgress(step: growth.last!, targetNodes: c.nodes))
            }
        }
        let mean = cloud.mean.scalars.map(Double.init)
        let nodes = Tensor(shape: [graph.nodeCount, d]) { Float(embedding.nodes.values[$0] + mean[$0 % d]) }
        return try PrincipalGraph(configuration: c, graph: graph, nodes: nodes, growth: growth)
    }

    static func moduli(_ graph: ElasticGraph, _ c: Configuration) -> ElasticModuli {
        ElasticModuli(graph, edge: c.edgeElasticity, star: c.starElasticity, branchingPenalty: c.branchingPenalty)
    }

    /// The starting nodes in centred coordinates: along u₁ from −σ₁ to σ₁ (curves, trees), or
    /// at equal angles θ on the ellipse σ₁cos θ·u₁ + σ₂sin θ·u₂ (circles).
    static func initialNodes(_ cloud: PointCloud, _ c: Configuration, using generator: inout RandomGenerator) throws -> Matrix {
        let d = cloud.dimension
        let axes = min(c.topology == .circle ? 2 : 1, d)
        let pca = try PCA.fit(cloud.points, configuration: .init(components: .count(min(axes, cloud.count))), using: &generator)
        let sigma = pca.explainedVariance.scalars.map { Double($0).squareRoot() }
        let k = c.initialNodes
        var nodes = Matrix(rows: k, columns: d, values: [Double](repeating: 0, count: k * d))
        for j in 0..<k {
            let weights: [Double] = c.topology == .circle
                ? [sigma[0] * cos(2 * .pi * Double(j) / Double(k)), sigma.count > 1 ? sigma[1] * sin(2 * .pi * Double(j) / Double(k)) : 0]
                : [sigma[0] * (2 * Double(j) / Double(k - 1) - 1)]
            for (axis, weight) in weights.enumerated() where axis < pca.components.rows {
                for col in 0..<d { nodes[j, col] += weight * Double(pca.components[axis, col]) }
            }
        }
        return nodes
    }

    /// Embeds every candidate of one step and returns the one of least energy (the first on a
    /// tie). Candidates run in parallel on the compute threads, each on its own; the choice does
    /// not depend on the thread count.
    static func bestCandidate(_ candidates: [ElasticGraph.Operation], graph: ElasticGraph, embedding: ElasticEmbedding, cloud: PointCloud,
                              configuration c: Configuration, settings: ComputeSettings) throws -> (ElasticGraph.Operation, ElasticGraph, ElasticEmbedding) {
        let slots = UnsafeMutableBufferPointer<Result<(ElasticGraph, ElasticEmbedding), Error>?>.allocate(capacity: candidates.count)
        slots.initialize(repeating: nil)
        defer { slots.deinitialize(); slots.deallocate() }
        nonisolated(unsafe) let results = slots
        // Interleaved, not in runs: neighbouring candidates cost alike (a run of bisections,
        // then of new leaves), so every thread gets a share of each kind.
        let threads = min(settings.threads, candidates.count)
        forEachChunk(of: threads, minimumChunk: 1, settings: settings) { parts in
            for part in parts {
                for index in stride(from: part, to: candidates.count, by: threads) {
                    results[index] = Result { try embed(candidates[index], graph: graph, parent: embedding, cloud: cloud, configuration: c) }
                }
            }
        }
        var best: (index: Int, graph: ElasticGraph, embedding: ElasticEmbedding)?
        for index in candidates.indices {
            let (candidateGraph, candidate) = try results[index]!.get()
            if best == nil || candidate.energy.total < best!.embedding.energy.total { best = (index, candidateGraph, candidate) }
        }
        return (candidates[best!.index], best!.graph, best!.embedding)
    }

    /// One candidate: the graph after `operation`, its nodes placed from the parent's, and
    /// embedded. A growth step that only adds a node starts from the parent's partition,
    /// updated for the new node alone (exact: the old nodes have not moved).
    static func embed(_ operation: ElasticGraph.Operation, graph: ElasticGraph, parent: ElasticEmbedding, cloud: PointCloud,
                      configuration c: Configuration) throws -> (ElasticGraph, ElasticEmbedding) {
        let (next, placement) = graph.applying(operation)
        let d = cloud.dimension
        let old = parent.nodes
        func row(_ j: Int) -> [Double] { Array(old.values[(j * d)..<((j + 1) * d)]) }
        var newPosition = [Double](repeating: 0, count: d)
        switch placement.new {
        case .midpoint(let a, let b)?: newPosition = zip(row(a), row(b)).map { ($0 + $1) / 2 }
        case .extending(let leaf, let from)?: newPosition = zip(row(leaf), row(from)).map { 2 * $0 - $1 }
        case .meanOfPoints(let node)?:
            let members = cloud.points.clusterSums(labels: parent.partition.nodes.map { $0 == node ? 0 : -1 }, clusters: 1)
            newPosition = members.counts[0] == 0 ? row(node) : members.sums.map { $0 / Double(members.counts[0]) }
        case nil: break
        }
        var nodes = Matrix(rows: next.nodeCount, columns: d, values: [Double](repeating: 0, count: next.nodeCount * d))
        for (j, source) in placement.old.enumerated() {
            let position = source.map(row) ?? newPosition
            for col in 0..<d { nodes[j, col] = position[col] }
        }
        let start = operation.grows
            ? ElasticEmbedding.partition(parent.partition, adding: next.nodeCount - 1, at: newPosition, cloud, trimmingRadius: c.trimmingRadius)
            : nil
        let embedding = try ElasticEmbedding(cloud, graph: next, moduli: moduli(next, c), nodes: nodes, partition: start, trimmingRadius: c.trimmingRadius,
                                             maximumIterations: c.maximumIterations, tolerance: c.tolerance)
        return (next, embedding)
    }

    /// The fraction of variance explained by the projections onto the edges:
    /// 1 − Σ‖x − P(x)‖² / Σ‖x − x̄‖².
    public func fractionOfVarianceExplained(_ samples: Tensor) throws -> Double {
        let distortion = try distortion(samples)
        let centred = samples - samples.mean(alongAxis: 0).reshaped([1, samples.columns])
        return 1 - distortion / max(centred.squared().sumInDouble(), .leastNormalMagnitude)
    }
}
