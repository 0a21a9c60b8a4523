import DataFormats
import NeuralNetworks
import Tensors

extension Translator {
    /// Fits the translator to domains in NPY shards, never all in memory: a pass over each
    /// domain checks its values and gathers what its scaling needs (means and deviations in
    /// Double, or each column's range); training then reads each batch's rows of every domain
    /// by index as it draws them (``ShardRows``), so its batches are those of the same data in
    /// memory, value for value (the same model, bit for bit, with scaling none). `partners`
    /// pairs rows as in ``Samples/partners``. Without labels (shards hold values only), and
    /// without robust scaling (its quartiles need every column sorted).
    public static func fit(_ shards: [NPYShards], partners: [[Int]]? = nil, configuration: Configuration, using generator: inout RandomGenerator,
                           context: FitContext = FitContext()) throws -> Translator {
        try configuration.validate()
        let count = configuration.domains.count
        guard shards.count == count else { throw AutoencoderError("translator: the configuration has \(count) domains, the data \(shards.count)") }
        guard configuration.classes == 0 else {
            throw AutoencoderError("translator: a latent classifier needs labels, which shards do not hold; give the domains in memory")
        }
        var scalings: [FeatureScaling] = []
        for (domain, set) in zip(configuration.domains, shards) {
            guard set.rows >= 2 else { throw AutoencoderError("translator (domain \(domain.name)): needs at least 2 samples, the shards hold \(set.rows)") }
            guard domain.scaling != .robust else {
                throw AutoencoderError("translator: domain \(domain.name): robust scaling needs each column's quartiles, which shards are not sorted for; use standardize or min-max")
            }
            let d = set.columns
            var (low, high) = ([Double](repeating: .infinity, count: d), [Double](repeating: -.infinity, count: d))
            let (means, variances) = try ShardStream(set).moments { block in
                try checkTrainableMagnitude(block, method: "translator (domain \(domain.name))")
                block.withUnsafeBufferPointer { x in
                    for row in 0..<block.rows {
                        for j in 0..<d { (low[j], high[j]) = (Swift.min(low[j], Double(x[row * d + j])), Swift.max(high[j], Double(x[row * d + j]))) }
                    }
                }
            }
            let (smallest, largest) = (low.min()!, high.max()!)
            if domain.loss == .binaryCrossEntropy, domain.scaling == .none, smallest < 0 || largest > 1 {
                throw AutoencoderError("translator: domain \(domain.name): the bce loss needs data in [0, 1] (found \(smallest)…\(largest)); scale it (min-max) or use mse")
            }
            switch domain.scaling {
            case .standardize: scalings.append(FeatureScaling(kind: .standardize, offset: means, spread: variances.map { $0.squareRoot() }))
            case .minMax: scalings.append(FeatureScaling(kind: .minMax, offset: low, spread: zip(low, high).map { $1 - $0 }))
            case .none, .robust: scalings.append(FeatureScaling(kind: .none, offset: means.map { _ in 0 }, spread: means.map { _ in 1 }))
            }
        }
        try checkPartners(partners ?? [], counts: shards.map(\.rows), configuration: configuration)
        let data: [any IndexedRows] = zip(shards, scalings).map { set, scaling in
            ShardRows(set, transform: scaling.isIdentity ? nil : { try scaling.apply($0) })
        }
        return try train(data, scalings: scalings, oneHot: nil, partners: partners ?? [], configuration: configuration, using: &generator,
                         context: context)
    }
}
