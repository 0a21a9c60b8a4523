import Tensors

/// A differentiable function with parameters: callable on Variables (training) and on
/// Tensors (inference, no graph).
public protocol Layer: AnyObject {
    /// The output with its derivatives recorded.
    func callAsFunction(_ input: Variable) -> Variable
    /// The output, without a graph.
    func callAsFunction(_ input: Tensor) -> Tensor
    /// Parameters with PyTorch state-dict names relative to this layer (`weight`, `0.bias`).
    var namedParameters: [(name: String, parameter: Variable)] { get }
}

extension Layer {
    /// The trainable parameters, in a fixed order.
    public var parameters: [Variable] { namedParameters.map(\.parameter) }
}

/// Layers applied one after another, named `0`, `1`, … as in `torch.nn.Sequential`.
public final class Sequential: Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) { self.layers = layers }

    public func callAsFunction(_ input: Variable) -> Variable { layers.reduce(input) { $1($0) } }
    public func callAsFunction(_ input: Tensor) -> Tensor { layers.reduce(input) { $1($0) } }

    public var namedParameters: [(name: String, parameter: Variable)] {
        layers.enumerated().flatMap { index, layer in
            layer.namedParameters.map { ("\(index).\($0.name)", $0.parameter) }
        }
    }
}
