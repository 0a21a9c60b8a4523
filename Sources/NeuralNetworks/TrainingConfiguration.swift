import Tensors

/// Which optimizer a training run uses.
public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
    /// Adam (Kingma & Ba 2015) with the paper's β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    case adam
    /// SGD with momentum (`TrainingConfiguration.momentum`), as in Hinton's fine-tuning code.
    case momentum
    /// Plain SGD.
    case sgd
}

/// The hyperparameters of gradient training shared by every trained method: logged with the run
/// and stored in the model file.
public struct TrainingConfiguration: Codable, Sendable, Equatable {
    /// Passes over the training data.
    public var epochs: Int
    /// Samples per mini-batch (the last batch of an epoch may be smaller).
    public var batchSize: Int
    /// The initial step size η.
    public var learningRate: Float
    public var optimizer: OptimizerKind
    /// μ for ``OptimizerKind/momentum``.
    public var momentum: Float
    /// A lower μ for the first epochs, while the gradients are large and noisy (Hinton's RBM
    /// code: 0.5 for 5 epochs, then 0.9); nil runs at `momentum` throughout.
    public var momentumWarmup: MomentumWarmup?
    public var schedule: LearningRateSchedule
    /// The fraction of the training samples held out (a seeded random subset) to report a
    /// held-out loss per epoch and to drive early stopping; 0 trains on all of them.
    public var heldOutFraction: Double
    /// Stop when the held-out loss has not improved for this many epochs, and keep the best
    /// epoch's weights; nil trains for all `epochs`.
    public var earlyStoppingPatience: Int?
    /// Train for at least this many optimiser steps, adding epochs when `epochs` passes over a
    /// small data set would take fewer (20 epochs of 178 samples in batches of 128 are 40
    /// steps: too few to learn anything); nil counts epochs alone.
    public var minimumSteps: Int?

    /// μ for the first `epochs` epochs of a run, before ``TrainingConfiguration/momentum``.
    public struct MomentumWarmup: Codable, Sendable, Equatable {
        public var momentum: Float
        public var epochs: Int
        public init(momentum: Float, epochs: Int) {
            self.momentum = momentum
            self.epochs = epochs
        }
    }

    /// μ during `epoch` (1-based): the warm-up's for epochs 1 … its `epochs`.
    public func momentum(atEpoch epoch: Int) -> Float {
        guard let momentumWarmup, epoch <= momentumWarmup.epochs else { return momentum }
        return momentumWarmup.momentum
    }

    /// Default held-out fraction: 5 % (3 000 of Fashion-MNIST's 60 000 training images).
    public static let defaultHeldOutFraction = 0.05

