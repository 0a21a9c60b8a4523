import ArgumentParser
import Foundation
import Latent

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure how well a model reconstructs data, and how its codes keep classes and neighbourhoods.",
        discussion: """
            Reports samples, features, code_size, distortion, sse_per_sample (Hinton & Salakhutdinov's per-image \
            squared error) and mse_per_feature; with --reference, trustworthiness (k = 5, on at most 2000 samples \
            drawn with --seed) and, when both sets carry labels, knn_accuracy (k = 5, neighbours among the \
            reference set's codes).
            """)

    @Argument(help: "A model file written by `latent fit`.") var model: String
    @Option(help: "The data to evaluate on.") var data: String
    @Option(help: "Reference data for knn_accuracy and trustworthiness (usually the training set).") var reference: String?
    @Option(help: "Seed of the trustworthiness subsample.") var seed: UInt64 = 0
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        ComputeSettings.current = try compute.settings()
        let display = ProgressDisplay(quiet: outputOptions.quiet)
        let loaded = try Methods.load(from: model)
        let dataset = try dataOptions.loader.load(data)
        display.update("evaluating on \(dataset.count) samples", force: true)
        let codes = try loaded.encode(dataset.samples)
        let metrics = ReconstructionMetrics(samples: dataset.samples, reconstructions: try loaded.decode(codes))
        var result: [String: Any] = [
            "model": model, "method": type(of: loaded).methodName, "samples": metrics.samples, "features": metrics.features,
            "code_size": loaded.codeSize, "distortion": metrics.distortion, "sse_per_sample": metrics.ssePerSample,
            "mse_per_feature": metrics.msePerFeature,
        ]
        if let reference {
            let referenceSet = try dataOptions.loader.load(reference)
            var generator = RandomGenerator(seed: seed)
            display.update("trustworthiness", force: true)
            result["trustworthiness"] = try ReconstructionMetrics.trustworthiness(samples: dataset.samples, codes: codes, using: &generator)
            if let labels = dataset.labels, let referenceLabels = referenceSet.labels {
                display.update("kNN accuracy against \(referenceSet.count) reference codes", force: true)
                result["knn_accuracy"] = try ReconstructionMetrics.knnAccuracy(
                    codes: codes, labels: labels, referenceCodes: try loaded.encode(referenceSet.samples), referenceLabels: referenceLabels)
            }
        }
        display.finish()
        try printResult(result, json: outputOptions.json)
    }
}

struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write the codes of data (.npy or .csv).")

    @Argument(help: "A model file written by `latent fit`.") var model: String
    @Option(help: "The data to encode.") var data: String
    @Option(help: "Where to write the codes: .npy or .csv.") var output: String
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var compute: ComputeOptions

    func run() throws {
        ComputeSettings.current = try compute.settings()
        let loaded = try Methods.load(from: model)
        let codes = try loaded.encode(try dataOptions.loader.load(data).samples)
        try ArrayFile.write(codes, to: output, columnPrefix: "z")
        print("wrote \(codes.shape[0]) codes of width \(codes.shape[1]) to \(output)")
    }
}

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write the reconstructions of codes (.npy or .csv).")

    @Argument(help: "A model file written by `latent fit`.") var model: String
    @Option(help: "Codes: a .npy or .csv file.") var codes: String
    @Option(help: "Where to write the decoded samples: .npy or .csv.") var output: String
    @Flag(help: "Accept NaN and infinite values in the codes file.") var allowNonFinite = false
    @OptionGroup var compute: ComputeOptions

    func run() throws {
        ComputeSettings.current = try compute.settings()
        let loaded = try Methods.load(from: model)
        let decoded = try loaded.decode(try ArrayFile.read(codes, allowNonFinite: allowNonFinite))
        try ArrayFile.write(decoded, to: output, columnPrefix: "x")
        print("wrote \(decoded.shape[0]) samples of \(decoded.shape[1]) features to \(output)")
    }
}
