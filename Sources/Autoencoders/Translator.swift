import DataFormats
import DistributionMatching
import Foundation
import NeuralNetworks
import Tensors

/// Multi-domain translation through one shared latent space (Yang, Belyaeva, Venkatachalapathy,
/// Damodaran, Katcoff, Radhakrishnan, Shivashankar & Uhler, "Multi-domain translation between
/// single-cell imaging and sequencing data using autoencoders", Nature Communications 12:31,
/// 2021): one autoencoder per domain, their codes made to coincide by distribution matching, a
/// latent classifier that keeps classes lined up, and an anchor loss on known pairs. A sample of
/// domain A is translated to domain B by DECODE_B(ENCODE_A(x)).
///
/// The first domain is the reference: with the adversarial matcher, a critic per other domain
/// tells the reference's codes from that domain's, and both encoders learn to fool it (the
/// paper's flipped labels). As an ``Autoencoder`` the model is its first domain's: ENCODE
/// `n × D₁` → `n × d`, DECODE back; ``MultiDomainModel`` reaches every domain.
public struct Translator: Autoencoder, MultiDomainModel {
    /// One domain's network and reconstruction cost.
    public struct Domain: Codable, Sendable, Equatable {
        /// The domain's name (`rna`, `atac`): letters, digits, `-` and `_`.
        public var name: String
        /// Encoder hidden widths; the decoder mirrors them.
        public var hidden: [Int]
        /// The reconstruction cost, per feature (a mean over the domain's features, so domains
        /// of different widths weigh alike, as the paper's mean-squared-error loss does).
        public var loss: Loss
        /// The scaling fitted to this domain's training samples, stored with the model.
        public var scaling: FeatureScaling.Kind
        /// The domain's encoder and decoder kind (``NetworkArchitecture``): dense layers of
        /// `hidden` widths, the convolutions for `imageShape` (an image domain), or layer lists.
        public var architecture: NetworkArchitecture
        /// The domain's image shape (`[H, W]` or `[H, W, C]`) for convolutional architectures;
        /// nil for flat samples. The command line takes it from the domain's data.
        public var imageShape: [Int]?

        public init(name: String, hidden: [Int] = [512], loss: Loss = .squaredError, scaling: FeatureScaling.Kind = .none,
                    architecture: NetworkArchitecture = .mlp, imageShape: [Int]? = nil) {
            (self.name, self.hidden, self.loss, self.scaling) = (name, hidden, loss, scaling)
            (self.architecture, self.imageShape) = (architecture, imageShape)
        }

