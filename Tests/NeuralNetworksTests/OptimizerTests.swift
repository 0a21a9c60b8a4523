import NeuralNetworks
import Testing
import TestSupport
import Tensors

/// The optimizers, from simplest to most elaborate, with learning rates that suit the problem.
enum OptimizerKind: String, CaseIterable, Sendable {
    case sgd, momentum, adam, adamW

    func make(_ parameters: [Variable]) -> any Optimizer {
        switch self {
        case .sgd: SGD(parameters: parameters, learningRate: 0.02)
        case .momentum: Momentum(parameters: parameters, learningRate: 0.005, momentum: 0.9, weightDecay: 1e-5)
        case .adam: Adam(parameters: parameters, learningRate: 0.05)
        case .adamW: AdamW(parameters: parameters, learningRate: 0.05, weightDecay: 1e-4)
        }
    }
}

/// Mini-batch descent by `optimizer` on (x → y) for `epochs` shuffled passes: the mean loss of
/// each epoch. (The library's `Trainer` makes its optimizers from a configuration; these tests
/// drive hand-made optimizers directly.)
private func descend(_ model: any Layer, _ optimizer: any Optimizer, x: Tensor, y: Tensor, epochs: Int, batchSize: Int,
                     using generator: inout RandomGenerator) -> [Float] {
    (0..<epochs).map { _ in
        let batches = generator.batches(count: x.shape[0], size: batchSize)
        let total = batches.reduce(0.0) { total, indices in
            optimizer.zeroGradients()
            let loss = squaredError(model(Variable(x.gatherRows(indices))), y.gatherRows(indices))
            loss.backward()
            optimizer.step()
            return total + Double(loss.value.scalar)
        }
        return Float(total / Double(batches.count))
    }
}

/// y = x·w + b + ε with ε ~ N(0, 0.01²): a regression every optimizer must solve.
private func regressionData() -> (x: Tensor, y: Tensor, w: [Float], b: Float) {
    var generator = RandomGenerator(seed: 10)
    let w: [Float] = [1, -2, 0.5, 3], b: Float = 0.7
    let x = Tensor.randomNormal([256, 4], using: &generator)
    let noise = Tensor.randomNormal([256, 1], standardDeviation: 0.01, using: &generator)
    let y = matmul(x, try! Tensor(shape: [4, 1], scalars: w)) + b + noise
    return (x, y, w, b)
}

