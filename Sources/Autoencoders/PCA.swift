import DataFormats
import Foundation
import NeuralNetworks
import Tensors

/// Principal component analysis: the continuous linear autoencoder.
///
/// ENCODE z = (x − μ)·Wᵀ, DECODE x̂ = z·W + μ, with W (`components: k × D`) the top-k
/// eigenvectors of the sample covariance C = (X − μ)ᵀ(X − μ)/(n − 1), which minimise the
/// distortion among all rank-k linear maps (Eckart–Young). With whitening, z is divided by
/// √λ so each code coordinate has unit variance.
public struct PCA: Autoencoder {
    /// Hyperparameters.
    public struct Configuration: Codable, Sendable, Equatable {
        /// How many components to keep.
        public enum Components: Codable, Sendable, Equatable {
            /// Exactly k.
            case count(Int)
            /// The fewest whose explained-variance ratios sum to at least this fraction (0, 1].
            case varianceFraction(Double)
        }

        /// How the components are computed.
        public enum Solver: String, Codable, Sendable, Equatable, CaseIterable {
            /// Covariance by GEMM, then the symmetric eigensolver (in Double).
            case exact
            /// Halko, Martinsson & Tropp (2011), Algorithms 4.4 and 5.1: a range found by
            /// subspace iteration on a Gaussian sketch of k + ``oversampling`` columns.
            case randomized
            /// Ross et al. (2008): the top k axes updated batch by batch, never a D × D matrix
            /// (`PCA.fitIncrementally(_:configuration:)`); for data of very many features.
            case incremental
        }

        public var components: Components
        public var solver: Solver
        public var whiten: Bool

        /// Extra sketch columns of the randomized solver (Halko et al. recommend 5–10).
        public static let oversampling = 10
        /// Subspace (power) iterations of the randomized solver.
        public static let powerIterations = 4

        public init(components: Components, solver: Solver = .exact, whiten: Bool = false) {
            self.components = components
            self.solver = solver
            self.whiten = whiten
        }

        /// Throws unless `n` samples of `d` features can give the components asked for.
        func validate(samples n: Int, features d: Int) throws {
            try checkRanges("PCA")
            switch components {
            case .count(let k):
                guard k <= min(n, d) else {
                    throw AutoencoderError("PCA: \(k) components requested, but at most min(samples, features) = \(min(n, d)) exist")
                }
            case .varianceFraction(let fraction):
                guard solver == .exact else { throw AutoencoderError("PCA: a variance fraction needs the exact solver (the \(solver.rawValue) one sees only k directions)") }
            }
        }
    }

    public static let methodName = "pca"
    public let configuration: Configuration
    /// μ, `[D]`.
    public let mean: Tensor
    /// W, `[k, D]`; row i is the i-th principal axis (unit length; its largest entry positive).
    public let components: Tensor
    /// λ₁ ≥ … ≥ λ_k, the variance along each axis, `[k]`.
    public let explainedVariance: Tensor
    /// λᵢ / Σ_all λ, `[k]`.
    public let explainedVarianceRatio: Tensor

    public var inputSize: Int { components.shape[1] }
    public var codeSize: Int { components.shape[0] }

