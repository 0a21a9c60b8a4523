import Tensors

extension Variable {
    /// Inverted dropout (Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov, "Dropout: a
    /// simple way to prevent neural networks from overfitting", JMLR 15, 2014, eq. 1–2, with the
    /// scaling moved to training): each value kept with probability 1 − p and divided by it,
    /// zeroed otherwise, so that E[dropout(x)] = x and the network needs no rescaling outside
    /// training. y = x ⊙ m / (1 − p), m ~ Bernoulli(1 − p) elementwise; ∂y/∂x = m / (1 − p).
    /// The mask is drawn from `generator` (one uniform per value, in row-major order).
    ///
    /// - Precondition: 0 ≤ p < 1.
    public func dropout(_ p: Float, using generator: inout RandomGenerator) -> Variable {
        precondition(p >= 0 && p < 1, "dropout needs 0 ≤ p < 1, got \(p)")
        guard p > 0 else { return self }
        let keep = 1 - p
        return self * Variable(Tensor(shape: shape) { _ in generator.nextUniform() < keep ? 1 / keep : 0 })
    }
}
