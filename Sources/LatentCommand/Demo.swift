import ArgumentParser
import Foundation
import Latent

/// The main job: every method fitted to the bundled Fashion-MNIST subset (or the full set with
/// `--full`), compared on the test images in Hinton & Salakhutdinov's unit (squared error per
/// image) and, for 2-D codes, by kNN accuracy. Models, figures and the HTML report of the
/// lecture's comparisons (Hinton & Salakhutdinov's Figs. 2 and 3) go to `--output`.
struct Demo: ComputingCommand {
    var computeOptions: ComputeOptions { compute }
    static let configuration = CommandConfiguration(
        abstract: "Fit every method on bundled data and compare them.",
        discussion: """
            Fits PCA, k-means, nonlinear PCA and the deep autoencoder (RBM pretraining) with 30-D and 2-D codes, t-SNE and UMAP (2-D), the \
            VAE and the adversarial autoencoder (784-400-20) and the convolutional VAE on fashion-mnist-mini, prints test errors and kNN \
            accuracies, then draws new images: the VAEs' and the AAE's prior samples, the deep autoencoder's decoder on the same N(0, I) codes, and Gaussian mixtures fitted \
            to the deep autoencoder's and PCA's codes, each measured against the test images (MMD², precision, recall, \
            distance to the training set). Saves the models (with their code densities) and writes an HTML report \
            (OUTPUT/index.html): the error table, reconstructions side by side, the 2-D codes as scatter plots, the \
            samples, a spherical interpolation, an attribute vector, the VAE's and AAE's codes over prior draws, and a translator \
            between the top and bottom halves of the images (their translations against the true halves).
            """)

    @Option(help: "Folder for the fitted models and the report.") var output: String = "latent-demo"
    @Flag(help: "Use full Fashion-MNIST (60 000 + 10 000 images; tens of minutes) instead of the bundled subset.") var full = false
    @Option(help: "Seed of every random choice.") var seed: UInt64 = 0
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var outputOptions: OutputOptions


