import Autoencoders
import DataFormats
import Foundation
import NeuralNetworks
import Tensors

/// Reports built from fitted models: one model on a dataset (`latent report`), or several
/// compared side by side (`latent demo`).
extension Report {
    /// How many examples the reconstruction grids show.
    public static let exampleCount = 12
    /// At most this many codes are drawn in a scatter plot (an evenly spaced choice beyond);
    /// above ``ScatterPlot/rasterThreshold`` they are drawn as an image.
    public static let scatterLimit = 100_000

    /// Example rows for reconstruction grids: one sample of each class in turn (the first of
    /// its class in the data), or the first rows when the data has no labels.
    public static func exampleIndices(_ data: Dataset, count: Int = exampleCount) -> [Int] {
        guard let labels = data.labels else { return Array(0..<min(count, data.count)) }
        var byClass: [Int: [Int]] = [:]
        for (index, label) in labels.enumerated() { byClass[label, default: []].append(index) }
        let classes = byClass.keys.sorted()
        var chosen: [Int] = [], round = 0
        while chosen.count < min(count, data.count) {
            for label in classes where chosen.count < count && round < byClass[label]!.count { chosen.append(byClass[label]![round]) }
            round += 1
        }
        return chosen
    }

    /// The image shape [height, width] of `data`'s samples, when they are grey images.
    public static func imageShape(_ data: Dataset) -> [Int]? {
        guard let shape = data.sampleShape else { return nil }
        return ImageGrid.drawableShape(shape, features: data.features)
    }

    /// The samples a scatter plot draws: all of `data` up to ``scatterLimit`` rows, else an
    /// evenly spaced subset (deterministic, every class kept in proportion).
    public static func scatterSample(_ data: Dataset) -> Dataset {
        data.count <= scatterLimit ? data : data.subset((0..<scatterLimit).map { $0 * data.count / scatterLimit })
    }

    /// A scatter plot of `codes` (`n × d`, the codes of `samples`' rows), projected to a plane
    /// when d > 2 and coloured by `samples`' labels.
    public static func codeScatter(_ codes: Tensor, of samples: Dataset, title: String) throws -> ScatterPlot {
        let plane = try CodePlane.project(codes)
        return try ScatterPlot(codes: plane.points, labels: samples.labels, classNames: samples.classNames, title: title,
                               xLabel: plane.xLabel, yLabel: plane.yLabel)
    }

    /// A principal tree's codes as a reader reads them: pseudotime across, branch down, instead
    /// of its raw (edge index, position on the edge) pair. Nil for every other model.
    static func treeCodes(_ model: any Autoencoder, codes: Tensor, of samples: Dataset, title: String) throws -> ScatterPlot? {
        guard let graph = ((model as? any ScaledModel)?.unscaled ?? model) as? PrincipalGraph, graph.configuration.topology == .tree else { return nil }
        let (time, branch) = (try graph.pseudotime(of: codes), try graph.branches(of: codes))
        // A fixed spread within each branch's row (the golden ratio's multiples), the same in every report.
        let spread = (0..<codes.shape[0]).map { 0.5 * ((Double($0) * 0.618_033_988_75).truncatingRemainder(dividingBy: 1) - 0.5) }
        let points = try Tensor(shape: [codes.shape[0], 2], scalars: (0..<codes.shape[0]).flatMap { [Float(time[$0]), Float(Double(branch[$0]) + spread[$0])] })
        // Without classes, the branch colours the points.
        return try ScatterPlot(codes: points, labels: samples.labels ?? branch, classNames: samples.labels == nil ? nil : samples.classNames,
                               title: title, xLabel: "pseudotime (distance along the tree)", yLabel: "branch")
    }

    /// For a model trained toward a prior, its codes drawn over as many draws of the prior (in
    /// the codes' plane): how well the KL term, the WAE's penalty or the AAE's critic matched
    /// them. Nil for other models, and for a conditional VAE (whose code holds the label too).
    static func codesOverPrior(_ model: any Autoencoder, codes: Tensor, of samples: Dataset, drawn: String) throws -> (plot: ScatterPlot, caption: String)? {
        guard let prior = (model as? any PriorModel)?.prior, ((model as? any ConditionalModel)?.conditionClasses ?? 0) == 0 else { return nil }
        var generator = RandomGenerator(seed: sampleSeed)
        let draws = prior.draw(count: codes.shape[0], dimension: codes.shape[1], using: &generator)
        let plane = try CodePlane.project(codes, with: draws)
        var plot = try ScatterPlot(codes: plane.points, labels: samples.labels, classNames: samples.classNames,
                                   title: "Codes over draws of the prior", xLabel: plane.xLabel, yLabel: plane.yLabel)
        plot.background = (plane.others, "prior draws")
        return (plot, "\(drawn), over as many draws of the prior (\(prior.description)) in grey, in the same plane: where codes and prior disagree, decoded prior draws fall where no training sample led the decoder" + plot.colouringCaption)
    }

