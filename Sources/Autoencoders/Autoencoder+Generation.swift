import Tensors

/// Where generated codes come from.
public enum CodeSource: String, Codable, Sendable, CaseIterable {
    /// The model's own prior p(z) (``PriorModel``): the VAE's N(0, I), the WAE's N(0, σ²I), the
    /// AAE's N(0, σ²I) or mixture.
    case prior
    /// N(0, I) through any decoder: through a plain autoencoder's, the lecture's garbage.
    case standardNormal = "standard-normal"
    /// A density fitted to the model's codes (``CodeDensity``; stored by `latent fit-density`).
    case codeDensity = "code-density"
}

/// New samples and the codes they were decoded from.
public struct GeneratedSamples: Sendable {
    /// `count × D`, in the data's units (a scaled model's origin added back; a conditional
    /// model's label columns dropped).
    public var samples: Tensor
    /// The codes decoded, `count × d`; nil where the model drew them itself (a conditional
    /// VAE's samples of one class).
    public var codes: Tensor?
}

extension Autoencoder {
    /// C, the label one-hot columns a conditional model takes after each sample's features (0
    /// for any other model).
    public var conditionColumns: Int { (self as? any ConditionalModel)?.conditionClasses ?? 0 }

    /// What the model takes for `samples` (`n × D`): the samples, or for a conditional model
    /// (``ConditionalModel``) the samples with their labels one-hot beside them (`n × (D + C)`).
    /// - Throws: when a conditional model gets no labels, or a label outside its classes.
    public func input(_ samples: Tensor, labels: [Int]?) throws -> Tensor {
        let classes = conditionColumns
        guard classes > 0 else { return samples }
        guard let labels else {
            throw AutoencoderError("the model is conditioned on labels (a conditional VAE of \(classes) classes): the samples need labels (`labels`)")
        }
        return try VariationalAutoencoder.conditioned(samples, labels: labels, classes: classes)
    }

    /// Any decoder as a generator (the lecture: the decoding function of any dimensionality
    /// reduction method can be used for generative data modeling): `count` codes drawn from
    /// `source` and decoded.
    ///
    /// - Parameters:
    ///   - source: where codes come from; by default the model's prior (``PriorModel``), else
    ///     `density`.
    ///   - density: a density fitted to the model's codes (``CodeDensity/fit(_:samples:configuration:using:progress:)``), for `.codeDensity`.
    ///   - label: the class to draw, from its prior: a conditional VAE's (its samples drawn by
    ///     the model), or an adversarial autoencoder's labelled mixture component.
    /// - Throws: when the source does not apply to the model (no prior, no density, cluster
    ///   indices for codes, a label for a model without classes), or the samples are not finite.
    public func generate(_ count: Int, codesFrom source: CodeSource? = nil, density: CodeDensity? = nil, label: Int? = nil,
                         using generator: inout RandomGenerator) throws -> GeneratedSamples {
        guard count >= 1 else { throw AutoencoderError("generating needs a `count` of at least 1, got \(count)") }
        let method = Self.methodName
        let prior = (self as? any PriorModel)?.prior
        let source = source ?? (prior != nil ? .prior : .codeDensity)
        let classes = conditionColumns
        var generated: GeneratedSamples
        if let label {
            let labelled = (self as? any PriorModel)?.labelledComponents == true ? prior?.components ?? 0 : 0
            guard classes > 0 || labelled > 0 else {
                throw AutoencoderError("`label`: a \(method) model is not conditioned on labels (a conditional VAE or an adversarial autoencoder with labelled components is)")
            }
            guard source == .prior else { throw AutoencoderError("`label` draws from the model's prior; `codesFrom: .\(source)` does not apply") }
            guard label >= 0, label < max(classes, labelled) else {
                throw AutoencoderError("`label` \(label) is not one of the model's classes 0 … \(max(classes, labelled) - 1)")
            }
            if let conditional = self as? any ConditionalModel, classes > 0 {
                generated = GeneratedSamples(samples: try conditional.sample(count: count, label: label, using: &generator), codes: nil)
            } else {
                let codes = prior!.draw(components: Array(repeating: label, count: count), dimension: codeSize, using: &generator)
                generated = GeneratedSamples(samples: try decode(codes), codes: codes)
            }
        } else {
            let codes = try draw(count, from: source, prior: prior, density: density, using: &generator)
            generated = GeneratedSamples(samples: try decode(codes), codes: codes)
        }
        if let scaling = (self as? any ScaledModel)?.scaling { generated.samples = try scaling.addingOrigin(generated.samples) }
        generated.samples = generated.samples.columns(0..<(generated.samples.columns - classes))
        try generated.samples.checkFinite("the samples decoded by the \(method) model")
        return generated
    }

    /// `count` codes from `source` (a conditional VAE's with labels drawn uniformly beside
    /// them, as its prior sampler draws them).
    private func draw(_ count: Int, from source: CodeSource, prior: CodePrior?, density: CodeDensity?,
                      using generator: inout RandomGenerator) throws -> Tensor {
        let (method, classes) = (Self.methodName, conditionColumns)
        switch source {
        case .prior, .standardNormal:
            guard !(self is any DiscreteCodes) else {
                throw AutoencoderError("`codesFrom: .\(source)` does not apply to a \(method) model, whose codes are cluster indices: draw them from its code density (`codesFrom: .codeDensity`)")
            }
            let drawn: CodePrior = try source == .standardNormal ? .normal(variance: 1) : prior ?? {
                throw AutoencoderError("`codesFrom: .prior`: a \(method) model was not trained toward a prior; draw from `codesFrom: .standardNormal` or from a fitted density, `codesFrom: .codeDensity`")
            }()
            guard classes > 0 else { return drawn.draw(count: count, dimension: codeSize, using: &generator) }
            let latent = drawn.draw(count: count, dimension: codeSize - classes, using: &generator)
            let labels = (0..<count).map { _ in generator.nextInt(below: classes) }
            return Tensor.concatenate([latent, try VariationalAutoencoder.oneHot(labels, classes: classes)], alongAxis: 1)
        case .codeDensity:
            guard classes == 0 else {
                throw AutoencoderError("a conditional VAE draws from its prior (`codesFrom: .prior`), each sample's class at random unless `label` names one")
            }
            guard let density else { throw AutoencoderError("`codesFrom: .codeDensity` needs a density fitted to the model's codes (CodeDensity.fit)") }
            guard density.codeWidth == codeSize else {
                throw AutoencoderError("the code density draws codes of width \(density.codeWidth) but the \(method) model's codes have width \(codeSize)")
            }
            return try density.sample(count: count, using: &generator)
        }
    }
}
