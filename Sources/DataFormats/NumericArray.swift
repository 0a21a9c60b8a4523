import Tensors

/// An n-dimensional array read from a file, converted to Float32, with its integer values
/// kept exactly when the file stored integers (labels).
public struct NumericArray: Sendable, Equatable {
    /// Extent along each axis, C order.
    public let shape: [Int]
    /// The values in C (row-major) order.
    public let scalars: [Float]
    /// The exact values when the file stored integers in a vector (labels), C order.
    public let integers: [Int]?
    /// Whether the file stored unsigned bytes (uint8: pixels 0…255, as IDX images are).
    public let isUnsignedBytes: Bool
    /// The point per column (of the array as a matrix) that `scalars` are measured from, when
    /// the reader subtracted one (``ReadOptions/origin``).
    public let origin: [Double]?

    public init(shape: [Int], scalars: [Float], integers: [Int]?, isUnsignedBytes: Bool = false, origin: [Double]? = nil) {
        (self.shape, self.scalars, self.integers, self.isUnsignedBytes, self.origin) = (shape, scalars, integers, isUnsignedBytes, origin)
    }

    /// The labels the array holds, when it is a vector of whole numbers (integers, or floats
    /// such as 2.0, as scikit-learn stores some targets).
    public var wholeNumbers: [Int]? {
        guard shape.count == 1 else { return nil }
        if let integers { return integers }
        guard scalars.allSatisfy({ $0.isFinite && $0 == $0.rounded() && abs($0) < 1.6e7 }) else { return nil }
        return scalars.map { Int($0) }
    }

    /// The array as a tensor of its own shape.
    public var tensor: Tensor { try! Tensor(shape: shape, scalars: scalars) }

    /// The array as samples `n × D`: a vector becomes one column, higher ranks flatten all
    /// axes after the first.
    public func matrix(file: String) throws -> Tensor {
        switch shape.count {
        case 1: return try Tensor(shape: [shape[0], 1], scalars: scalars)
        case 0: throw DataFormatError(file, nil, "a scalar is not a data matrix")
        default: return try Tensor(shape: [shape[0], shape.dropFirst().reduce(1, *)], scalars: scalars)
        }
    }
}

/// The point per feature that a reader measures values from: subtracted in Double before the
/// values become Float32, so a column offset by 10⁸ keeps the digits that carry its signal
/// (Float32 keeps about seven significant digits).
public enum Origin: Sendable, Equatable {
    /// Each feature whose first value has magnitude ≥ ``threshold`` is measured from that value;
    /// the others from zero (so data near the origin read exactly as stored).
    case automatic
    /// Given per feature (a fitted model's, so later files are read as its training data were).
    case given([Double])

    /// Values below this magnitude lose nothing that matters in Float32 relative to a spread of
    /// order one; above it the reader measures from the first value.
    public static let threshold = 1024.0

    /// The origin for data whose first row (of features) is `first`; nil when it is zero.
    func resolve(firstRow first: [Double], file: String) throws -> [Double]? {
        switch self {
        case .automatic:
            let origin = first.map { abs($0) >= Self.threshold && $0.isFinite ? $0 : 0 }
            return origin.allSatisfy { $0 == 0 } ? nil : origin
        case .given(let origin):
            guard origin.count == first.count else {
                throw DataFormatError(file, nil, "has \(first.count) features per sample; the model takes \(origin.count)")
            }
            return origin.allSatisfy { $0 == 0 } ? nil : origin
        }
    }
}

/// Options every reader of numeric data takes.
public struct ReadOptions: Sendable, Equatable {
    /// Accept NaN and infinite values instead of rejecting the file at the first one.
    public var allowNonFinite: Bool
    /// Where values are measured from (nil: zero); used by readers of float64 and wide integers.
    public var origin: Origin?

    public init(allowNonFinite: Bool = false, origin: Origin? = nil) {
        self.allowNonFinite = allowNonFinite
        self.origin = origin
    }

    /// Throws at the first NaN or infinity unless allowed, naming its position.
    func checkFinite(_ values: [Float], shape: [Int], file: String) throws {
        guard !allowNonFinite, let index = values.firstIndex(where: { !$0.isFinite }) else { return }
        var rest = index, position: [Int] = []
        for extent in shape.reversed() where extent > 0 {
            position.insert(rest % extent, at: 0)
            rest /= extent
        }
        throw DataFormatError(file, .entry("element \(position)"),
                              "non-finite value \(values[index]) (`allowNonFinite` accepts them)")
    }
}
