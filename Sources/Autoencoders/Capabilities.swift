import Foundation
import Tensors

/// What a model can do beyond ENCODE and DECODE, asked by figures and the command line instead
/// of asking for a concrete type (DESIGN: capabilities, not downcasts).

/// A model whose code is discrete: the index of one of `codeCount` prototypes (k-means' cluster
/// centres), not a point of a continuous latent space. Nothing lies between two codes, so
/// interpolations, traversals and kNN accuracies of codes mean nothing; clustering scores and
/// DECODE of each index (the prototypes) do.
public protocol DiscreteCodes {
    /// The number of distinct codes, k; codes are 0, 1, …, k − 1.
    var codeCount: Int { get }
}

extension Scaled: DiscreteCodes where Base: DiscreteCodes {
    public var codeCount: Int { base.codeCount }
}

/// A model whose encoder is a distribution, q(z | x) = N(μ(x), diag σ²(x)) (the VAE's
/// recognition model; Kingma & Welling 2014, eq. 9). ENCODE returns μ.
public protocol ProbabilisticEncoder {
    /// μ and log σ² of q(z | x) for `samples` (`n × D`): `n × d` each.
    func posterior(_ samples: Tensor) throws -> (mean: Tensor, logVariance: Tensor)
    /// One draw of each sample's code, z = μ + σ ⊙ ε, ε ~ N(0, I).
    func encodeSample(_ samples: Tensor, using generator: inout RandomGenerator) throws -> Tensor
}

extension ProbabilisticEncoder {
    /// One draw z = μ + σ ⊙ ε, ε ~ N(0, I), from q(z | x) for each sample (`n × d`).
    public func encodeSample(_ samples: Tensor, using generator: inout RandomGenerator) throws -> Tensor {
        let (mean, logVariance) = try posterior(samples)
        return mean + (logVariance * 0.5).exp() * Tensor.randomNormal(mean.shape, using: &generator)
    }
}

/// A model that draws new samples: codes from a density p(z) (the VAE's prior), decoded.
public protocol GenerativeModel {
    /// `count` new samples (`count × D`), DECODE of codes z ~ p(z) drawn with `generator`.
    func sample(count: Int, using generator: inout RandomGenerator) throws -> Tensor
}

extension Scaled: ProbabilisticEncoder where Base: ProbabilisticEncoder {
    public func posterior(_ samples: Tensor) throws -> (mean: Tensor, logVariance: Tensor) {
        try base.posterior(try scaling.apply(samples))
    }

    public func encodeSample(_ samples: Tensor, using generator: inout RandomGenerator) throws -> Tensor {
        try base.encodeSample(try scaling.apply(samples), using: &generator)
    }
}

/// A model conditioned on a class label (the conditional VAE): the last `conditionClasses`
/// columns of its inputs and of its codes hold the label one-hot, and DECODE passes them on, so
/// ENCODE, DECODE and the distortion keep their shapes and meaning.
public protocol ConditionalModel {
    /// C, the number of classes.
    var conditionClasses: Int { get }
    /// `count` new samples of class `label` (`count × (D + C)`).
    func sample(count: Int, label: Int, using generator: inout RandomGenerator) throws -> Tensor
}

extension Scaled: ConditionalModel where Base: ConditionalModel {
    public var conditionClasses: Int { base.conditionClasses }
    public func sample(count: Int, label: Int, using generator: inout RandomGenerator) throws -> Tensor {
        try scaling.invert(try base.sample(count: count, label: label, using: &generator))
    }
}

extension Scaled: GenerativeModel where Base: GenerativeModel {
    public func sample(count: Int, using generator: inout RandomGenerator) throws -> Tensor {
        try scaling.invert(try base.sample(count: count, using: &generator))
    }
}

/// A model that bounds the likelihood of data: −ELBO and the importance-weighted bound, per
/// sample in nats (the VAE; Burda et al. 2016).
public protocol LikelihoodModel {
    /// −ELBO(xᵢ) for each sample (`samples: n × D`), one reparametrised draw each.
    func negativeEvidenceLowerBound(_ samples: Tensor, using generator: inout RandomGenerator) throws -> [Double]
    /// The K-sample importance-weighted bound on −log p(xᵢ) for each sample.
    func negativeLogLikelihood(_ samples: Tensor, importanceSamples: Int, using generator: inout RandomGenerator) throws -> [Double]
}

extension Scaled: LikelihoodModel where Base: LikelihoodModel {
    /// The base model's bound on the scaled data plus Σⱼ log sⱼ: a density of x′ = (x − o)/s is
    /// one of x divided by the Jacobian ∏ⱼ sⱼ, so the nats are those of the user's units.
    public func negativeEvidenceLowerBound(_ samples: Tensor, using generator: inout RandomGenerator) throws -> [Double] {
        try base.negativeEvidenceLowerBound(try scaling.apply(samples), using: &generator).map { $0 + logJacobian }
    }

    public func negativeLogLikelihood(_ samples: Tensor, importanceSamples: Int, using generator: inout RandomGenerator) throws -> [Double] {
        try base.negativeLogLikelihood(try scaling.apply(samples), importanceSamples: importanceSamples, using: &generator).map { $0 + logJacobian }
    }

    private var logJacobian: Double { scaling.scale.reduce(0) { $0 + Foundation.log($1) } }
}

/// A model of several domains sharing one latent space (the translator): each domain has its
/// own ENCODE and DECODE, and a sample of one domain is translated into another by decoding its
/// code there. The ``Autoencoder`` view is the first domain's.
public protocol MultiDomainModel {
    /// The domains' names, in order.
    var domainNames: [String] { get }
    /// D of domain `domain`.
    func inputSize(domain: Int) -> Int
    /// ENCODE of domain `domain`'s samples into the shared space.
    func encode(_ samples: Tensor, domain: Int) throws -> Tensor
    /// DECODE of shared codes into domain `domain`.
    func decode(_ codes: Tensor, domain: Int) throws -> Tensor
}

extension MultiDomainModel {
    /// DECODE_to(ENCODE_from(samples)).
    public func translate(_ samples: Tensor, from: Int, to: Int) throws -> Tensor {
        try decode(try encode(samples, domain: from), domain: to)
    }

    /// The index of the domain called `name`; the error lists the domains there are.
    public func domainIndex(named name: String) throws -> Int {
        guard let index = domainNames.firstIndex(of: name) else {
            throw AutoencoderError("no domain '\(name)' in this model (domains: \(domainNames.joined(separator: ", ")))")
        }
        return index
    }
}
