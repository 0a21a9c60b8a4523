/// What a model can do beyond ENCODE and DECODE, asked by figures and the command line instead
/// of asking for a concrete type (DESIGN: capabilities, not downcasts).

/// A model whose code is discrete: the index of one of `codeCount` prototypes (k-means' cluster
/// centres), not a point of a continuous latent space. Nothing lies between two codes, so
/// interpolations, traversals and kNN accuracies of codes mean nothing; clustering scores and
/// DECODE of each index (the prototypes) do.
public protocol DiscreteCodes {
    /// The number of distinct codes, k; codes are 0, 1, …, k − 1.
    var codeCount: Int { get }
}

extension Scaled: DiscreteCodes where Base: DiscreteCodes {
    public var codeCount: Int { base.codeCount }
}
