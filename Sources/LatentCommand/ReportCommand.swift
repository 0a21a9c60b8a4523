import ArgumentParser
import Foundation
import Latent

/// `latent report`: an HTML page of what one model learned, drawn on any data.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an HTML report of a model: metrics, training curves, reconstructions, codes.",
        discussion: """
            Writes DIR/index.html and its SVG figures (opens offline in any browser): the model's metrics on the data, \
            its training curves (loss per epoch, held-out loss dashed), originals above reconstructions when the samples \
            are images, new samples (a VAE's prior draws, and draws from the code density `latent fit-density` stored), the codes as a scatter plot coloured by class (projected on their first two principal components \
            when d > 2), k-means centroids, the configuration, and the commands that fitted the model and wrote the report.
            """)

    @Argument(help: "A model file written by `latent fit`.") var model: String
    @Option(help: "The data to draw on (usually the test split).") var data: String
    @Option(help: "The folder for index.html and its figures (created if missing).") var output: String
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        ComputeSettings.current = try compute.settings()
        let display = ProgressDisplay(quiet: outputOptions.quiet)
        let (file, loaded) = try readModel(model)
        try refuseConditional(loaded, path: model, "report")
        let dataset = try dataOptions.load(data, labels: dataOptions.labels, for: loaded, in: file, path: model)
        display.update("drawing the report of \(model) on \(dataset.count) samples", force: true)
        let report = try Report.model(loaded, named: (model as NSString).lastPathComponent, data: dataset,
                                      codeDensity: try file.codeDensity(file: model), fitCommand: file.metadata[SafeTensorsFile.commandKey], reportCommand: invocation())
        let page = try report.write(to: output)
        display.finish()
        let figures = report.blocks.filter { if case .figure = $0 { true } else { false } }.count
        try printResult(["report": page, "figures": figures, "model": model, "samples": dataset.count], json: outputOptions.json)
    }
}
