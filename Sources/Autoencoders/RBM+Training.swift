import Dispatch
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

    /// The CD-k estimate of the log-likelihood gradient, per sample:
    /// ∂W = (p₀ᵀv₀ − pₖᵀvₖ)/n, ∂b = mean(v₀ − vₖ), ∂c = mean(p₀ − pₖ).
    public static func gradient(_ data: Tensor, _ phases: ContrastiveDivergencePhases) -> (weight: Tensor, visibleBias: Tensor, hiddenBias: Tensor) {
        let n = Float(data.shape[0])
        // 1/n rides on the GEMMs' α: no extra pass over the H × D gradient.
        var weight = Tensor.uninitialized([phases.positiveHidden.shape[1], data.shape[1]])
        gemm(phases.positiveHidden, transposeA: true, data, alpha: 1 / n, beta: 0, into: &weight)
        gemm(phases.negativeHidden, transposeA: true, phases.negativeVisible, alpha: -1 / n, beta: 1, into: &weight)
        return (weight, (data - phases.negativeVisible).sum(alongAxis: 0) / n,
                (phases.positiveHidden - phases.negativeHidden).sum(alongAxis: 0) / n)
    }

    /// Trains an RBM on `samples` (`n × D`) by CD-k with momentum and weight decay.
    ///
    /// Weights start from N(0, 0.1²) and biases at 0, as in Hinton's code. Progress reports
    /// after every batch carry the epoch's mean reconstruction error so far as `loss`.
    public static func fit(_ samples: Tensor, configuration: Configuration, using generator: inout RandomGenerator,
                           progress: (TrainingProgress) throws -> Void = { _ in }) throws -> RBM {
        try checkTrainingSamples(samples, method: "RBM")
        try configuration.validate(features: samples.shape[1])
        let (n, d, h) = (samples.shape[0], samples.shape[1], configuration.hiddenUnits)
        var weight = Initializer.smallNormal.weights(inputs: d, outputs: h, using: &generator)
        var visibleBias = Tensor.zeros([d]), hiddenBias = Tensor.zeros([h])
        var (weightStep, visibleStep, hiddenStep) = (Tensor.zeros([h, d]), Tensor.zeros([d]), Tensor.zeros([h]))
        let monitor = samples.rows(0..<min(n, monitorRows))
        var errors: [Float] = [], energies: [Float] = []
        let start = DispatchTime.now().uptimeNanoseconds
        var processed = 0
        for epoch in 1...configuration.epochs {
            let momentum = epoch <= configuration.momentumSwitchEpoch ? configuration.initialMomentum : configuration.finalMomentum
            let batches = generator.batches(count: n, size: configuration.batchSize)
            var total = 0.0
            func report(batch: Int, of count: Int, loss: Float, metrics: [String: Float] = [:]) throws {
                var p = TrainingProgress(epoch: epoch, epochs: configuration.epochs, batch: batch, batches: count, loss: loss, processed: processed,
                                         total: configuration.epochs * n, elapsedSeconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                p.learningRate = configuration.learningRate
                p.phase = "rbm \(d)→\(h)"
                p.epochMetrics = metrics
                try progress(p)
            }
            for (index, indices) in batches.enumerated() {
                let data = samples.gatherRows(indices)
                let phases = Self.phases(data, weight: weight, visibleBias: visibleBias, hiddenBias: hiddenBias, configuration: configuration) {
                    sample($0, configuration.hidden, using: &generator)
                }
                let error = squaredErrors(data, phases.negativeVisible).reduce(0, +) / Double(indices.count)
                guard error.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch, batch: index + 1, value: Float(error)) }
                let g = gradient(data, phases)
                // Hinton's rule: Δ ← μΔ + ε(∂ − λW) for weights, Δ ← μΔ + ε∂ for biases.
                momentumStep(&weight, &weightStep, g.weight, momentum: momentum, rate: configuration.learningRate, decay: configuration.weightDecay)
                momentumStep(&visibleBias, &visibleStep, g.visibleBias, momentum: momentum, rate: configuration.learningRate, decay: 0)
                momentumStep(&hiddenBias, &hiddenStep, g.hiddenBias, momentum: momentum, rate: configuration.learningRate, decay: 0)
                total += error
                processed += indices.count
                try report(batch: index + 1, of: batches.count, loss: Float(total / Double(index + 1)))
            }
            errors.append(Float(total / Double(batches.count)))
            let model = RBM(configuration: configuration, weight: weight, visibleBias: visibleBias, hiddenBias: hiddenBias)
            let energy = model.freeEnergy(monitor)
            energies.append(Float(energy.reduce(0, +) / Double(energy.count)))
            // The epoch's closing report adds the free energy of the monitored rows.
            try report(batch: batches.count, of: batches.count, loss: errors.last!, metrics: ["free energy": energies.last!])
        }
        return RBM(configuration: configuration, weight: weight, visibleBias: visibleBias, hiddenBias: hiddenBias,
                   reconstructionError: errors, freeEnergy: energies)
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

    /// step ← μ·step + ε(g − λθ); θ ← θ + step, in place.
    public static func momentumStep(_ parameter: inout Tensor, _ step: inout Tensor, _ gradient: Tensor, momentum: Float, rate: Float, decay: Float) {
        parameter.withUnsafeMutableBufferPointer { theta in
            step.withUnsafeMutableBufferPointer { s in
                gradient.withUnsafeBufferPointer { g in
                    // Elementwise, so splitting across threads cannot change the result.
                    let (ut, us, ug) = (UInt(bitPattern: theta.baseAddress), UInt(bitPattern: s.baseAddress), UInt(bitPattern: g.baseAddress))
                    forEachChunk(of: theta.count) { range in
                        let theta = UnsafeMutablePointer<Float>(bitPattern: ut)!, s = UnsafeMutablePointer<Float>(bitPattern: us)!
                        let g = UnsafePointer<Float>(bitPattern: ug)!
                        for i in range {
                            s[i] = momentum * s[i] + rate * (g[i] - decay * theta[i])
                            theta[i] += s[i]
                        }
                    }
                }
            }
        }
    }
}