@Suite struct Optimizers {
    @Test(arguments: OptimizerKind.allCases)
    func fitsALinearRegression(kind: OptimizerKind) throws {
        let (x, y, w, b) = regressionData()
        var generator = RandomGenerator(seed: 11)
        let model = Dense(inputs: 4, outputs: 1, using: &generator)
        let optimizer = kind.make(model.parameters)
        let losses = descend(model, optimizer, x: x, y: y, epochs: 60, batchSize: 32, using: &generator)
        // Stated tolerance: every coefficient within 0.02 of the truth, and the final loss
        // within twice the noise variance (1e-4).
        for (learned, truth) in zip(model.weight.value.scalars, w) { #expect(abs(learned - truth) < 0.02, "\(kind): \(learned) vs \(truth)") }
        #expect(abs(model.bias.value.scalar - b) < 0.02, "\(kind): bias \(model.bias.value.scalar)")
        #expect(losses.last! < 2e-4, "\(kind): final loss \(losses.last!)")
        #expect(losses.last! < losses.first!)
    }

    @Test func adamsFirstStepHasTheLearningRatesSize() {
        // With bias correction, Adam's first update is −η·sign(g) (Kingma & Ba, section 2.1).
        let p = Variable(Tensor([1, 1]), requiresGradient: true)
        p.gradient = Tensor([0.3, -20])
        Adam(parameters: [p], learningRate: 0.1).step()
        #expect(p.value.isApproximatelyEqual(to: Tensor([0.9, 1.1]), relativeTolerance: 1e-5))
    }

    /// A dense layer leaves its weight's gradient as the product δᵀ·x. Adam forming it and then
    /// passing over every parameter (the default), Adam spending it where the product forms it
    /// (`.fusedIntoProducts`), and the latter given gradients a reader formed first all give the
    /// same weights bit for bit, at every level.
    @Test(arguments: CPULevel.supported, [Activation.sigmoid, .relu, .tanh])
    func adamFromTheDeferredProductIsAdamFromTheGradient(level: CPULevel, activation: Activation) {
        let settings = ComputeSettings(backend: .builtIn(level), threads: 2, cpuLevel: level)
        let x = randomTensor([37, 45], seed: 20), target = randomTensor([37, 29], seed: 21)
        func trained(_ update: DeferredGradientUpdate, formingGradientsFirst: Bool = false) -> [Tensor] {
            ComputeContext(settings: settings).run {
                var generator = RandomGenerator(seed: 22)
                let layers = [Dense(inputs: 45, outputs: 60, activation: activation, using: &generator),
                              Dense(inputs: 60, outputs: 29, using: &generator)]
                let parameters = layers.flatMap(\.parameters)
                let adam = AdamW(parameters: parameters, learningRate: 0.01, weightDecay: 0.01, deferredGradients: update)
                for _ in 0..<3 {
                    adam.zeroGradients()
                    squaredError(layers[1](layers[0](Variable(x))), target).backward()
                    if formingGradientsFirst { for p in parameters { _ = p.gradient } }
                    adam.step()
                }
                return parameters.map(\.value)
            }
        }
        let formed = trained(.formed)
        for (name, other) in [("fused", trained(.fusedIntoProducts)), ("fused after a read", trained(.fusedIntoProducts, formingGradientsFirst: true))] {
            for (a, b) in zip(other, formed) {
                #expect(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern), "\(name): \(level) \(activation) \(a.shape)")
            }
        }
    }

    @Test func aDeferredGradientIsFormedWhenRead() {
        var generator = RandomGenerator(seed: 23)
        let layer = Dense(inputs: 6, outputs: 4, activation: .sigmoid, using: &generator)
        let x = randomTensor([5, 6], seed: 24)
        layer(Variable(x)).sum().backward()
        // The gradient read is ∂W = δᵀ·x with δ = σ′ = y·(1 − y) (the seed is all ones).
        let g = layer.weight.gradient!
        let y = layer(x), delta = y * (1 - y)
        #expect(g.isApproximatelyEqual(to: matmul(delta, transposeA: true, x), relativeTolerance: 1e-6, absoluteTolerance: 1e-7))
        #expect(layer.weight.takeDeferredGradient() == nil, "read once, the gradient is a tensor")
    }

    @Test func adamWDecaysWithoutGradientScaling() {
        let p = Variable(Tensor([2]), requiresGradient: true)
        p.gradient = Tensor([0])
        AdamW(parameters: [p], learningRate: 0.1, weightDecay: 0.5).step()
        #expect(abs(p.value.scalar - 2 * (1 - 0.05)) < 1e-6)
    }

    @Test func momentumMatchesItsRecurrence() {
        let p = Variable(Tensor([0]), requiresGradient: true)
        let optimizer = Momentum(parameters: [p], learningRate: 0.1, momentum: 0.5)
        p.gradient = Tensor([1])
        optimizer.step()  // v = −0.1, θ = −0.1
        optimizer.step()  // v = −0.05 − 0.1, θ = −0.25
        #expect(abs(p.value.scalar + 0.25) < 1e-7)
    }

    @Test func clippingRescalesTheJointNorm() {
        let a = Variable(Tensor([3]), requiresGradient: true), b = Variable(Tensor([4]), requiresGradient: true)
        a.gradient = Tensor([3])
        b.gradient = Tensor([4])
        let norm = clipGradients([a, b], maxNorm: 1)
        #expect(norm == 5)
        #expect(a.gradient!.isApproximatelyEqual(to: Tensor([0.6])) && b.gradient!.isApproximatelyEqual(to: Tensor([0.8])))
        #expect(clipGradients([a, b], maxNorm: 10) <= 1.0001)
        #expect(a.gradient!.isApproximatelyEqual(to: Tensor([0.6])))
    }
}

@Suite struct Training {
    @Test func sameSeedSameResultBitForBit() throws {
        func train() throws -> Tensor {
            let (x, y, _, _) = regressionData()
            var generator = RandomGenerator(seed: 12)
            let model = Sequential([Dense(inputs: 4, outputs: 8, activation: .tanh, using: &generator),
                                    Dense(inputs: 8, outputs: 1, using: &generator)])
            let rows = Tensor.concatenate([x, y], alongAxis: 1)
            let step = LossStep(parameters: model.namedParameters) { batch in
                squaredError(model(Variable(batch.columns(0..<4))), batch.columns(4..<5))
            }
            _ = try Trainer(TrainingConfiguration(epochs: 3, batchSize: 16, learningRate: 0.01, heldOutFraction: 0))
                .run(step, samples: rows, heldOut: nil, using: &generator)
            return model(x)
        }
        #expect(try train() == train())
    }

    @Test func progressIsReportedForEveryBatch() throws {
        var reports: [TrainingProgress] = []
        var generator = RandomGenerator(seed: 1)
        let weight = Variable(Tensor([[0.5, 0.5]]), requiresGradient: true)
        let step = LossStep(parameters: [("w", weight)]) { batch in squaredError(Variable(batch) * weight, batch) }
        _ = try Trainer(TrainingConfiguration(epochs: 2, batchSize: 4, heldOutFraction: 0))
            .run(step, samples: Tensor.ones([10, 2]), heldOut: nil, using: &generator, hooks: TrainingHooks(progress: { reports.append($0) }))
        #expect(reports.count == 6)
        #expect(reports.filter(\.isEpochEnd).map(\.epoch) == [1, 2])
        #expect(reports.last!.estimatedSecondsRemaining == 0)
        #expect(reports.allSatisfy { $0.batches == 3 && $0.loss > 0 })
    }
}
