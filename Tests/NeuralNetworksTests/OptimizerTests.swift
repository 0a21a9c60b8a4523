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
        let losses = try TrainingLoop(epochs: 60, batchSize: 32).run(samples: x, using: &generator) { batch, indices in
            optimizer.zeroGradients()
            let loss = squaredError(model(Variable(batch)), y.gatherRows(indices))
            loss.backward()
            optimizer.step()
            return loss.value.scalar
        }
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
            let optimizer = Adam(parameters: model.parameters, learningRate: 0.01)
            try TrainingLoop(epochs: 3, batchSize: 16).run(samples: x, using: &generator) { batch, indices in
                optimizer.zeroGradients()
                let loss = squaredError(model(Variable(batch)), y.gatherRows(indices))
                loss.backward()
                optimizer.step()
                return loss.value.scalar
            }
            return model(x)
        }
        #expect(try train() == train())
    }

    @Test func progressIsReportedForEveryBatch() throws {
        var reports: [TrainingProgress] = []
        var generator = RandomGenerator(seed: 1)
        try TrainingLoop(epochs: 2, batchSize: 4).run(samples: .zeros([10, 2]), using: &generator,
                                                      progress: { reports.append($0) }) { _, _ in 1 }
        #expect(reports.count == 6)
        #expect(reports.filter(\.isEpochEnd).map(\.epoch) == [1, 2])
        #expect(reports.last!.estimatedSecondsRemaining == 0)
        #expect(reports.allSatisfy { $0.loss == 1 && $0.batches == 3 })
    }

    @Test func nonFiniteLossNamesEpochAndBatch() {
        var generator = RandomGenerator(seed: 1)
        var calls = 0
        #expect(throws: TrainingError.nonFiniteLoss(epoch: 2, batch: 1, value: .infinity)) {
            try TrainingLoop(epochs: 3, batchSize: 5).run(samples: .zeros([10, 1]), using: &generator) { _, _ in
                calls += 1
                return calls == 3 ? .infinity : 0.5
            }
        }
    }
}
