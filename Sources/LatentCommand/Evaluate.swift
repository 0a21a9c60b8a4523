import ArgumentParser
import Foundation
import Latent

struct Evaluate: ComputingCommand {
    var computeOptions: ComputeOptions { compute }
    static let configuration = CommandConfiguration(
        abstract: "Measure how well a model reconstructs data, and how its codes keep classes and neighbourhoods.",
        discussion: """
            Reports samples, features, code_size, distortion, sse_per_sample (Hinton & Salakhutdinov's per-image \
            squared error) and mse_per_feature; for continuous codes, trustworthiness and continuity (Venna & Kaski \
            2001, k = 10: neighbourhood_k), each sample's ranks against every sample, summed over all samples or over \
            10 000 drawn with --seed (neighbourhood_queries), and, when the data carry labels, knn_accuracy: the \
            leave-one-out 10-NN accuracy of those queries' codes (knn_k = 10), or with --reference (and its labels) \
            the 5-NN accuracy against the reference set's codes (knn_k = 5; leave-one-out when the reference is the \
            data itself); ties to the smallest class, as scikit-learn breaks them. Models whose codes are cluster indices (k-means) report \
            adjusted_rand_index, normalized_mutual_information and purity against the data's labels instead. \
            Labels that are class names are numbered as the model's training data numbered them. Models that \
            bound a likelihood (vae) report negative_elbo_per_sample (nats: one reparametrised draw, KL in closed \
            form, β = 1) and, with --importance-samples K, nll_per_sample (the K-sample importance-weighted bound of \
            Burda et al. 2016, tighter as K grows); both draw their noise from --seed.
            """)