    /// Interpolation strips between the first and second halves of `examples` (at most four
    /// pairs), rows named by the pairs' classes; nil with fewer than two examples.
    static func interpolationStrips(_ model: any Autoencoder, examples: Dataset, path: LatentSpace.Path = .linear,
                                    imageShape: [Int]) throws -> ImageGrid? {
        let pairs = min(4, examples.count / 2)
        guard pairs >= 1 else { return nil }
        return try ImageGrid.interpolation(model, from: examples.samples.rows(0..<pairs), to: examples.samples.rows(pairs..<(2 * pairs)),
                                           labels: (0..<pairs).map { pairName(examples, $0, pairs + $0) }, path: path, imageShape: imageShape)
    }

    /// Line charts of a training history: the stages that end in a model (fine-tuning,
    /// training, factors) with their held-out loss, and the pretraining stages together.
    public static func trainingCharts(_ history: TrainingHistory, title: String) throws -> [LineChart] {
        let pretraining = history.stages.filter(\.isPretraining)
        let main = history.stages.filter { !$0.isPretraining && !$0.record.trainLoss.isEmpty }
        var charts: [LineChart] = []
        if !main.isEmpty {
            let series = main.flatMap { stage -> [LineChart.Series] in
                let prefix = main.count > 1 ? "\(stage.name): " : ""
                var lines = [LineChart.Series(name: prefix + "training", values: stage.record.trainLoss.map(Double.init))]
                if !stage.record.heldOutLoss.isEmpty {
                    lines.append(.init(name: prefix + "held out", values: stage.record.heldOutLoss.map(Double.init), dashed: true))
                }
                return lines
            }
            charts.append(try LineChart(title: "\(title): \(main.count == 1 ? main[0].name : "training")", yLabel: main[0].loss, series: series))
            // A loss of several terms (a VAE's reconstruction and KL) gets their curves too; the
            // term the training curve already shows is left out.
            for stage in main {
                let terms = (stage.record.terms ?? [:]).filter { $0.value != stage.record.trainLoss }.sorted { $0.key < $1.key }
                guard !terms.isEmpty else { continue }
                charts.append(try LineChart(title: "\(title): \(stage.name), loss terms", yLabel: "mean per sample",
                                            series: terms.map { .init(name: $0.key, values: $0.value.map(Double.init)) }))
            }
        }
        if !pretraining.isEmpty {
            charts.append(try LineChart(title: "\(title): RBM pretraining", yLabel: pretraining[0].loss,
                                        series: pretraining.map { .init(name: $0.name, values: $0.record.trainLoss.map(Double.init)) }))
        }
        return charts
    }

