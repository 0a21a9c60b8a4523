import Autoencoders
import DataFormats
import Foundation
import Testing
import TestSupport
import Tensors

/// Circular correlation (Fisher & Lee 1983; Jammalamadaka & SenGupta 2001, eq. 8.2.2):
/// Σ sin(αᵢ − ᾱ) sin(βᵢ − β̄) / √(Σ sin²(αᵢ − ᾱ) Σ sin²(βᵢ − β̄)), ᾱ and β̄ circular means.
func circularCorrelation(_ alpha: [Double], _ beta: [Double]) -> Double {
    func mean(_ angles: [Double]) -> Double { atan2(angles.reduce(0) { $0 + sin($1) }, angles.reduce(0) { $0 + cos($1) }) }
    let (a, b) = (mean(alpha), mean(beta))
    let products = zip(alpha, beta).reduce(0.0) { $0 + sin($1.0 - a) * sin($1.1 - b) }
    let normA = alpha.reduce(0.0) { $0 + pow(sin($1 - a), 2) }, normB = beta.reduce(0.0) { $0 + pow(sin($1 - b), 2) }
    return products / (normA * normB).squareRoot()
}

@Suite struct PrincipalGraphs {
    /// A noisy circle: the principal circle's code (arc length around it) is the angle up to
    /// its origin and direction (|circular correlation| > 0.95), and its reconstruction never
    /// breaks between neighbours on the circle, where nonlinear PCA's one-unit code does.
    @Test func aPrincipalCircleRecoversTheAngle() throws {
        let (data, latent) = try SyntheticManifold.circle.generate(["n": 600, "noise": 0.05, "seed": 3])
        var generator = RandomGenerator(seed: 1)
        let model = try PrincipalGraph.fit(data.samples, configuration: .init(topology: .circle, nodes: 20), using: &generator)
        #expect(model.graph.barcode == "0||20" && model.graph.edges.count == 20)
        let codes = try model.encode(data.samples)
        let angles = codes.scalars.map { 2 * Double.pi * Double($0) / model.length }
        let rho = circularCorrelation(angles, latent.scalars.map(Double.init))
        #expect(abs(rho) > 0.95, "circular correlation \(rho)")
        // Neighbours on the circle stay neighbours in the reconstruction, all the way round.
        let reconstruction = try model.reconstruct(data.samples)
        let order = latent.scalars.indices.sorted { latent.scalars[$0] < latent.scalars[$1] }
        func largestJump(_ reconstruction: Tensor) -> Float {
            order.indices.map { i in ((reconstruction.row(order[i]) - reconstruction.row(order[(i + 1) % order.count])).squared().sum()).squareRoot() }.max()!
        }
        #expect(largestJump(reconstruction) < 0.3, "largest jump between neighbours: \(largestJump(reconstruction))")
        #expect(try model.fractionOfVarianceExplained(data.samples) > 0.99)
        // Kramer's network with one bottleneck unit, on the same circle, tears it somewhere.
        var nlpcaGenerator = RandomGenerator(seed: 4)
        let nlpca = try NonlinearPCA.fit(data.samples, configuration: KramerNonlinearPCA.curveConfiguration, using: &nlpcaGenerator)
        #expect(largestJump(try nlpca.reconstruct(data.samples)) > 0.5)
    }

    /// A three-branch star, in 3-D and in 10-D: the tree has exactly one branching node (of
    /// degree 3) and three branches, and at least 95 % of the points land on their own branch.
    @Test(arguments: [3, 10])
    func aPrincipalTreeFindsTheBranches(_ dimension: Int) throws {
        let (data, _) = try SyntheticManifold.star.generate(["n": 900, "dimension": Double(dimension), "noise": 0.03, "seed": 2])
        var generator = RandomGenerator(seed: 1)
        let model = try PrincipalGraph.fit(data.samples, configuration: .init(topology: .tree, nodes: 16), using: &generator)
        #expect(model.graph.barcode == "1||16", "barcode \(model.graph.barcode)")
        let branches = try model.branches(of: model.encode(data.samples))
        #expect(Set(branches).count == 3)
        // Each branch's points by true arm: the majority arm of each branch, all three different.
        let labels = data.labels!
        let majority = (0..<3).map { b in (0..<3).max { arm, other in
            zip(branches, labels).filter { $0 == (b, arm) }.count < zip(branches, labels).filter { $0 == (b, other) }.count
        }! }
        #expect(Set(majority).count == 3, "majority arms \(majority)")
        let right = zip(branches, labels).filter { majority[$0.0] == $0.1 }.count
        #expect(Double(right) / Double(labels.count) >= 0.95, "\(right) of \(labels.count) on their own branch")
        // Pseudotime from the leaf of branch 0: the centre lies at one arm's length.
        let pseudotime = try model.pseudotime(of: model.encode(Tensor([[0, 0] + [Float](repeating: 0, count: dimension - 2)])))
        #expect(abs(pseudotime[0] - 1) < 0.15, "pseudotime of the centre \(pseudotime[0])")
    }

