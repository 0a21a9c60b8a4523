import NeuralNetworks
import Testing
import TestSupport
import Tensors

@Suite struct Dropout {
    /// The gradient of a fixed mask (the same seed each evaluation) is the finite difference.
    @Test(arguments: [Float(0.1), 0.5, 0.9])
    func gradientMatchesFiniteDifferences(p: Float) {
        let check = checkGradients([randomTensor([4, 6], seed: 1)]) { v in
            var generator = RandomGenerator(seed: 2)
            return v[0].dropout(p, using: &generator)
        }
        #expect(check.passed, "p = \(p): \(check)")
    }

    /// A share p of the values is zeroed, the rest scaled by 1/(1 − p), so the mean over many
    /// values is the input's (E[dropout(x)] = x); p = 0 is the identity.
    @Test(arguments: [Float(0.2), 0.5, 0.8])
    func keepsTheExpectation(p: Float) {
        var generator = RandomGenerator(seed: 3)
        let x = Tensor(shape: [200, 500]) { _ in 2 }
        let y = Variable(x).dropout(p, using: &generator).value
        let zeros = Double(y.scalars.filter { $0 == 0 }.count) / Double(y.count)
        #expect(abs(zeros - Double(p)) < 0.01, "share zeroed \(zeros) for p = \(p)")
        #expect(y.scalars.allSatisfy { $0 == 0 || abs($0 - 2 / (1 - p)) < 1e-5 })
        #expect(abs(y.scalars.reduce(0.0) { $0 + Double($1) } / Double(y.count) - 2) < 0.05)
        #expect(Variable(x).dropout(0, using: &generator).value == x)
    }
}
