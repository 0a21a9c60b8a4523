import Tensors

/// The trained values of a ``Network``: its layout and its parameters, immutable and Sendable.
/// What a fitted method keeps; training works on a ``Network`` made from it (``trainable()``),
/// and a snapshot of that network is the fitted one.
public struct TrainedNetwork: Sendable, Equatable {
    public let layout: NetworkLayout
    /// The parameters in ``NetworkLayout/parameterShapes`` order (`0.weight`, `0.bias`, …).
    public let parameters: [Tensor]

    /// A snapshot of a network's current values.
    public init(_ network: Network) {
        layout = network.layout
        parameters = network.parameters.map(\.value)
    }

    /// Values for `layout`, whose shapes must be its ``NetworkLayout/parameterShapes``.
    public init(layout: NetworkLayout, parameters: [Tensor]) {
        require(parameters.map(\.shape) == layout.parameterShapes.map(\.shape),
                "TrainedNetwork: parameters of shapes \(parameters.map(\.shape)) do not fit the layout's \(layout.parameterShapes.map(\.shape))")
        (self.layout, self.parameters) = (layout, parameters)
    }

    /// A network to train further, starting from these values.
    public func trainable() -> Network { Network(layout, parameters: parameters) }

    /// The network applied to rows `x` (`n × ∏inputShape` → `n × ∏outputShape`), without a graph.
    public func callAsFunction(_ x: Tensor) -> Tensor { trainable()(x) }

    /// The parameters named `PREFIX.I.weight`, `PREFIX.I.bias` as a PyTorch `Sequential`
    /// registered under `prefix` names them (convolution weights in Latent's NHWC order).
    public func namedTensors(_ prefix: String) -> [(name: String, tensor: Tensor)] {
        zip(layout.parameterShapes, parameters).map { ("\(prefix).\($0.name)", $1) }
    }
}
