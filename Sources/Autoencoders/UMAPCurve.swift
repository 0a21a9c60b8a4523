import Foundation

/// UMAP's similarity of codes at distance x, 1 / (1 + a·x^(2b)), with a and b fitted so that it
/// approximates the fuzzy set Ψ(x) = 1 for x < min_dist, exp(−(x − min_dist)/spread) beyond
/// (McInnes, Healy & Melville 2018, §3.2 and Definition 11): least squares on 300 points evenly
/// spaced over [0, 3·spread] by Levenberg–Marquardt from a = b = 1, as umap-learn's
/// `find_ab_params` fits them with SciPy's `curve_fit`. For min_dist 0.1 and spread 1 (UMAP's
/// defaults) a ≈ 1.577, b ≈ 0.895.
public struct UMAPCurve: Sendable, Equatable, Codable {
    public let a: Double, b: Double

    /// The curve fitted to Ψ of `minimumDistance` and `spread` (minimumDistance ≥ 0, spread > 0).
    public init(minimumDistance: Double, spread: Double) {
        let xs = (0..<300).map { 3 * spread * Double($0) / 299 }
        let ys = xs.map { $0 < minimumDistance ? 1 : Foundation.exp(-($0 - minimumDistance) / spread) }
        func residuals(_ a: Double, _ b: Double) -> [Double] {
            zip(xs, ys).map { x, y in 1 / (1 + a * Foundation.pow(x, 2 * b)) - y }
        }
        func cost(_ r: [Double]) -> Double { r.reduce(0) { $0 + $1 * $1 } }
        var (a, b, damping) = (1.0, 1.0, 1e-3)
        var r = residuals(a, b)
        for _ in 0..<500 {
            // Gauss–Newton's normal equations (JᵀJ + λ·diag(JᵀJ)) δ = −Jᵀr, J by columns.
            var (jaa, jab, jbb, ga, gb) = (0.0, 0.0, 0.0, 0.0, 0.0)
            for (index, x) in xs.enumerated() where x > 0 {
                let power = Foundation.pow(x, 2 * b), denominator = (1 + a * power) * (1 + a * power)
                let da = -power / denominator, db = -a * power * 2 * Foundation.log(x) / denominator
                (jaa, jab, jbb) = (jaa + da * da, jab + da * db, jbb + db * db)
                (ga, gb) = (ga + da * r[index], gb + db * r[index])
            }
            var improved = false
            while damping < 1e12 {
                let (m11, m22) = (jaa * (1 + damping), jbb * (1 + damping))
                let determinant = m11 * m22 - jab * jab
                let stepA = -(m22 * ga - jab * gb) / determinant, stepB = -(m11 * gb - jab * ga) / determinant
                let trial = residuals(a + stepA, b + stepB)
                if cost(trial) < cost(r) {
                    (a, b, r) = (a + stepA, b + stepB, trial)
                    damping = Swift.max(damping / 10, 1e-12)
                    improved = abs(stepA) > 1e-14 * abs(a) || abs(stepB) > 1e-14 * abs(b)
                    break
                }
                damping *= 10
            }
            if !improved { break }
        }
        (self.a, self.b) = (a, b)
    }

    /// 1 / (1 + a·x^(2b)) at distance x.
    public func similarity(distance x: Double) -> Double { 1 / (1 + a * Foundation.pow(x, 2 * b)) }
}
