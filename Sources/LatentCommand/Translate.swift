import ArgumentParser
import Foundation
import Latent

/// `latent translate`: samples of one domain decoded in another (DESIGN's contract).
struct Translate: ComputingCommand {
    var computeOptions: ComputeOptions { compute }
    static let configuration = CommandConfiguration(
        abstract: "Translate samples of one domain into another through a translator's shared latent space (.npy or .csv).",
        discussion: "DECODE_to(ENCODE_from(x)), each in its domain's units; a .png output is a grid of images when the target domain's samples are images. --json prints one JSON object on stdout.")

    @Argument(help: "A model file written by `latent fit translator`.", transform: WorkingDirectory.file) var model: String
    @Option(help: "Samples of the --from domain.", transform: WorkingDirectory.spec) var data: String
    @Option(help: "The domain the samples belong to.") var from: String
    @Option(help: "The domain to translate them into.") var to: String
    @Option(help: "Where to write the translations: .npy, .csv, or .png (an image grid, for a domain of images).", transform: WorkingDirectory.file) var output: String
    @OptionGroup var imageOptions: ImageOptions
    @OptionGroup var dataOptions: ReadingOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        guard ["npy", "csv", "png"].contains((output as NSString).pathExtension.lowercased()) else {
            throw ValidationError("--output must end in .npy, .csv or .png")
        }
    }

    func run() throws {
        try checkOutput(output, isNotAnyOf: [model, data])
        let (file, translator, source) = try loadDomainData(model: model, data: data, domain: from, options: dataOptions)
        let target = try translator.domainIndex(named: to)
        let translated = try translator.translate(source.samples, from: try translator.domainIndex(named: from), to: target)
        try translated.checkFinite("the translations of \(data) by \(model)")
        if (output as NSString).pathExtension.lowercased() == "png" {
            // The grid takes the target domain's image shape.
            var shaped = file
            try shaped.setSampleShape(try file.domainSampleShapes(file: model)[to])
            try writeSamples(translated, to: output, file: shaped, model: model, title: "\(data): \(from) → \(to)", scale: imageOptions.imageScale)
        } else {
            try ArrayFile.write(translated, to: output, columnNames: (0..<translated.columns).map { "\(to)\($0)" })
        }
        report(WrittenFile(output: output, samples: translated.rows, features: translated.columns, from: from, to: to),
               message: "wrote \(translated.rows) samples of \(from) translated into \(to) (\(translated.columns) features) to \(output)", options: outputOptions)
    }
}

/// A translator's model file, the translator, and data of one of its domains (checked against
/// the domain's width, labels numbered as the training data's).
func loadDomainData(model: String, data: String, domain: String, options: ReadingOptions, labels: String? = nil) throws -> (file: SafeTensorsFile, translator: Translator, data: Dataset) {
    let (file, loaded) = try readModel(model)
    guard let translator = loaded as? Translator else {
        throw ValidationErrorText("\(model) holds a \(type(of: loaded).methodName) model, which has one domain; domains belong to a translator (`latent fit translator`)")
    }
    let index = try translator.domainIndex(named: domain)
    let dataset = try options.load(data, labels: labels, knownClasses: try file.classNames(file: model),
                                   modelFeatures: try file.domainFeatureNames(file: model)[domain])
    guard dataset.features == translator.inputSize(domain: index) else {
        throw ValidationErrorText("\(data) has \(dataset.features) features per sample; domain \(domain) of \(model) takes \(translator.inputSize(domain: index))")
    }
    return (file, translator, dataset)
}
