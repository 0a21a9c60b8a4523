import Tensors

/// A per-feature affine map x ↦ (x − offset) / scale, fitted on one set and applied to others
/// (and stored with the models that use it).
public struct FeatureScaling: Codable, Sendable, Equatable {
    /// How a scaling is fitted.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// Zero mean and unit variance per feature.
        case standardize
        /// Each feature mapped onto [0, 1] by its minimum and maximum.
        case minMax = "min-max"
    }

    public let kind: Kind
    /// Subtracted per feature (the mean, or the minimum).
    public let offset: [Float]
    /// Divided by per feature (the standard deviation, or the range); constant features get 1
    /// so they map to 0 instead of dividing by zero.
    public let scale: [Float]

    /// Fits the scaling to the columns of `samples` (`n × D`), in Double.
    public init(fitting samples: Tensor, kind: Kind) throws {
        guard samples.rank == 2, samples.shape[0] > 0 else {
            throw TensorError.invalidShape(samples.shape, "scaling needs a non-empty matrix n × D")
        }
        let (n, d) = (samples.shape[0], samples.shape[1])
        var offset = [Float](repeating: 0, count: d), scale = [Float](repeating: 1, count: d)
        switch kind {
        case .standardize:
            let mean = samples.mean(alongAxis: 0)
            let centred = samples - mean
            let variance = centred.squared().sum(alongAxis: 0) / Float(n)
            for j in 0..<d {
                offset[j] = mean.scalars[j]
                let deviation = variance.scalars[j].squareRoot()
                scale[j] = deviation > 0 ? deviation : 1
            }
        case .minMax:
            let low = samples.min(alongAxis: 0), high = samples.max(alongAxis: 0)
            for j in 0..<d {
                offset[j] = low.scalars[j]
                let range = high.scalars[j] - low.scalars[j]
                scale[j] = range > 0 ? range : 1
            }
        }
        self.kind = kind
        self.offset = offset
        self.scale = scale
    }

    /// (x − offset) / scale for each row of `samples`.
    public func apply(_ samples: Tensor) throws -> Tensor {
        try samples.checkShape([samples.shape.first ?? 0, offset.count], "feature scaling fitted on \(offset.count) features")
        return (samples - Tensor(offset)) / Tensor(scale)
    }

    /// x·scale + offset: back to the original units.
    public func invert(_ scaled: Tensor) throws -> Tensor {
        try scaled.checkShape([scaled.shape.first ?? 0, offset.count], "feature scaling fitted on \(offset.count) features")
        return scaled * Tensor(scale) + Tensor(offset)
    }
}