    @Argument(help: "A model file written by `latent fit`.", transform: WorkingDirectory.file) var model: String
    @Option(help: "The data to evaluate on.", transform: WorkingDirectory.spec) var data: String?
    @Option(name: .customLong("domain"), help: "A translator: NAME=SPEC for each domain to evaluate on (instead of --data): reconstruction per domain and, for paired rows, the alignment measures.", transform: WorkingDirectory.namedSpec)
    var domains: [String] = []
    @Option(help: .defaulted("A translator: rows, none or a CSV file of pairs (as `fit translator` takes).", rule: "rows when the domains have as many samples"), transform: WorkingDirectory.pairs) var pairs: String?
    @Option(help: "Reference data for knn_accuracy against its codes (usually the training set).", transform: WorkingDirectory.spec) var reference: String?
    @Option(help: "A labels file for --reference (IDX, NPY or CSV/TSV).", transform: WorkingDirectory.file) var referenceLabels: String?
    @Option(help: ArgumentHelp("The space trustworthiness and continuity measure input neighbourhoods in: model (the samples as the model saw them, after its --scale) or data (the file's units).",
                               discussion: "Default: model."))
    var metricSpace: MetricSpace = .model
    @Option(help: "Seed of the neighbourhood measures' query sample and of the likelihood bounds' noise.") var seed: UInt64 = 0
    @Option(help: "K, the draws per sample of the importance-weighted bound on −log p(x) (models with a likelihood: vae).")
    var importanceSamples: Int?
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if (data == nil) == domains.isEmpty { throw ValidationError("give --data, or --domain NAME=SPEC for each domain of a translator") }
        if pairs != nil, domains.isEmpty { throw ValidationError("--pairs pairs the samples of --domain options") }
        if let importanceSamples, importanceSamples < 1 {
            throw ValidationError("--importance-samples must be at least 1, got \(importanceSamples)")
        }
    }

    func run() throws {
        let display = ProgressDisplay(quiet: outputOptions.quiet)
        let (file, loaded) = try readModel(model)
        if importanceSamples != nil, !(loaded is any LikelihoodModel) {
            throw ValidationErrorText("--importance-samples: \(model) holds a \(type(of: loaded).methodName) model, which has no likelihood (vae has)")
        }
        guard let data else { return try evaluateDomains(loaded, file: file, display: display) }
        var dataset = try dataOptions.load(data, labels: dataOptions.labels, for: loaded, in: file, path: model)
        display.update("evaluating on \(dataset.count) samples", force: true)
        let input = try modelInput(dataset, for: loaded)
        let codes = try loaded.encode(input)
        // A conditional model's label columns come back as they went in: they add nothing to the error.
        let metrics = ReconstructionMetrics(samples: dataset.samples, reconstructions: try loaded.decode(codes).columns(0..<dataset.features))
        var result = Evaluation(model: model, method: type(of: loaded).methodName, samples: metrics.samples, features: metrics.features,
                                codeSize: loaded.codeSize, distortion: metrics.distortion, ssePerSample: metrics.ssePerSample,
                                msePerFeature: metrics.msePerFeature)
        if let bounded = loaded as? any LikelihoodModel {
            var generator = RandomGenerator(seed: seed)
            display.update("negative ELBO", force: true)
            result.negativeELBOPerSample = mean(try bounded.negativeEvidenceLowerBound(input, using: &generator))
            if let importanceSamples {
                display.update("importance-weighted bound, K = \(importanceSamples)", force: true)
                result.nllPerSample = mean(try bounded.negativeLogLikelihood(input, importanceSamples: importanceSamples, using: &generator))
                result.importanceSamples = importanceSamples
            }
        }
        try checkFinite(result, model: model)
        if loaded is any DiscreteCodes, let labels = dataset.labels {
            let scores = try ClusteringMetrics(clusters: codes.scalars.map { Int($0) }, classes: labels)
            (result.adjustedRandIndex, result.normalizedMutualInformation, result.purity) = (scores.adjustedRandIndex, scores.normalizedMutualInformation, scores.purity)
        }
        if !(loaded is any DiscreteCodes) {
            var generator = RandomGenerator(seed: seed)
            let queries = min(dataset.count, NeighbourhoodMetrics.defaultQueryLimit)
            display.update("trustworthiness and continuity (k = \(NeighbourhoodMetrics.defaultK), \(queries) queries)", force: true)
            let neighbourhoods = metricSpace == .model ? try modelSpaceSamples(dataset, of: loaded) : dataset.samples
            let measured = try NeighbourhoodMetrics.measure(samples: neighbourhoods, codes: codes.columns(0..<(loaded.codeSize - loaded.conditionColumns)),
                                                            labels: reference == nil ? dataset.labels : nil, using: &generator)
            (result.trustworthiness, result.continuity) = (measured.trustworthiness, measured.continuity)
            (result.neighbourhoodK, result.neighbourhoodQueries) = (measured.k, measured.queries)
            if let accuracy = measured.knnAccuracy { (result.knnAccuracy, result.knnK, result.knnLeaveOneOut) = (accuracy, measured.k, true) }
        }
        if let reference {
            var referenceSet = try dataOptions.load(reference, labels: referenceLabels, for: loaded, in: file, path: model)
            try alignLabels(&dataset, &referenceSet)
            if !(loaded is any DiscreteCodes), let labels = dataset.labels, let referenceLabels = referenceSet.labels {
                // The same set on both sides: each sample must not be its own neighbour.
                let leaveOneOut = reference == self.data || referenceSet.samples == dataset.samples
                display.update("kNN accuracy against \(referenceSet.count) reference codes\(leaveOneOut ? " (leave-one-out)" : "")", force: true)
                result.knnAccuracy = try ReconstructionMetrics.knnAccuracy(
                    codes: codes, labels: labels, referenceCodes: leaveOneOut ? codes : try loaded.encode(try modelInput(referenceSet, for: loaded)),
                    referenceLabels: referenceLabels, leaveOneOut: leaveOneOut)
                (result.knnK, result.knnLeaveOneOut) = (ReconstructionMetrics.neighbours, leaveOneOut)
            }
        }
        var spaces = ["sse_per_sample": "data", "mse_per_feature": "data", "distortion": "data"]
        if let scaled = loaded as? any ScaledModel, scaled.scaling.kind != .none {
            // The error as the model was trained to lower it, beside the one in the file's units.
            let scaledSamples = try modelSpaceSamples(dataset, of: loaded)
            let scaledReconstructions = try scaled.scaling.apply(try loaded.decode(codes).columns(0..<dataset.features), features: dataset.features)
            result.ssePerSampleModelSpace = ReconstructionMetrics(samples: scaledSamples, reconstructions: scaledReconstructions).ssePerSample
            spaces["sse_per_sample_model_space"] = modelSpaceName(loaded)
        }
        if result.trustworthiness != nil {
            spaces["trustworthiness"] = metricSpace == .model ? modelSpaceName(loaded) : "data"
            spaces["continuity"] = spaces["trustworthiness"]
        }
        if result.negativeELBOPerSample != nil { spaces["negative_elbo_per_sample"] = modelSpaceName(loaded) }
        result.metricSpaces = spaces
        display.finish()
        try printResult(result, json: outputOptions.json)
    }

    /// A translator on data of each domain: every domain's reconstruction error, and the
    /// alignment measures on the pairs (see ``translationReport``).
    private func evaluateDomains(_ loaded: any Autoencoder, file: SafeTensorsFile, display: ProgressDisplay) throws {
        guard let translator = loaded as? Translator else {
            throw ValidationErrorText("--domain: \(model) holds a \(type(of: loaded).methodName) model, which has one domain (use --data)")
        }
        if reference != nil || importanceSamples != nil { throw ValidationErrorText("--reference and --importance-samples take --data, not --domain") }
        let data = try Domains.load(domains, labels: [], pairs: pairs, testSplit: nil, options: dataOptions.reading, seed: seed, display: display,
                                       modelFeatures: try file.domainFeatureNames(file: model))
        guard data.names == translator.domainNames else {
            throw ValidationErrorText("--domain names \(data.names.joined(separator: ", ")); \(model) has the domains \(translator.domainNames.joined(separator: ", ")), in that order")
        }
        var reconstruction: [String: DomainReconstruction] = [:]
        for (k, set) in data.sets.enumerated() {
            guard set.features == translator.inputSize(domain: k) else {
                throw ValidationErrorText("\(set.name) has \(set.features) features per sample; domain \(data.names[k]) of \(model) takes \(translator.inputSize(domain: k))")
            }
            display.update("evaluating \(data.names[k]) on \(set.count) samples", force: true)
            let metrics = ReconstructionMetrics(samples: set.samples, reconstructions: try translator.decode(try translator.encode(set.samples, domain: k), domain: k))
            reconstruction[data.names[k]] = DomainReconstruction(samples: metrics.samples, features: metrics.features, ssePerSample: metrics.ssePerSample,
                                                                 msePerFeature: metrics.msePerFeature)
        }
        display.update("aligning the domains' codes", force: true)
        let result = TranslatorEvaluation(model: model, codeSize: translator.codeSize, reconstruction: reconstruction)
        let alignment = try translator.alignment(samples: data.sets.map(\.samples), labels: data.sets.map(\.labels), pairs: data.pairs)
        display.finish()
        AlignmentResults(alignment: alignment, domains: data.names.count).warnOfFailedTranslations()
        try printResult(Merged(AlignmentResults(alignment: alignment, domains: data.names.count), result), json: outputOptions.json)
    }

    /// Numbers the labels of both sets the same way: by class name when both have names (the
    /// data's names joined to the reference's), as they are when both are integers.
    private func alignLabels(_ data: inout Dataset, _ reference: inout Dataset) throws {
        guard data.labels != nil, reference.labels != nil else { return }
        // Whole-number classes (10, 20, 30 become names) meet integer labels by their values.
        func integerNamed(_ set: Dataset) -> Dataset {
            guard set.classNames == nil, let labels = set.labels, let top = labels.max(), labels.allSatisfy({ $0 >= 0 }) else { return set }
            var named = set
            named.classNames = (0...top).map(String.init)
            return named
        }
        let allIntegers = { (names: [String]?) in names?.allSatisfy { Int($0) != nil } ?? false }
        if allIntegers(data.classNames) { reference = integerNamed(reference) }
        if allIntegers(reference.classNames) { data = integerNamed(data) }
        switch (data.classNames, reference.classNames) {
        case (nil, nil): return
        case (let names?, nil), (nil, let names?):
            let named = data.classNames != nil ? data.name : reference.name
            throw ValidationErrorText("the labels of \(named) are class names (\(names.prefix(3).joined(separator: ", "))…) but those of \(data.classNames != nil ? reference.name : data.name) are integers: they cannot be compared")
        case (_, let names?):
            data = try data.aligningClasses(to: names, extendable: true)
        }
    }
}