    func run() throws {
        // The default folder is relative too.
        let output = WorkingDirectory.file(output)
        let display = ProgressDisplay(quiet: outputOptions.quiet)
        let name = full ? "fashion-mnist" : "fashion-mnist-mini"
        let loader = DatasetLoader()
        display.update("loading \(name)", force: true)
        let train = try loader.load("\(name):train"), test = try loader.load("\(name):test")
        display.finish("loaded \(name): \(train.count) training and \(test.count) test images of \(train.features) pixels")
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let start = Date()
        var rows: [Report.Entry] = []
        var files: [String: String] = [:]
        // The deep networks' budget: the defaults on the full set; fewer epochs on the subset so the
        // demo stays within a few minutes on two cores.
        let (pretrainEpochs, fineTuneEpochs) = full ? (10, 20) : (10, 40)
        // The PyTorch example's 10 epochs of 60 000 images; as many steps on the subset.
        let vaeEpochs = full ? 10 : 100

        func fit(_ label: String, file: String, codeSize: Int, _ body: (inout RandomGenerator, @escaping (TrainingProgress) throws -> Void) throws -> any Autoencoder) throws {
            var generator = RandomGenerator(seed: seed)
            let began = Date()
            display.update("\(label): fitting", force: true)
            let model = try body(&generator) { p in
                display.training(p, label: "\(label): ")
            }
            let seconds = Date().timeIntervalSince(began)
            try model.save(to: (output as NSString).appendingPathComponent(file))
            let metrics = try ReconstructionMetrics(model, samples: test.samples)
            var knn: Double? = nil
            if codeSize == 2, let labels = test.labels, let trainLabels = train.labels {
                knn = try ReconstructionMetrics.knnAccuracy(codes: model.encode(test.samples), labels: labels,
                                                            referenceCodes: model.encode(train.samples), referenceLabels: trainLabels)
            }
            files[label] = file
            rows.append(Report.Entry(name: label, model: model, testError: metrics.ssePerSample, knnAccuracy: knn, seconds: seconds))
            display.finish(String(format: "%@: test error %.3f per image (%@)", label, metrics.ssePerSample, formatDuration(seconds)))
        }

        for k in [30, 2] {
            try fit("PCA-\(k)", file: "pca-\(k).safetensors", codeSize: k) { g, _ in
                try PCA.fit(train.samples, configuration: .init(components: .count(k)), using: &g)
            }
        }
        try fit("k-means (k = 10)", file: "kmeans-10.safetensors", codeSize: 1) { g, _ in
            try KMeans.fit(train.samples, configuration: .init(clusters: 10), using: &g)
        }
        try fit("nonlinear PCA, f = 2", file: "nonlinear-pca-2.safetensors", codeSize: 2) { g, progress in
            try NonlinearPCA.fit(train.samples, configuration: .init(components: 2, mappingWidth: 64,
                                                                     training: .init(epochs: fineTuneEpochs, batchSize: 64, learningRate: 1e-3)),
                                 using: &g, context: FitContext(progress: progress))
        }
        for k in [30, 2] {
            try fit("deep autoencoder 784-1000-500-250-\(k)", file: "deep-autoencoder-\(k).safetensors", codeSize: k) { g, progress in
                var configuration = DeepAutoencoder.Configuration(codeSize: k, pretrainingEpochs: pretrainEpochs)
                configuration.training.epochs = fineTuneEpochs
                // The paper's schedule counts epochs (20 of 60 000 images); the demo keeps it.
                configuration.training.minimumSteps = nil
                return try DeepAutoencoder.fit(train.samples, configuration: configuration, using: &g, context: FitContext(progress: progress))
            }
        }
        // The projective family beside the autoencoders: openTSNE's and umap-learn's defaults.
        try fit("t-SNE, 2-D", file: "tsne-2.safetensors", codeSize: 2) { g, _ in
            try TSNE.fit(train.samples, configuration: .init(), using: &g) { progress in
                display.update(String(format: "t-SNE, 2-D: iteration %d of %d", progress.iteration, progress.total),
                               fraction: Double(progress.iteration) / Double(progress.total))
            }
        }
        try fit("UMAP, 2-D", file: "umap-2.safetensors", codeSize: 2) { g, _ in
            try UMAP.fit(train.samples, configuration: .init(), using: &g) { progress in
                display.update(String(format: "UMAP, 2-D: epoch %d of %d", progress.epoch, progress.total), fraction: Double(progress.epoch) / Double(progress.total))
            }
        }
        try fit("VAE 784-400-20", file: "vae-20.safetensors", codeSize: 20) { g, progress in
            try VariationalAutoencoder.fit(train.samples, configuration: .init(training: .init(epochs: vaeEpochs, batchSize: 128, learningRate: 1e-3)),
                                           using: &g, context: FitContext(progress: progress))
        }
        let vae = rows.last!.model as! VariationalAutoencoder
        // The same VAE on the images as images: the default convolutional encoder and decoder
        // (two 4 × 4 convolutions of stride 2 with 32 and 64 channels, and their transposes).
        try fit("VAE conv 1-32-64-20", file: "vae-conv-20.safetensors", codeSize: 20) { g, progress in
            try VariationalAutoencoder.fit(train.samples, configuration: .init(training: .init(epochs: vaeEpochs, batchSize: 128, learningRate: 1e-3),
                                                                               architecture: .conv, imageShape: train.sampleShape),
                                           using: &g, context: FitContext(progress: progress))
        }
        let convolutional = rows.last!.model as! VariationalAutoencoder
        // The adversarial autoencoder at the VAE's network and budget: its critic, not a KL term, matches the codes to N(0, I).
        try fit("AAE 784-400-20", file: "aae-20.safetensors", codeSize: 20) { g, progress in
            try AdversarialAutoencoder.fit(train.samples, configuration: .init(training: .init(epochs: vaeEpochs, batchSize: 128, learningRate: 1e-3)),
                                           using: &g, context: FitContext(progress: progress))
        }
        let aae = rows.last!.model as! AdversarialAutoencoder
        let generation = DemoGeneration(train: train, test: test, seed: seed, display: display)
        let others = ["deep autoencoder 784-1000-500-250-30", "PCA-30"].map { name in
            (name: name, model: rows.first { $0.name == name }!.model, file: files[name]!)
        }
        let samplers = try generation.samplers(vae: vae, convolutional: convolutional, aae: aae, others: others, folder: output)
        let translation = try DemoTranslation(name: name, seed: seed, display: display).run(epochs: full ? 20 : 30)
        try translation.model.save(to: (output as NSString).appendingPathComponent("translator-halves.safetensors"))
        display.update("writing the report", force: true)
        var report = try Report.comparison(rows, train: train, test: test, command: invocation())
        try report.addGeneration(samplers, test: test, interpolation: try generation.interpolation(vae), attribute: try generation.attributeGrid(vae))
        try report.addCodesOverPrior([("VAE", vae), ("AAE", aae)], data: test)
        try report.addTranslation(translation.model, sets: translation.test, measures: translation.measures, summary: """
            The top and bottom halves of each image as two domains of one object: an autoencoder each (392-256-20), one shared \
            latent space aligned by a critic and a latent classifier, with \(Int(DemoTranslation.anchorFraction * 100)) % of the \
            training pairs known (Yang et al. 2021). Measured on the \(translation.test[0].count) test images, each scored among all of them.
            """)
        let page = try report.write(to: output)
        display.finish()
        let seconds = Date().timeIntervalSince(start)
        if outputOptions.json {
            try printJSON(DemoResult(
                data: name, output: output, report: page, seconds: seconds,
                methods: rows.map { .init(method: $0.name, codeSize: $0.model.codeSize, testSSEPerSample: $0.testError, seconds: $0.seconds, knnAccuracy: $0.knnAccuracy) },
                translation: translation.json,
                samplers: samplers.map { Merged(DemoResult.Sampler(sampler: $0.name, samples: $0.samples.rows), $0.metrics) }))
            return
        }
        Console.line("Test error on \(test.count) \(name) images (squared error per image, Hinton & Salakhutdinov's unit);")
        Console.line("kNN accuracy (k = 5) of 2-D test codes against the training codes:\n")
        Console.line(column("method", 42) + column("code", 6) + column("test error", 12) + column("kNN", 8) + "fit time")
        for row in rows {
            Console.line(column(row.name, 42) + column("\(row.model.codeSize)", 6) + column(String(format: "%.3f", row.testError), 12)
                  + column(row.knnAccuracy.map { String(format: "%.3f", $0) } ?? "", 8) + formatDuration(row.seconds))
        }
        Console.line("\nNew images: \(test.count) samples per sampler against the \(test.count) test images (features: the test set's first \(samplers[0].metrics.featureCount) principal components):\n")
        Console.line(column("sampler", 64) + column("MMD²", 9) + column("precision", 11) + column("recall", 8) + "distance to training set")
        for sampler in samplers {
            let m = sampler.metrics
            Console.line(column(sampler.name, 64) + column(String(format: "%.4f", m.maximumMeanDiscrepancy), 9) + column(String(format: "%.3f", m.precision), 11)
                  + column(String(format: "%.3f", m.recall), 8) + String(format: "%.2f (test images %.2f)", m.nearestTrainingDistance ?? .nan, m.testNearestTrainingDistance ?? .nan))
        }
        Console.line("\nTranslation between the top and bottom halves of the test images (\(Int(DemoTranslation.anchorFraction * 100)) % of the training pairs known):\n")
        for (measure, value) in translation.measures { Console.line(column(measure, 64) + value) }
        Console.line("\nReport: \(page)")
        Console.line("Models in \(output)/ (`latent evaluate MODEL --data \(name):test` reads them); total \(formatDuration(seconds)).")
    }
}

/// Pads `text` to `width` columns.
func column(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}

/// What `latent demo --json` prints: each method's test error, each sampler's measures and the
/// translation's.
struct DemoResult: Encodable {
    struct Method: Encodable {
        var method: String
        var codeSize: Int
        var testSSEPerSample: Double
        var seconds: Double
        var knnAccuracy: Double?

        enum CodingKeys: String, CodingKey {
            case method, codeSize = "code_size", testSSEPerSample = "test_sse_per_sample", seconds, knnAccuracy = "knn_accuracy"
        }
    }

    /// A sampler's name and sample count, beside its ``GenerationMetrics``.
    struct Sampler: Encodable {
        var sampler: String
        var samples: Int
    }

    var data: String
    var output: String
    var report: String
    var seconds: Double
    var methods: [Method]
    var translation: DemoTranslation.Measures
    var samplers: [Merged]
}
