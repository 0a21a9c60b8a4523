import DataFormats
import Foundation
import Tensors

/// The density of a fitted model's codes, p(z), fitted after the model to its training codes and
/// stored in its model file: with it, DECODE of draws z ~ p(z) makes any autoencoder a generator
/// (the lecture's last point). Continuous codes get a ``GaussianMixture``; the cluster indices
/// of ``DiscreteCodes`` get their frequencies, so that sampling returns prototypes as often as
/// the data chose them.
public enum CodeDensity: Sendable, Equatable {
    case gaussianMixture(GaussianMixture)
    /// P(code = k) for k = 0 … K − 1.
    case categorical([Double])

    /// Fits the density of `model`'s codes of `samples` (`n × D`): cluster frequencies for
    /// discrete codes, else a Gaussian mixture by EM with `configuration` (BIC per size in
    /// `criteria`; empty for discrete codes).
    public static func fit(_ model: any Autoencoder, samples: Tensor, configuration: GaussianMixture.Configuration = .init(),
                           using generator: inout RandomGenerator,
                           progress: (Int, GaussianMixture.Run) -> Void = { _, _ in }) throws -> (density: CodeDensity, criteria: [(components: Int, bic: Double)]) {
        let codes = try model.encode(samples)
        if let discrete = model as? any DiscreteCodes {
            var counts = [Double](repeating: 0, count: discrete.codeCount)
            for code in codes.scalars { counts[Int(code)] += 1 }
            return (.categorical(counts.map { $0 / Double(codes.rows) }), [])
        }
        let (best, criteria) = try GaussianMixture.fit(codes, configuration: configuration, using: &generator, progress: progress)
        return (.gaussianMixture(best.mixture), criteria)
    }

    /// `count` codes drawn from the density (`count × d`; one column of indices for discrete codes).
    public func sample(count: Int, using generator: inout RandomGenerator) throws -> Tensor {
        switch self {
        case .gaussianMixture(let mixture): return try mixture.sample(count: count, using: &generator)
        case .categorical(let probabilities):
            guard count >= 1 else { throw AutoencoderError("the number of samples must be at least 1, got \(count)") }
            var cumulative: [Double] = [], total = 0.0
            for p in probabilities { total += p; cumulative.append(total) }
            let codes = (0..<count).map { _ -> Float in
                let u = generator.nextUniformDouble() * total
                return Float(cumulative.firstIndex(where: { u < $0 && $0 > 0 }) ?? probabilities.lastIndex(where: { $0 > 0 })!)
            }
            return try Tensor(shape: [count, 1], scalars: codes)
        }
    }

    /// The width of a code this density draws.
    public var codeWidth: Int {
        switch self {
        case .gaussianMixture(let mixture): mixture.dimension
        case .categorical: 1
        }
    }
}

extension SafeTensorsFile {
    /// What the metadata says of a code density, beside its tensors.
    public struct CodeDensityInfo: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable { case gaussianMixture = "gaussian-mixture", categorical }
        public var kind: Kind
        public var covariance: GaussianMixture.Covariance?
        /// The data the density was fitted to, and how many samples of it.
        public var data: String?
        public var samples: Int?
        /// BIC for each size tried, [K, BIC] pairs.
        public var criteria: [[Double]]?
        public init(kind: Kind, covariance: GaussianMixture.Covariance? = nil, data: String? = nil, samples: Int? = nil, criteria: [[Double]]? = nil) {
            (self.kind, self.covariance, self.data, self.samples, self.criteria) = (kind, covariance, data, samples, criteria)
        }
    }

    /// The code density stored in the file, if any: `code_density.weights` `[K]`, and for a
    /// mixture `code_density.means` `[K, d]` and `code_density.cholesky_factors` `[K, d, d]`
    /// (Lₖ with Σₖ = LₖLₖᵀ, as PyTorch's `MultivariateNormal(scale_tril=…)` takes it).
    public func codeDensity(file: String) throws -> CodeDensity? {
        guard let info = try value(of: ModelFileSchema.codeDensity, file: file) else { return nil }
        let weights = try tensor("code_density.weights", file: file)
        guard weights.rank == 1, weights.count >= 1 else {
            throw DataFormatError(file, .entry("tensor 'code_density.weights'"), "has shape \(weights.shape), expected [K] with K ≥ 1")
        }
        let k = weights.count
        let probabilities = weights.scalars.map(Double.init)
        let total = probabilities.reduce(0, +)
        guard probabilities.allSatisfy({ $0 >= 0 }), total > 0 else {
            throw DataFormatError(file, .entry("tensor 'code_density.weights'"), "must be ≥ 0 with a positive sum")
        }
        switch info.kind {
        case .categorical:
            return .categorical(probabilities.map { $0 / total })
        case .gaussianMixture:
            let means = try tensor("code_density.means", file: file)
            guard means.rank == 2, means.shape[0] == k, means.shape[1] >= 1 else {
                throw DataFormatError(file, .entry("tensor 'code_density.means'"), "has shape \(means.shape), expected [\(k), d]")
            }
            let d = means.shape[1]
            let factors = try tensor("code_density.cholesky_factors", shape: [k, d, d], file: file)
            guard probabilities.allSatisfy({ $0 > 0 }) else {
                throw DataFormatError(file, .entry("tensor 'code_density.weights'"), "a mixture's weights must be positive")
            }
            let lowers = try (0..<k).map { c in
                var lower = Matrix(rows: d, columns: d, values: factors.scalars[(c * d * d)..<((c + 1) * d * d)].map(Double.init))
                for a in 0..<d {
                    guard lower[a, a] > 0 else {
                        throw DataFormatError(file, .entry("tensor 'code_density.cholesky_factors'"), "component \(c): diagonal entry \(a) is \(lower[a, a]), not positive")
                    }
                    for b in (a + 1)..<max(d, a + 1) { lower[a, b] = 0 }
                    if info.covariance == .diagonal { for b in 0..<a { lower[a, b] = 0 } }
                }
                return lower
            }
            return .gaussianMixture(GaussianMixture(covariance: info.covariance ?? .full, weights: probabilities.map { $0 / total },
                                                    means: (0..<k).map { c in (0..<d).map { Double(means[c, $0]) } }, factors: lowers))
        }
    }

    /// Stores `density` in the file (replacing any earlier one); `info` says how it was fitted.
    public mutating func setCodeDensity(_ density: CodeDensity, info: CodeDensityInfo) throws {
        tensors.removeAll { $0.name.hasPrefix("code_density.") }
        var info = info
        switch density {
        case .categorical(let probabilities):
            info.kind = .categorical
            tensors.append(("code_density.weights", try Tensor(shape: [probabilities.count], scalars: probabilities.map(Float.init))))
        case .gaussianMixture(let mixture):
            let (k, d) = (mixture.components, mixture.dimension)
            (info.kind, info.covariance) = (.gaussianMixture, mixture.covariance)
            tensors.append(("code_density.weights", try Tensor(shape: [k], scalars: mixture.weights.map(Float.init))))
            tensors.append(("code_density.means", try Tensor(shape: [k, d], scalars: mixture.means.flatMap { $0.map(Float.init) })))
            tensors.append(("code_density.cholesky_factors", try Tensor(shape: [k, d, d], scalars: mixture.factors.flatMap { $0.values.map(Float.init) })))
        }
        try set(ModelFileSchema.codeDensity, to: info)
    }
}