/// Where a metric is computed: in the samples as the model saw them (after its scaling), or
/// in the file's units.
enum MetricSpace: String, ExpressibleByArgument, CaseIterable {
    case model, data
}

/// The samples of `dataset` as `model` sees them: scaled by its stored scaling (nothing else
/// for a model that scales nothing).
func modelSpaceSamples(_ dataset: Dataset, of model: any Autoencoder) throws -> Tensor {
    guard let scaling = (model as? any ScaledModel)?.scaling else { return dataset.samples }
    return try scaling.apply(dataset.samples, features: dataset.features)
}

/// How results name the model's space: "model (standardize)", or "data" when it scales nothing.
func modelSpaceName(_ model: any Autoencoder) -> String {
    guard let kind = (model as? any ScaledModel)?.scaling.kind, kind != .none else { return "data" }
    return "model (\(kind.rawValue))"
}

extension FeatureScaling {
    /// The first `features` columns' scaling applied to `samples` (`n × features`): a
    /// conditional model's scaling covers its label columns too, which data rows lack.
    func apply(_ samples: Tensor, features: Int) throws -> Tensor {
        features == self.features ? try apply(samples) : try prefix(features).apply(samples)
    }
}

/// Names of a model's code columns: z0, z1, …, then y0, y1, … for a conditional model's label one-hot.
func codeColumnNames(_ model: any Autoencoder) -> [String] {
    let classes = model.conditionColumns
    return (0..<(model.codeSize - classes)).map { "z\($0)" } + (0..<classes).map { "y\($0)" }
}

