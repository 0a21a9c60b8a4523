import DistributionMatching
import Foundation
import NeuralNetworks
import Testing
import TestSupport
import Tensors

@Suite struct CriticTests {
    /// The critic's exact input gradient is the finite difference of D with respect to x, for
    /// every activation.
    @Test(arguments: Activation.allCases)
    func inputGradientIsTheDerivative(_ activation: Activation) {
        var generator = RandomGenerator(seed: 1)
        let critic = Critic(inputs: 3, hidden: [5, 4], activation: activation, using: &generator)
        let x = randomTensor([4, 3], lower: -1.5, upper: 1.5, seed: 2)
        let exact = critic.inputGradient(Variable(x))
        #expect(exact.output.value.isApproximatelyEqual(to: critic(Variable(x)).value, relativeTolerance: 1e-5, absoluteTolerance: 1e-6))
        let check = checkGradients([x], step: 1e-3) { critic($0[0]) }
        // Compare the graph's gradient (sum over rows of D) with the exact per-row gradient.
        let sum = Variable(x, requiresGradient: true)
        critic(sum).sum().backward()
        #expect(exact.gradient.value.isApproximatelyEqual(to: sum.gradient!, relativeTolerance: 1e-4, absoluteTolerance: 1e-5), "\(activation)")
        #expect(check.passed || activation == .relu || activation == .leakyRelu, "\(activation): \(check)")
    }

    /// Every adversarial loss, the gradient penalty included (a penalty on an input gradient,
    /// differentiated with respect to the weights), matches finite differences with respect to
    /// the critic's weights and to both sets.
    @Test(arguments: AdversarialLoss.allCases)
    func lossGradientsMatchFiniteDifferences(_ loss: AdversarialLoss) {
        var generator = RandomGenerator(seed: 3)
        let template = Critic(inputs: 2, hidden: [4], activation: .tanh, using: &generator)
        let weights = template.network.layers.flatMap { [$0.weight.value, $0.bias.value] }
        let (real, fake) = (randomTensor([5, 2], lower: -1, upper: 1, seed: 4), randomTensor([5, 2], lower: 0, upper: 2, seed: 5))
        func critic(_ parameters: [Variable]) -> Critic {
            Critic(network: Sequential([Dense(weight: parameters[0], bias: parameters[1], activation: .tanh),
                                        Dense(weight: parameters[2], bias: parameters[3], activation: .linear)]))
        }
        let criticCheck = checkGradients(weights + [real, fake], step: 1e-3) { inputs in
            var interpolation = RandomGenerator(seed: 9)  // the same x̂ at every evaluation
            return loss.criticLoss(critic(Array(inputs.prefix(4))), real: inputs[4], fake: inputs[5], using: &interpolation)
        }
        #expect(criticCheck.passed, "\(loss) critic: \(criticCheck)")
        let generatorCheck = checkGradients(weights + [fake], step: 1e-3) { inputs in
            loss.generatorLoss(critic(Array(inputs.prefix(4))), fake: inputs[4])
        }
        #expect(generatorCheck.passed, "\(loss) generator: \(generatorCheck)")
        let reversedCheck = checkGradients(weights + [real], step: 1e-3) { inputs in
            loss.reversedGeneratorLoss(critic(Array(inputs.prefix(4))), real: inputs[4])
        }
        #expect(reversedCheck.passed, "\(loss) reversed generator: \(reversedCheck)")
    }

    /// The zero-centred gradient penalty's derivative with respect to the weights and the
    /// points is the finite difference, and the penalty is ½ mean ‖∇ₓD‖² of the exact gradient.
    @Test(arguments: [Activation.tanh, .sigmoid])
    func gradientPenaltyMatchesFiniteDifferences(_ activation: Activation) {
        var generator = RandomGenerator(seed: 11)
        let template = Critic(inputs: 3, hidden: [4], activation: activation, using: &generator)
        let weights = template.network.layers.flatMap { [$0.weight.value, $0.bias.value] }
        let x = randomTensor([5, 3], lower: -1, upper: 1, seed: 12)
        func critic(_ parameters: [Variable]) -> Critic {
            Critic(network: Sequential([Dense(weight: parameters[0], bias: parameters[1], activation: activation),
                                        Dense(weight: parameters[2], bias: parameters[3], activation: .linear)]))
        }
        let check = checkGradients(weights + [x], step: 1e-3) { critic(Array($0.prefix(4))).gradientPenalty(at: $0[4]) }
        #expect(check.passed, "\(activation): \(check)")
        let slopes = template.inputGradient(Variable(x)).gradient.value
        let expected = slopes.squared().sumInDouble() / Double(2 * x.rows)
        #expect(abs(Double(template.gradientPenalty(at: Variable(x)).value.scalar) - expected) <= 1e-5 * max(1, expected))
    }

    /// Trained on two separated sets, the critic tells them apart (each loss): its mean score of
    /// real points exceeds that of fake ones by a margin.
    @Test(arguments: AdversarialLoss.allCases)
    func criticSeparatesTwoSets(_ loss: AdversarialLoss) {
        var generator = RandomGenerator(seed: 6)
        let critic = Critic(inputs: 2, hidden: [16], using: &generator)
        let optimizer = Adam(parameters: critic.namedParameters.map(\.parameter), learningRate: 1e-2)
        let real = Tensor.randomNormal([64, 2], using: &generator) + 2
        let fake = Tensor.randomNormal([64, 2], using: &generator) - 2
        for _ in 0..<200 {
            optimizer.zeroGradients()
            loss.criticLoss(critic, real: Variable(real), fake: Variable(fake), using: &generator).backward()
            optimizer.step()
        }
        // LSGAN's targets are 1 and 0, so its gap is at most 1.
        #expect(critic(Variable(real)).value.mean() > critic(Variable(fake)).value.mean() + 0.5, "\(loss)")
    }
}
