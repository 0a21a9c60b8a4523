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

extension Layer {
    /// The parameters named `PREFIX.NAME`, as a PyTorch module registered under `prefix` names them.
    public func namedParameters(prefix: String) -> [(name: String, parameter: Variable)] {
        namedParameters.map { ("\(prefix).\($0.name)", $0.parameter) }
    }
}

/// Layers applied one after another, named `0`, `1`, … as in `torch.nn.Sequential`: the
/// trainable network of every method (`Sequential<Dense>` for the perceptrons), whose values
/// a fitted model keeps as a snapshot.
public final class Sequential<Element: Layer>: Layer {
    public let layers: [Element]

    public init(_ layers: [Element]) { self.layers = layers }

    public func callAsFunction(_ input: Variable) -> Variable { layers.reduce(input) { $1($0) } }
    public func callAsFunction(_ input: Tensor) -> Tensor { layers.reduce(input) { $1($0) } }

    public var namedParameters: [(name: String, parameter: Variable)] {
        layers.enumerated().flatMap { index, layer in layer.namedParameters(prefix: "\(index)") }
    }
}