/// The mean of `values`, in Double.
func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }

/// Refuses data whose width is not the model's input width, naming both.
func checkWidth(_ dataset: Dataset, of model: any Autoencoder, model path: String) throws {
    let features = model.inputSize - model.conditionColumns
    guard dataset.features == features else {
        throw ValidationErrorText("\(dataset.name) has \(dataset.features) features per sample; the model \(path) takes \(features)")
    }
}

/// Refuses a result holding NaN or infinity: a model or data that gives one is broken, and a
/// `null` in the output with exit status 0 would hide it.
func checkFinite(_ result: some Encodable, model: String) throws {
    let bad = (try JSONValue(encoding: result).objectValue ?? [:]).filter { $0.value == .null }.keys.sorted()
    guard bad.isEmpty else {
        throw ValidationErrorText("\(model): \(bad.joined(separator: ", ")) came out non-finite; the model's outputs overflow on these data")
    }
}

/// Refuses to write `output` over one of the command's inputs.
func checkOutput(_ output: String, isNotAnyOf inputs: [String]) throws {
    func resolved(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
    if let input = inputs.first(where: { resolved($0) == resolved(output) }) {
        throw ValidationErrorText("--output \(output) is the input \(input); refusing to overwrite it")
    }
}

struct Encode: ComputingCommand {
    var computeOptions: ComputeOptions { compute }
    static let configuration = CommandConfiguration(
        abstract: "Write the codes of data (.npy or .csv).",
        discussion: "A message goes to stderr (--quiet silences it); --json prints one JSON object on stdout.")

    @Argument(help: "A model file written by `latent fit`.", transform: WorkingDirectory.file) var model: String
    @Option(help: "The data to encode.", transform: WorkingDirectory.spec) var data: String
    @Option(help: "Where to write the codes: .npy or .csv.", transform: WorkingDirectory.file) var output: String
    @Flag(help: "CSV output: add the data's ids (from --index-column) and labels as columns beside the codes.") var withLabels = false
    @Flag(help: "A VAE: write one draw z = μ + σ·ε of q(z|x) per sample instead of μ.") var draw = false
    @Option(help: "Seed of --draw's noise.") var seed: UInt64 = 0
    @Option(help: .defaulted("A translator: the domain the data belong to; the codes are in the shared space.", rule: "its first")) var domain: String?
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        try checkOutput(output, isNotAnyOf: [model, data] + [dataOptions.labels].compactMap { $0 })
        let (file, loaded) = try readModel(model)
        if domain == nil, !withLabels, case .file(let folder, .npyShards) = try DatasetSpec(parsing: data) {
            return try encodeStreamed(folder, loaded)
        }
        let dataset: Dataset
        let codes: Tensor
        if let domain {
            if draw { throw ValidationErrorText("--draw draws from a VAE's encoder; a translator's are deterministic") }
            let (_, translator, data) = try loadDomainData(model: model, data: self.data, domain: domain, options: dataOptions.reading, labels: dataOptions.labels)
            dataset = data
            codes = try translator.encode(data.samples, domain: try translator.domainIndex(named: domain))
        } else {
            dataset = try dataOptions.load(data, labels: dataOptions.labels, for: loaded, in: file, path: model)
            codes = try encodeOne(dataset, loaded)
        }
        try write(codes, of: dataset, loaded)
    }

    /// The codes of a folder of NPY shards, block by block into the output: memory holds one
    /// block, whatever the data's size. With --draw, the noise continues from block to block
    /// as it would over the whole data in memory.
    func encodeStreamed(_ folder: String, _ loaded: any Autoencoder) throws {
        guard loaded.conditionColumns == 0 else {
            throw ValidationErrorText("\(model) is a conditional model, whose inputs carry labels; shards hold values only: encode them in memory with --labels")
        }
        let shards = try NPYShards(opening: folder)
        guard shards.columns == loaded.inputSize else {
            throw ValidationErrorText("\(model) takes \(loaded.inputSize) features; the shards in \(folder) have \(shards.columns)")
        }
        var generator = RandomGenerator(seed: seed)
        let probabilistic = loaded as? any ProbabilisticEncoder
        if draw, probabilistic == nil {
            throw ValidationErrorText("--draw: \(model) holds a \(type(of: loaded).methodName) model, whose encoder is not a distribution (vae's is)")
        }
        let names = codeColumnNames(loaded)
        try ArrayFile.write(rows: shards.rows, columnNames: names, to: output) { append in
            try ShardStream(shards).forEachBlock { block in
                let codes = draw ? try probabilistic!.encodeSample(block, using: &generator) : try loaded.encode(block)
                try codes.checkFinite("the codes of \(data) by \(model)")
                try append(codes)
            }
        }
        report(WrittenFile(output: output, samples: shards.rows, codeSize: names.count, streamed: true),
               message: "wrote \(shards.rows) codes of width \(names.count) to \(output), block by block", options: outputOptions)
    }

    /// ENCODE of `dataset`, or with --draw one draw of a VAE's q(z | x).
    func encodeOne(_ dataset: Dataset, _ loaded: any Autoencoder) throws -> Tensor {
        let input = try modelInput(dataset, for: loaded)
        let codes: Tensor
        if draw {
            guard let probabilistic = loaded as? any ProbabilisticEncoder else {
                throw ValidationErrorText("--draw: \(model) holds a \(type(of: loaded).methodName) model, whose encoder is not a distribution (vae's is)")
            }
            var generator = RandomGenerator(seed: seed)
            codes = try probabilistic.encodeSample(input, using: &generator)
        } else {
            codes = try loaded.encode(input)
        }
        return codes
    }

    /// Writes `codes` (with the data's labels and ids when asked) and reports.
    func write(_ codes: Tensor, of dataset: Dataset, _ loaded: any Autoencoder) throws {
        try codes.checkFinite("the codes of \(data) by \(model)")
        if withLabels {
            guard (output as NSString).pathExtension.lowercased() == "csv" else {
                throw ValidationErrorText("--with-labels writes columns beside the codes: give a .csv --output")
            }
            guard dataset.labels != nil || dataset.ids != nil else {
                throw ValidationErrorText("--with-labels: \(data) has no labels or ids (use --label-column, --labels or --index-column)")
            }
            try CSV.write(codes, to: output, columnNames: codeColumnNames(loaded), labels: dataset.labels,
                          classNames: dataset.classNames, ids: dataset.ids, labelColumnName: dataset.labelName ?? "label",
                          idColumnName: dataset.idName ?? "id")
        } else {
            try ArrayFile.write(codes, to: output, columnNames: codeColumnNames(loaded))
        }
        report(WrittenFile(output: output, samples: codes.shape[0], codeSize: codes.shape[1]),
               message: "wrote \(codes.shape[0]) codes of width \(codes.shape[1]) to \(output)", options: outputOptions)
    }
}

