import Tensors

/// A per-feature affine map x ↦ (x − offset) / scale, fitted on one set and applied to others
/// (and stored with the models that use it), computed in Double.
///
/// Samples may be measured from an `origin` that a reader subtracted in Double before the
/// values became Float32 (``DatasetLoader/origin``): a column offset by 10⁸ keeps its signal
/// only that way. `offset` is stored relative to the origin, so applying the scaling to samples
/// read from the same origin involves only small numbers.
public struct FeatureScaling: Codable, Sendable, Equatable {
    /// How a scaling is fitted.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// No scaling: the map only keeps the origin the samples were read from.
        case none
        /// Zero mean and unit variance per feature (scikit-learn's `StandardScaler`).
        case standardize
        /// Each feature mapped onto [0, 1] by its minimum and maximum (`MinMaxScaler`).
        case minMax = "min-max"
        /// The median subtracted and the interquartile range divided by (`RobustScaler`):
        /// outliers do not set the scale.
        case robust
    }

    public let kind: Kind
    /// The point the samples are measured from (subtracted by the reader), per feature.
    public let origin: [Double]
    /// Subtracted per feature, relative to `origin` (the mean, minimum or median).
    public let offset: [Double]
    /// Divided by per feature (the standard deviation, range or interquartile range); constant
    /// features get 1, so they map to 0 instead of dividing by zero.
    public let scale: [Double]

    /// D
    public var features: Int { scale.count }

    /// Whether the map does anything: a scaling, or an origin other than zero.
    public var isIdentity: Bool { kind == .none && origin.allSatisfy { $0 == 0 } }

    /// Fits the scaling to the columns of `samples` (`n × D`, measured from `origin`: zero by
    /// default), in Double.
    public init(fitting samples: Tensor, origin: [Double]? = nil, kind: Kind) throws {
        guard samples.rank == 2, samples.shape[0] > 0 else {
            throw TensorError.invalidShape(samples.shape, "scaling needs a non-empty matrix n × D")
        }
        let (n, d) = (samples.shape[0], samples.shape[1])
        let origin = origin ?? [Double](repeating: 0, count: d)
        guard origin.count == d else {
            throw TensorError.invalidShape(samples.shape, "an origin of \(origin.count) values does not match \(d) features")
        }
        var offset = [Double](repeating: 0, count: d), scale = [Double](repeating: 1, count: d)
        let values = samples.scalars
        for j in 0..<d where kind != .none {
            let column = (0..<n).map { Double(values[$0 * d + j]) }
            var spread: Double
            switch kind {
            case .none: spread = 1
            case .standardize:
                let mean = column.reduce(0, +) / Double(n)
                offset[j] = mean
                spread = (column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)).squareRoot()
            case .minMax:
                offset[j] = column.min()!
                spread = column.max()! - offset[j]
            case .robust:
                let sorted = column.sorted()
                offset[j] = Self.quantile(sorted, 0.5)
                spread = Self.quantile(sorted, 0.75) - Self.quantile(sorted, 0.25)
            }
            scale[j] = spread > 0 && spread.isFinite ? spread : 1
        }
        (self.kind, self.origin, self.offset, self.scale) = (kind, origin, offset, scale)
    }

    /// A scaling of `kind` from statistics gathered elsewhere (a pass over data too large for
    /// memory): `offset` subtracted and `spread` divided by, per feature, measured from zero; a
    /// constant feature (spread 0) gets 1, as ``init(fitting:origin:kind:)`` gives it.
    public init(kind: Kind, offset: [Double], spread: [Double]) {
        precondition(offset.count == spread.count, "a scaling of \(offset.count) offsets and \(spread.count) spreads")
        self.init(kind: kind, origin: [Double](repeating: 0, count: offset.count), offset: kind == .none ? offset.map { _ in 0 } : offset,
                  scale: kind == .none ? spread.map { _ in 1 } : spread.map { $0 > 0 && $0.isFinite ? $0 : 1 })
    }

    /// Decodes a stored scaling, checked: origin, offset and scale of one length, finite, no
    /// zero scale (a model file whose arrays disagreed indexed past the shorter one: a trap,
    /// found by the model fuzz harness).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decode(Kind.self, forKey: .kind)
        let (origin, offset, scale) = (try container.decode([Double].self, forKey: .origin), try container.decode([Double].self, forKey: .offset),
                                       try container.decode([Double].self, forKey: .scale))
        guard origin.count == scale.count, offset.count == scale.count else {
            throw DecodingError.dataCorruptedError(forKey: .scale, in: container,
                                                   debugDescription: "origin, offset and scale hold \(origin.count), \(offset.count) and \(scale.count) values; they must agree")
        }
        guard (origin + offset + scale).allSatisfy(\.isFinite), !scale.contains(0) else {
            throw DecodingError.dataCorruptedError(forKey: .scale, in: container, debugDescription: "holds a non-finite value or a zero scale")
        }
        self.init(kind: kind, origin: origin, offset: offset, scale: scale)
    }

    private init(kind: Kind, origin: [Double], offset: [Double], scale: [Double]) {
        (self.kind, self.origin, self.offset, self.scale) = (kind, origin, offset, scale)
    }

    /// This scaling followed by `count` columns left as they are (a conditional model's label
    /// one-hot columns, which must stay 0 and 1).
    public func appendingIdentity(_ count: Int) -> FeatureScaling {
        let zeros = [Double](repeating: 0, count: count)
        return FeatureScaling(kind: kind, origin: origin + zeros, offset: offset + zeros, scale: scale + [Double](repeating: 1, count: count))
    }

    /// The scaling of the first `count` features alone.
    public func prefix(_ count: Int) -> FeatureScaling {
        FeatureScaling(kind: kind, origin: Array(origin.prefix(count)), offset: Array(offset.prefix(count)), scale: Array(scale.prefix(count)))
    }

    /// The `q`-quantile of sorted values, interpolated linearly (NumPy's default).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }


    /// (x − offset) / scale for each row of `samples` (measured from `origin`).
    public func apply(_ samples: Tensor) throws -> Tensor {
        try samples.checkShape([samples.shape.first ?? 0, features], "feature scaling fitted on \(features) features")
        return map(samples) { x, j in (x - offset[j]) / scale[j] }
    }

    /// x·scale + offset: back to the units of the samples (measured from `origin`).
    public func invert(_ scaled: Tensor) throws -> Tensor {
        try scaled.checkShape([scaled.shape.first ?? 0, features], "feature scaling fitted on \(features) features")
        return map(scaled) { z, j in z * scale[j] + offset[j] }
    }

    /// The rows of `samples` measured from zero instead of `origin` (for writing values out).
    public func addingOrigin(_ samples: Tensor) throws -> Tensor {
        try samples.checkShape([samples.shape.first ?? 0, features], "feature scaling fitted on \(features) features")
        return map(samples) { x, j in x + origin[j] }
    }

    private func map(_ tensor: Tensor, _ body: (Double, Int) -> Double) -> Tensor {
        let d = features
        var result = tensor
        result.withUnsafeMutableBufferPointer { values in
            for index in values.indices { values[index] = Float(body(Double(values[index]), index % d)) }
        }
        return result
    }

    /// The columns' variances in Double, for the hint that features of very different spread
    /// would dominate a method without scaling.
    public static func columnVariances(_ samples: Tensor) -> [Double] {
        guard samples.rank == 2, samples.shape[0] > 0 else { return [] }
        let (n, d) = (samples.shape[0], samples.shape[1])
        var mean = [Double](repeating: 0, count: d), squares = [Double](repeating: 0, count: d)
        samples.withUnsafeBufferPointer { values in
            for row in 0..<n { for j in 0..<d { mean[j] += Double(values[row * d + j]) } }
            for j in 0..<d { mean[j] /= Double(n) }
            for row in 0..<n { for j in 0..<d { let e = Double(values[row * d + j]) - mean[j]; squares[j] += e * e } }
        }
        return squares.map { $0 / Double(n) }
    }
}
