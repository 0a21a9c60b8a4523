import ArgumentParser
import Foundation
import Latent

extension Initializer: ExpressibleByArgument {}

extension LinearAutoencoder: FittedByCommand { static var fitCommand: any ParsableCommand.Type { FitLinearAutoencoder.self } }

/// `latent fit linear-autoencoder`: a linear autoencoder trained by gradient descent.
struct FitLinearAutoencoder: TrainedFitCommand {
    typealias Method = LinearAutoencoder
    static let configuration = CommandConfiguration(
        commandName: "linear-autoencoder", abstract: "A linear autoencoder trained by gradient descent; its minima span PCA's subspace.",
        discussion: trainingDefaults(LinearAutoencoder.Configuration.defaultTraining))
    static let splits = true

    @OptionGroup var common: FitOptions
    @Option(help: .hyperparameter(\Method.Configuration.codeSize)) var codeSize: Int
    @OptionGroup var trainingOptions: TrainingOptions
    @OptionGroup var heldOutOptions: HeldOutOptions
    @OptionGroup var stream: StreamOptions

    func configuration(for data: FitData) throws -> LinearAutoencoder.Configuration {
        LinearAutoencoder.Configuration(codeSize: codeSize, training: try trainingOptions.configuration(over: LinearAutoencoder.Configuration.defaultTraining, heldOut: heldOutOptions))
    }
}

extension NonlinearPCA: FittedByCommand { static var fitCommand: any ParsableCommand.Type { FitNonlinearPCA.self } }

/// `latent fit nonlinear-pca`: Kramer's (1991) five-layer network.
struct FitNonlinearPCA: TrainedFitCommand {
    typealias Method = NonlinearPCA
    static let configuration = CommandConfiguration(
        commandName: "nonlinear-pca",
        abstract: "Kramer's nonlinear PCA (1991): input → sigmoid mapping layer → bottleneck of f factors → sigmoid demapping layer → output.",
        discussion: trainingDefaults(NonlinearPCA.Configuration.defaultTraining))
    static let splits = true

    @OptionGroup var common: FitOptions
    @Option(help: .hyperparameter(\Method.Configuration.components)) var codeSize: Int
    @Option(help: .defaulted("M or M,M′, each \(Method.Configuration.hyperparameter(\.mappingWidth)!.valid!). \(Method.Configuration.hyperparameter(\.mappingWidth)!.summary) "
                             + Method.Configuration.hyperparameter(\.demappingWidth)!.summary, Method.Configuration.defaults.mappingWidth,
                             note: "the demapping layer as wide as the mapping layer"))
    var hidden: Widths?
    @Option(help: .hyperparameter(\Method.Configuration.bottleneck)) var bottleneck: BottleneckName?
    @Option(help: .hyperparameter(\Method.Configuration.extraction)) var extraction: NonlinearPCA.Configuration.Extraction?
    @Option(name: .customLong("init"), help: .hyperparameter(\Method.Configuration.initializer)) var initialization: Initializer?
    @OptionGroup var trainingOptions: TrainingOptions
    @OptionGroup var heldOutOptions: HeldOutOptions
    @OptionGroup var stream: StreamOptions

    func validate() throws {
        if let hidden, hidden.values.count > 2 { throw ValidationError("nonlinear-pca has a mapping and a demapping layer: give --hidden M or M,M′") }
    }

    func configuration(for data: FitData) throws -> NonlinearPCA.Configuration {
        let defaults = NonlinearPCA.Configuration(components: codeSize)
        return NonlinearPCA.Configuration(
            components: codeSize, mappingWidth: hidden?.values[0] ?? defaults.mappingWidth, demappingWidth: hidden?.values.dropFirst().first,
            bottleneck: bottleneck?.activation ?? defaults.bottleneck, extraction: extraction ?? defaults.extraction,
            initializer: initialization ?? defaults.initializer, training: try trainingOptions.configuration(over: defaults.training, heldOut: heldOutOptions))
    }
}

extension DeepAutoencoder: FittedByCommand { static var fitCommand: any ParsableCommand.Type { FitDeepAutoencoder.self } }

/// `latent fit deep-autoencoder`: Hinton & Salakhutdinov's (2006) deep autoencoder.
struct FitDeepAutoencoder: TrainedFitCommand {
    typealias Method = DeepAutoencoder
    static let configuration = CommandConfiguration(
        commandName: "deep-autoencoder",
        abstract: "Hinton & Salakhutdinov's deep autoencoder (Science 2006): RBM pretraining, unrolling, fine-tuning.",
        discussion: trainingDefaults(DeepAutoencoder.Configuration.defaultTraining))
    static let splits = true

    @OptionGroup var common: FitOptions
    @Option(help: .hyperparameter(\Method.Configuration.codeSize)) var codeSize: Int?
    @Option(help: .hyperparameter(\Method.Configuration.hidden)) var hidden: Widths?
    @Option(name: .customLong("init"), help: .hyperparameter(\Method.Configuration.initializer)) var initialization: Initializer?
    @Option(help: .hyperparameter(\Method.Configuration.architecture, note: "anything but mlp trains without RBM pretraining unless --pretrain is given"),
            transform: { try NetworkArchitecture(parsing: $0) })
    var architecture: NetworkArchitecture?
    @OptionGroup var deep: DeepOptions
    @OptionGroup var trainingOptions: TrainingOptions
    @OptionGroup var heldOutOptions: HeldOutOptions
    @OptionGroup var stream: StreamOptions

