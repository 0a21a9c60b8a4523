import Autoencoders
import DataFormats
import Foundation
import Tensors
import Testing
import TestSupport
import Figures

@Suite struct ReportTests {
    /// A PCA-2 model of the bundled subset's test split and its report, written to a fresh folder.
    static func writtenReport() throws -> (folder: String, report: Report) {
        let data = try DatasetLoader().load("fashion-mnist-mini:test").prefix(400)
        var generator = RandomGenerator(seed: 0)
        let model = try PCA.fit(data.samples, configuration: .init(components: .count(2)), using: &generator)
        let report = try Report.model(model, named: "pca-2.safetensors", data: data, fitCommand: "latent fit pca …", reportCommand: "latent report …")
        let folder = temporaryFolder()
        try report.write(to: folder)
        return (folder, report)
    }

    @Test func modelReportWritesEveryFigureItNames() throws {
        let (folder, report) = try Self.writtenReport()
        let page = try String(contentsOfFile: folder + "/index.html", encoding: .utf8)
        let figures = report.blocks.compactMap { block -> String? in if case .figure(let file, _, _) = block { file } else { nil } }
        #expect(figures == ["reconstructions.svg", "interpolations.svg", "traversals.svg", "codes.svg"])
        for file in figures {
            #expect(FileManager.default.fileExists(atPath: folder + "/" + file), "\(file) missing")
            #expect(page.contains("src=\"\(file)\""), "\(file) not on the page")
        }
        #expect(page.contains("latent fit pca …") && page.contains("squared error per sample"))
    }

    /// k-means' codes are cluster indices: its report draws the centroids, no code plane.
    @Test func kMeansReportDrawsCentroids() throws {
        let data = try DatasetLoader().load("fashion-mnist-mini:test").prefix(300)
        var generator = RandomGenerator(seed: 0)
        let model = try KMeans.fit(data.samples, configuration: .init(clusters: 14, initializations: 1), using: &generator)
        let report = try Report.model(model, named: "k", data: data, fitCommand: nil, reportCommand: "latent report …")
        let figures = report.blocks.compactMap { block -> String? in if case .figure(let file, _, _) = block { file } else { nil } }
        #expect(figures == ["reconstructions.svg", "centroids.svg"])
        let centroids = try #require(report.blocks.first { if case .figure("centroids.svg", _, _) = $0 { true } else { false } })
        guard case .figure(_, let svg, _) = centroids else { Issue.record("not a figure: \(centroids)"); return }
        #expect(svg.contains(">clusters 1–12</text>") && svg.contains(">clusters 13–14</text>"))
    }

    /// Reports ask for capabilities, not types: k-means behind a scaling is still discrete (its
    /// centroids drawn by DECODE, in the data's units), and a continuous 1-D code gets its
    /// interpolations, traversals and code plot.
    @Test func reportsFollowCapabilities() throws {
        let data = try DatasetLoader().load("fashion-mnist-mini:test").prefix(200)
        var generator = RandomGenerator(seed: 0)
        let scaling = try FeatureScaling(fitting: data.samples, kind: .minMax)
        let kmeans = try scaled(try KMeans.fit(try scaling.apply(data.samples), configuration: .init(clusters: 5, initializations: 1), using: &generator),
                                by: scaling)
        #expect((kmeans as? any DiscreteCodes)?.codeCount == 5)
        let discrete = try Report.model(kmeans, named: "k", data: data, fitCommand: nil, reportCommand: "latent report …")
        #expect(figureFiles(discrete) == ["reconstructions.svg", "centroids.svg"])
        let pca = try PCA.fit(data.samples, configuration: .init(components: .count(1)), using: &generator)
        #expect(!(pca is any DiscreteCodes))
        let continuous = try Report.model(pca, named: "p", data: data, fitCommand: nil, reportCommand: "latent report …")
        #expect(figureFiles(continuous) == ["reconstructions.svg", "interpolations.svg", "traversals.svg", "codes.svg"])
    }

    func figureFiles(_ report: Report) -> [String] {
        report.blocks.compactMap { block -> String? in if case .figure(let file, _, _) = block { file } else { nil } }
    }

    @Test func trainingChartsFollowTheHistory() throws {
        let history = TrainingHistory(stages: [
            .init(name: "RBM 1", loss: "squared reconstruction error per sample", record: .init(trainLoss: [3, 2]), isPretraining: true),
            .init(name: "fine-tuning", loss: "binary cross-entropy per sample", record: .init(trainLoss: [5, 4, 3], heldOutLoss: [6, 5, 4])),
        ])
        let charts = try Report.trainingCharts(history, title: "m")
        #expect(charts.map(\.series.count) == [2, 1])
        #expect(charts[0].caption == "Binary cross-entropy per sample per epoch; dashed: held-out data.")
        #expect(charts[1].caption == "Squared reconstruction error per sample per epoch.")
    }

