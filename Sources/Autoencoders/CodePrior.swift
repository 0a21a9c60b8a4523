import Foundation
import Tensors

/// A density p(z) over codes that an autoencoder's codes are made to match, and that new samples
/// are decoded from: N(0, σ²I), or a mixture of Gaussians with one component per class
/// (Makhzani et al. 2016, §2.3, Fig. 4).
public enum CodePrior: Codable, Sendable, Equatable {
    /// N(0, σ²I) with σ² = `variance`.
    case normal(variance: Float)
    /// K = `components` isotropic Gaussians of equal weight whose means lie on a circle of
    /// `radius` in the plane of the first two coordinates, μₖ = r(cos 2πk/K, sin 2πk/K, 0, …, 0)
    /// (the arrangement of the paper's Fig. 4, in any d ≥ 2), each of standard deviation
    /// σ_c = r·sin(π/K)/2, so that neighbouring means are 4σ_c apart.
    case mixture(components: Int, radius: Float)

    /// The mixture's default radius: 4 (code units), wide enough that ten components keep apart.
    public static let defaultRadius: Float = 4
    /// Components of a mixture prior when no classes give their number: 10.
    public static let defaultComponents = 10

    /// Throws a message when the prior cannot live in a code of `codeSize` dimensions.
    public func validate(codeSize: Int) throws {
        switch self {
        case .normal(let variance):
            guard variance > 0, variance.isFinite else { throw AutoencoderError("the prior's variance must be positive, got \(variance)") }
        case .mixture(let components, let radius):
            guard components >= 2 else { throw AutoencoderError("a mixture prior needs at least 2 components, got \(components)") }
            guard radius > 0, radius.isFinite else { throw AutoencoderError("the mixture prior's radius must be positive, got \(radius)") }
            guard codeSize >= 2 else { throw AutoencoderError("a mixture prior lays its components on a circle: it needs a code of at least 2 dimensions, got \(codeSize)") }
        }
    }

    /// σ² of N(0, σ²I); nil for a mixture.
    public var variance: Float? {
        if case .normal(let variance) = self { return variance }
        return nil
    }

    /// The number of components a draw can be asked for (1 for N(0, σ²I)).
    public var components: Int {
        switch self {
        case .normal: 1
        case .mixture(let components, _): components
        }
    }

    /// σ of each coordinate of one component.
    public var componentDeviation: Float {
        switch self {
        case .normal(let variance): variance.squareRoot()
        case .mixture(let k, let radius): radius * Float(sin(Double.pi / Double(k))) / 2
        }
    }

    /// The mean of component `k` in `dimension` coordinates.
    public func mean(component k: Int, dimension: Int) -> [Float] {
        var mean = [Float](repeating: 0, count: dimension)
        if case .mixture(let count, let radius) = self {
            let angle = 2 * Double.pi * Double(k) / Double(count)
            mean[0] = radius * Float(cos(angle))
            mean[1] = radius * Float(sin(angle))
        }
        return mean
    }

    /// `count` draws (`count × dimension`), each from a component chosen uniformly.
    public func draw(count: Int, dimension: Int, using generator: inout RandomGenerator) -> Tensor {
        let k = components
        return draw(components: (0..<count).map { _ in k == 1 ? 0 : generator.nextInt(below: k) }, dimension: dimension, using: &generator)
    }

    /// One draw from each listed component (`components.count × dimension`): a labelled batch's
    /// prior draws, sample i from its class's component.
    public func draw(components chosen: [Int], dimension: Int, using generator: inout RandomGenerator) -> Tensor {
        var codes = Tensor.randomNormal([chosen.count, dimension], standardDeviation: componentDeviation, using: &generator)
        guard case .mixture = self else { return codes }
        let means = (0..<components).map { mean(component: $0, dimension: dimension) }
        codes.withUnsafeMutableBufferPointer { scalars in
            for (row, k) in chosen.enumerated() {
                precondition(k >= 0 && k < means.count, "component \(k) of a \(means.count)-component prior")
                scalars[row * dimension] += means[k][0]
                scalars[row * dimension + 1] += means[k][1]
            }
        }
        return codes
    }

    /// Words for reports: "N(0, I)", "mixture of 10 Gaussians".
    public var description: String {
        switch self {
        case .normal(let variance): variance == 1 ? "N(0, I)" : "N(0, \(variance)·I)"
        case .mixture(let components, _): "mixture of \(components) Gaussians"
        }
    }
}

/// A model whose codes were made to follow a prior p(z) (the VAE's KL, the WAE's penalty, the
/// AAE's critic): figures draw its codes over draws of p(z), and new samples decode them.
public protocol PriorModel {
    var prior: CodePrior { get }
    /// Whether component k of a mixture prior holds the codes of class k (the AAE's labelled
    /// components), so that drawing from it draws that class.
    var labelledComponents: Bool { get }
}

extension PriorModel {
    public var labelledComponents: Bool { false }
}

extension Scaled: PriorModel where Base: PriorModel {
    public var prior: CodePrior { base.prior }
    public var labelledComponents: Bool { base.labelledComponents }
}
