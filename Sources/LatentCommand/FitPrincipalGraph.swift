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
    @Option(help: .hyperparameter(\PrincipalGraph.Configuration.topology)) var topology: PrincipalGraph.Configuration.Topology
    @Option(help: .hyperparameter(\PrincipalGraph.Configuration.nodes)) var nodes: Int
    @Option(help: .hyperparameter(\PrincipalGraph.Configuration.edgeElasticity)) var lambda: Double?
    @Option(help: .hyperparameter(\PrincipalGraph.Configuration.starElasticity)) var mu: Double?
    @Option(help: .hyperparameter(\PrincipalGraph.Configuration.branchingPenalty)) var alpha: Double?
    @Option(help: .hyperparameter(\PrincipalGraph.Configuration.trimmingRadius)) var trimmingRadius: Double?
    @Option(help: .hyperparameter(\PrincipalGraph.Configuration.maximumIterations)) var maxIterations: Int?
    @Option(help: .hyperparameter(\PrincipalGraph.Configuration.tolerance)) var tolerance: Double?
    @Option(help: .hyperparameter(\PrincipalGraph.Configuration.initialNodes)) var initialNodes: Int?

    func validate() throws {
        try checkDeclaredRanges(configuration, method: PrincipalGraph.methodName)
    }

    var configuration: PrincipalGraph.Configuration {
        let defaults = PrincipalGraph.Configuration.defaults
        return PrincipalGraph.Configuration(
            topology: topology, nodes: nodes, edgeElasticity: lambda ?? defaults.edgeElasticity, starElasticity: mu ?? defaults.starElasticity,
            branchingPenalty: alpha ?? defaults.branchingPenalty, trimmingRadius: trimmingRadius, maximumIterations: maxIterations ?? defaults.maximumIterations,
            tolerance: tolerance ?? defaults.tolerance, initialNodes: initialNodes ?? defaults.initialNodes)
    }

    func fit(_ context: FitInputs, using generator: inout RandomGenerator) throws -> (model: any Autoencoder, extra: any MethodReport) {
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