    /// Fits PCA to `samples` (`n × D`). The generator is used by the randomized solver only;
    /// `settings` choose the GEMM backend and threads of the covariance.
    public static func fit(_ samples: Tensor, configuration: Configuration, using generator: inout RandomGenerator,
                           settings: ComputeSettings = .current) throws -> PCA {
        guard samples.rank == 2, samples.shape[0] >= 2, samples.shape[1] >= 1 else {
            throw AutoencoderError("PCA needs at least 2 samples of at least 1 feature; got shape \(samples.shape)")
        }
        let (n, d) = (samples.shape[0], samples.shape[1])
        try configuration.validate(samples: n, features: d)
        let mean = samples.mean(alongAxis: 0)
        // Finite floats sum to a finite Double, so a finite mean proves finite data without a
        // second pass; the full scan runs only to name the offending value.
        if !mean.scalars.allSatisfy(\.isFinite) { try samples.checkFinite("PCA input") }
        try checkTrainableMagnitude(samples, method: "PCA")
        switch configuration.solver {
        case .exact:
            try checkExactMemory(samples: n, features: d)
            // Wide data (D > n): the n × n Gram matrix instead of the D × D covariance.
            if d > n { return try fittedDual(samples, mean: mean, configuration: configuration, settings: settings) }
            // Centred block by block: the centred data never exist all at once.
            return try fitted(mean: mean, covariance: gramMatrix(samples, centredAt: mean, settings: settings) / Float(n - 1), configuration: configuration)
        case .incremental:
            return try fitIncrementally(samples, configuration: configuration)
        case .randomized:
            guard case .count(let k) = configuration.components else { preconditionFailure("checked above") }
            let centred = samples - mean
            let totalVariance = centred.squared().sumInDouble() / Double(n - 1)
            let (axes, variances) = try randomizedAxes(centred, k: k, using: &generator)
            return try fitted(mean: mean, axes: axes, variances: variances, totalVariance: totalVariance, configuration: configuration)
        }
    }

    /// The exact fit from the covariance matrix (`D × D`): its eigenvectors of the largest
    /// eigenvalues, as many as the configuration asks.
    static func fitted(mean: Tensor, covariance: Tensor, configuration: Configuration) throws -> PCA {
        let d = covariance.shape[0]
        // The total variance is the covariance's trace.
        let totalVariance = (0..<d).reduce(0.0) { $0 + Double(covariance[$1, $1]) }
        // Eigenvalues all (for the ratios), eigenvectors for the k kept only.
        let eigen = try SymmetricEigendecomposition(Matrix(covariance), vectorsFor: configuration.components.count(totalVariance: totalVariance))
        let k = eigen.eigenvectors.rows
        let axes = (0..<k).map { i in Array(eigen.eigenvectors.values[(i * d)..<((i + 1) * d)]) }
        return try fitted(mean: mean, axes: axes, variances: Array(eigen.eigenvalues.prefix(k)).map { max($0, 0) },
                          totalVariance: totalVariance, configuration: configuration)
    }

    /// The model of `axes` (unit vectors of D values) and their variances.
    static func fitted(mean: Tensor, axes: [[Double]], variances: [Double], totalVariance: Double, configuration: Configuration) throws -> PCA {
        var axes = axes
        // A sign convention makes results reproducible across solvers and platforms.
        for i in axes.indices {
            let largest = axes[i].indices.max { abs(axes[i][$0]) < abs(axes[i][$1]) }!
            if axes[i][largest] < 0 { axes[i] = axes[i].map { -$0 } }
        }
        if configuration.whiten, let zero = variances.firstIndex(where: { $0 <= 1e-12 * max(totalVariance, 1e-300) }) {
            throw AutoencoderError("PCA: component \(zero + 1) has zero variance, so it cannot be whitened (use fewer components)")
        }
        let (k, d) = (axes.count, mean.count)
        return PCA(configuration: configuration, mean: mean,
                   components: try Tensor(shape: [k, d], scalars: axes.flatMap { $0.map(Float.init) }),
                   explainedVariance: Tensor(variances.map(Float.init)),
                   explainedVarianceRatio: Tensor(variances.map { Float($0 / max(totalVariance, .leastNormalMagnitude)) }))
    }

