import NeuralNetworks
import Tensors

/// The statistics of one contrastive-divergence step on a batch (Hinton 2002; the update of
/// Hinton & Salakhutdinov 2006, Fig. 1): the data's hidden means, and the visible and hidden
/// means after k Gibbs steps. Shapes: `n × H`, `n × D`, `n × H`.
public struct ContrastiveDivergencePhases: Sendable {
    public var positiveHidden: Tensor
    public var negativeVisible: Tensor
    public var negativeHidden: Tensor
}

extension RBM {
    /// The CD-k phases for `data` (`n × D`): p₀ = E[h | v₀], then k times: h ~ p(h | ·) by
    /// `sampleHidden`, v = E[v | h], p = E[h | v]. As in Hinton's code the visible side uses
    /// means, not samples, and the statistics use hidden means.
    public static func phases(_ data: Tensor, weight: Tensor, visibleBias: Tensor, hiddenBias: Tensor, configuration: Configuration,
                              sampleHidden: (Tensor) -> Tensor) -> ContrastiveDivergencePhases {
        let hiddenActivation: Activation = configuration.hidden == .bernoulli ? .sigmoid : .linear
        let visibleActivation: Activation = configuration.visible == .bernoulli ? .sigmoid : .linear
        let positive = affine(data, weight, bias: hiddenBias, activation: hiddenActivation)
        var hidden = positive, visible = data
        for _ in 0..<configuration.gibbsSteps {
            visible = affine(sampleHidden(hidden), weight, transposeWeight: false, bias: visibleBias, activation: visibleActivation)
            hidden = affine(visible, weight, bias: hiddenBias, activation: hiddenActivation)
        }
        return ContrastiveDivergencePhases(positiveHidden: positive, negativeVisible: visible, negativeHidden: hidden)
    }

    /// The CD-k estimate of the negative log-likelihood's gradient, per sample, which an
    /// optimizer descends: ∂W = (pₖᵀvₖ − p₀ᵀv₀)/n, ∂b = mean(vₖ − v₀), ∂c = mean(pₖ − p₀)
    /// (the negated "positive minus negative statistics" of Hinton's update).
    public static func gradient(_ data: Tensor, _ phases: ContrastiveDivergencePhases) -> (weight: Tensor, visibleBias: Tensor, hiddenBias: Tensor) {
        let n = Float(data.shape[0])
        // 1/n rides on the GEMMs' α: no extra pass over the H × D gradient.
        var weight = Tensor.uninitialized([phases.positiveHidden.shape[1], data.shape[1]])
        gemm(phases.positiveHidden, transposeA: true, data, alpha: -1 / n, beta: 0, into: &weight)
        gemm(phases.negativeHidden, transposeA: true, phases.negativeVisible, alpha: 1 / n, beta: 1, into: &weight)
        return (weight, (phases.negativeVisible - data).sum(alongAxis: 0) / n,
                (phases.negativeHidden - phases.positiveHidden).sum(alongAxis: 0) / n)
    }

    /// Contrastive divergence as a step of the `Trainer`: the CD-k gradient on a batch, then
    /// Hinton's update v ← μv − ε(∂ + λW), θ ← θ + v by two `Momentum` optimizers, one for the
    /// weights (with the weight cost λ) and one for the biases (without).
    ///
    /// Its loss is the batch's squared reconstruction error per sample (data against the
    /// negative phase's visible means), which CD does not minimise but which falls as the
    /// model learns; at each epoch's end it reports the mean free energy of `monitor` rows.
    public struct ContrastiveDivergence: TrainingStep {
        public let configuration: Configuration
        public let weight: Variable, visibleBias: Variable, hiddenBias: Variable
        /// Rows whose mean free energy is reported at each epoch's end.
        let monitor: Tensor

        /// A step for `configuration`, starting from the given parameters.
        public init(configuration: Configuration, weight: Tensor, visibleBias: Tensor, hiddenBias: Tensor, monitor: Tensor) {
            self.configuration = configuration
            self.weight = Variable(weight, requiresGradient: true)
            self.visibleBias = Variable(visibleBias, requiresGradient: true)
            self.hiddenBias = Variable(hiddenBias, requiresGradient: true)
            self.monitor = monitor
        }

        public var groups: [ParameterGroup] {
            [ParameterGroup(name: "weights", parameters: [("weight", weight)], weightDecay: configuration.weightDecay),
             ParameterGroup(name: "biases", parameters: [("visible_bias", visibleBias), ("hidden_bias", hiddenBias)])]
        }

        public var lossTerms: [String] { ["reconstruction"] }
        /// The weights' and the biases' gradients come from one pair of phases, before either steps.
        public var updatesGroupsIndependently: Bool { true }

