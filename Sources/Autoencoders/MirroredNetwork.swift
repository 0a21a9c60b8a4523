import DataFormats
import NeuralNetworks
import Tensors

/// The deterministic encoder D → h… → d and its mirror image d → …h → D that the Wasserstein
/// and adversarial autoencoders share: hidden layers of one activation, a linear code, and an
/// output that suits the reconstruction cost (linear for squared error, sigmoid for
/// cross-entropy, whose training network emits logits and leaves the sigmoid to the loss).
public struct MirroredNetwork: Sendable, Equatable {
    public let hidden: [Int], codeSize: Int, activation: Activation, loss: Loss

    public init(hidden: [Int], codeSize: Int, activation: Activation, loss: Loss) {
        (self.hidden, self.codeSize, self.activation, self.loss) = (hidden, codeSize, activation, loss)
    }

    /// The output layer's activation: sigmoid for cross-entropy, linear for squared error.
    public var outputActivation: Activation { loss == .binaryCrossEntropy ? .sigmoid : .linear }

    /// Encoder widths D, h…, d and decoder widths d, …h, D with their activations.
    public func layout(features: Int) -> (encoder: [Int], decoder: [Int], encoderActivations: [Activation], decoderActivations: [Activation]) {
        ([features] + hidden + [codeSize], [codeSize] + hidden.reversed() + [features],
         Array(repeating: activation, count: hidden.count) + [.linear], Array(repeating: activation, count: hidden.count) + [outputActivation])
    }

    /// Fresh trainable networks for samples of `features` (the decoder emitting logits with bce).
    public func trainable(features: Int, initializer: Initializer, using generator: inout RandomGenerator) -> (encoder: Sequential<Dense>, decoder: Sequential<Dense>) {
        let layout = layout(features: features)
        let encoder = LayerStack.trainable(widths: layout.encoder, activations: layout.encoderActivations, initializer: initializer, using: &generator)
        var trainingActivations = layout.decoderActivations
        if loss == .binaryCrossEntropy { trainingActivations[trainingActivations.count - 1] = .linear }
        let decoder = LayerStack.trainable(widths: layout.decoder, activations: trainingActivations, initializer: initializer, using: &generator)
        return (encoder, decoder)
    }

    /// Snapshots of trained networks, the decoder's output activation restored.
    public func fitted(encoder: Sequential<Dense>, decoder: Sequential<Dense>) -> (encoder: LayerStack, decoder: LayerStack) {
        let stack = LayerStack(decoder)
        let activations = Array(repeating: activation, count: hidden.count) + [outputActivation]
        return (LayerStack(encoder), LayerStack(layers: zip(stack.layers, activations).map { LayerStack.Layer(weight: $0.weight, bias: $0.bias, activation: $1) }))
    }

    /// The networks stored in a model file (`encoder.*`, `decoder.*`, after `prefix.` when
    /// given); D from the first weight.
    public func load(from state: SafeTensorsFile, prefix: String? = nil, file: String) throws -> (encoder: LayerStack, decoder: LayerStack) {
        let (encoderName, decoderName) = prefix.map { ("\($0).encoder", "\($0).decoder") } ?? ("encoder", "decoder")
        let first = try state.tensor("\(encoderName).0.weight", file: file)
        guard first.rank == 2 else { throw DataFormatError(file, .entry("tensor '\(encoderName).0.weight'"), "has shape \(first.shape), expected [h₁, D]") }
        let layout = layout(features: first.shape[1])
        return (try LayerStack.load(encoderName, widths: layout.encoder, activations: layout.encoderActivations, from: state, file: file),
                try LayerStack.load(decoderName, widths: layout.decoder, activations: layout.decoderActivations, from: state, file: file))
    }
}