    /// The top-k right singular vectors of the centred data and their variances σ²/(n − 1).
    private static func randomizedAxes(_ centred: Tensor, k: Int, using generator: inout RandomGenerator) throws -> ([[Double]], [Double]) {
        let (n, d) = (centred.shape[0], centred.shape[1])
        let l = min(k + Configuration.oversampling, min(n, d))
        func orthonormal(_ y: Tensor) throws -> Tensor { try QRDecomposition(Matrix(y)).q.tensor }
        // Range finder with subspace iteration (Halko et al., Alg. 4.4), re-orthonormalising
        // after every product so small singular values survive in Float32.
        var q = try orthonormal(matmul(centred, Tensor.randomNormal([d, l], using: &generator)))
        for _ in 0..<Configuration.powerIterations {
            let z = try orthonormal(matmul(centred, transposeA: true, q))
            q = try orthonormal(matmul(centred, z))
        }
        // B = Qᵀ(X − μ) is l × D; its SVD from the eigendecomposition of B·Bᵀ (Alg. 5.1).
        let b = Matrix(matmul(q, transposeA: true, centred))
        let eigen = try SymmetricEigendecomposition(b * b.transposed)
        var axes: [[Double]] = [], variances: [Double] = []
        for i in 0..<k {
            let sigma = max(eigen.eigenvalues[i], 0).squareRoot()
            let u = Array(eigen.eigenvectors.values[(i * l)..<((i + 1) * l)])
            // vᵢ = Bᵀuᵢ / σᵢ
            var v = [Double](repeating: 0, count: d)
            for r in 0..<l where u[r] != 0 {
                for j in 0..<d { v[j] += b[r, j] * u[r] }
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            axes.append(norm > 0 ? v.map { $0 / norm } : v)
            variances.append(sigma * sigma / Double(n - 1))
        }
        return (axes, variances)
    }

    private init(configuration: Configuration, mean: Tensor, components: Tensor, explainedVariance: Tensor, explainedVarianceRatio: Tensor) {
        self.configuration = configuration
        self.mean = mean
        self.components = components
        self.explainedVariance = explainedVariance
        self.explainedVarianceRatio = explainedVarianceRatio
    }

    public func encodeUnchecked(_ samples: Tensor) -> Tensor {
        let codes = matmul(samples - mean, components, transposeB: true)
        return configuration.whiten ? codes / explainedVariance.sqrt() : codes
    }

    public func decodeUnchecked(_ codes: Tensor) throws -> Tensor {
        let scaled = configuration.whiten ? codes * explainedVariance.sqrt() : codes
        return matmul(scaled, components) + mean
    }

    public var stateTensors: [(name: String, tensor: Tensor)] {
        [("mean", mean), ("components", components), ("explained_variance", explainedVariance),
         ("explained_variance_ratio", explainedVarianceRatio)]
    }

    public init(configuration: Configuration, state: SafeTensorsFile, file: String) throws {
        let components = try state.tensor("components", file: file)
        guard components.rank == 2 else { throw DataFormatError(file, .entry("tensor 'components'"), "must be a matrix, has shape \(components.shape)") }
        let (k, d) = (components.shape[0], components.shape[1])
        self.init(configuration: configuration, mean: try state.tensor("mean", shape: [d], file: file), components: components,
                  explainedVariance: try state.tensor("explained_variance", shape: [k], file: file),
                  explainedVarianceRatio: try state.tensor("explained_variance_ratio", shape: [k], file: file))
    }
}

extension PCA.Configuration {
    /// The number of components asked for; nil when a variance fraction decides.
    public var codeSize: Int? { if case .count(let k) = components { k } else { nil } }
    /// The variance fraction the kept components must explain; nil when their number is given.
    public var varianceFraction: Double? { if case .varianceFraction(let fraction) = components { fraction } else { nil } }
}

extension PCA.Configuration: HyperparameterDeclaring {
    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.codeSize, "codeSize", "Components to keep.", .atLeast(1), default: .required),
        .init(\.varianceFraction, "varianceFraction", "Keep the fewest components that explain this fraction of the variance (instead of `codeSize`).",
              .above(0, upTo: 1), default: .required),
        .init(\.solver, "solver", "exact, randomized (Halko et al. 2011) or incremental (Ross et al. 2008: no D × D matrix, for very many features)."),
        .init(\.whiten, "whiten", "Scale codes to unit variance."),
    ]

    /// The exact solver, unwhitened, for one component (the components have no default).
    public static var defaults: Self { Self(components: .count(1)) }
}
