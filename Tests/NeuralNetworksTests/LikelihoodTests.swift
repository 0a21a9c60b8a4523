import Foundation
import NeuralNetworks
import Testing
import TestSupport
import Tensors

@Suite struct Likelihoods {
    let targets = randomTensor([4, 3], lower: 0, upper: 1, seed: 2)
    /// Logits with some near 0 (the continuous Bernoulli's 0/0 point) and some large.
    let logits = Tensor([[0.001, -0.004, 0.3], [-2, 5, 0.015], [12, -30, 0], [1, -1, 0.5]])

    /// ∫₀¹ f(x) dx by Simpson's rule on 2 000 intervals.
    func integrate(_ f: (Double) -> Double) -> Double {
        let n = 2000, h = 1.0 / Double(n)
        var sum = 0.0
        for i in 0...n {
            let weight: Double = i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2
            sum += weight * f(Double(i) * h)
        }
        return sum * h / 3
    }

    /// The continuous Bernoulli's normaliser makes a density: ∫₀¹ C(η) e^{ηx}/(1 + e^η) dx = 1
    /// (λˣ(1 − λ)¹⁻ˣ = e^{ηx}/(1 + e^η)), and its mean is ∫₀¹ x p(x) dx, at every logit above.
    @Test func continuousBernoulliNormalisesAndHasItsMean() {
        let logNormalizer = logits.continuousBernoulliLogNormalizer(), means = logits.continuousBernoulliMean()
        for (index, eta) in logits.scalars.map(Double.init).enumerated() {
            let c = exp(Double(logNormalizer.scalars[index]))
            // λˣ(1 − λ)¹⁻ˣ = e^{ηx}/(1 + e^η), scaled by e^{−max(η, 0)} above and below.
            let top = max(eta, 0)
            let denominator = exp(-top) + exp(eta - top)
            let density = { (x: Double) -> Double in c * exp(eta * x - top) / denominator }
            #expect(abs(integrate(density) - 1) < 1e-5, "η = \(eta): ∫p = \(integrate(density))")
            #expect(abs(integrate { $0 * density($0) } - Double(means.scalars[index])) < 1e-5, "η = \(eta)")
        }
    }

    @Test(arguments: Likelihood.allCases)
    func negativeLogLikelihoodGradientsMatchFiniteDifferences(_ likelihood: Likelihood) {
        let logVariance = randomTensor([1, 3], lower: -0.5, upper: 0.5, seed: 3)
        let check = checkGradients(likelihood.hasVariance ? [logits, logVariance] : [logits]) {
            likelihood.negativeLogLikelihood($0[0], targets, logVariance: likelihood.hasVariance ? $0[1] : nil)
        }
        #expect(check.passed, "\(likelihood): \(check)")
    }

    /// The mean over samples of the graph equals the per-sample values, and the Gaussian's
    /// equals its density written out.
    @Test(arguments: Likelihood.allCases)
    func perSampleValuesMatchTheGraph(_ likelihood: Likelihood) {
        let logVariance = Tensor([[0.2, -0.3, 0.1]])
        let graph = likelihood.negativeLogLikelihood(Variable(logits), targets, logVariance: Variable(logVariance)).value.scalar
        let perSample = likelihood.negativeLogLikelihoodPerSample(logits, targets, logVariance: logVariance)
        #expect(abs(Double(graph) - perSample.reduce(0, +) / 4) < 1e-4 * max(1, abs(Double(graph))))
        if likelihood.hasVariance {
            var expected = 0.0
            for j in 0..<3 {
                let variance = exp(Double(logVariance.scalars[j])), difference = Double(logits[0, j] - targets[0, j])
                expected += difference * difference / (2 * variance) + 0.5 * log(2 * Double.pi * variance)
            }
            #expect(abs(perSample[0] - expected) < 1e-4)
        }
    }

    @Test func normalizerGradientMatchesFiniteDifferences() {
        let check = checkGradients([logits], step: 1e-3) { $0[0].continuousBernoulliLogNormalizer().sum() }
        #expect(check.passed, "\(check)")
    }
}
