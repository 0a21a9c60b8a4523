import Tensors

/// Views each sample as another shape with as many values: `[n, …]` → `[n] + shape`, as
/// `torch.nn.Unflatten(1, shape)`. The values do not move (NHWC images are stored as their rows).
public final class Reshape: Layer {
    /// The shape of one sample after the layer (`[7, 7, 64]` for a 7 × 7 image of 64 channels).
    public let shape: [Int]

    public init(_ shape: [Int]) {
        require(!shape.isEmpty && shape.allSatisfy { $0 > 0 }, "Reshape: the per-sample shape \(shape) needs positive sizes")
        self.shape = shape
    }

    public var namedParameters: [(name: String, parameter: Variable)] { [] }

    private func target(_ input: [Int]) -> [Int] {
        let values = input.dropFirst().reduce(1, *)
        require(!input.isEmpty && values == shape.reduce(1, *), "Reshape(\(shape)): input shape \(input) does not hold \(shape.reduce(1, *)) values per sample")
        return [input[0]] + shape
    }

    public func callAsFunction(_ input: Tensor) -> Tensor { input.reshaped(target(input.shape)) }
    public func callAsFunction(_ input: Variable) -> Variable { input.reshaped(target(input.shape)) }
}

/// Each sample as one row: `[n, …]` → `[n, ∏…]`, as `torch.nn.Flatten` (for NHWC images in the
/// order height, width, channel).
public final class Flatten: Layer {
    public init() {}
    public var namedParameters: [(name: String, parameter: Variable)] { [] }
    public func callAsFunction(_ input: Tensor) -> Tensor { input.reshaped([input.shape[0], input.shape.dropFirst().reduce(1, *)]) }
    public func callAsFunction(_ input: Variable) -> Variable { input.reshaped([input.shape[0], input.shape.dropFirst().reduce(1, *)]) }
}

/// Nearest-neighbour upsampling of NHWC images by an integer factor f: `n × H × W × C` →
/// `n × fH × fW × C`, each pixel repeated in an f × f block (`torch.nn.Upsample(scale_factor: f)`);
/// its pullback sums each block of the gradient.
public final class UpsampleNearest: Layer {
    public let factor: Int

    public init(factor: Int) {
        require(factor >= 1, "UpsampleNearest: the factor must be at least 1, got \(factor)")
        self.factor = factor
    }

    public var namedParameters: [(name: String, parameter: Variable)] { [] }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        require(input.rank == 4, "UpsampleNearest(\(factor)): input shape \(input.shape) is not [n, H, W, C]")
        return upsampleNearest(input, factor: factor)
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        let factor = factor
        return Variable(callAsFunction(input.value), parents: [input]) { g in [upsampleNearestAdjoint(g, factor: factor)] }
    }
}
