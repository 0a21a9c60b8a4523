import Foundation
import Tensors

/// What a fitted principal graph came to: its barcode and size, the fraction of variance its
/// projections explain (1 − Σ‖x − P(x)‖² / Σ‖x − x̄‖², in the space it was fitted in), the
/// final energy's terms, and the energy through the growth, step by step.
public struct PrincipalGraphSummary: Codable, Sendable, Equatable {
    /// The terms of the elastic energy U = MSE + U_E + U_R (``ElasticEnergy``; Albergante et al. 2020, section 2).
    public struct Energy: Codable, Sendable, Equatable {
        public var total, mse, edges, stars: Double

        public init(_ energy: ElasticEnergy) {
            (total, mse, edges, stars) = (energy.total, energy.approximation, energy.edges, energy.stars)
        }
    }

    /// One step of the growth (``PrincipalGraph/GrowthStep``).
    public struct Step: Codable, Sendable, Equatable {
        public var operation: String
        public var nodes: Int
        public var barcode: String
        public var energy: Energy
        public var iterations: Int
        public var candidates: Int
    }

    public var barcode: String
    public var nodes: Int
    public var edges: Int
    public var fractionOfVarianceExplained: Double
    /// The final graph's energy (nil for a graph built without growth).
    public var energy: Energy?
    public var growth: [Step]

    enum CodingKeys: String, CodingKey {
        case barcode, nodes, edges, fractionOfVarianceExplained = "fraction_of_variance_explained", energy, growth
    }

    /// The summary of `model` fitted to `samples` (`n × D`, as it was fitted: scaled when it was).
    /// - Throws: when `samples` do not have the graph's width.
    public init(_ model: PrincipalGraph, samples: Tensor) throws {
        barcode = model.graph.barcode
        nodes = model.graph.nodeCount
        edges = model.graph.edges.count
        fractionOfVarianceExplained = try model.fractionOfVarianceExplained(samples)
        energy = model.energy.map(Energy.init)
        growth = model.growth.map {
            Step(operation: $0.operation, nodes: $0.nodes, barcode: $0.barcode, energy: Energy($0.energy), iterations: $0.iterations, candidates: $0.candidates)
        }
    }
}
