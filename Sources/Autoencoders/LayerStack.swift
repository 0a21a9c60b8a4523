import DataFormats
import NeuralNetworks
import Tensors

/// The trained values of a stack of dense layers, y = f_L(⋯f₁(x·W₁ᵀ + b₁)⋯): what a fitted
/// network method keeps. Immutable and Sendable; training works on a `Sequential<Dense>`
/// made from it (``trainable()``), and a snapshot of that network is the fitted stack.
public struct LayerStack: Sendable, Equatable {
    /// One layer's values: `weight: outputs × inputs`, `bias: outputs`.
    public struct Layer: Sendable, Equatable {
        public let weight: Tensor
        public let bias: Tensor
        public let activation: Activation

        public init(weight: Tensor, bias: Tensor, activation: Activation) {
            (self.weight, self.bias, self.activation) = (weight, bias, activation)
        }
    }

    public let layers: [Layer]

    /// A snapshot of a trained network.
    public init(_ network: Sequential<Dense>) {
        layers = network.layers.map { Layer(weight: $0.weight.value, bias: $0.bias.value, activation: $0.activation) }
    }

    public init(layers: [Layer]) { self.layers = layers }

    /// Fresh layers of widths `widths[0] → widths[1] → …` with the given activations.
    public static func trainable(widths: [Int], activations: [Activation], initializer: Initializer,
                          using generator: inout RandomGenerator) -> Sequential<Dense> {
        Sequential(zip(zip(widths, widths.dropFirst()), activations).map { pair, activation in
            Dense(inputs: pair.0, outputs: pair.1, activation: activation, initializer: initializer, using: &generator)
        })
    }

    /// A network to train further, starting from these values.
    public func trainable() -> Sequential<Dense> { Sequential(layers.map { Dense(weight: $0.weight, bias: $0.bias, activation: $0.activation) }) }

    /// The stack applied to `x` (`n × inputs`), without a graph.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        layers.reduce(x) { Dense(weight: $1.weight, bias: $1.bias, activation: $1.activation)($0) }
    }

    /// Named like a PyTorch `Sequential` of `Linear` layers: `PREFIX.I.weight`, `PREFIX.I.bias`.
    public func namedTensors(_ prefix: String) -> [(name: String, tensor: Tensor)] {
        layers.enumerated().flatMap { i, layer in [("\(prefix).\(i).weight", layer.weight), ("\(prefix).\(i).bias", layer.bias)] }
    }

    /// Reads layers of widths `widths` named `PREFIX.I.weight|bias` from a model file.
    public static func load(_ prefix: String, widths: [Int], activations: [Activation], from state: SafeTensorsFile, file: String) throws -> LayerStack {
        LayerStack(layers: try zip(zip(widths, widths.dropFirst()), activations).enumerated().map { i, element in
            let ((inputs, outputs), activation) = element
            return Layer(weight: try state.tensor("\(prefix).\(i).weight", shape: [outputs, inputs], file: file),
                         bias: try state.tensor("\(prefix).\(i).bias", shape: [outputs], file: file), activation: activation)
        })
    }

    /// Widths from input to output.
    public var widths: [Int] { layers.isEmpty ? [] : [layers[0].weight.shape[1]] + layers.map { $0.weight.shape[0] } }
}
