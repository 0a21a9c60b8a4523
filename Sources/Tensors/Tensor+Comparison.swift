extension Tensor {
    /// Whether both tensors have one shape and every pair of values satisfies
    /// |a − b| ≤ absoluteTolerance + relativeTolerance·|b| (NumPy's `allclose`).
    public func isApproximatelyEqual(to other: Tensor, relativeTolerance: Float = 1e-5,
                                     absoluteTolerance: Float = 1e-6) -> Bool {
        guard shape == other.shape else { return false }
        for (a, b) in zip(scalars, other.scalars) {
            if a.isNaN || b.isNaN { return false }
            if a == b { continue }
            if Swift.abs(a - b) > absoluteTolerance + relativeTolerance * Swift.abs(b) { return false }
        }
        return true
    }

    /// The largest |a − b| over all positions (shapes must match).
    public func maxAbsoluteDifference(_ other: Tensor) -> Float {
        require(shape == other.shape, "maxAbsoluteDifference: shapes \(shape) and \(other.shape) do not match")
        return zip(scalars, other.scalars).reduce(0) { Swift.max($0, Swift.abs($1.0 - $1.1)) }
    }
}