    public init(epochs: Int, batchSize: Int = 128, learningRate: Float = 1e-3, optimizer: OptimizerKind = .adam,
                momentum: Float = 0.9, schedule: LearningRateSchedule = .constant,
                heldOutFraction: Double = TrainingConfiguration.defaultHeldOutFraction, earlyStoppingPatience: Int? = nil,
                minimumSteps: Int? = nil, momentumWarmup: MomentumWarmup? = nil) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.optimizer = optimizer
        self.momentum = momentum
        self.schedule = schedule
        self.heldOutFraction = heldOutFraction
        self.earlyStoppingPatience = earlyStoppingPatience
        self.minimumSteps = minimumSteps
        self.momentumWarmup = momentumWarmup
    }

    /// The epochs a run over `samples` training rows takes: `epochs`, or more when
    /// `minimumSteps` asks for more optimiser steps than they make.
    public func epochs(forSamples samples: Int) -> Int {
        guard let minimumSteps, samples > 0 else { return epochs }
        let stepsPerEpoch = (samples + batchSize - 1) / batchSize
        return max(epochs, (minimumSteps + stepsPerEpoch - 1) / stepsPerEpoch)
    }

    /// Throws a message naming the first hyperparameter out of range.
    public func validate() throws {
        if let violation = firstViolation { throw TrainingError.invalidConfiguration(violation) }
        if let warmup = momentumWarmup, !Self.momentumRange.contains(warmup.momentum) {
            throw TrainingError.invalidConfiguration("the warm-up momentum must be \(Self.momentumRange.description), got \(warmup.momentum)")
        }
        if let momentumWarmup, momentumWarmup.epochs < 0 {
            throw TrainingError.invalidConfiguration("momentum warm-up epochs must not be negative, got \(momentumWarmup.epochs)")
        }
        if earlyStoppingPatience != nil, heldOutFraction == 0 {
            throw TrainingError.invalidConfiguration("early stopping needs held-out data (`heldOutFraction` above 0)")
        }
    }

    /// The step schedule's epochs between reductions; nil under another schedule.
    public var scheduleStepEvery: Int? {
        if case .step(let every, _) = schedule { every } else { nil }
    }

    /// The step schedule's factor of each reduction; nil under another schedule.
    public var scheduleStepFactor: Float? {
        if case .step(_, let factor) = schedule { factor } else { nil }
    }

    /// The cosine schedule's final rate as a fraction of the first; nil under another schedule.
    public var scheduleMinimumFraction: Float? {
        if case .cosine(let minimumFraction) = schedule { minimumFraction } else { nil }
    }

    /// The optimizer over `parameters`, at the initial learning rate, with weight decay λ
    /// (an L2 cost for SGD and momentum, AdamW's decoupled decay for Adam).
    public func makeOptimizer(_ parameters: [Variable], weightDecay: Float = 0) -> any Optimizer {
        switch optimizer {
        case .adam: Adam(parameters: parameters, learningRate: learningRate, decoupledWeightDecay: weightDecay)
        case .momentum: Momentum(parameters: parameters, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
        case .sgd: SGD(parameters: parameters, learningRate: learningRate, weightDecay: weightDecay)
        }
    }

    /// Splits `samples` (`n × D`) into training rows and held-out rows (a seeded random
    /// subset of ⌊fraction·n⌋ rows, at least 1 when the fraction is positive and n ≥ 2).
    public func holdOut(_ samples: Tensor, using generator: inout RandomGenerator) -> (training: Tensor, heldOut: Tensor?) {
        let n = samples.shape[0]
        let count = heldOutFraction > 0 && n >= 2 ? min(n - 1, max(1, Int(heldOutFraction * Double(n)))) : 0
        guard count > 0 else { return (samples, nil) }
        let order = generator.permutation(n)
        return (samples.gatherRows(Array(order[count...]).sorted()), samples.gatherRows(Array(order[..<count]).sorted()))
    }
}

extension TrainingConfiguration: HyperparameterDeclaring {
    /// μ's valid values, for SGD with momentum and its warm-up.
    static let momentumRange = ValidRange<Float>.from(0, below: 1)

    /// Each method chooses its own epochs, batches, rate and held-out share: these defaults
    /// are the method's (its configuration's `defaultTraining`).
    static let methodsDefault = HyperparameterDefault.rule("the method's, given above")

    public static let hyperparameters: [Hyperparameter<TrainingConfiguration>] = [
        .init(\.epochs, "epochs", "Passes over the training data (at least; see `minimumSteps`).", .atLeast(1), default: methodsDefault),
        .init(\.minimumSteps, "minimumSteps", "At least this many optimiser steps, adding epochs on small data.", .atLeast(0), default: methodsDefault),
        .init(\.batchSize, "batchSize", "Samples per mini-batch.", .atLeast(1), default: methodsDefault),
        .init(\.learningRate, "learningRate", "The initial step size η.", .greaterThan(0), default: methodsDefault),
        .init(\.optimizer, "optimizer", "The optimiser: adam (Kingma & Ba 2015), momentum or sgd."),
        .init(\.momentum, "momentum", "μ of SGD with momentum (`optimizer: .momentum`).", momentumRange),
        .init(\.heldOutFraction, "heldOutFraction", "The fraction of the training data held out for a per-epoch held-out loss.",
              .from(0, below: 1), default: methodsDefault),
        .init(\.scheduleStepEvery, "scheduleStepEvery", "Step schedule: epochs between reductions.", .atLeast(1),
              default: .rule("\(LearningRateSchedule.defaultStepEvery)")),
        .init(\.scheduleStepFactor, "scheduleStepFactor", "Step schedule: the factor of each reduction.", .above(0, upTo: 1),
              default: .rule("\(LearningRateSchedule.defaultStepFactor)")),
        .init(\.scheduleMinimumFraction, "scheduleMinimumFraction", "Cosine schedule: the final rate as a fraction of the first.", .within(0, 1),
              default: .rule("\(LearningRateSchedule.defaultMinimumFraction)")),
        .init(\.earlyStoppingPatience, "earlyStoppingPatience",
              "Stop when the held-out loss has not improved for this many epochs; keep the best weights.", .atLeast(1), default: .rule("none")),
    ]

    /// Adam at 10⁻³ in batches of 128 with 5 % held out, for one epoch: a placeholder for the
    /// values each method declares.
    public static var defaults: TrainingConfiguration { TrainingConfiguration(epochs: 1) }
}