    /// Candidates embedded on 1 thread or on 4 give the same graph, node for node.
    @Test func theGraphDoesNotDependOnTheThreadCount() throws {
        let (data, _) = try SyntheticManifold.star.generate(["n": 600, "dimension": 4, "noise": 0.05, "seed": 8])
        var (one, four) = (RandomGenerator(seed: 1), RandomGenerator(seed: 1))
        let configuration = PrincipalGraph.Configuration(topology: .tree, nodes: 12)
        let serial = try PrincipalGraph.fit(data.samples, configuration: configuration, using: &one, settings: ComputeSettings(threads: 1))
        let parallel = try PrincipalGraph.fit(data.samples, configuration: configuration, using: &four, settings: ComputeSettings(threads: 4))
        #expect(serial.nodes == parallel.nodes && serial.graph == parallel.graph && serial.growth == parallel.growth)
    }

    /// A swiss roll: a principal curve of 30 nodes follows the roll and errs far less than the
    /// first principal component.
    @Test func aPrincipalCurveFollowsASwissRoll() throws {
        let (data, _) = try SyntheticManifold.swissRoll.generate(["n": 1500, "seed": 4])
        var generator = RandomGenerator(seed: 1)
        let curve = try PrincipalGraph.fit(data.samples, configuration: .init(topology: .curve, nodes: 30), using: &generator)
        let pca = try PCA.fit(data.samples, configuration: .init(components: .count(1)), using: &generator)
        let (curveError, pcaError) = (try curve.distortion(data.samples), try pca.distortion(data.samples))
        #expect(curveError < 0.6 * pcaError, "curve \(curveError), PCA-1 \(pcaError)")
        #expect(curve.graph.barcode == "0||30")
    }

