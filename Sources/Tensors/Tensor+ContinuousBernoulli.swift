import Foundation

// The continuous Bernoulli distribution on [0, 1] (Loaiza-Ganem & Cunningham 2019):
// p(x | λ) = C(λ) λˣ (1 − λ)¹⁻ˣ, written here in the logit η = log(λ / (1 − λ)).

extension Tensor {
    /// log C(η) elementwise, the log normaliser of the continuous Bernoulli (Loaiza-Ganem &
    /// Cunningham 2019, eq. 7: C(λ) = 2 artanh(1 − 2λ) / (1 − 2λ)), which in the logit reads
    /// C = η / tanh(η/2), an even function with C(0) = 2.
    ///
    /// Near 0 the ratio is 0/0, so |η| < 2·10⁻² uses log 2 + u²/3 − 7u⁴/90 (u = η/2; the next
    /// term is O(u⁶) < 10⁻¹²); elsewhere log|η| − log tanh(|η|/2) with
    /// log tanh(a/2) = log1p(−e⁻ᵃ) − log1p(e⁻ᵃ), which never overflows.
    public func continuousBernoulliLogNormalizer() -> Tensor {
        mapped { eta in
            let a = Double(Swift.abs(eta))
            if a < 2e-2 {
                let u2 = a * a / 4
                return Float(Foundation.log(2.0) + u2 / 3 - 7 * u2 * u2 / 90)
            }
            let e = Foundation.exp(-a)
            return Float(Foundation.log(a) - (Foundation.log1p(-e) - Foundation.log1p(e)))
        }
    }

    /// d log C / dη = 1/η − 1/sinh η, elementwise; η/6 − 7η³/360 near 0.
    public func continuousBernoulliLogNormalizerDerivative() -> Tensor {
        mapped { eta in
            let x = Double(eta), a = Swift.abs(x)
            if a < 2e-2 { return Float(x / 6 - 7 * x * x * x / 360) }
            // 1/sinh x = 2e⁻ᵃ / (1 − e⁻²ᵃ) · sign x, which stays finite for large |x|.
            let e = Foundation.exp(-a)
            let inverseSinh = 2 * e / (-Foundation.expm1(-2 * a)) * (x < 0 ? -1 : 1)
            return Float(1 / x - inverseSinh)
        }
    }

    /// The continuous Bernoulli's mean from its logit, elementwise (Loaiza-Ganem & Cunningham
    /// 2019, section 3): E[x] = λ/(2λ − 1) + 1/(2 artanh(1 − 2λ)) = σ(η)/tanh(η/2) − 1/η,
    /// 1/2 + η/12 − η³/720 near 0.
    public func continuousBernoulliMean() -> Tensor {
        mapped { eta in
            let x = Double(eta)
            if Swift.abs(x) < 2e-2 { return Float(0.5 + x / 12 - x * x * x / 720) }
            let lambda = 1 / (1 + Foundation.exp(-x))
            return Float(lambda / Foundation.tanh(x / 2) - 1 / x)
        }
    }
}

extension Variable {
    /// log C(η) of the continuous Bernoulli, with d/dη = 1/η − 1/sinh η beside it.
    public func continuousBernoulliLogNormalizer() -> Variable {
        let x = value
        return Variable(x.continuousBernoulliLogNormalizer(), parents: [self]) { g in [g * x.continuousBernoulliLogNormalizerDerivative()] }
    }
}
