import Autoencoders
import DataFormats
import Foundation
import Tensors

/// `latent compare`'s report: the two families side by side, one table and one grid of codes.
extension Report {
    /// The report of `comparison`, whose `models` (by name, in the table's order) were fitted to
    /// `train` and measured on `test`, with the command that reproduces it.
    public static func familyComparison(_ comparison: FamilyComparison, models: [(name: String, model: any Autoencoder)], test: Dataset,
                                        train: Dataset, command: String) throws -> Report {
        var report = Report(title: "Latent compare: autoencoders and projective methods on \(train.name)")
        report.add(.paragraph("Every method is an autoencoder: the autoencoders (PCA, the deep autoencoder, the VAE) learn DECODE with ENCODE; the projective methods (MDS, Isomap, t-SNE, UMAP) place codes first and learn DECODE after them, a network trained on the (code, sample) pairs. Each was fitted to \(train.count) training samples with its defaults and measured on \(test.count) test samples it never saw."))
        report.add(.table(header: ["method", "family", "code size", "trustworthiness", "continuity", "10-NN accuracy", "test error per sample",
                                   "MMD²", "precision", "recall", "fit time"], rows: comparison.rows.map { row in
            [row.method.rawValue, row.family.rawValue, "\(row.codeSize)", String(format: "%.4f", row.trustworthiness), String(format: "%.4f", row.continuity),
             row.knnAccuracy.map { String(format: "%.3f", $0) } ?? "", String(format: "%.3f", row.testSSEPerSample), String(format: "%.4f", row.mmd2),
             String(format: "%.3f", row.precision), String(format: "%.3f", row.recall), String(format: "%.1f s", row.seconds)]
        }))
        report.add(.paragraph("Trustworthiness and continuity (Venna & Kaski 2001, k = 10) of the test codes: 1 when every test sample's 10 nearest codes are its 10 nearest samples. 10-NN accuracy: the test codes' classes by majority among their 10 nearest test codes. Test error: Σ‖x − DECODE(ENCODE(x))‖² per test sample. MMD², precision and recall (Kynkäänniemi et al. 2019): as many samples as test samples, decoded from a Gaussian mixture fitted to the training codes, against the test samples in the test set's first principal components."))
        let sample = scatterSample(test)
        let plots = try models.map { try codeScatter(try $0.model.encode(sample.samples), of: sample, title: $0.name) }
        if !plots.isEmpty {
            report.add(.figure(file: "codes.svg", svg: grid(plots), caption: "ENCODE(x) of test samples by each method\(sample.labels == nil ? "" : ", coloured by class")."))
        }
        if let shape = imageShape(test) {
            let examples = test.subset(exampleIndices(test))
            var rows = [ImageGrid.Row(label: "original", images: examples.samples)]
            for (name, model) in models { rows.append(.init(label: name, images: try model.reconstruct(examples.samples))) }
            report.add(.figure(file: "reconstructions.svg", svg: try ImageGrid(title: "Test samples and their reconstructions", rows: rows, imageShape: shape).svg(),
                               caption: "Top row: test samples. Below: DECODE(ENCODE(x)) by each method."))
        }
        report.add(.heading("Reproduce"))
        report.add(.code(command))
        return report
    }

    /// Scatter plots side by side in one figure, four to a row.
    static func grid(_ plots: [ScatterPlot], columns: Int = 4, cell: (width: Double, height: Double) = (360, 300)) -> String {
        let across = Swift.min(columns, plots.count), down = (plots.count + across - 1) / across
        let (width, height) = (cell.width * Double(across), cell.height * Double(down))
        var lines = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(SVGDocument.number(width))\" height=\"\(SVGDocument.number(height))\" "
                     + "viewBox=\"0 0 \(SVGDocument.number(width)) \(SVGDocument.number(height))\">"]
        for (index, plot) in plots.enumerated() {
            let (x, y) = (cell.width * Double(index % across), cell.height * Double(index / across))
            // Each plot is a whole SVG document, nested at its cell (an <svg> inside an <svg> takes x and y).
            let inner = plot.svg(width: cell.width, height: cell.height)
            lines.append(inner.replacingOccurrences(of: "<svg xmlns=\"http://www.w3.org/2000/svg\" ",
                                                    with: "<svg x=\"\(SVGDocument.number(x))\" y=\"\(SVGDocument.number(y))\" ", options: .anchored))
        }
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }
}