    /// Through every embedding of a growth, the energy never increases from one iteration to
    /// the next (alternating an optimal partition with an exact solve can only lower it).
    @Test(arguments: PrincipalGraph.Configuration.Topology.allCases)
    func theEnergyNeverIncreasesThroughAnEmbedding(_ topology: PrincipalGraph.Configuration.Topology) throws {
        let (data, _) = try SyntheticManifold.star.generate(["n": 300, "noise": 0.1, "seed": 5])
        let cloud = PointCloud(data.samples)
        var generator = RandomGenerator(seed: 1)
        let model = try PrincipalGraph.fit(data.samples, configuration: .init(topology: topology, nodes: 8, branchingPenalty: 0.01, trimmingRadius: 0.5),
                                           using: &generator)
        // Re-embed the final graph from scattered nodes and watch the energy.
        let start = Matrix(rows: model.graph.nodeCount, columns: 3, values: (0..<(model.graph.nodeCount * 3)).map { _ in Double(generator.nextNormal()) * 0.3 })
        let moduli = ElasticModuli(model.graph, edge: 0.01, star: 0.1, branchingPenalty: 0.01)
        let embedding = try ElasticEmbedding(cloud, graph: model.graph, moduli: moduli, nodes: start, trimmingRadius: 0.5, maximumIterations: 30, tolerance: 1e-9)
        #expect(embedding.energies.count > 2)
        for (before, after) in zip(embedding.energies, embedding.energies.dropFirst()) {
            #expect(after <= before * (1 + 1e-9), "energy rose from \(before) to \(after)")
        }
        // The growth's energies are those of embeddings too: each step's terms add up.
        for step in model.growth { #expect(step.energy.total.isFinite && step.energy.approximation >= 0) }
    }

    /// Points −2 and 2 on a line, nodes 0 – 1 – 2, λ = ½: the solve gives (−1, 0, 1) by hand
    /// ((½ + λ)·a = 1 by symmetry), whatever μ (the middle node is then harmonic), and
    /// U = MSE 1 + U_E ½·(1 + 1) + U_R 0 = 2.
    @Test(arguments: [0.0, 0.1, 5.0])
    func theSolveMatchesAHandComputedCase(_ mu: Double) throws {
        let cloud = PointCloud(Tensor([[-2], [2]]))
        let graph = ElasticGraph.path(3)
        let moduli = ElasticModuli(graph, edge: 0.5, star: mu)
        let partition = Partition(nodes: [0, 2], squaredDistances: [4, 4])
        let nodes = try ElasticEmbedding.solve(cloud, graph: graph, moduli: moduli, partition: partition)
        for (value, expected) in zip(nodes.values, [-1.0, 0, 1]) { #expect(abs(value - expected) < 1e-12, "\(nodes.values)") }
        let energy = ElasticEmbedding.energy(cloud, graph: graph, moduli: moduli, nodes: nodes,
                                             partition: ElasticEmbedding.partition(cloud, nodes: nodes, trimmingRadius: nil), trimmingRadius: nil)
        #expect(abs(energy.total - 2) < 1e-6)
        #expect(abs(energy.edges - 1) < 1e-12 && energy.stars < 1e-24)
    }

    /// For any partition, the solved nodes are a stationary point of U with that partition held
    /// fixed: moving any node coordinate by ±h raises U (a convex quadratic's minimum), and the
    /// central difference vanishes.
    @Test func theSolvedNodesMinimiseTheEnergyForTheirPartition() throws {
        var generator = RandomGenerator(seed: 6)
        let cloud = PointCloud(Tensor.randomNormal([60, 3], using: &generator))
        let graph = try ElasticGraph(nodeCount: 5, edges: [.init(0, 1), .init(1, 2), .init(1, 3), .init(3, 4)])
        let moduli = ElasticModuli(graph, edge: 0.05, star: 0.2, branchingPenalty: 0.1)
        let partition = Partition(nodes: (0..<60).map { $0 % 5 }, squaredDistances: [Double](repeating: 0, count: 60))
        let nodes = try ElasticEmbedding.solve(cloud, graph: graph, moduli: moduli, partition: partition)
        // U with the partition fixed: squared distances to the assigned nodes, recomputed.
        func energy(_ v: Matrix) -> Double {
            var fixed = partition
            fixed.squaredDistances = (0..<60).map { i in
                (0..<3).reduce(0.0) { sum, c in let t = Double(cloud.points[i, c]) - v[partition.nodes[i], c]; return sum + t * t }
            }
            return ElasticEmbedding.energy(cloud, graph: graph, moduli: moduli, nodes: v, partition: fixed, trimmingRadius: nil).total
        }
        let h: Double = 1e-4
        let base = energy(nodes)
        for index in nodes.values.indices {
            var (up, down) = (nodes, nodes)
            up.values[index] += h; down.values[index] -= h
            let (eUp, eDown) = (energy(up), energy(down))
            #expect(eUp > base && eDown > base)
            #expect(abs(eUp - eDown) / (2 * h) < 1e-8, "dU/dv[\(index)] = \((eUp - eDown) / (2 * h))")
        }
    }

    /// The grammar's choice equals a brute-force search's: every candidate of the first growth
    /// step embedded from scratch (its own partition, run to convergence), the least energy
    /// wins, and the fit took that operation.
    @Test(arguments: [PrincipalGraph.Configuration.Topology.tree, .curve])
    func theGrammarPicksWhatBruteForcePicks(_ topology: PrincipalGraph.Configuration.Topology) throws {
        let (data, _) = try SyntheticManifold.star.generate(["n": 90, "noise": 0.05, "seed": 7])
        var generator = RandomGenerator(seed: 1)
        let configuration = PrincipalGraph.Configuration(topology: topology, nodes: 4, maximumIterations: 50, tolerance: 1e-12)
        let model = try PrincipalGraph.fit(data.samples, configuration: configuration, using: &generator)
        let first = try PrincipalGraph.fit(data.samples, configuration: .init(topology: topology, nodes: 3, maximumIterations: 50, tolerance: 1e-12),
                                           using: &generator)
        let cloud = PointCloud(data.samples)
        let parent = Matrix(first.nodes - cloud.mean.reshaped([1, 3]))
        let candidates = first.graph.candidates(topology == .tree ? [.bisectEdge, .addNode] : [.bisectEdge])
        var energies: [Double] = []
        for operation in candidates {
            let (graph, placement) = first.graph.applying(operation)
            var nodes = Matrix(rows: graph.nodeCount, columns: 3, values: [Double](repeating: 0, count: graph.nodeCount * 3))
            let parentPartition = ElasticEmbedding.partition(cloud, nodes: parent, trimmingRadius: nil)
            for j in 0..<graph.nodeCount {
                for c in 0..<3 {
                    nodes[j, c] = switch (placement.old[j], placement.new) {
                    case (let old?, _): parent[old, c]
                    case (nil, .midpoint(let a, let b)?): (parent[a, c] + parent[b, c]) / 2
                    case (nil, .extending(let leaf, let from)?): 2 * parent[leaf, c] - parent[from, c]
                    case (nil, .meanOfPoints(let node)?):
                        parentPartition.nodes.indices.filter { parentPartition.nodes[$0] == node }.reduce(0.0) { $0 + Double(cloud.points[$1, c]) }
                            / Double(max(1, parentPartition.nodes.filter { $0 == node }.count))
                    case (nil, nil): 0
                    }
                }
            }
            let embedding = try ElasticEmbedding(cloud, graph: graph, moduli: ElasticModuli(graph, edge: 0.01, star: 0.1), nodes: nodes,
                                                 maximumIterations: 50, tolerance: 1e-12)
            energies.append(embedding.energy.total)
        }
        let best = energies.indices.min { energies[$0] < energies[$1] }!
        #expect(model.growth[1].operation == candidates[best].description, "energies \(energies)")
        #expect(abs(model.growth[1].energy.total - energies[best]) < 1e-9 * energies[best])
    }

    /// Barcodes as ElPiGraph writes them, and the grammar's operations on a small tree.
    @Test func barcodesAndGrammar() throws {
        #expect(ElasticGraph.path(5).barcode == "0||5" && ElasticGraph.cycle(4).barcode == "0||4")
        let star = try ElasticGraph(nodeCount: 4, edges: [.init(0, 1), .init(0, 2), .init(0, 3)])
        #expect(star.barcode == "1||4")
        let cross = try ElasticGraph(nodeCount: 7, edges: [.init(0, 1), .init(0, 2), .init(0, 3), .init(0, 4), .init(1, 5), .init(1, 6)])
        #expect(cross.barcode == "1|1||7")
        #expect(star.candidates([.removeLeaf, .shrinkEdge]) == [.removeLeaf(1), .removeLeaf(2), .removeLeaf(3)])
        let (removed, _) = star.applying(.removeLeaf(1))
        #expect(removed.nodeCount == 3 && removed.edges == [.init(0, 1), .init(0, 2)])
        let path = ElasticGraph.path(4)
        #expect(path.candidates([.shrinkEdge]) == [.shrinkEdge(1)])
        let (shrunk, placement) = path.applying(.shrinkEdge(1))
        #expect(shrunk.edges == [.init(0, 1), .init(1, 2)] && placement.old == [0, nil, 3] && placement.new == .midpoint(1, 2))
        #expect(throws: AutoencoderError.self) { try ElasticGraph(nodeCount: 2, edges: [.init(0, 1), .init(1, 0)]) }
    }

    /// Projection onto edges, not nodes: a point beside an edge's middle lands on it.
    @Test func projectionLandsOnEdges() throws {
        let model = try PrincipalGraph(configuration: .init(topology: .curve, nodes: 3), graph: .path(3),
                                       nodes: Tensor([[0, 0], [1, 0], [1, 1]]), growth: [])
        let samples = Tensor([[0.5, 0.3], [1.2, 0.75], [-1, 0], [3, 3]])
        let projection = model.project(samples)
        #expect(projection.edges == [0, 1, 0, 1])
        #expect(zip(projection.positions, [0.5, 0.75, 0, 1]).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(zip(projection.squaredDistances, [0.09, 0.04, 1, 8]).allSatisfy { abs($0 - $1) < 1e-6 })
        // The curve's code is the arc length from its first end.
        #expect(try model.encode(samples).isApproximatelyEqual(to: Tensor([[0.5], [1.75], [0], [2]]), absoluteTolerance: 1e-6))
        #expect(try model.decode(Tensor([[1.5]])).isApproximatelyEqual(to: Tensor([[1, 0.5]]), absoluteTolerance: 1e-6))
    }

    @Test func badConfigurationsAreClearErrors() throws {
        var generator = RandomGenerator(seed: 0)
        let samples = Tensor.randomNormal([20, 2], using: &generator)
        #expect { _ = try PrincipalGraph.fit(samples, configuration: .init(topology: .tree, nodes: 30), using: &generator) } throws: {
            "\($0)".contains("at most as many nodes as samples (20)")
        }
        #expect { _ = try PrincipalGraph.fit(Tensor.randomNormal([20, 1], using: &generator), configuration: .init(topology: .circle, nodes: 5), using: &generator) } throws: {
            "\($0)".contains("a circle needs samples of at least 2 features")
        }
        #expect { _ = try PrincipalGraph.fit(samples, configuration: .init(topology: .tree, nodes: 5, trimmingRadius: 1e-9), using: &generator) } throws: {
            "\($0)".contains("trimming radius")
        }
    }
}