    /// Standardize on data outside [0, 1] (its RBMs then have Gaussian visible units and its
    /// loss is mse), else none.
    func defaultScale(for samples: Tensor) -> FeatureScaling.Kind {
        DeepAutoencoder.dataDefaults(for: samples).inputScaling == .standardize ? .standardize : .none
    }

    func validate() throws {
        if pretraining == .none,
           deep.pretrainEpochs != nil || deep.pretrainBatchSize != nil || deep.pretrainLearningRate != nil || deep.pretrainMomentum != nil
            || deep.pretrainMomentumSwitch != nil {
            throw ValidationError(deep.pretrain == nil ? "the --pretrain-… options set RBM pretraining, which --architecture \(architecture ?? .mlp) trains without"
                                                       : "the --pretrain-… options set RBM pretraining, which --pretrain none turns off")
        }
        if initialization != nil, pretraining == .rbm {
            throw ValidationError("--init sets the starting weights without pretraining: add --pretrain none")
        }
    }

    /// In memory the command scales in front of the network (`--scale`), so the network scales
    /// nothing; streamed, the data decide (standardised inside the network outside [0, 1]).
    func configuration(for data: FitData) throws -> DeepAutoencoder.Configuration {
        try configuration(features: data.features, unitInterval: data.unitInterval,
                          inputScaling: data.streamed ? nil : DeepAutoencoder.Configuration.InputScaling.none, sampleShape: data.sampleShape)
    }

    /// Whether the networks are anything but dense layers (their activation and initialisation
    /// then default to ``DeepAutoencoder/Configuration/convolutionalHiddenActivation`` and
    /// ``DeepAutoencoder/Configuration/convolutionalInitializer``).
    var convolutional: Bool { (architecture ?? .mlp) != .mlp }

    /// RBM pretraining stacks dense layers: other architectures start from `--init` unless
    /// `--pretrain` says otherwise (and the library then says why it cannot).
    var pretraining: DeepAutoencoder.Configuration.Pretraining {
        deep.pretrain ?? ((architecture ?? .mlp) == .mlp ? DeepAutoencoder.Configuration().pretraining : .none)
    }

    /// Each RBM's last reconstruction error, and, streamed, where the scaling happened (in the
    /// network, not the command).
    struct Report: MethodReport {
        var pretrainingReconstructionError: [Double]?
        var scale: String?
        enum CodingKeys: String, CodingKey { case pretrainingReconstructionError = "pretraining_reconstruction_error", scale }
    }

    func results(of model: DeepAutoencoder, data: FitData) -> any MethodReport {
        var report = Report()
        if data.streamed { report.scale = model.configuration.inputScaling == .standardize ? "standardize (in the network)" : "none" }
        if !model.pretrainingErrors.isEmpty { report.pretrainingReconstructionError = model.pretrainingErrors.map { Double($0.last ?? .nan) } }
        return report
    }

    /// The configuration these options ask for, on data of `features` columns whose values do
    /// (`unitInterval`) or do not all lie in [0, 1]; `inputScaling` nil lets the data decide.
    func configuration(features: Int, unitInterval: Bool, inputScaling: DeepAutoencoder.Configuration.InputScaling?,
                       sampleShape: [Int]? = nil) throws -> DeepAutoencoder.Configuration {
        let defaults = DeepAutoencoder.Configuration()
        let fromData = DeepAutoencoder.dataDefaults(unitInterval: unitInterval, loss: deep.loss, inputScaling: inputScaling)
        var configuration = DeepAutoencoder.Configuration(
            hidden: hidden?.values ?? DeepAutoencoder.Configuration.defaultHidden(features: features, codeSize: codeSize ?? defaults.codeSize),
            codeSize: codeSize ?? defaults.codeSize,
            hiddenActivation: deep.activation ?? (convolutional ? DeepAutoencoder.Configuration.convolutionalHiddenActivation : defaults.hiddenActivation),
            codeActivation: deep.codeActivation ?? defaults.codeActivation,
            outputActivation: deep.outputActivation ?? fromData.outputActivation, loss: fromData.loss,
            pretraining: pretraining, pretrainingEpochs: deep.pretrainEpochs ?? defaults.pretrainingEpochs,
            pretrainingBatchSize: deep.pretrainBatchSize ?? defaults.pretrainingBatchSize,
            initializer: initialization ?? (convolutional ? DeepAutoencoder.Configuration.convolutionalInitializer : defaults.initializer),
            training: try trainingOptions.configuration(over: defaults.training, heldOut: heldOutOptions),
            inputScaling: fromData.inputScaling, architecture: architecture ?? defaults.architecture,
            imageShape: (architecture ?? defaults.architecture) == .mlp ? nil : sampleShape)
        configuration.pretrainingLearningRate = deep.pretrainLearningRate
        if deep.pretrainMomentum != nil || deep.pretrainMomentumSwitch != nil {
            let hinton = RBM.Configuration(hiddenUnits: 1)
            configuration.pretrainingMomentum = .init(initial: deep.pretrainMomentum?.values[0] ?? hinton.initialMomentum,
                                                      final: deep.pretrainMomentum?.values[1] ?? hinton.finalMomentum,
                                                      switchEpoch: deep.pretrainMomentumSwitch ?? hinton.momentumSwitchEpoch)
        }
        return configuration
    }
}
