import NeuralNetworks
import Tensors

/// A critic (discriminator) D: ℝᵈ → ℝ, a multilayer perceptron with a linear output, that
/// scores how much a point looks like the real distribution: the adversarial way of matching
/// distributions (Goodfellow et al. 2014), used by the adversarial autoencoder on codes.
public final class Critic {
    /// Hidden layers, then a linear layer of one output.
    public let network: Sequential<Dense>

    /// A critic of `inputs` features with hidden widths `hidden` (at least one) and `activation`.
    public init(inputs: Int, hidden: [Int], activation: Activation = .leakyRelu, initializer: Initializer = .fanInUniform,
                using generator: inout RandomGenerator) {
        let widths = [inputs] + hidden + [1]
        let activations = Array(repeating: activation, count: hidden.count) + [.linear]
        network = Sequential(zip(zip(widths, widths.dropFirst()), activations).map { pair, activation in
            Dense(inputs: pair.0, outputs: pair.1, activation: activation, initializer: initializer, using: &generator)
        })
    }

    public init(network: Sequential<Dense>) { self.network = network }

    /// D(x) for each row, `n × 1`.
    public func callAsFunction(_ x: Variable) -> Variable { network(x) }

    /// D(x) and its exact gradient ∇ₓD(x) for each row (`n × 1` and `n × d`), both as graphs of
    /// the critic's weights: back through the layers, gₗ₋₁ = (gₗ ⊙ σ′(aₗ))·Wₗ from g = 1 at the
    /// output, so a penalty on ‖∇ₓD‖ can be differentiated with respect to the weights (what
    /// WGAN-GP needs, without a second backward pass).
    public func inputGradient(_ x: Variable) -> (output: Variable, gradient: Variable) {
        var h = x
        var preActivations: [Variable] = []
        for layer in network.layers {
            let a = matmul(h, layer.weight, transposeB: true) + layer.bias
            preActivations.append(a)
            h = layer.activation(a)
        }
        var g = Variable(Tensor(repeating: 1, shape: [x.shape[0], 1]))
        for (layer, a) in zip(network.layers, preActivations).reversed() {
            g = matmul(g * layer.activation.derivative(at: a), layer.weight)
        }
        return (h, g)
    }

    /// The zero-centred gradient penalty ½·mean over rows of ‖∇ₓD(x)‖² at `x` (`n × d`), a
    /// graph of the critic's weights (Mescheder, Geiger & Nowozin, "Which training methods for
    /// GANs do actually converge?", ICML 2018, eq. 9, R₁ on real and R₂ on generated points):
    /// a critic whose slope is held near zero where the samples are cannot keep pushing them
    /// outward, which is how simultaneous gradient play otherwise circles or runs away.
    public func gradientPenalty(at x: Variable) -> Variable {
        inputGradient(x).gradient.squared().sum(alongAxis: 1).mean() * 0.5
    }

    /// The critic's parameters, named as PyTorch names a `Sequential`'s (`critic.0.weight`, …).
    public var namedParameters: [(name: String, parameter: Variable)] { network.namedParameters(prefix: "critic") }
}

/// How a critic and a generator play against each other.
public enum AdversarialLoss: String, Codable, Sendable, CaseIterable {
    /// The non-saturating GAN (Goodfellow et al. 2014, §3): the critic minimises
    /// softplus(−D(real)) + softplus(D(fake)) (cross-entropy of σ(D)), the generator
    /// softplus(−D(fake)), whose gradient does not vanish when the critic wins.
    case nonSaturating = "non-saturating"
    /// LSGAN (Mao et al. 2017, eq. 2): the critic ½(D(real) − 1)² + ½D(fake)², the generator
    /// ½(D(fake) − 1)².
    case leastSquares = "least-squares"
    /// WGAN-GP (Gulrajani et al. 2017, algorithm 1): the critic D(fake) − D(real) +
    /// λ(‖∇ₓD(x̂)‖ − 1)² at x̂ = t·real + (1 − t)·fake, t ~ U(0, 1) per pair; the generator −D(fake).
    case wassersteinGradientPenalty = "wgan-gp"

    /// The critic's loss on `real` and `fake` (`n × d` each, the same n for WGAN-GP), mean over
    /// samples; `generator` draws WGAN-GP's interpolation weights.
    public func criticLoss(_ critic: Critic, real: Variable, fake: Variable, penaltyWeight: Float = 10,
                           using generator: inout RandomGenerator) -> Variable {
        switch self {
        case .nonSaturating:
            return (-critic(real)).softplus().mean() + critic(fake).softplus().mean()
        case .leastSquares:
            return ((critic(real) - 1).squared().mean() + critic(fake).squared().mean()) * 0.5
        case .wassersteinGradientPenalty:
            precondition(real.shape == fake.shape, "WGAN-GP pairs real and fake samples: shapes \(real.shape) and \(fake.shape)")
            let t = Tensor.randomUniform([real.shape[0], 1], using: &generator)
            // A graph of both sets, so the loss's derivative is exact in every argument (a critic
            // update only uses the weights').
            let mixed = real * Variable(t) + fake * Variable(1 - t)
            let norms = (critic.inputGradient(mixed).gradient.squared().sum(alongAxis: 1) + 1e-12).sqrt()
            return critic(fake).mean() - critic(real).mean() + (norms - 1).squared().mean() * penaltyWeight
        }
    }

    /// The generator's loss on `fake` (`n × d`), mean over samples.
    public func generatorLoss(_ critic: Critic, fake: Variable) -> Variable {
        switch self {
        case .nonSaturating: (-critic(fake)).softplus().mean()
        case .leastSquares: (critic(fake) - 1).squared().mean() * 0.5
        case .wassersteinGradientPenalty: -critic(fake).mean()
        }
    }

    /// The loss of `real` samples (`n × d`) that a generator wants to pass as fake, mean over
    /// samples: the other side of a symmetric game in which both sets move toward each other
    /// (the translator's reference domain; the paper's flipped labels). Non-saturating:
    /// softplus(D(real)); least squares: ½D(real)²; WGAN: D(real).
    public func reversedGeneratorLoss(_ critic: Critic, real: Variable) -> Variable {
        switch self {
        case .nonSaturating: critic(real).softplus().mean()
        case .leastSquares: critic(real).squared().mean() * 0.5
        case .wassersteinGradientPenalty: critic(real).mean()
        }
    }
}
