import Autoencoders
import DataFormats
import Foundation
import Tensors

extension Report {
    /// A principal graph's own section: the graph drawn over the data (in the data's plane:
    /// the first two principal components when D > 2), points coloured by class or, without
    /// labels, by the branch they project onto; the fraction of variance explained, the barcode,
    /// and the energy's terms through the growth. `model` may wrap the graph in a scaling (its
    /// DECODE then brings the nodes to the data's units).
    public mutating func addPrincipalGraph(_ model: any Autoencoder, data: Dataset) throws {
        guard let graph = ((model as? any ScaledModel)?.unscaled ?? model) as? PrincipalGraph else { return }
        let sample = Report.scatterSample(data)
        let nodes = try model.decode(graph.nodeCodes)
        let (points, nodePoints, xLabel, yLabel) = try CodePlane.project(sample.samples, with: nodes)
        let byBranch = sample.labels == nil
        let labels = byBranch ? try graph.branches(of: try model.encode(sample.samples)) : sample.labels
        var plot = try ScatterPlot(codes: points, labels: labels, classNames: byBranch ? nil : sample.classNames,
                                   title: "\(graph.configuration.topology.rawValue) of \(graph.graph.nodeCount) nodes over \(data.name)",
                                   xLabel: xLabel.replacingOccurrences(of: "codes", with: "data"), yLabel: yLabel.replacingOccurrences(of: "codes", with: "data"))
        plot.graph = (nodePoints, graph.graph.edges.map { ($0.a, $0.b) }, "graph")
        add(.heading("The graph"))
        let plane = data.features > 2 ? "on the data's first two principal components" : "in the data's plane"
        add(.figure(file: "graph.svg", svg: plot.svg(),
                    caption: "Nodes and edges over up to \(Report.scatterLimit) samples, \(plane); points coloured by \(byBranch ? "the branch they project onto" : "class")."))
        let energy = graph.energy
        add(.table(header: ["measure", "value"], rows: [
            ["barcode (nodes of degree ≥ 3, highest first || nodes)", graph.graph.barcode],
            ["fraction of variance explained (projections onto edges)", String(format: "%.4f", try model.fractionOfVarianceExplained(data.samples))],
            ["energy U = MSE + U_E + U_R", energy.map { String(format: "%.6g = %.6g + %.6g + %.6g", $0.total, $0.approximation, $0.edges, $0.stars) } ?? "—"],
            ["branches", "\(Set(graph.branchOfEdge).count)"],
        ]))
        if graph.growth.count >= 2 {
            let chart = try LineChart(title: "Energy through the growth", xLabel: "growth step", yLabel: "energy", series: [
                .init(name: "U", values: graph.growth.map(\.energy.total)),
                .init(name: "MSE", values: graph.growth.map(\.energy.approximation), dashed: true),
                .init(name: "U_E (edges)", values: graph.growth.map(\.energy.edges), dashed: true),
                .init(name: "U_R (stars)", values: graph.growth.map(\.energy.stars), dashed: true),
            ])
            add(.figure(file: "growth.svg", svg: chart.svg(),
                        caption: "The energy's terms after each step of the graph grammar, the least-energy candidate kept at each (\(graph.growth.count - 1) steps)."))
        }
    }
}

extension Autoencoder {
    /// 1 − distortion / Σ‖x − x̄‖², in the samples' units.
    func fractionOfVarianceExplained(_ samples: Tensor) throws -> Double {
        let centred = samples - samples.mean(alongAxis: 0).reshaped([1, samples.columns])
        return 1 - (try distortion(samples)) / max(centred.squared().sumInDouble(), .leastNormalMagnitude)
    }
}
