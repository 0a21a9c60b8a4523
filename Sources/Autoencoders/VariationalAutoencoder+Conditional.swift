import Tensors

/// The conditional VAE (Sohn, Lee & Yan 2015, "Learning structured output representation using
/// deep conditional generative models"): q(z | x, y) and p(x | z, y), the label y one-hot beside
/// x at the encoder's input and beside z at the decoder's. The prior stays N(0, I), so a draw z
/// decoded with a chosen y is a sample of that class.
extension VariationalAutoencoder: ConditionalModel {
    public var conditionClasses: Int { configuration.conditionClasses }

    /// `count` samples of class `label`: DECODE([z | onehot(label)]) for z ~ N(0, I),
    /// `count × (D + C)`.
    public func sample(count: Int, label: Int, using generator: inout RandomGenerator) throws -> Tensor {
        let c = configuration.conditionClasses
        guard c > 0 else { throw AutoencoderError("vae: this model is not conditioned on labels, so it cannot draw a chosen class") }
        guard count >= 1 else { throw AutoencoderError("vae: the number of samples must be at least 1, got \(count)") }
        guard label >= 0, label < c else { throw AutoencoderError("vae: class \(label) does not exist; the model knows classes 0 … \(c - 1)") }
        let latent = Tensor.randomNormal([count, configuration.codeSize], using: &generator)
        return try decodeUnchecked(Tensor.concatenate([latent, try Self.oneHot(Array(repeating: label, count: count), classes: c)], alongAxis: 1))
    }

    /// The one-hot rows of `labels` (`n × classes`).
    public static func oneHot(_ labels: [Int], classes: Int) throws -> Tensor {
        var scalars = [Float](repeating: 0, count: labels.count * classes)
        for (row, label) in labels.enumerated() {
            guard label >= 0, label < classes else { throw AutoencoderError("label \(label) of sample \(row) is not one of the \(classes) classes 0 … \(classes - 1)") }
            scalars[row * classes + label] = 1
        }
        return try Tensor(shape: [labels.count, classes], scalars: scalars)
    }

    /// `samples` (`n × D`) with their labels one-hot beside them (`n × (D + classes)`): what a
    /// conditional VAE takes.
    public static func conditioned(_ samples: Tensor, labels: [Int], classes: Int) throws -> Tensor {
        guard samples.rank == 2, labels.count == samples.rows else {
            throw AutoencoderError("a conditional VAE needs a label for each sample; got \(labels.count) labels for samples \(samples.shape)")
        }
        return Tensor.concatenate([samples, try oneHot(labels, classes: classes)], alongAxis: 1)
    }
}
