import NeuralNetworks
import Testing
import TestSupport
import Tensors

@Suite struct DenseLayer {
    @Test(arguments: Activation.allCases)
    func gradientMatchesFiniteDifferences(activation: Activation) {
        var generator = RandomGenerator(seed: 1)
        let layer = Dense(inputs: 5, outputs: 4, activation: activation, using: &generator)
        // Inputs away from the kinks of relu-like activations at 0.
        let x = randomTensor([3, 5], seed: 2)
        let check = checkGradients([x, layer.weight.value, layer.bias.value + 0.05]) { v in
            dense(v[0], weight: v[1], bias: v[2], activation: activation)
        }
        #expect(check.passed, "\(activation): \(check)")
    }

    @Test func matchesTheUnfusedGraph() {
        var generator = RandomGenerator(seed: 3)
        let layer = Dense(inputs: 6, outputs: 3, activation: .tanh, using: &generator)
        let x = randomTensor([4, 6], seed: 4)
        let fused = layer(Variable(x))
        let unfused = (matmul(Variable(x), layer.weight, transposeB: true) + layer.bias).tanh()
        #expect(fused.value.isApproximatelyEqual(to: unfused.value))
        #expect(layer(x) == fused.value)
    }

    @Test func weightsAreStoredAsPyTorchDoes() {
        var generator = RandomGenerator(seed: 5)
        let layer = Dense(inputs: 784, outputs: 1000, activation: .sigmoid, using: &generator)
        #expect(layer.weight.shape == [1000, 784] && layer.bias.shape == [1000])
        let net = Sequential([layer, Dense(inputs: 1000, outputs: 30, using: &generator)])
        #expect(net.namedParameters.map(\.name) == ["0.weight", "0.bias", "1.weight", "1.bias"])
    }

    @Test(arguments: Initializer.allCases)
    func initializerScales(initializer: Initializer) {
        var generator = RandomGenerator(seed: 6)
        let w = initializer.weights(inputs: 400, outputs: 300, using: &generator)
        let deviation = w.squared().mean().squareRoot()
        let expected: Float = switch initializer {
        case .smallNormal: Initializer.smallNormalDeviation
        case .xavier: (2 / Float(700)).squareRoot()  // U(−a, a) has variance a²/3
        case .he: (2 / Float(400)).squareRoot()
        case .fanInUniform: (1 / Float(3 * 400)).squareRoot()  // U(−1/√400, 1/√400)
        }
        #expect(abs(deviation - expected) < 0.02 * expected, "\(initializer): \(deviation) vs \(expected)")
        #expect(abs(w.mean()) < 0.05 * expected)
    }
}

