import Foundation
import Tensors

/// Synthetic data on known manifolds, each with its true latent coordinates, so tests can
/// check that a method recovers them.
public enum SyntheticManifold: String, Sendable, CaseIterable, Codable {
    /// A rolled 2-D sheet in 3-D: t ~ U(1.5π, 4.5π), h ~ U(0, 21); x = (t cos t, h, t sin t).
    /// Latent: (t, h).
    case swissRoll = "swiss-roll"
    /// An S-shaped sheet in 3-D: t ~ U(−1.5π, 1.5π), h ~ U(0, 2); x = (sin t, h, sign(t)(cos t − 1)).
    /// Latent: (t, h).
    case sCurve = "s-curve"
    /// A closed curve: θ ~ U(0, 2π); x = radius·(cos θ, sin θ). Latent: θ. A continuous 1-D
    /// encoder must tear it somewhere.
    case circle
    /// A helix in 3-D: t ~ U(0, 2π·turns); x = (cos t, sin t, t / 2π). Latent: t.
    case helix
    /// Two interleaved half circles in 2-D (labels 0 and 1): θ ~ U(0, π); (cos θ, sin θ) and
    /// (1 − cos θ, ½ − sin θ). Latent: θ.
    case twoMoons = "two-moons"
    /// Isotropic Gaussian clusters of unit variance in `dimension` dimensions around `centers`
    /// centres drawn uniformly from [−10, 10]^dimension (labels: the cluster). Latent: the
    /// cluster's index.
    case blobs
    /// A noisy open curve in the spirit of Kramer's (1991) examples: t ~ U(−1, 1);
    /// x = (t, 0.8 sin πt) in 2-D, and (t, 0.8 sin πt, 0.8 cos πt) in 3-D. Latent: t.
    case kramerCurve = "kramer-curve"
    /// Three straight branches from the origin, 120° apart in the plane of the first two of
    /// `dimension` coordinates: branch b = i mod 3 points along (cos 2πb/3, sin 2πb/3, 0, …),
    /// t ~ U(0, length). Labels: the branch. Latent: t, the distance from the centre. No
    /// manifold describes it; a principal tree does.
    case star

    /// Parameters and their defaults: n (samples), noise (standard deviation of Gaussian noise
    /// added to every coordinate), seed, and one or two shape parameters.
    public var parameterDefaults: [String: Double] {
        var defaults: [String: Double] = ["n": 1000, "noise": 0, "seed": 0]
        switch self {
        case .circle: defaults["radius"] = 1
        case .helix: defaults["turns"] = 2
        case .blobs: defaults["centers"] = 3; defaults["dimension"] = 2
        case .kramerCurve: defaults["dimension"] = 2; defaults["noise"] = 0.05
        case .star: defaults["dimension"] = 3; defaults["length"] = 1; defaults["noise"] = 0.03
        default: break
        }
        return defaults
    }

    /// The most features (and blob centres) a synthetic set may have.
    public static let maximumDimension: Double = 100_000

