import DataFormats
import Tensors

extension PCA {
    /// Bytes of an exact fit of `n` samples of `d` features beyond the data: the m × m matrix
    /// (m = min(n, D)) in Float32, its Double copy and the eigensolver's work matrix, and for
    /// wide data the centred copy.
    static func exactMemory(samples n: Int, features d: Int) -> Int {
        let m = min(n, d)
        let (square, overflow) = m.multipliedReportingOverflow(by: m)
        guard !overflow else { return .max }
        let matrices = square.multipliedReportingOverflow(by: 2 * MemoryLayout<Float>.size + 2 * MemoryLayout<Double>.size)
        return matrices.overflow ? .max : matrices.partialValue + (d > n ? n * d * MemoryLayout<Float>.size : 0)
    }

    /// Refuses an exact fit whose matrices would not fit the memory limit, with the estimate.
    static func checkExactMemory(samples n: Int, features d: Int) throws {
        let bytes = exactMemory(samples: n, features: d)
        guard MemoryBudget.exceeds(bytes) else { return }
        let m = min(n, d)
        throw AutoencoderError("PCA: " + MemoryBudget.refusal(bytes, for: "the exact solver's \(m) × \(m) matrix")
                               + "; the randomized or incremental `solver` needs no such matrix")
    }

    /// The exact fit of wide data (`samples: n × D`, D > n) from the n × n Gram matrix
    /// K = X̃X̃ᵀ of the centred samples X̃ (dual PCA): X̃ᵀX̃ and X̃X̃ᵀ share their non-zero
    /// eigenvalues, and each unit eigenvector u of K with eigenvalue λ > 0 gives the principal
    /// axis v = X̃ᵀu / √λ (Bishop 2006, Pattern Recognition and Machine Learning, §12.1.4,
    /// eq. 12.30). Memory and time grow with n² and n²·D, never with D².
    static func fittedDual(_ samples: Tensor, mean: Tensor, configuration: Configuration, settings: ComputeSettings) throws -> PCA {
        let (n, d) = (samples.shape[0], samples.shape[1])
        let centred = samples - mean
        let gram = matmul(centred, centred, transposeB: true, settings: settings) / Float(n - 1)
        let totalVariance = (0..<n).reduce(0.0) { $0 + Double(gram[$1, $1]) }
        let eigen = try SymmetricEigendecomposition(Matrix(gram), vectorsFor: configuration.components.count(totalVariance: totalVariance))
        let k = eigen.eigenvectors.rows
        let u = try Tensor(shape: [k, n], scalars: eigen.eigenvectors.values.map(Float.init))
        // Rows of UX̃ are the axes up to their lengths; normalised, and orthogonalised in Double
        // against the earlier ones, so that axes of (near-)zero variance stay orthonormal too.
        let products = matmul(u, centred, settings: settings)
        var axes: [[Double]] = []
        for i in 0..<k {
            var v = (0..<d).map { Double(products[i, $0]) }
            for previous in axes {
                let overlap = zip(v, previous).reduce(0) { $0 + $1.0 * $1.1 }
                for j in 0..<d { v[j] -= overlap * previous[j] }
            }
            var norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm <= 1e-12 {
                // No variance left along any new direction: the first coordinate axis not yet spanned.
                v = [Double](repeating: 0, count: d)
                v[axes.count % d] = 1
                for previous in axes {
                    let overlap = previous[axes.count % d]
                    for j in 0..<d { v[j] -= overlap * previous[j] }
                }
                norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            }
            axes.append(v.map { $0 / norm })
        }
        return try fitted(mean: mean, axes: axes, variances: Array(eigen.eigenvalues.prefix(k)).map { max($0, 0) },
                          totalVariance: totalVariance, configuration: configuration)
    }
}

extension PCA.Configuration.Components {
    /// How many eigenvectors to keep once the eigenvalues (λ₁ ≥ … ≥ λₙ, variances) are known.
    func count(totalVariance: Double) -> ([Double]) -> Int {
        { eigenvalues in
            switch self {
            case .count(let count): return count
            case .varianceFraction(let fraction):
                var cumulative = 0.0
                let ratios = eigenvalues.map { max($0, 0) / max(totalVariance, .leastNormalMagnitude) }
                return (ratios.firstIndex { cumulative += $0; return cumulative >= fraction - 1e-12 } ?? (ratios.count - 1)) + 1
            }
        }
    }
}