    /// A loss of several terms (a VAE's) gets a chart of its terms beside the loss's.
    @Test func lossTermsGetTheirOwnChart() throws {
        var stage = TrainingHistory.Stage(name: "training", loss: "negative ELBO", record: .init(trainLoss: [9, 7, 6]))
        stage.record.terms = ["loss": [9, 7, 6], "reconstruction": [8, 5, 4], "kl": [1, 2, 2]]
        let charts = try Report.trainingCharts(TrainingHistory(stages: [stage]), title: "vae")
        #expect(charts.count == 2)
        #expect(charts[1].series.map(\.name) == ["kl", "reconstruction"] && charts[1].series[1].values == [8, 5, 4])
    }

    @Test func figureNamesMustBePlainAndDistinct() {
        var report = Report(title: "t")
        report.add(.figure(file: "../escape.svg", svg: "<svg/>", caption: ""))
        #expect(throws: FigureError("report figure file \"../escape.svg\" must be a plain file name other than index.html")) {
            try report.write(to: temporaryFolder())
        }
        let file = temporaryFolder() + "/taken"
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        #expect(throws: FigureError("cannot write the report into \(file): a file of that name exists")) { try Report(title: "t").write(to: file) }
        var twice = Report(title: "t")
        twice.add(.figure(file: "a.svg", svg: "<svg/>", caption: ""))
        twice.add(.figure(file: "a.svg", svg: "<svg/>", caption: ""))
        #expect(throws: FigureError("two report figures are named \"a.svg\"")) { try twice.write(to: temporaryFolder()) }
    }

    @Test func pageTextIsEscaped() {
        var report = Report(title: "<b>")
        report.add(.table(header: ["a&b"], rows: [["<script>"]]))
        let html = report.html()
        #expect(html.contains("&lt;b&gt;") && html.contains("a&amp;b") && html.contains("&lt;script&gt;") && !html.contains("<script>"))
    }

    /// Opens the report in headless Chromium: every image must load (checked from a page that
    /// frames the report) and the browser's console must stay silent.
    @Test(.enabled(if: executablePath("chromium") != nil, "needs chromium (installed by .ci/run)"))
    func reportOpensInARealBrowser() throws {
        let (folder, report) = try Self.writtenReport()
        let figures = report.blocks.filter { if case .figure = $0 { true } else { false } }.count
        let checker = """
            <!DOCTYPE html><html><body><iframe id="report" src="index.html" width="1200" height="900"></iframe><script>
            document.getElementById('report').addEventListener('load', (event) => {
              const images = Array.from(event.target.contentDocument.images);
              const broken = images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));
              document.body.setAttribute('data-result', images.length + ' images, broken: [' + broken.join(',') + ']');
            });
            </script></body></html>
            """
        try FileIO.writeAtomically(Array(checker.utf8), to: folder + "/check.html")
        let browser = ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000", "--dump-dom"]
        let checked = try runProcess("chromium", browser + ["--allow-file-access-from-files", "file://\(folder)/check.html"])
        #expect(checked.output.contains("data-result=\"\(figures) images, broken: []\""), "\(checked.output.suffix(400))")
        let opened = try runProcess("chromium", browser + ["--enable-logging=stderr", "--v=0", "file://\(folder)/index.html"])
        let console = opened.errors.split(separator: "\n").filter { $0.contains(":CONSOLE") }
        #expect(console.isEmpty, "console messages: \(console)")
        #expect(opened.output.contains("<h1>pca model pca-2.safetensors"))
    }
}

@Suite struct DecodedGridTests {
    /// PCA-2 on the bundled images: DECODE is affine, so the strip's middle image is the mean of
    /// its ends' reconstructions, and a traversal's middle column decodes the codes' mean.
    @Test func interpolationAndTraversalDecodeTheRightCodes() throws {
        let data = try DatasetLoader().load("fashion-mnist-mini:test").prefix(300)
        var generator = RandomGenerator(seed: 1)
        let model = try PCA.fit(data.samples, configuration: .init(components: .count(2)), using: &generator)
        let (a, b) = (data.samples.rows(0..<1), data.samples.rows(1..<2))
        let strip = try ImageGrid.interpolation(model, from: a, to: b, labels: ["a → b"], steps: 3, imageShape: [28, 28])
        let middle = strip.rows[0].images.rows(1..<2)
        let expected = (try model.reconstruct(a) + model.reconstruct(b)) * 0.5
        #expect(middle.isApproximatelyEqual(to: expected, relativeTolerance: 1e-4, absoluteTolerance: 1e-4))
        #expect(strip.rows[0].images.rows(0..<1).isApproximatelyEqual(to: try model.reconstruct(a), relativeTolerance: 1e-4, absoluteTolerance: 1e-4))
        let codes = try model.encode(data.samples)
        let traversal = try ImageGrid.traversal(model, codes: codes, steps: 5, imageShape: [28, 28])
        #expect(traversal.rows.count == 2)
        let centre = try model.decode(codes.mean(alongAxis: 0).reshaped([1, 2]))
        for row in traversal.rows {
            #expect(row.images.rows(2..<3).isApproximatelyEqual(to: centre, relativeTolerance: 1e-4, absoluteTolerance: 1e-4))
        }
    }
}