    /// Draws the data set with `parameters` (missing ones take their defaults).
    /// - Returns: the samples (with labels for two-moons and blobs) and the true latent
    ///   coordinates, `n × k`.
    public func generate(_ parameters: [String: Double] = [:]) throws -> (dataset: Dataset, latent: Tensor) {
        let defaults = parameterDefaults
        if let unknown = parameters.keys.first(where: { defaults[$0] == nil }) {
            throw DataFormatError(rawValue, nil, "unknown parameter '\(unknown)' (known: \(defaults.keys.sorted().joined(separator: ", ")))")
        }
        let value = { (key: String) in parameters[key] ?? defaults[key]! }
        // Every number is checked before it is converted: a value past Int's or UInt64's range
        // would trap in the conversion (found by the spec fuzz harness: seed=7.7·10²²).
        func whole(_ key: String, in range: ClosedRange<Double>) throws -> Double {
            let v = value(key)
            guard v.isFinite, v == v.rounded(), range.contains(v) else {
                throw DataFormatError(rawValue, nil, "\(key) must be a whole number in \(String(format: "%.0f", range.lowerBound))…\(String(format: "%.0f", range.upperBound)), got \(v)")
            }
            return v
        }
        func positive(_ key: String) throws -> Float {
            guard value(key) > 0, value(key) <= 1e30 else { throw DataFormatError(rawValue, nil, "\(key) must be positive and at most 10³⁰, got \(value(key))") }
            return Float(value(key))
        }
        let n = Int(try whole("n", in: 1...10_000_000)), noise = Float(value("noise"))
        guard value("noise") >= 0, value("noise") <= 1e30 else { throw DataFormatError(rawValue, nil, "noise must be non-negative and at most 10³⁰, got \(value("noise"))") }
        var generator = RandomGenerator(seed: UInt64(try whole("seed", in: 0...0x1p64.nextDown)))
        // The widths a set may have, checked against the memory limit before anything is drawn.
        let width = self == .blobs || self == .kramerCurve || self == .star ? Int(try whole("dimension", in: 1...Self.maximumDimension)) : 3
        try MemoryBudget.check(n * width * MemoryLayout<Float>.size, for: "\(n) samples of \(width) features", file: rawValue)
        var rows: [[Float]] = [], latent: [[Float]] = [], labels: [Int]? = nil
        let uniform = { (g: inout RandomGenerator, low: Float, high: Float) in low + (high - low) * g.nextUniform() }
        switch self {
        case .swissRoll:
            for _ in 0..<n {
                let t = uniform(&generator, 1.5 * .pi, 4.5 * .pi), h = uniform(&generator, 0, 21)
                rows.append([t * cos(t), h, t * sin(t)])
                latent.append([t, h])
            }
        case .sCurve:
            for _ in 0..<n {
                let t = uniform(&generator, -1.5 * .pi, 1.5 * .pi), h = uniform(&generator, 0, 2)
                rows.append([sin(t), h, (t < 0 ? -1 : 1) * (cos(t) - 1)])
                latent.append([t, h])
            }
        case .circle:
            let radius = try positive("radius")
            for _ in 0..<n {
                let theta = uniform(&generator, 0, 2 * .pi)
                rows.append([radius * cos(theta), radius * sin(theta)])
                latent.append([theta])
            }
        case .helix:
            let turns = try positive("turns")
            for _ in 0..<n {
                let t = uniform(&generator, 0, 2 * .pi * turns)
                rows.append([cos(t), sin(t), t / (2 * .pi)])
                latent.append([t])
            }
        case .twoMoons:
            labels = []
            for i in 0..<n {
                let theta = uniform(&generator, 0, .pi)
                let moon = i % 2
                rows.append(moon == 0 ? [cos(theta), sin(theta)] : [1 - cos(theta), 0.5 - sin(theta)])
                latent.append([theta])
                labels!.append(moon)
            }
        case .blobs:
            let k = Int(try whole("centers", in: 1...Self.maximumDimension)), d = width
            let centres = (0..<k).map { _ in (0..<d).map { _ in uniform(&generator, -10, 10) } }
            labels = []
            for i in 0..<n {
                let c = i % k
                rows.append(centres[c].map { $0 + Float(generator.nextNormal()) })
                latent.append([Float(c)])
                labels!.append(c)
            }
        case .kramerCurve:
            let d = width
            guard d == 2 || d == 3 else { throw DataFormatError(rawValue, nil, "dimension must be 2 or 3, got \(d)") }
            for _ in 0..<n {
                let t = uniform(&generator, -1, 1)
                rows.append(d == 2 ? [t, 0.8 * sin(.pi * t)] : [t, 0.8 * sin(.pi * t), 0.8 * cos(.pi * t)])
                latent.append([t])
            }
        case .star:
            let (d, length) = (width, try positive("length"))
            guard d >= 2 else { throw DataFormatError(rawValue, nil, "dimension must be a whole number ≥ 2, got \(value("dimension"))") }
            labels = []
            for i in 0..<n {
                let branch = i % 3, t = uniform(&generator, 0, length)
                let angle = 2 * Float.pi * Float(branch) / 3
                rows.append([t * cos(angle), t * sin(angle)] + [Float](repeating: 0, count: d - 2))
                latent.append([t])
                labels!.append(branch)
            }
        }
        var samples = Tensor(rows)
        if noise > 0 { samples = samples + Tensor.randomNormal(samples.shape, standardDeviation: noise, using: &generator) }
        let classNames = self == .twoMoons ? ["upper", "lower"] : (self == .star ? ["branch 0", "branch 1", "branch 2"] : nil)
        let dataset = try Dataset(samples: samples, labels: labels, classNames: classNames, name: rawValue)
        return (dataset, Tensor(latent))
    }
}