        public func train(_ batch: Tensor, optimizers: [any Optimizer], using generator: inout RandomGenerator) -> [Double] {
            let phases = RBM.phases(batch, weight: weight.value, visibleBias: visibleBias.value, hiddenBias: hiddenBias.value,
                                    configuration: configuration) { RBM.sample($0, configuration.hidden, using: &generator) }
            let error = squaredErrors(batch, phases.negativeVisible).reduce(0, +) / Double(batch.shape[0])
            guard error.isFinite else { return [error] }
            let g = RBM.gradient(batch, phases)
            (weight.gradient, visibleBias.gradient, hiddenBias.gradient) = (g.weight, g.visibleBias, g.hiddenBias)
            for optimizer in optimizers { optimizer.step() }
            // Freed now, the gradients' buffers are reused by the next batch's.
            (weight.gradient, visibleBias.gradient, hiddenBias.gradient) = (nil, nil, nil)
            return [error]
        }

        /// The squared error of one deterministic pass v ↦ E[v | E[h | v]], per sample.
        public func heldOutLoss(_ samples: Tensor) -> Double {
            let rbm = model()
            let reconstruction = LayerStack(layers: [rbm.encoderLayer, rbm.decoderLayer])(samples)
            return squaredErrors(samples, reconstruction).reduce(0, +) / Double(samples.shape[0])
        }

        public func epochMetrics() -> [String: Float] {
            let energy = model().freeEnergy(monitor)
            return [RBM.freeEnergyMetric: Float(energy.reduce(0, +) / Double(energy.count))]
        }

        /// The RBM of the current parameters, with the histories of `record`.
        public func model(record: TrainingRecord? = nil) -> RBM {
            RBM(configuration: configuration, weight: weight.value, visibleBias: visibleBias.value, hiddenBias: hiddenBias.value,
                reconstructionError: record?.trainLoss ?? [], freeEnergy: record?.metrics?[RBM.freeEnergyMetric] ?? [])
        }
    }

    /// The name of the free energy among the trainer's epoch metrics.
    public static let freeEnergyMetric = "free energy"

    /// The trainer's configuration of CD training: momentum SGD at the RBM's learning rate, the
    /// initial momentum for `momentumSwitchEpoch` epochs, no held-out rows.
    public static func trainingConfiguration(_ configuration: Configuration) -> TrainingConfiguration {
        TrainingConfiguration(epochs: configuration.epochs, batchSize: configuration.batchSize, learningRate: configuration.learningRate,
                              optimizer: .momentum, momentum: configuration.finalMomentum, heldOutFraction: 0,
                              momentumWarmup: .init(momentum: configuration.initialMomentum, epochs: configuration.momentumSwitchEpoch))
    }

    /// Trains an RBM on `samples` (`n × D`) by CD-k with momentum and weight decay, on the
    /// `Trainer` (progress, checkpoints and exact resumption through `hooks`).
    ///
    /// Weights start from N(0, 0.1²) and biases at 0, as in Hinton's code. Progress reports
    /// carry the epoch's mean reconstruction error so far as `loss`, and the free energy of
    /// the first ``monitorRows`` rows at each epoch's end.
    ///
    /// - Parameter phase: the stage name of a multi-stage fit (a deep autoencoder's "rbm 2/4"),
    ///   carried in progress reports and checkpoints.
    public static func fit(_ samples: Tensor, configuration: Configuration, using generator: inout RandomGenerator,
                           phase: String = "", hooks: TrainingHooks = .none) throws -> RBM {
        try checkTrainingSamples(samples, method: "RBM")
        return try fit(rows: samples, configuration: configuration, using: &generator, phase: phase, hooks: hooks)
    }

    /// Trains an RBM on rows in memory or streamed (``ShardStream``, whose reader checks values).
    public static func fit(rows samples: some TrainingRows, configuration: Configuration, using generator: inout RandomGenerator,
                           phase: String = "", hooks: TrainingHooks = .none) throws -> RBM {
        try configuration.validate(features: samples.columns)
        let (d, h) = (samples.columns, configuration.hiddenUnits)
        let step = ContrastiveDivergence(configuration: configuration,
                                         weight: Initializer.smallNormal.weights(inputs: d, outputs: h, using: &generator),
                                         visibleBias: .zeros([d]), hiddenBias: .zeros([h]), monitor: try samples.leadingRows(monitorRows))
        let record = try Trainer(trainingConfiguration(configuration), phase: phase).run(step, samples: samples, heldOut: nil,
                                                                                       using: &generator, hooks: hooks)
        return step.model(record: record)
    }

    /// Hidden states drawn from their conditional: hⱼ = 1 with probability pⱼ (Bernoulli),
    /// or mean + N(0, 1) (Gaussian).
    public static func sample(_ means: Tensor, _ units: Units, using generator: inout RandomGenerator) -> Tensor {
        var states = means
        states.withUnsafeMutableBufferPointer { p in
            switch units {
            case .bernoulli: for i in p.indices { p[i] = p[i] > generator.nextUniform() ? 1 : 0 }
            case .gaussian: for i in p.indices { p[i] += Float(generator.nextNormal()) }
            }
        }
        return states
    }
}
