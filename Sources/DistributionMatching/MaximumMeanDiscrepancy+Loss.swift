import Tensors

extension MaximumMeanDiscrepancy {
    /// MMD² of the rows of `x` (`n × d`) and `y` (`m × d`) as a differentiable graph: what the
    /// Wasserstein autoencoder adds to its loss to pull a batch's codes toward prior samples
    /// (Tolstikhin et al. 2018, algorithm 2). Squared distances come from one product each,
    /// ‖a‖² + ‖b‖² − 2a·b; the unbiased form masks the within-set diagonals out.
    /// - Throws: when the sets are not matrices of one width, or the unbiased estimate lacks the
    ///   two rows a set it needs (as ``squared(_:_:kernel:estimator:)`` does).
    public static func loss(_ x: Variable, _ y: Variable, kernel: Kernel, estimator: Estimator = .unbiased) throws -> Variable {
        guard x.shape.count == 2, y.shape.count == 2, x.shape[1] == y.shape[1] else {
            throw MatchingError("MMD² loss: the sets must be matrices of one width, got shapes \(x.shape) and \(y.shape)")
        }
        let (n, m) = (x.shape[0], y.shape[0])
        guard n >= (estimator == .unbiased ? 2 : 1), m >= (estimator == .unbiased ? 2 : 1) else {
            throw MatchingError("MMD² loss: the \(estimator) estimate needs at least \(estimator == .unbiased ? 2 : 1) rows a set, got \(n) and \(m)")
        }
        func sum(_ a: Variable, _ b: Variable, skipDiagonal: Bool) -> Variable {
            let (rows, columns) = (a.shape[0], b.shape[0])
            let squared = a.squared().sum(alongAxis: 1).reshaped([rows, 1]) + b.squared().sum(alongAxis: 1).reshaped([1, columns])
                - matmul(a, b, transposeB: true) * 2
            var values = apply(kernel, to: squared)
            if skipDiagonal { values = values * Variable(offDiagonalMask(rows)) }
            return values.sum()
        }
        let unbiased = estimator == .unbiased
        let (fn, fm) = (Float(n), Float(m))
        let xx = sum(x, x, skipDiagonal: unbiased) / (unbiased ? fn * (fn - 1) : fn * fn)
        let yy = sum(y, y, skipDiagonal: unbiased) / (unbiased ? fm * (fm - 1) : fm * fm)
        return xx + yy - sum(x, y, skipDiagonal: false) * (2 / (fn * fm))
    }

    /// k applied to a matrix of squared distances.
    static func apply(_ kernel: Kernel, to squared: Variable) -> Variable {
        switch kernel {
        case .gaussian(let sigma):
            return (squared * Float(-1 / (2 * sigma * sigma))).exp()
        case .multiScaleGaussian(let sigmas):
            return sigmas.dropFirst().reduce((squared * Float(-1 / (2 * sigmas[0] * sigmas[0]))).exp()) { total, sigma in
                total + (squared * Float(-1 / (2 * sigma * sigma))).exp()
            }
        case .inverseMultiquadric(let scales):
            return scales.dropFirst().reduce((squared + Float(scales[0])).pow(-1) * Float(scales[0])) { total, c in
                total + (squared + Float(c)).pow(-1) * Float(c)
            }
        }
    }

    /// 1 off the diagonal, 0 on it (`n × n`).
    static func offDiagonalMask(_ n: Int) -> Tensor {
        var mask = Tensor(repeating: 1, shape: [n, n])
        mask.withUnsafeMutableBufferPointer { p in for i in 0..<n { p[i * n + i] = 0 } }
        return mask
    }
}
