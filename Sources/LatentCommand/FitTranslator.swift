import ArgumentParser
import Foundation
import Latent

extension Translator.Matcher: ExpressibleByArgument {}
extension Translator.AnchorDistance: ExpressibleByArgument {}


extension Translator: FittedByCommand { static var fitCommand: any ParsableCommand.Type { FitTranslator.self } }

/// `latent fit translator`: Yang et al.'s multi-domain translator.
struct FitTranslator: ComputingCommand {
    var computeOptions: ComputeOptions { compute }
    static let configuration = CommandConfiguration(
        commandName: "translator",
        abstract: "Multi-domain translation (Yang et al. 2021): an autoencoder per domain, one shared latent space aligned by a critic, MMD or Sinkhorn, a latent classifier and anchor pairs.",
        discussion: """
            Each --domain NAME=SPEC is one domain (the first is the reference the others are matched to). Rows pair up by \
            --pairs (rows: row i of every domain is one object, the default when the domains have as many samples; none; or \
            a CSV whose header names the domains and whose rows give each object's row in them). --test-split keeps pairs \
            apart for evaluation (the data's own split by default, as sci-car's 340 test cells; none; a fraction; or a file of \
            the first domain's test rows). --held-out F holds a further share of the training pairs out of training for model \
            selection: scored after each epoch by the FOSCTTM of their codes among themselves, which --early-stopping follows, \
            keeping the best epoch's weights (never the test pairs). The fit reports the held-out pairing scores, FOSCTTM, \
            translation errors and kNN accuracy across domains.
            Example: latent fit translator --domain rna=sci-car:rna --domain atac=sci-car:atac --scale standardize --latent-classifier --classifier-weight 10 --anchor-fraction 1 --output t.safetensors
            """)

