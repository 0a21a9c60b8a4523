import Autoencoders
import DataFormats
import Foundation
import Tensors

/// The demo's report: several methods fitted to one training set, compared on its test set as
/// in Hinton & Salakhutdinov (2006): errors, reconstructions (their Fig. 2) and 2-D codes
/// (their Fig. 3).
extension Report {
    /// One fitted method of a comparison.
    public struct Entry {
        public var name: String
        public var model: any Autoencoder
        /// Squared error per test sample.
        public var testError: Double
        /// kNN accuracy of the test codes against the training codes (2-D codes only).
        public var knnAccuracy: Double?
        public var seconds: Double

        public init(name: String, model: any Autoencoder, testError: Double, knnAccuracy: Double?, seconds: Double) {
            (self.name, self.model, self.testError, self.knnAccuracy, self.seconds) = (name, model, testError, knnAccuracy, seconds)
        }
    }

    /// The comparison of `entries` on `test`, with the command that reproduces it.
    public static func comparison(_ entries: [Entry], train: Dataset, test: Dataset, command: String) throws -> Report {
        var report = Report(title: "Latent demo: what autoencoders learn from \(train.name.split(separator: ":").first.map(String.init) ?? train.name)")
        report.add(.paragraph("Every method below is an autoencoder: ENCODE maps an image to a code, DECODE maps the code back, and the squared error ‖x − DECODE(ENCODE(x))‖² says what was lost. Each was fitted to \(train.count) training images and is measured on \(test.count) test images it never saw."))
        report.add(.heading("Reconstruction error"))
        report.add(.paragraph("Squared error per test image (pixels on [0, 1]), the unit of Hinton & Salakhutdinov (Science 2006); kNN accuracy (k = 5) of 2-D test codes, with the training codes as reference: how well the code plane separates the classes."))
        report.add(.table(header: ["method", "code size", "test error per image", "kNN accuracy", "fit time"], rows: entries.map { entry in
            [entry.name, "\(entry.model.codeSize)", String(format: "%.3f", entry.testError),
             entry.knnAccuracy.map { String(format: "%.3f", $0) } ?? "", String(format: "%.1f s", entry.seconds)]
        }))
        let bars = try BarChart(title: "Test error per image", valueLabel: "squared error per image (lower is better)",
                                bars: entries.map { ($0.name, $0.testError) })
        report.add(.figure(file: "errors.svg", svg: bars.svg(), caption: "Squared reconstruction error per test image."))

        if let shape = imageShape(test) {
            let examples = test.subset(exampleIndices(test))
            var rows = [ImageGrid.Row(label: "original", images: examples.samples)]
            for entry in entries { rows.append(.init(label: entry.name, images: try entry.model.reconstruct(examples.samples))) }
            let grid = try ImageGrid(title: "Test images and their reconstructions", rows: rows, imageShape: shape)
            report.add(.heading("Reconstructions (Hinton & Salakhutdinov, Fig. 2)"))
            report.add(.figure(file: "reconstructions.svg", svg: try grid.svg(),
                               caption: "Top row: test images, one per class in turn. Below: DECODE(ENCODE(x)) by each method. With the same code size, the deep autoencoder keeps the shapes that PCA blurs."))
            if let best = entries.filter({ !($0.model is any DiscreteCodes) }).min(by: { $0.testError < $1.testError }),
               let strips = try interpolationStrips(best.model, examples: examples, imageShape: shape) {
                report.add(.heading("Between the codes"))
                report.add(.figure(file: "interpolations.svg", svg: try strips.svg(),
                                   caption: "\(best.name), the most accurate method here: DECODE of codes on the straight line from one test image's code to another's."))
            }
        }

        let planar = entries.filter { $0.model.codeSize == 2 }
        if !planar.isEmpty {
            report.add(.heading("Two-dimensional codes (Hinton & Salakhutdinov, Fig. 3)"))
            let sample = scatterSample(test)
            for (index, entry) in planar.enumerated() {
                let scatter = try codeScatter(try entry.model.encode(sample.samples), of: sample, title: entry.name)
                let accuracy = entry.knnAccuracy.map { String(format: " kNN accuracy %.3f.", $0) } ?? ""
                report.add(.figure(file: "codes-\(index + 1).svg", svg: scatter.svg(width: 460, height: 380),
                                   caption: "ENCODE(x) of test images, coloured by class.\(accuracy)"))
            }
        }

        let histories = entries.compactMap { entry in entry.model.trainingHistory.map { (entry.name, $0) } }
        if !histories.isEmpty {
            report.add(.heading("Training"))
            var number = 0
            for (name, history) in histories {
                for chart in try trainingCharts(history, title: name) {
                    number += 1
                    report.add(.figure(file: "training-\(number).svg", svg: chart.svg(width: 460, height: 300),
                                       caption: chart.caption))
                }
            }
        }
        report.add(.heading("Reproduce"))
        report.add(.code(command))
        report.add(.paragraph("Models are saved beside this page; a report of one of them draws the same figures on any data (`latent report`)."))
        return report
    }
}
