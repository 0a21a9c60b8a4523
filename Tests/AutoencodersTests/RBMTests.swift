import Autoencoders
import DataFormats
import Foundation
import NeuralNetworks
import Testing
import Tensors

@Suite struct RestrictedBoltzmannMachines {
    /// One CD-1 update on 3 visible and 2 hidden units, computed by hand from the formulas of
    /// Hinton & Salakhutdinov (2006), Fig. 1: p₀ = σ(c + Wv₀), h ~ p₀ (fixed here: [1, 0]),
    /// v₁ = σ(b + hᵀW), p₁ = σ(c + Wv₁), ΔW = ε(p₀v₀ᵀ − p₁v₁ᵀ − λW), Δb = ε(v₀ − v₁), Δc = ε(p₀ − p₁).
    @Test func cd1UpdateMatchesAHandComputedOne() throws {
        func s(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
        let w: [[Double]] = [[0.1, -0.2, 0.3], [0.4, 0.0, -0.1]], b = [0.05, -0.05, 0.1], c = [0.2, -0.3], v0 = [1.0, 0, 1]
        let (epsilon, lambda): (Double, Double) = (0.1, 0.01)
        // By hand: p₀ = (σ(0.6), σ(0)) = (0.645656, 0.5).
        let p0 = [s(0.2 + 0.1 + 0.3), s(-0.3 + 0.4 - 0.1)]
        #expect(abs(p0[0] - 0.6456563) < 1e-6 && p0[1] == 0.5)
        let v1 = [s(0.05 + 0.1), s(-0.05 - 0.2), s(0.1 + 0.3)]  // h = [1, 0] picks W's first row
        let p1 = [s(0.2 + 0.1 * v1[0] - 0.2 * v1[1] + 0.3 * v1[2]), s(-0.3 + 0.4 * v1[0] + 0.0 * v1[1] - 0.1 * v1[2])]
        let expectedW = (0..<2).map { j in (0..<3).map { i in w[j][i] + epsilon * (p0[j] * v0[i] - p1[j] * v1[i] - lambda * w[j][i]) } }
        let expectedB = (0..<3).map { b[$0] + epsilon * (v0[$0] - v1[$0]) }
        let expectedC = (0..<2).map { c[$0] + epsilon * (p0[$0] - p1[$0]) }

        let configuration = RBM.Configuration(hiddenUnits: 2, learningRate: Float(epsilon), weightDecay: Float(lambda))
        var weight = Tensor(w.map { $0.map(Float.init) }), visibleBias = Tensor(b.map(Float.init)), hiddenBias = Tensor(c.map(Float.init))
        let data = Tensor([v0.map(Float.init)])
        let phases = RBM.phases(data, weight: weight, visibleBias: visibleBias, hiddenBias: hiddenBias, configuration: configuration) { means in
            #expect(abs(Double(means[0, 0]) - p0[0]) < 1e-6)
            return Tensor([[1, 0]])
        }
        // The step's update: the CD gradient (descended) by Hinton's momentum rule, the weight
        // cost on the weights only.
        let g = RBM.gradient(data, phases)
        let (weightVariable, visibleVariable, hiddenVariable) = (Variable(weight, requiresGradient: true), Variable(visibleBias, requiresGradient: true),
                                                                 Variable(hiddenBias, requiresGradient: true))
        let weights = Momentum(parameters: [weightVariable], learningRate: Float(epsilon), momentum: 0.5, weightDecay: Float(lambda))
        let biases = Momentum(parameters: [visibleVariable, hiddenVariable], learningRate: Float(epsilon), momentum: 0.5)
        (weightVariable.gradient, visibleVariable.gradient, hiddenVariable.gradient) = (g.weight, g.visibleBias, g.hiddenBias)
        weights.step()
        biases.step()
        (weight, visibleBias, hiddenBias) = (weightVariable.value, visibleVariable.value, hiddenVariable.value)
        for j in 0..<2 { for i in 0..<3 { #expect(abs(Double(weight[j, i]) - expectedW[j][i]) < 1e-6) } }
        for i in 0..<3 { #expect(abs(Double(visibleBias.scalars[i]) - expectedB[i]) < 1e-6) }
        for j in 0..<2 { #expect(abs(Double(hiddenBias.scalars[j]) - expectedC[j]) < 1e-6) }
        // A second step carries momentum: the new step is μ·(first step) + ε(−∂ − λW).
        let first = weightVariable.value - Tensor(w.map { $0.map(Float.init) })
        let before = weightVariable.value
        weights.step()
        let second = weightVariable.value - before
        #expect(abs(second[0, 0] - (0.5 * first[0, 0] + Float(epsilon) * (-g.weight[0, 0] - Float(lambda) * before[0, 0]))) < 1e-6)
    }

    /// On images, CD-1 lowers the reconstruction error epoch after epoch, and the training data
    /// become more probable (lower free energy) than noise of the same intensity.
    @Test func learnsImages() throws {
        let images = try DatasetLoader().load("fashion-mnist-mini:train").samples.rows(0..<600)
        var generator = RandomGenerator(seed: 1)
        var reported: [Float] = []
        let rbm = try RBM.fit(images, configuration: .init(hiddenUnits: 64, epochs: 6), using: &generator, hooks: TrainingHooks { p in
            if let energy = p.epochMetrics[RBM.freeEnergyMetric] { reported.append(energy) }
        })
        #expect(reported == rbm.freeEnergy, "the free energy is reported once per epoch")
        #expect(rbm.reconstructionError.count == 6 && rbm.freeEnergy.count == 6)
        #expect(rbm.reconstructionError.last! < 0.6 * rbm.reconstructionError.first!, "\(rbm.reconstructionError)")
        let noise = Tensor.randomUniform([600, 784], using: &generator) * (2 * images.mean())
        let (data, random) = (rbm.freeEnergy(images).reduce(0, +) / 600, rbm.freeEnergy(noise).reduce(0, +) / 600)
        #expect(data < random, "free energy of data \(data), of noise \(random)")
    }

    @Test func badRequestsAreClearErrors() throws {
        var generator = RandomGenerator(seed: 0)
        let x = Tensor.zeros([10, 4])
        for configuration in [RBM.Configuration(hiddenUnits: 0), .init(hiddenUnits: 2, epochs: 0), .init(hiddenUnits: 2, gibbsSteps: 0),
                              .init(hiddenUnits: 2, finalMomentum: 1)] {
            #expect(throws: AutoencoderError.self) { _ = try RBM.fit(x, configuration: configuration, using: &generator) }
        }
    }
}
