import Foundation
import NeuralNetworks
import Testing
import TestSupport
import Tensors

@Suite struct Losses {
    let output = randomTensor([4, 3], seed: 1)
    let target = randomTensor([4, 3], lower: 0, upper: 1, seed: 2)

    @Test func squaredErrorIsPerSampleSum() {
        let loss = squaredError(Variable(output), target).value.scalar
        let expected = (output - target).squared().sum() / 4
        #expect(abs(loss - expected) < 1e-6)
        let check = checkGradients([output]) { squaredError($0[0], target) }
        #expect(check.passed, "\(check)")
    }

    @Test func binaryCrossEntropyFromLogits() {
        let logits = output * 4
        let loss = binaryCrossEntropy(logits: Variable(logits), targets: target).value.scalar
        let p = logits.sigmoid()
        var naive = 0.0
        for (pi, ti) in zip(p.scalars, target.scalars) { naive -= Double(ti) * log(Double(pi)) + Double(1 - ti) * log(Double(1 - pi)) }
        #expect(abs(Double(loss) - naive / 4) < 1e-5)
        let check = checkGradients([logits]) { binaryCrossEntropy(logits: $0[0], targets: target) }
        #expect(check.passed, "\(check)")
    }

    /// Softmax cross-entropy: the mean of −log softmax at the true class, finite at extreme
    /// logits, and its gradient (softmax − one-hot)/n matches finite differences.
    @Test func softmaxCrossEntropyOfOneHotTargets() throws {
        let logits = output * 3
        let targets = try Tensor(shape: [4, 3], scalars: [1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0])
        let loss = softmaxCrossEntropy(logits: Variable(logits), targets: targets).value.scalar
        var naive = 0.0
        for (row, label) in [0, 2, 1, 0].enumerated() {
            let z = (0..<3).map { Double(logits[row, $0]) }
            naive += log(z.map(exp).reduce(0, +)) - z[label]
        }
        #expect(abs(Double(loss) - naive / 4) < 1e-5)
        let check = checkGradients([logits]) { softmaxCrossEntropy(logits: $0[0], targets: targets) }
        #expect(check.passed, "\(check)")
        let extreme = softmaxCrossEntropy(logits: Variable(Tensor([[1000, -1000, 0]])), targets: Tensor([[0, 1, 0]])).value.scalar
        #expect(abs(extreme - 2000) < 1e-2)
    }

    @Test func binaryCrossEntropyStaysFiniteAtExtremeLogits() {
        let logits = Tensor([[1000, -1000, 0]])
        let loss = binaryCrossEntropy(logits: Variable(logits), targets: Tensor([[0, 1, 0.5]])).value.scalar
        #expect(loss.isFinite)
        #expect(abs(loss - (2000 + Float(log(2.0)))) < 1e-2)
    }

    @Test func gaussianKLIsZeroAtThePriorAndMatchesTheFormula() {
        let zero = gaussianKL(mean: Variable(.zeros([5, 2])), logVariance: Variable(.zeros([5, 2]))).value.scalar
        #expect(zero == 0)
        // KL[N(1, e²) ‖ N(0, 1)] = ½(e² + 1 − 1 − 2) per dimension.
        let kl = gaussianKL(mean: Variable(.ones([1, 1])), logVariance: Variable(Tensor([[2]]))).value.scalar
        #expect(abs(kl - 0.5 * (Float(exp(2.0)) - 2)) < 1e-5)
        let logVariance = randomTensor([4, 3], seed: 3)
        let check = checkGradients([output, logVariance]) { gaussianKL(mean: $0[0], logVariance: $0[1]) }
        #expect(check.passed, "\(check)")
    }

    @Test func lossesByName() {
        #expect(Loss(rawValue: "bce") == .binaryCrossEntropy)
        #expect(Loss(rawValue: "mse") == .squaredError)
    }
}
