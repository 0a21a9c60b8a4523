// `import Latent` brings in the whole library.
@_exported import Autoencoders
@_exported import Collectives
@_exported import DataFormats
@_exported import DistributionMatching
@_exported import Neighbourhoods
@_exported import Figures
@_exported import NeuralNetworks
@_exported import Tensors

/// The library's version.
public let latentVersion = "0.1.0"
