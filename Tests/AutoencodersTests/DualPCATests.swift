import Autoencoders
import DataFormats
import Foundation
import Testing
import TestSupport
import Tensors

/// Exact PCA of data wider than long (D > n) goes through the n × n Gram matrix: the same
/// model as the D × D covariance gives, without ever holding D × D.
@Suite struct DualPCAProperties {
    /// The variances are the covariance's top eigenvalues, the axes its eigenvectors (up to sign).
    @Test(arguments: [(12, 40), (30, 31), (5, 400)])
    func dualEqualsTheCovariancesEigenvectors(samples n: Int, features d: Int) throws {
        var generator = RandomGenerator(seed: UInt64(n * d))
        let x = Tensor.randomNormal([n, d], using: &generator) * Tensor((0..<d).map { 0.2 + Float($0 % 7) })
        let k = min(4, n - 1)
        let pca = try PCA.fit(x, configuration: .init(components: .count(k)), using: &generator)
        let mean = x.mean(alongAxis: 0)
        let covariance = gramMatrix(x, centredAt: mean) / Float(n - 1)
        let eigen = try SymmetricEigendecomposition(Matrix(covariance))
        for i in 0..<k {
            let variance = Double(pca.explainedVariance.scalars[i])
            #expect(abs(variance - eigen.eigenvalues[i]) <= 1e-4 * eigen.eigenvalues[0], "λ\(i): \(variance) vs \(eigen.eigenvalues[i])")
            let axis = pca.components.row(i).scalars.map(Double.init)
            let reference = Array(eigen.eigenvectors.values[(i * d)..<((i + 1) * d)])
            let overlap = abs(zip(axis, reference).reduce(0) { $0 + $1.0 * $1.1 })
            #expect(abs(overlap - 1) < 1e-4, "axis \(i): |⟨v, v_ref⟩| = \(overlap)")
        }
        let total = (0..<d).reduce(0.0) { $0 + Double(covariance[$1, $1]) }
        #expect(abs(pca.explainedVarianceRatio.sumInDouble() - eigen.eigenvalues.prefix(k).reduce(0, +) / total) < 1e-5)
    }

    /// n points span n − 1 directions around their mean: n − 1 components reconstruct them
    /// exactly, and every requested axis is a unit vector orthogonal to the others, even those
    /// of zero variance.
    @Test func centredRankIsReconstructedAndAxesAreOrthonormal() throws {
        var generator = RandomGenerator(seed: 3)
        let x = Tensor.randomNormal([6, 50], using: &generator)
        let exact = try PCA.fit(x, configuration: .init(components: .count(5)), using: &generator)
        let scale = x.squared().sumInDouble() / 6
        #expect(try ReconstructionMetrics(exact, samples: x).ssePerSample < 1e-8 * scale)
        let all = try PCA.fit(x, configuration: .init(components: .count(6)), using: &generator)
        #expect(matmul(all.components, all.components, transposeB: true).isApproximatelyEqual(to: eye(6), relativeTolerance: 0, absoluteTolerance: 1e-5))
        #expect(all.explainedVariance.scalars[5] < 1e-5 * all.explainedVariance.scalars[0])
    }

    /// A variance fraction counts the components of the n × n problem.
    @Test func varianceFractionOfWideData() throws {
        var generator = RandomGenerator(seed: 4)
        let x = Tensor.randomNormal([10, 200], using: &generator)
        let pca = try PCA.fit(x, configuration: .init(components: .varianceFraction(0.5)), using: &generator)
        let ratios = pca.explainedVarianceRatio.scalars
        #expect(ratios.reduce(0, +) >= 0.5 - 1e-6 && ratios.dropLast().reduce(0, +) < 0.5)
    }

    /// Beyond the memory limit, the exact solver refuses with its estimate before allocating.
    @Test func theExactSolverChecksTheMemoryLimit() throws {
        var generator = RandomGenerator(seed: 5)
        let x = Tensor.randomNormal([400, 300], using: &generator)
        MemoryBudget.$scoped.withValue(1 << 20) {
            #expect { _ = try PCA.fit(x, configuration: .init(components: .count(2)), using: &generator) } throws: { error in
                "\(error)".contains("the exact solver's 300 × 300 matrix needs 2.1 MiB, more than the memory limit of 1.0 MiB")
            }
            #expect(throws: Never.self) { _ = try PCA.fit(x, configuration: .init(components: .count(2), solver: .randomized), using: &generator) }
        }
    }
}