    /// The report of one model on `data`: configuration, metrics, training curves,
    /// reconstructions, codes, and the commands that made the model and the report.
    public static func model(_ model: any Autoencoder, named name: String, data: Dataset, codeDensity: CodeDensity? = nil,
                             fitCommand: String?, reportCommand: String, exploreCommand: String? = nil) throws -> Report {
        let method = type(of: model).methodName
        var report = Report(title: "\(method) model \(name) on \(data.name)")
        let metrics = try ReconstructionMetrics(model, samples: data.samples)
        report.add(.paragraph("A \(method) model with codes of \(model.codeSize) dimensions for samples of \(model.inputSize) features, evaluated on \(data.count) samples of \(data.name)."))
        report.add(.heading("Metrics"))
        report.add(.table(header: ["measure", "value"], rows: [
            ["samples", "\(metrics.samples)"], ["features", "\(metrics.features)"], ["code size", "\(model.codeSize)"],
            ["distortion Σ‖x − x̂‖²", String(format: "%.6g", metrics.distortion)],
            ["squared error per sample", String(format: "%.4f", metrics.ssePerSample)],
            ["mean squared error per feature", String(format: "%.6f", metrics.msePerFeature)],
        ]))
        if let history = model.trainingHistory {
            report.add(.heading("Training"))
            for (index, chart) in try trainingCharts(history, title: method).enumerated() {
                report.add(.figure(file: "training-\(index + 1).svg", svg: chart.svg(), caption: chart.caption))
            }
        }
        try report.addPrincipalGraph(model, data: data)
        // The codes of the scatter sample serve the traversal and the scatter plot.
        let sample = scatterSample(data)
        let codes = try model.encode(sample.samples)
        if let shape = imageShape(data) {
            let examples = data.subset(exampleIndices(data))
            let grid = try ImageGrid(title: "Originals and reconstructions", rows: [
                .init(label: "original", images: examples.samples),
                .init(label: method, images: try model.reconstruct(examples.samples)),
            ], imageShape: shape)
            report.add(.heading("Reconstructions"))
            report.add(.figure(file: "reconstructions.svg", svg: try grid.svg(), caption: "Top: samples of \(data.name), one per class in turn; below: DECODE(ENCODE(x))."))
            // A discrete code (k-means' cluster index): nothing lies between two codes.
            let discrete = model as? any DiscreteCodes
            let gaussian = model is any ProbabilisticEncoder
            if discrete == nil, let strips = try interpolationStrips(model, examples: examples, path: gaussian ? .spherical : .linear, imageShape: shape) {
                report.add(.figure(file: "interpolations.svg", svg: try strips.svg(),
                                   caption: gaussian ? "DECODE of codes on the great circle from one sample's code to another's (spherical interpolation, for Gaussian codes)."
                                                     : "DECODE of codes on the straight line from one sample's code to another's."))
            }
            if let grid = try sampleGrid(model, codeDensity: codeDensity, imageShape: shape) {
                report.add(.heading("Samples"))
                report.add(.figure(file: "samples.svg", svg: try grid.grid.svg(), caption: grid.caption))
            }
            if discrete == nil, codes.shape[0] >= 2 {
                let traversal = try ImageGrid.traversal(model, codes: codes, imageShape: shape)
                report.add(.figure(file: "traversals.svg", svg: try traversal.svg(),
                                   caption: "DECODE of codes moved along one axis from the codes' mean, the others held at their means."))
            }
            if let discrete {
                // DECODE of every code: the prototypes, in the data's units.
                let centroids = try model.decode(try Tensor(shape: [discrete.codeCount, 1], scalars: (0..<discrete.codeCount).map(Float.init)))
                let rows = stride(from: 0, to: centroids.shape[0], by: exampleCount).map { start in
                    ImageGrid.Row(label: "clusters \(start + 1)–\(min(start + exampleCount, centroids.shape[0]))",
                                  images: centroids.rows(start..<min(start + exampleCount, centroids.shape[0])))
                }
                let centreGrid = try ImageGrid(title: "Cluster centres", rows: rows, imageShape: shape)
                report.add(.figure(file: "centroids.svg", svg: try centreGrid.svg(), caption: "DECODE of each cluster index: the centroids."))
            }
        }
        if let tree = try treeCodes(model, codes: codes, of: sample, title: "Codes of \(data.name)") {
            report.add(.heading("Codes"))
            report.add(.figure(file: "codes.svg", svg: tree.svg(), caption: "Each of up to \(scatterLimit) samples at its pseudotime (the distance "
                                + "along the tree from its first leaf to the sample's projection) and on its branch (rows, spread a little to show "
                                + "their density)" + tree.colouringCaption))
        } else if !(model is any DiscreteCodes) {
            report.add(.heading("Codes"))
            let scatter = try codeScatter(codes, of: sample, title: "Codes of \(data.name)")
            let drawn = switch model.codeSize {
            case 1: "ENCODE(x) of up to \(scatterLimit) samples, on one axis"
            case 2: "ENCODE(x) of up to \(scatterLimit) samples"
            default: "ENCODE(x) of up to \(scatterLimit) samples projected on the codes' first two principal components"
            }
            report.add(.figure(file: "codes.svg", svg: scatter.svg(), caption: drawn + scatter.colouringCaption))
            if let overPrior = try codesOverPrior(model, codes: codes, of: sample, drawn: drawn) {
                report.add(.figure(file: "codes-prior.svg", svg: overPrior.plot.svg(), caption: overPrior.caption))
            }
            if let exploreCommand {
                report.add(.paragraph("To look around this space in the browser (hover a code to see its sample, click anywhere to decode that point, "
                                      + "drag a path to decode along it), run the command below and open the address it prints:"))
                report.add(.code(exploreCommand))
            }
        }
        report.add(.heading("Configuration"))
        report.add(.code(try prettyConfiguration(model)))
        report.add(.heading("Reproduce"))
        if let fitCommand { report.add(.paragraph("The model was fitted by:")); report.add(.code(fitCommand)) }
        report.add(.paragraph("This report was written by:"))
        report.add(.code(reportCommand))
        return report
    }
}

/// The configuration of `model` as indented JSON with sorted keys.
func prettyConfiguration<Model: Autoencoder>(_ model: Model) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return String(decoding: try encoder.encode(model.configuration), as: UTF8.self)
}

/// "A → B" with the class names of rows `a` and `b` of `data`, or their row numbers.
func pairName(_ data: Dataset, _ a: Int, _ b: Int) -> String {
    guard let labels = data.labels, let names = data.classNames, labels[a] < names.count, labels[b] < names.count else { return "\(a + 1) → \(b + 1)" }
    return "\(names[labels[a]]) → \(names[labels[b]])"
}