    @Option(name: .customLong("domain"), help: "NAME=SPEC, once per domain (at least two; the first is the reference).", transform: WorkingDirectory.namedSpec) var domains: [String] = []
    @Option(help: "Where to write the model (.safetensors).", transform: WorkingDirectory.file) var output: String
    @Option(help: .defaulted("rows, none, or a CSV file of pairs.", rule: "rows when every domain has as many samples, else none"), transform: WorkingDirectory.pairs) var pairs: String?
    @Option(help: .defaulted("none, a fraction (0 … 1), or a file of the first domain's test rows.", rule: "the data's own split, else none"), transform: WorkingDirectory.testSplit) var testSplit: String?
    @Option(help: "NAME=FILE: a labels file for one domain (else its SPEC's labels).", transform: WorkingDirectory.namedFile) var domainLabels: [String] = []
    @Option(help: .hyperparameter(\Translator.Configuration.codeSize)) var codeSize: Int?
    @Option(help: .hyperparameter(\Translator.Domain.hidden, commandLine: "512 or 512,256 for every domain, NAME=WIDTHS for one.")) var hidden: [String] = []
    @Option(help: .hyperparameter(\Translator.Domain.loss, commandLine: "For every domain, or NAME=LOSS for one.")) var loss: [String] = []
    @Option(help: .hyperparameter(\Translator.Domain.scaling, commandLine: "For every domain, or NAME=KIND for one.")) var scale: [String] = []
    @Option(help: .hyperparameter(\Translator.Domain.architecture, commandLine: "For every domain, or NAME=ARCHITECTURE for one (an image domain: rna=mlp, image=conv)."))
    var architecture: [String] = []
    @Option(help: .hyperparameter(\Translator.Configuration.activation)) var activation: Activation?
    @Option(help: .hyperparameter(\Translator.Configuration.matcher)) var matcher: Translator.Matcher?
    @Option(help: .hyperparameter(\Translator.Configuration.matchWeight)) var matchWeight: Float?
    @Option(help: .hyperparameter(\Translator.Configuration.adversarialLoss)) var adversarialLoss: AdversarialLoss?
    @Flag(help: .hyperparameter(\Translator.Configuration.classConditionalCritic, commandLine: "Needs --latent-classifier (its classes).")) var classConditionalCritic = false
    @Option(help: .hyperparameter(\Translator.Configuration.criticHidden)) var criticHidden: Widths?
    @Option(help: .hyperparameter(\Translator.Configuration.criticLearningRateScale)) var criticLearningRate: Float?
    @Option(help: .hyperparameter(\Translator.Configuration.criticGradientPenalty)) var criticGradientPenalty: Float?
    @Option(help: .hyperparameter(\Translator.Configuration.epsilon)) var epsilon: Double?
    @Flag(help: "Train a latent classifier on every domain's labels (shared by the domains).") var latentClassifier = false
    @Option(help: .hyperparameter(\Translator.Configuration.classifierWeight)) var classifierWeight: Float?
    @Option(help: .hyperparameter(\Translator.Configuration.codePenalty)) var codePenalty: Float?
    @Option(help: .hyperparameter(\Translator.Configuration.weightDecay)) var weightDecay: Float?
    @Option(help: .hyperparameter(\Translator.Configuration.inputNoise)) var inputNoise: Float?
    @Option(help: .hyperparameter(\Translator.Configuration.dropout)) var dropout: Float?
    @Option(help: .hyperparameter(\Translator.Configuration.anchorFraction)) var anchorFraction: Double?
    @Option(help: .hyperparameter(\Translator.Configuration.anchorWeight)) var anchorWeight: Float?
    @Option(help: .hyperparameter(\Translator.Configuration.anchorDistance)) var anchorDistance: Translator.AnchorDistance?
    @Option(help: .hyperparameter(\Translator.Configuration.translationWeight)) var translationWeight: Float?
    @Option(name: .customLong("init"), help: .hyperparameter(\Translator.Configuration.initializer)) var initialization: Initializer?
    @Option(help: "Seed of every random choice: same seed, data and threads, same model.") var seed: UInt64 = 0
    @OptionGroup var trainingOptions: TrainingOptions
    @OptionGroup var heldOutOptions: HeldOutOptions
    @OptionGroup var dataOptions: ReadingOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if !output.lowercased().hasSuffix(".safetensors") { throw ValidationError("--output must end in .safetensors") }
        if classConditionalCritic, !latentClassifier { throw ValidationError("--class-conditional-critic needs --latent-classifier (its classes)") }
        if classifierWeight != nil, !latentClassifier { throw ValidationError("--classifier-weight sets λ of --latent-classifier") }
        if let matcher, matcher != .critic, adversarialLoss != nil || classConditionalCritic || criticHidden != nil || criticLearningRate != nil || criticGradientPenalty != nil {
            throw ValidationError("--adversarial-loss, --class-conditional-critic, --critic-hidden, --critic-learning-rate and --critic-gradient-penalty set --matcher critic")
        }
        if epsilon != nil, matcher != .sinkhorn { throw ValidationError("--epsilon sets ε of --matcher sinkhorn") }
    }

    func run() throws {
        guard ProcessGroup.current.size == 1 else {
            throw ValidationErrorText("the translator does not run across processes (mpirun); methods that do: \(FitMethods.splitting.joined(separator: ", "))")
        }
        let display = ProgressDisplay(quiet: outputOptions.quiet)
        let named = try domains.map { try Named($0, option: "--domain") }
        // The hyperparameters' ranges, before any data are read (the fit checks them again).
        try checkDeclaredRanges(try configuration(names: named.map(\.name), classes: latentClassifier ? 2 : 0), method: Translator.methodName)
        let inShards = try named.map { domain in
            if case .file(_, .npyShards) = try DatasetSpec(parsing: domain.value) { return true }
            return false
        }
        if inShards.contains(true) {
            guard !inShards.contains(false) else {
                throw ValidationErrorText("--domain: \(zip(named, inShards).filter(\.1).map(\.0.name).joined(separator: ", ")) in NPY shards, "
                                          + "\(zip(named, inShards).filter { !$0.1 }.map(\.0.name).joined(separator: ", ")) not: give every domain in shards (streamed) or none")
            }
            return try fitStreamed(named, display: display)
        }
        let data = try Domains.load(domains, labels: domainLabels, pairs: pairs, testSplit: testSplit, options: dataOptions, seed: seed, display: display)
        let names = data.names
        let (trainingSets, partners) = data.training()
        var classes = 0
        var labels: [[Int]]? = nil
        if latentClassifier {
            let given = try zip(names, trainingSets).map { name, set in
                try set.labels ?? { throw ValidationErrorText("--latent-classifier: domain \(name) has no labels (--domain-labels \(name)=FILE)") }()
            }
            classes = try classCount(of: given, names: data.sets[0].classNames, for: "--latent-classifier")
            labels = given
        }
        let configuration = try self.configuration(names: names, classes: classes, sampleShapes: data.sets.map(\.sampleShape))
        let (model, seconds, checkpoints) = try train(.init(domains: trainingSets.map(\.samples), labels: labels, partners: partners),
                                                      configuration: configuration, display: display) { file in
            try file.setNames(classes: data.sets[0].classNames, features: nil)
            try file.setSampleShape(data.sets[0].sampleShape)
            // Later tables of a domain are drawn in its shape and matched to its columns by name.
            try file.setDomains(sampleShapes: Dictionary(uniqueKeysWithValues: zip(names, data.sets).compactMap { name, set in set.sampleShape.map { (name, $0) } }),
                                featureNames: Dictionary(uniqueKeysWithValues: zip(names, data.sets).compactMap { name, set in set.featureNames.map { (name, $0) } }))
        }
        let result = TranslatorFitResult(
            model: output, domains: names, codeSize: model.codeSize, seconds: seconds,
            samples: Dictionary(uniqueKeysWithValues: zip(names, trainingSets.map(\.count))),
            testSamples: Dictionary(uniqueKeysWithValues: zip(names, data.testRows.map(\.count))),
            anchors: Translator.anchorCount(paired: (0..<(partners?.first?.count ?? 0)).filter { i in partners!.allSatisfy { $0[i] >= 0 } }.count, configuration: configuration),
            checkpoint: checkpoints.every != nil ? checkpoints.path : nil)
        let alignment = try model.alignment(samples: data.sets.map(\.samples), labels: data.sets.map(\.labels), pairs: { k in
            // Scored on held-out pairs only: without, the fit says how it trained, `evaluate` the rest.
            data.pairs(k).flatMap { $0.heldOut.isEmpty ? nil : $0 }
        })
        AlignmentResults(alignment: alignment, domains: names.count).warnOfFailedTranslations()
        try printResult(Merged(AlignmentResults(alignment: alignment, domains: names.count), model.trainingHistory.map(TrainingSummary.init), result),
                        json: outputOptions.json)
    }

    /// Fits the translator to `samples` (in memory or in shards: the library's one fit) with
    /// checkpoints beside the model, progress and Ctrl-C, then writes the model, `describe`
    /// adding what the data tell of themselves.
    func train(_ samples: Translator.Samples, configuration: Translator.Configuration, display: ProgressDisplay,
               describe: (inout SafeTensorsFile) throws -> Void = { _ in }) throws -> (model: Translator, seconds: Double, checkpoints: CheckpointPolicy) {
        var generator = RandomGenerator(seed: seed)
        let interruption = InterruptionMonitor()
        let start = Date()
        let checkpoints = try trainingOptions.checkpoints(besideModel: output)
        let model = try withCheckpointContext(checkpoints) {
            try Translator.fit(samples, configuration: configuration, using: &generator, context: FitContext(checkpoints: checkpoints) { p in
                try interruption?.check()
                display.training(p)
            })
        }
        let seconds = Date().timeIntervalSince(start)
        var file = try model.modelFile()
        file.metadata[SafeTensorsFile.commandKey] = invocation()
        try describe(&file)
        try file.write(to: output)
        display.finish("fitted translator in \(formatDuration(seconds)); model written to \(output)")
        return (model, seconds, checkpoints)
    }

    /// The configuration these options ask for, for domains `names` (whose samples have the
    /// image shapes `sampleShapes`, when known) and a latent classifier of `classes` classes (0: none).
    func configuration(names: [String], classes: Int, sampleShapes: [[Int]?]? = nil) throws -> Translator.Configuration {
        let defaults = Translator.Configuration.defaults, domainDefaults = Translator.Domain(name: "")
        let widths = try Named.perDomain(hidden, domains: names, option: "--hidden").map { text in
            try text.map { text in try Widths(argument: text).map(\.values) ?? { throw ValidationErrorText("--hidden \(text): widths are integers separated by commas") }() }
        }
        let losses = try Named.perDomain(loss, domains: names, option: "--loss").map { text in
            try text.map { text in try Loss(argument: text) ?? { throw ValidationErrorText("--loss \(text): mse or bce") }() }
        }
        let scalings = try Named.perDomain(scale, domains: names, option: "--scale").map { text in
            try text.map { text in try FeatureScaling.Kind(argument: text) ?? { throw ValidationErrorText("--scale \(text): none, standardize, min-max or robust") }() }
        }
        let architectures = try Named.perDomain(architecture, domains: names, option: "--architecture").map { text in
            try text.map { text in
                do { return try NetworkArchitecture(parsing: text) } catch { throw ValidationErrorText("--architecture \(text): \(error)") }
            }
        }
        return Translator.Configuration(
            domains: names.indices.map { index in
                let kind = architectures[index] ?? domainDefaults.architecture
                return .init(name: names[index], hidden: widths[index] ?? domainDefaults.hidden, loss: losses[index] ?? domainDefaults.loss,
                             scaling: scalings[index] ?? domainDefaults.scaling, architecture: kind, imageShape: kind == .mlp ? nil : sampleShapes?[index] ?? nil)
            },
            codeSize: codeSize ?? defaults.codeSize, activation: activation ?? defaults.activation, matcher: matcher ?? defaults.matcher,
            matchWeight: matchWeight ?? defaults.matchWeight, adversarialLoss: adversarialLoss ?? defaults.adversarialLoss,
            classConditionalCritic: classConditionalCritic, criticHidden: criticHidden?.values ?? defaults.criticHidden,
            criticLearningRateScale: criticLearningRate ?? defaults.criticLearningRateScale,
            criticGradientPenalty: criticGradientPenalty ?? defaults.criticGradientPenalty, epsilon: epsilon ?? defaults.epsilon,
            classes: classes, classifierWeight: classifierWeight ?? defaults.classifierWeight, codePenalty: codePenalty ?? defaults.codePenalty,
            weightDecay: weightDecay ?? defaults.weightDecay, inputNoise: inputNoise ?? defaults.inputNoise,
            dropout: dropout ?? defaults.dropout, anchorWeight: anchorWeight ?? defaults.anchorWeight,
            anchorDistance: anchorDistance ?? defaults.anchorDistance, translationWeight: translationWeight ?? defaults.translationWeight,
            anchorFraction: anchorFraction ?? defaults.anchorFraction,
            initializer: initialization ?? defaults.initializer, training: try trainingOptions.configuration(over: Translator.Configuration.defaultTraining, heldOut: heldOutOptions))
    }
}
