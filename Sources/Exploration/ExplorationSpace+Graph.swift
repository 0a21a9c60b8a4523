import Latent

/// The space a page's plane lies in.
public enum ExplorationPlane: String, Codable, Sendable {
    /// The codes' space: a point of the plane is a code (every model but the principal graph).
    case codes
    /// The data's space: a point of the plane is a sample x, whose code is ENCODE(x). A principal
    /// graph's codes (a tree's edge and the position along it, a curve's arc length) are places
    /// on the graph, not a space to walk through: its page draws the samples and the graph in the
    /// data's first two principal components, and a click decodes the graph's point nearest to
    /// the clicked sample, DECODE(ENCODE(x)).
    case data
}

/// A principal graph drawn in the data's plane: its nodes' places (`k` points) and its edges.
public struct ExplorationGraph: Sendable, Equatable, Codable {
    /// Each node's (u, v) in the plane.
    public var nodes: [[Double]]
    /// Pairs of node indices.
    public var edges: [[Int]]
}

extension ExplorationSpace {
    /// The plane a model is explored in: the data's for a principal graph, else the codes'.
    static func plane(of model: any Autoencoder) -> ExplorationPlane {
        principalGraph(of: model) == nil ? .codes : .data
    }

    /// A principal graph's nodes in the data's units as read (`k × D`: scaled models' nodes
    /// mapped back) and its edges; nil for other models.
    static func principalGraph(of model: any Autoencoder) -> (nodes: Tensor, edges: [ElasticGraph.Edge])? {
        if let graph = model as? PrincipalGraph { return (graph.nodes, graph.graph.edges) }
        if let scaled = model as? any ScaledModel, let graph = scaled.unscaled as? PrincipalGraph,
           let nodes = try? scaled.scaling.invert(graph.nodes) {
            return (nodes, graph.graph.edges)
        }
        return nil
    }

    /// The model's graph in the page's plane, for a principal graph.
    public var graph: ExplorationGraph? {
        guard plane == .data, let (nodes, edges) = Self.principalGraph(of: model) else { return nil }
        let width = nodes.columns
        let places = (0..<nodes.rows).map { k -> [Double] in
            let point = axes.point(of: Array(nodes.scalars[(k * width)..<((k + 1) * width)]))
            return [point.u, point.v]
        }
        return ExplorationGraph(nodes: places, edges: edges.map { [$0.a, $0.b] })
    }

    /// The code of the plane's point (u, v): o + u·a₁ + v·a₂ itself in the codes' plane,
    /// ENCODE(x) of the sample x = o + u·a₁ + v·a₂ in the data's.
    public func code(u: Double, v: Double) throws -> [Float] {
        let point = axes.code(u: u, v: v)
        guard plane == .data else { return point }
        return try model.encode(try Tensor(shape: [1, point.count], scalars: point)).scalars
    }

    /// Where sample or code row `index` is drawn: (c·a₁, c·a₂) of its code, or of the sample
    /// itself in the data's plane.
    func planePoint(_ index: Int) -> (u: Double, v: Double) {
        let source = plane == .data ? data.samples : codes
        let width = source.columns
        return axes.point(of: Array(source.scalars[(index * width)..<((index + 1) * width)]))
    }

    /// The `count` samples nearest to `values` (D values in the data's units as read), nearest
    /// first, ties to the lower index: in the data's plane, the samples nearest to the decoded
    /// point of the graph.
    public func nearestSamples(to values: [Float], count: Int) throws -> [(index: Int, distance: Double)] {
        guard values.count == data.features else { throw ExplorationError(.badRequest, "a sample has \(data.features) values; got \(values.count)") }
        return nearest(in: data.samples, to: values, count: count)
    }
}
