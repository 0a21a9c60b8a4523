import ArgumentParser
import Foundation
import Latent

extension PrincipalGraph.Configuration.Topology: ExpressibleByArgument {}

extension PrincipalGraph: FittedByCommand { static var fitCommand: any ParsableCommand.Type { FitPrincipalGraph.self } }

/// `latent fit principal-graph`: an elastic principal curve, circle or tree (ElPiGraph).
struct FitPrincipalGraph: FitMethod {
    static let configuration = CommandConfiguration(
        commandName: "principal-graph",
        abstract: "Elastic principal graph (ElPiGraph): a curve, circle or tree of nodes grown through the data; the code is the place on the graph.",
        discussion: """
            The energy MSE + λ·Σ edge lengths² + μ·Σ star bendings² is minimised for each candidate of a graph \
            grammar (bisect an edge; for trees also add a node to a node, then remove a leaf or shrink an edge), \
            the least-energy candidate kept at each step. The code is the arc length along a curve or around a \
            circle (one column), or the edge and the position along it on a tree (two columns). Defaults are \
            ElPiGraph's published ones.
            """)

    @OptionGroup var common: FitOptions
    @Option(help: "curve, circle or tree.") var topology: PrincipalGraph.Configuration.Topology
    @Option(help: "The number of nodes of the final graph.") var nodes: Int
    @Option(help: "λ, the elastic modulus of the edges.") var lambda: Double = 0.01
    @Option(help: "μ, the elastic modulus of the stars (bending).") var mu: Double = 0.1
    @Option(help: "α, the branching penalty added to λ on edges at nodes of degree > 2.") var alpha: Double = 0
    @Option(help: "R₀: points farther than this from every node count R₀² and do not pull the nodes (robust graphs). Default: none.")
    var trimmingRadius: Double?
    @Option(help: "The most iterations of one embedding.") var maxIterations: Int = 10
    @Option(help: "ε: an embedding stops when the largest relative squared node move falls below it.") var tolerance: Double = 0.01
    @Option(help: "The nodes of the starting graph, placed by PCA.") var initialNodes: Int = 3

    func fit(_ context: FitInputs, using generator: inout RandomGenerator) throws -> (model: any Autoencoder, extra: any MethodReport) {
        let configuration = PrincipalGraph.Configuration(topology: topology, nodes: nodes, edgeElasticity: lambda, starElasticity: mu,
                                                         branchingPenalty: alpha, trimmingRadius: trimmingRadius, maximumIterations: maxIterations,
                                                         tolerance: tolerance, initialNodes: initialNodes)
        let model = try PrincipalGraph.fit(context.samples, configuration: configuration, using: &generator) { progress in
            let step = progress.step
            let elapsed = Date().timeIntervalSince(context.start)
            // A step embeds ~k candidates, each partition costs ~k: the work so far grows as k³.
            let left = elapsed * (pow(Double(progress.targetNodes) / Double(step.nodes), 3) - 1)
            context.display.update(String(format: "%@: %d of %d nodes (%@), energy %.5g (MSE %.4g), %@ elapsed, about %@ left", step.operation, step.nodes,
                                          progress.targetNodes, step.barcode, step.energy.total, step.energy.approximation,
                                          formatDuration(elapsed), formatDuration(max(0, left))),
                                   fraction: Double(step.nodes) / Double(progress.targetNodes), force: step.nodes == progress.targetNodes)
        }
        return (model, try PrincipalGraphSummary(model, samples: context.samples))
    }
}

/// A principal graph reports its barcode, energy and growth.
extension PrincipalGraphSummary: MethodReport {}