        /// Settings added after a file was written read as their defaults.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Self(name: "")
            self.init(name: try c.decode(String.self, forKey: .name), hidden: try c.decode(.hidden, or: d.hidden), loss: try c.decode(.loss, or: d.loss),
                      scaling: try c.decode(.scaling, or: d.scaling), architecture: try c.decode(.architecture, or: d.architecture),
                      imageShape: try c.decodeIfPresent([Int].self, forKey: .imageShape))
        }
    }

    /// How the domains' codes are made to coincide.
    public enum Matcher: String, Codable, Sendable, CaseIterable {
        /// An adversarial critic per non-reference domain (the paper's discriminator).
        case critic
        /// Unbiased MMD² with an RBF kernel at ½, 1 and 2 × the batch's median distance (the
        /// codes' scale is free, so the bandwidths follow it; a fixed kernel such as the WAE's,
        /// made for N(0, I) codes, left the classes of a toy problem unaligned).
        case mmd
        /// The Sinkhorn divergence at ``Configuration/epsilon``.
        case sinkhorn
    }

    /// The distance between the codes of an anchor pair, a mean over the d coordinates (as
    /// PyTorch's `L1Loss`, the paper's, takes it).
    public enum AnchorDistance: String, Codable, Sendable, CaseIterable {
        /// (1/d) Σⱼ |zᴬⱼ − zᴮⱼ| (the paper's).
        case l1
        /// (1/d) Σⱼ (zᴬⱼ − zᴮⱼ)².
        case squared
    }

    /// Hyperparameters.
    public struct Configuration: Codable, Sendable, Equatable {
        public var domains: [Domain]
        public var codeSize: Int
        public var activation: Activation
        public var matcher: Matcher
        /// λ of the matching term.
        public var matchWeight: Float
        /// The critic's game (``Matcher/critic``).
        public var adversarialLoss: AdversarialLoss
        /// The critic sees each code's class beside it, so it matches class by class (needs labels).
        public var classConditionalCritic: Bool
        public var criticHidden: [Int]
        public var criticLearningRateScale: Float
        /// γ of the critic's zero-centred gradient penalty, γ·½(mean ‖∇D(z⁰)‖² + mean ‖∇D(zᵏ)‖²)
        /// on both domains' codes (`Critic.gradientPenalty(at:)`; Mescheder et al. 2018's R₁
        /// and R₂: both sets move here, so both are penalised), added to every game's critic
        /// loss. Without it the critic and the encoders can chase each other outward: on
        /// scikit-learn's digit halves the codes' squared norms grew past 10⁵ (0 turns it off).
        public var criticGradientPenalty: Float
        /// ε of ``Matcher/sinkhorn``, in squared code units.
        public var epsilon: Double
        /// Classes of the latent classifier (0: none). Labels of every domain's samples train one
        /// linear softmax classifier on the shared codes.
        public var classes: Int
        /// λ of the classifier's cross-entropy. It weighs against the reconstruction per
        /// feature, whose size is the data's: on sci-car, standardised, 10 measured best
        /// (FOSCTTM among the test cells without anchors 0.35 against 0.37–0.39 at 1, three
        /// seeds; 30 no better); on fashion-mnist's halves, pixels in [0, 1], 1 did (recall at
        /// 50 of 0.67 against 0.57 at 10, every pair an anchor).
        public var classifierWeight: Float
        /// λ of the codes' mean squared norm, (1/n) Σᵢ ‖zᵢ‖² summed over domains: keeps the
        /// shared space from drifting while the domains chase each other (Ghosh et al. 2020's
        /// regularised autoencoders bound their codes the same way; the paper's VAEs do it with
        /// their KL term).
        public var codePenalty: Float
        /// The domains' and the classifier's weight decay (AdamW's decoupled decay with Adam; an
        /// L2 cost with SGD): on small data such as sci-car's 1 534 training cells the encoders
        /// otherwise fit the training pairs and not the cells.
        public var weightDecay: Float
        /// σ of Gaussian noise added to every domain's (scaled) inputs before encoding in
        /// training, each reconstructing the clean input (Vincent et al. 2008's denoising
        /// criterion): 0 turns it off.
        public var inputNoise: Float
        /// p of dropout in the encoders' hidden layers in training (each unit zeroed with
        /// probability p, the rest scaled by 1/(1 − p); Srivastava et al. 2014): 0 turns it off.
        public var dropout: Float
        /// λ of the anchor loss.
        public var anchorWeight: Float
        public var anchorDistance: AnchorDistance
        /// λ of the anchors' translation loss: each anchor's code decoded into its partner's
        /// domain, against the partner, both ways (per feature, with the partner domain's
        /// reconstruction cost; BABEL, Wu et al. 2021, trains on the same cross-domain
        /// reconstruction). The anchor distance alone only pulls codes together; decoding across
        /// domains is what translation does, and without this term a decoder never sees another
        /// domain's codes. Measured (BENCHMARKS.md): on scikit-learn's digit halves with 10 %
        /// anchors the critic's held-out translations went from worse than predicting the mean
        /// half both ways (λ_t = 0) to better both ways; on sci-car with every pair an anchor,
        /// λ_t = 1 memorised the pairs and cost 0.03 of held-out FOSCTTM, 0.1 none.
        public var translationWeight: Float
        /// The fraction of the known pairs the model may see as anchors (0 … 1).
        public var anchorFraction: Double
        public var initializer: Initializer
        public var training: TrainingConfiguration

        /// Adam at 10⁻³, batches of 64, 100 epochs; nothing held out (a test split is kept apart
        /// by the caller). With `heldOutFraction` above 0, that share of the pairs known in
        /// every domain is held out of training (no domain trains on them, none is an anchor)
        /// and scored after each epoch by the FOSCTTM of their codes among themselves (the
        /// record's held-out series); `earlyStoppingPatience` then stops on it and keeps the
        /// best epoch's weights: model selection on pairs the model never saw.
        public static let defaultTraining = TrainingConfiguration(epochs: 100, batchSize: 64, learningRate: 1e-3, heldOutFraction: 0)

        public init(domains: [Domain], codeSize: Int = 50, activation: Activation = .relu, matcher: Matcher = .critic, matchWeight: Float = 1,
                    adversarialLoss: AdversarialLoss = .nonSaturating, classConditionalCritic: Bool = false, criticHidden: [Int] = [256, 256],
                    criticLearningRateScale: Float = 1, criticGradientPenalty: Float = 1, epsilon: Double = 0.1, classes: Int = 0, classifierWeight: Float = 1,
                    codePenalty: Float = 0.01, weightDecay: Float = 0, inputNoise: Float = 0, dropout: Float = 0, anchorWeight: Float = 1, anchorDistance: AnchorDistance = .l1, translationWeight: Float = 0.1, anchorFraction: Double = 0,
                    initializer: Initializer = .fanInUniform, training: TrainingConfiguration = defaultTraining) {
            self.domains = domains
            self.codeSize = codeSize
            self.activation = activation
            self.matcher = matcher
            self.matchWeight = matchWeight
            self.adversarialLoss = adversarialLoss
            self.classConditionalCritic = classConditionalCritic
            self.criticHidden = criticHidden
            self.criticLearningRateScale = criticLearningRateScale
            self.criticGradientPenalty = criticGradientPenalty
            self.epsilon = epsilon
            self.classes = classes
            self.classifierWeight = classifierWeight
            self.codePenalty = codePenalty
            self.weightDecay = weightDecay
            self.inputNoise = inputNoise
            self.dropout = dropout
            self.anchorWeight = anchorWeight
            self.anchorDistance = anchorDistance
            self.translationWeight = translationWeight
            self.anchorFraction = anchorFraction
            self.initializer = initializer
            self.training = training
        }

        /// Throws a message naming the first hyperparameter out of range.
        public func validate() throws {
            func fail(_ message: String) -> AutoencoderError { AutoencoderError("translator: \(message)") }
            guard domains.count >= 2 else { throw fail("needs at least 2 domains, got \(domains.count)") }
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
            for domain in domains {
                guard !domain.name.isEmpty, domain.name.allSatisfy(allowed.contains) else {
                    throw fail("domain name '\(domain.name)' must be letters, digits, - and _")
                }
                if let violation = domain.firstViolation { throw fail("domain \(domain.name): \(violation)") }
            }
            guard Set(domains.map(\.name)).count == domains.count else { throw fail("domain names must differ: \(domains.map(\.name))") }
            if let violation = firstViolation { throw fail(violation) }
            guard classes >= 0 else { throw fail("classes must not be negative") }
            if classConditionalCritic {
                guard matcher == .critic else { throw fail("a class-conditional critic needs the critic matcher") }
                guard classes >= 2 else { throw fail("a class-conditional critic needs labels of at least 2 classes") }
            }
            guard training.batchSize >= 2 else { throw fail("matching compares batches of codes: batches need at least 2 samples") }
            do { try training.validate() } catch { throw fail("\(error)") }
        }

        /// The encoder and mirrored decoder of domain `index`.
        func network(_ index: Int) -> MirroredNetwork {
            MirroredNetwork(hidden: domains[index].hidden, codeSize: codeSize, activation: activation, loss: domains[index].loss,
                            architecture: domains[index].architecture, imageShape: domains[index].imageShape)
        }
    }

    public static let methodName = "translator"
    public let configuration: Configuration
    public let encoders: [TrainedNetwork], decoders: [TrainedNetwork]
    /// The latent classifier (codes → class logits), when trained with classes.
    public let classifier: LayerStack?
    /// Each domain's input scaling (fitted to its training samples).
    public let scalings: [FeatureScaling]
    public let record: TrainingRecord?

    public var domainNames: [String] { configuration.domains.map(\.name) }
    public var inputSize: Int { inputSize(domain: 0) }
    public var codeSize: Int { configuration.codeSize }
    public func inputSize(domain: Int) -> Int { encoders[domain].layout.inputWidth }

    init(configuration: Configuration, encoders: [TrainedNetwork], decoders: [TrainedNetwork], classifier: LayerStack?, scalings: [FeatureScaling], record: TrainingRecord?) {
        (self.configuration, self.encoders, self.decoders, self.classifier, self.scalings, self.record) = (configuration, encoders, decoders, classifier, scalings, record)
    }

    public func encodeUnchecked(_ samples: Tensor) -> Tensor { encoders[0](try! scalings[0].apply(samples)) }
    public func decodeUnchecked(_ codes: Tensor) throws -> Tensor { try scalings[0].invert(decoders[0](codes)) }

    /// ENCODE of domain `domain`'s samples (`n × D_domain`, in the user's units) into the shared space.
    public func encode(_ samples: Tensor, domain: Int) throws -> Tensor {
        try checkDomain(domain)
        guard samples.rank == 2, samples.shape[1] == inputSize(domain: domain) else {
            throw AutoencoderError("translator: domain \(domainNames[domain]) takes samples of \(inputSize(domain: domain)) features; got shape \(samples.shape)")
        }
        return encoders[domain](try scalings[domain].apply(samples))
    }

    /// DECODE of shared codes (`n × d`) into domain `domain`, in its units.
    public func decode(_ codes: Tensor, domain: Int) throws -> Tensor {
        try checkDomain(domain)
        guard codes.rank == 2, codes.shape[1] == codeSize else {
            throw AutoencoderError("translator decodes codes of width \(codeSize); got shape \(codes.shape)")
        }
        return try scalings[domain].invert(decoders[domain](codes))
    }

    /// Class probabilities of shared codes (`n × C`), from the latent classifier.
    public func classProbabilities(_ codes: Tensor) throws -> Tensor {
        guard let classifier else { throw AutoencoderError("translator: this model was trained without labels, so it has no latent classifier") }
        let logits = classifier(codes)
        return (logits - logits.logSumExp(alongAxis: 1).reshaped([logits.rows, 1])).exp()
    }

    private func checkDomain(_ domain: Int) throws {
        guard configuration.domains.indices.contains(domain) else {
            throw AutoencoderError("translator: no domain \(domain) (domains: \(domainNames.joined(separator: ", ")))")
        }
    }

    public var stateTensors: [(name: String, tensor: Tensor)] {
        zip(domainNames, zip(encoders, decoders)).flatMap { name, pair in
            pair.0.namedTensors("\(name).encoder") + pair.1.namedTensors("\(name).decoder")
        } + (classifier?.namedTensors("classifier") ?? [])
    }

    public init(configuration: Configuration, state: SafeTensorsFile, file: String) throws {
        do { try configuration.validate() } catch { throw DataFormatError(file, .entry("__metadata__.configuration"), "\(error)") }
        var encoders: [TrainedNetwork] = [], decoders: [TrainedNetwork] = []
        for (index, domain) in configuration.domains.enumerated() {
            let (encoder, decoder) = try configuration.network(index).load(from: state, prefix: domain.name, method: Self.methodName, file: file)
            encoders.append(encoder)
            decoders.append(decoder)
        }
        var classifier: LayerStack? = nil
        if configuration.classes > 0 {
            classifier = try LayerStack.load("classifier", widths: [configuration.codeSize, configuration.classes], activations: [.linear], from: state, file: file)
        }
        let entry = ModelFileSchema.domainScalings
        guard let scalings = try state.value(of: entry, file: file), scalings.count == configuration.domains.count else {
            throw DataFormatError(file, .entry("__metadata__.\(entry.key)"), "missing or unreadable: a translator stores one scaling per domain")
        }
        for (index, scaling) in scalings.enumerated() where scaling.features != encoders[index].layout.inputWidth {
            throw DataFormatError(file, .entry("__metadata__.\(entry.key)"), "domain \(configuration.domains[index].name): a scaling of \(scaling.features) features for an encoder of \(encoders[index].layout.inputWidth) inputs")
        }
        self.init(configuration: configuration, encoders: encoders, decoders: decoders, classifier: classifier, scalings: scalings,
                  record: try TrainingHistory.read(from: state, path: file)?.stages.first?.record)
    }

    public func modelFile() throws -> SafeTensorsFile {
        var file = try SafeTensorsFile(method: Self.methodName, configuration: configuration, tensors: stateTensors)
        try file.set(ModelFileSchema.trainingHistory, to: trainingHistory)
        try file.set(ModelFileSchema.domainScalings, to: scalings)
        return file
    }

    public var trainingHistory: TrainingHistory? {
        record.map { TrainingHistory(stages: [.init(name: "training", loss: "reconstruction per feature, summed over domains, + λ·\(configuration.matcher.rawValue) matching\(configuration.classes > 0 ? " + λ·classifier" : "")\(configuration.anchorFraction > 0 ? " + λ·anchor" : "")\(configuration.anchorFraction > 0 && configuration.translationWeight > 0 ? " + λ·translation" : "")\(configuration.training.heldOutFraction > 0 ? "; held out: FOSCTTM of the held-out pairs' codes among themselves" : "")", record: $0)]) }
    }
}

/// Hyperparameters added after a file was written read as their defaults, except where the
/// default changed what training did: those read as what the file was trained with.
extension Translator.Configuration {
    /// The anchors' translation loss did not exist before `translationWeight` was declared.
    static let translationWeightBefore: Float = 0
    /// Nor did the critic's gradient penalty before `criticGradientPenalty`.
    static let criticGradientPenaltyBefore: Float = 0


    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Translator.Configuration(domains: [])
        self.init(domains: try c.decode([Translator.Domain].self, forKey: .domains), codeSize: try c.decode(.codeSize, or: d.codeSize),
                  activation: try c.decode(.activation, or: d.activation), matcher: try c.decode(.matcher, or: d.matcher),
                  matchWeight: try c.decode(.matchWeight, or: d.matchWeight), adversarialLoss: try c.decode(.adversarialLoss, or: d.adversarialLoss),
                  classConditionalCritic: try c.decode(.classConditionalCritic, or: d.classConditionalCritic),
                  criticHidden: try c.decode(.criticHidden, or: d.criticHidden),
                  criticLearningRateScale: try c.decode(.criticLearningRateScale, or: d.criticLearningRateScale),
                  criticGradientPenalty: try c.decode(.criticGradientPenalty, or: Self.criticGradientPenaltyBefore),
                  epsilon: try c.decode(.epsilon, or: d.epsilon), classes: try c.decode(.classes, or: d.classes),
                  classifierWeight: try c.decode(.classifierWeight, or: d.classifierWeight), codePenalty: try c.decode(.codePenalty, or: d.codePenalty),
                  weightDecay: try c.decode(.weightDecay, or: d.weightDecay), inputNoise: try c.decode(.inputNoise, or: d.inputNoise),
                  dropout: try c.decode(.dropout, or: d.dropout), anchorWeight: try c.decode(.anchorWeight, or: d.anchorWeight),
                  anchorDistance: try c.decode(.anchorDistance, or: d.anchorDistance),
                  translationWeight: try c.decode(.translationWeight, or: Self.translationWeightBefore),
                  anchorFraction: try c.decode(.anchorFraction, or: d.anchorFraction),
                  initializer: try c.decode(.initializer, or: d.initializer), training: try c.decode(.training, or: d.training))
    }
}

extension Translator.Configuration: HyperparameterDeclaring {
    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.codeSize, "codeSize", "The shared code size d.", .atLeast(1)),
        .init(\.activation, "activation", "The hidden layers' activation."),
        .init(\.matcher, "matcher", "How codes are aligned: critic (adversarial), mmd or sinkhorn."),
        .init(\.matchWeight, "matchWeight", "λ of the matching term.", .atLeast(0)),
        .init(\.adversarialLoss, "adversarialLoss", "The critic's game (`matcher: .critic`): non-saturating, least-squares or wgan-gp."),
        .init(\.classConditionalCritic, "classConditionalCritic", "The critic sees each code's class beside it, so it matches class by class (`matcher: .critic`, needs labels)."),
        .init(\.criticHidden, "criticHidden", "The critic's hidden widths (`matcher: .critic`).", each: .atLeast(1), nonEmpty: true),
        .init(\.criticLearningRateScale, "criticLearningRateScale", "The critic's learning rate relative to `learningRate`.", .greaterThan(0)),
        .init(\.criticGradientPenalty, "criticGradientPenalty", "γ of the critic's zero-centred gradient penalty on both domains' codes (`matcher: .critic`; 0: none).", .atLeast(0)),
        .init(\.epsilon, "epsilon", "ε of `matcher: .sinkhorn`, in squared code units.", .greaterThan(0)),
        .init(\.classifierWeight, "classifierWeight", "λ of the latent classifier's cross-entropy.", .atLeast(0)),
        .init(\.codePenalty, "codePenalty", "λ of the codes' mean squared norm, which keeps the shared space from drifting.", .atLeast(0)),
        .init(\.weightDecay, "weightDecay", "Weight decay of the domains' networks and the classifier (AdamW's with Adam).", .atLeast(0)),
        .init(\.inputNoise, "inputNoise", "σ of Gaussian noise added to the scaled inputs in training (denoising).", .atLeast(0)),
        .init(\.dropout, "dropout", "p of dropout in the encoders' hidden layers in training.", .from(0, below: 1)),
        .init(\.anchorFraction, "anchorFraction", "The fraction of training pairs used as anchors.", .within(0, 1)),
        .init(\.anchorWeight, "anchorWeight", "λ of the anchor loss.", .atLeast(0)),
        .init(\.anchorDistance, "anchorDistance", "l1 or squared distance between an anchor pair's codes."),
        .init(\.translationWeight, "translationWeight", "λ of the anchors' translation loss: each anchor's code decoded into its partner's domain, against the partner.", .atLeast(0)),
        .init(\.initializer, "initializer", "The weights' initialisation."),
    ]

    /// The defaults, for no domains yet (the domains have no default).
    public static var defaults: Self { Self(domains: []) }
}

extension Translator.Domain: HyperparameterDeclaring {
    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.hidden, "hidden", "Encoder hidden widths, mirrored by the decoder.", each: .atLeast(1)),
        .init(\.loss, "loss", "Reconstruction cost, per feature: mse or bce (sigmoid output, data in [0, 1])."),
        .init(\.scaling, "scaling", "Per-feature scaling fitted to the domain's training samples: none, standardize, min-max or robust."),
        .init(\.architecture, "architecture",
              "The domain's networks: mlp (dense layers of `hidden`), conv (convolutions for its image shape) or 'ENCODER LAYERS | DECODER LAYERS'."),
    ]

    /// The defaults of an unnamed domain (the name has none).
    public static var defaults: Self { Self(name: "") }
}