struct Decode: ComputingCommand {
    var computeOptions: ComputeOptions { compute }
    static let configuration = CommandConfiguration(
        abstract: "Write the reconstructions of codes (.npy or .csv).",
        discussion: """
            CSV output names its columns as the training data's header named them, when it had one. A message goes \
            to stderr (--quiet silences it); --json prints one JSON object on stdout.
            """)

    @Argument(help: "A model file written by `latent fit`.", transform: WorkingDirectory.file) var model: String
    @Option(help: "Codes: a .npy or .csv file.", transform: WorkingDirectory.file) var codes: String
    @Option(help: "Where to write the decoded samples: .npy or .csv.", transform: WorkingDirectory.file) var output: String
    @Flag(help: "Accept NaN and infinite values in the codes file.") var allowNonFinite = false
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        try checkOutput(output, isNotAnyOf: [model, codes])
        let (file, loaded) = try readModel(model)
        var decoded = try loaded.decode(try ArrayFile.read(codes, allowNonFinite: allowNonFinite))
        // Back to the user's units: the origin the training data were read from is added in Double.
        if let scaling = (loaded as? any ScaledModel)?.scaling { decoded = try scaling.addingOrigin(decoded) }
        // A conditional model's codes end in the label one-hot, which DECODE passes on: not a feature.
        decoded = decoded.columns(0..<(decoded.columns - loaded.conditionColumns))
        let names = try file.featureNames(file: model).flatMap { $0.count == decoded.columns ? $0 : nil }
        try ArrayFile.write(decoded, to: output, columnNames: names ?? (0..<decoded.columns).map { "x\($0)" })
        report(WrittenFile(output: output, samples: decoded.shape[0], features: decoded.shape[1]),
               message: "wrote \(decoded.shape[0]) samples of \(decoded.shape[1]) features to \(output)", options: outputOptions)
    }
}

/// Prints a written file's summary: JSON on stdout with `--json`, else a line on stderr
/// (none with `--quiet`).
func report(_ result: WrittenFile, message: String, options: OutputOptions) {
    if options.json {
        try? printJSON(result)
    } else if !options.quiet {
        Console.error((message + "\n"))
    }
}
