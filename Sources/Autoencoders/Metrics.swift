import Tensors

/// How well a model reconstructs a data set.
public struct ReconstructionMetrics: Sendable, Equatable, Codable {
    /// n
    public let samples: Int
    /// D
    public let features: Int
    /// Σᵢ ‖xᵢ − x̂ᵢ‖²
    public let distortion: Double
    /// distortion / n: the per-image squared error of Hinton & Salakhutdinov (2006).
    public let ssePerSample: Double
    /// distortion / (n·D)
    public let msePerFeature: Double

    /// The metrics of `model` on `samples`.
    public init(_ model: some Autoencoder, samples: Tensor) throws {
        self.init(samples: samples, reconstructions: try model.reconstruct(samples))
    }

    /// The metrics of given reconstructions.
    public init(samples: Tensor, reconstructions: Tensor) {
        precondition(samples.shape == reconstructions.shape && samples.rank == 2,
                     "metrics: samples \(samples.shape) and reconstructions \(reconstructions.shape) must be one n × D shape")
        let (n, d) = (samples.shape[0], samples.shape[1])
        self.samples = n
        self.features = d
        distortion = squaredErrors(samples, reconstructions).reduce(0, +)
        ssePerSample = n > 0 ? distortion / Double(n) : 0
        msePerFeature = n * d > 0 ? distortion / Double(n * d) : 0
    }
}
