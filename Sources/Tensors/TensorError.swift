/// Errors raised where data enters the tensor layer: every message names what and where.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    /// A shape with a negative dimension or an element count that overflows.
    case invalidShape([Int], String)
    /// The number of values does not fill the shape.
    case countMismatch(shape: [Int], count: Int)
    /// Two shapes that an operation needs to agree do not.
    case shapeMismatch(operation: String, [Int], [Int])
    /// A value that is NaN or infinite, at a flat index (and row, column for matrices).
    case nonFinite(context: String, shape: [Int], index: Int, value: Float)
    /// A matrix that a factorisation needs to be of a kind (square, positive definite) is not.
    case notFactorizable(String)
    /// A system BLAS that could not be loaded.
    case blasUnavailable(String)
    /// An instruction-set level this CPU or this build does not offer.
    case unsupportedCPULevel(String)

    public var description: String {
        switch self {
        case let .invalidShape(shape, why): "invalid shape \(shape): \(why)"
        case let .countMismatch(shape, count):
            "shape \(shape) holds \(shape.reduce(1, *)) values, but \(count) were given"
        case let .shapeMismatch(operation, a, b): "\(operation): shapes \(a) and \(b) do not match"
        case let .nonFinite(context, shape, index, value):
            if shape.count == 2, shape[1] > 0 {
                "\(context): non-finite value \(value) at row \(index / shape[1]), column \(index % shape[1]) of a \(shape) tensor"
            } else {
                "\(context): non-finite value \(value) at index \(index) of a \(shape) tensor"
            }
        case let .notFactorizable(why): why
        case let .blasUnavailable(why): why
        case let .unsupportedCPULevel(why): why
        }
    }
}

extension Tensor {
    /// Throws ``TensorError/nonFinite(context:shape:index:value:)`` at the first NaN or
    /// infinity, naming `context` (a file, an epoch and batch, an operation).
    public func checkFinite(_ context: @autoclosure () -> String) throws {
        if let index = scalars.firstIndex(where: { !$0.isFinite }) {
            throw TensorError.nonFinite(context: context(), shape: shape, index: index, value: scalars[index])
        }
    }

    /// Throws ``TensorError/shapeMismatch(operation:_:_:)`` unless `self` has `expected` shape.
    public func checkShape(_ expected: [Int], _ operation: @autoclosure () -> String) throws {
        guard shape == expected else { throw TensorError.shapeMismatch(operation: operation(), shape, expected) }
    }
}
