import DataFormats
import NeuralNetworks
import Tensors

/// The deterministic encoder D → h… → d and its mirror image d → …h → D that the Wasserstein
/// and adversarial autoencoders and the translator share: hidden layers of one activation (dense
/// layers of `hidden` widths, or the convolutions of ``NetworkArchitecture``), a linear code
/// layer, and an output that suits the reconstruction cost (linear for squared error, sigmoid
/// for cross-entropy, whose training network emits logits and leaves the sigmoid to the loss).
public struct MirroredNetwork: Sendable, Equatable {
    public let hidden: [Int], codeSize: Int, activation: Activation, loss: Loss
    /// The networks' kind; convolutional ones read the samples in `imageShape`.
    public let architecture: NetworkArchitecture, imageShape: [Int]?

    public init(hidden: [Int], codeSize: Int, activation: Activation, loss: Loss, architecture: NetworkArchitecture = .mlp, imageShape: [Int]? = nil) {
        (self.hidden, self.codeSize, self.activation, self.loss) = (hidden, codeSize, activation, loss)
        (self.architecture, self.imageShape) = (architecture, imageShape)
    }

    /// The output layer's activation: sigmoid for cross-entropy, linear for squared error.
    public var outputActivation: Activation { loss == .binaryCrossEntropy ? .sigmoid : .linear }

    /// The encoder (ending in the linear code layer) and the decoder, for samples of `features`.
    /// - Throws: `NetworkLayoutError` naming the layer and shapes that do not fit.
    public func layouts(features: Int, method: String) throws -> (encoder: NetworkLayout, decoder: NetworkLayout) {
        let base = try architecture.layouts(features: features, imageShape: imageShape, hidden: hidden, activation: activation, codeWidth: codeSize,
                                            outputActivation: outputActivation, method: method)
        let encoder = try NetworkLayout(inputShape: base.encoder.inputShape, layers: base.encoder.layers + [.dense(outputs: codeSize, activation: .linear)],
                                        name: "\(method) encoder")
        return (encoder, base.decoder)
    }

    /// Fresh trainable networks for samples of `features` (the decoder emitting logits with bce).
    public func trainable(features: Int, initializer: Initializer, method: String, using generator: inout RandomGenerator) throws -> (encoder: Network, decoder: Network) {
        let layouts = try layouts(features: features, method: method)
        let encoder = Network(layouts.encoder, initializer: initializer, using: &generator)
        let decoder = Network(try layouts.decoder.replacingOutputActivation(with: .linear), initializer: initializer, using: &generator)
        return (encoder, decoder)
    }

    /// Snapshots of trained networks, the decoder's output activation restored.
    public func fitted(encoder: Network, decoder: Network) throws -> (encoder: TrainedNetwork, decoder: TrainedNetwork) {
        let trained = TrainedNetwork(decoder)
        return (TrainedNetwork(encoder), TrainedNetwork(layout: try trained.layout.replacingOutputActivation(with: outputActivation), parameters: trained.parameters))
    }

    /// The networks stored in a model file (`encoder.*`, `decoder.*`, after `prefix.` when
    /// given); D from the image shape, else from the first layer that reads the flat sample.
    public func load(from state: SafeTensorsFile, prefix: String? = nil, method: String, file: String) throws -> (encoder: TrainedNetwork, decoder: TrainedNetwork) {
        let (encoderName, decoderName) = prefix.map { ("\($0).encoder", "\($0).decoder") } ?? ("encoder", "decoder")
        let features = try architecture.storedFeatures(imageShape: imageShape, firstWeight: "\(encoderName).0.weight", state: state, file: file)
        let layouts: (encoder: NetworkLayout, decoder: NetworkLayout)
        do { layouts = try self.layouts(features: features, method: method) } catch let error as NetworkLayoutError {
            throw DataFormatError(file, .entry("the configuration"), error.description)
        }
        return (try TrainedNetwork.load(encoderName, layout: layouts.encoder, from: state, file: file),
                try TrainedNetwork.load(decoderName, layout: layouts.decoder, from: state, file: file))
    }
}
