import Autoencoders
import DataFormats
import Foundation
import Testing
import Tensors

@Suite struct GaussianMixtures {
    /// Three 2-D Gaussians of known weights, means and covariances.
    static let truth = try! GaussianMixture(
        covariance: .full, weights: [0.5, 0.3, 0.2], means: [[0, 0], [6, 1], [-2, 7]],
        covariances: [Matrix(rows: 2, columns: 2, values: [1, 0.6, 0.6, 1]), Matrix(rows: 2, columns: 2, values: [0.5, 0, 0, 2]),
                      Matrix(rows: 2, columns: 2, values: [1.5, -0.8, -0.8, 1])])

    static func draws(_ count: Int, seed: UInt64 = 1) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return try! truth.sample(count: count, using: &generator)
    }

    /// EM's log-likelihood never decreases (Bishop §9.4), full or diagonal, from any start.
    @Test(arguments: GaussianMixture.Covariance.allCases, [UInt64(1), 2, 3])
    func logLikelihoodNeverDecreases(_ covariance: GaussianMixture.Covariance, seed: UInt64) throws {
        var generator = RandomGenerator(seed: seed)
        let configuration = GaussianMixture.Configuration(covariance: covariance, maximumIterations: 40, tolerance: 0, regularization: 0)
        let run = try GaussianMixture.expectationMaximization(Self.draws(1500), components: 4, configuration: configuration, using: &generator)
        #expect(run.logLikelihoods.count >= 10)
        for (before, after) in zip(run.logLikelihoods, run.logLikelihoods.dropFirst()) {
            #expect(after >= before - 1e-9 * abs(before), "\(run.logLikelihoods)")
        }
    }

    /// From 6000 draws of a known mixture, BIC picks three components and EM recovers the
    /// weights, means and covariances.
    @Test func recoversAKnownMixture() throws {
        var generator = RandomGenerator(seed: 7)
        let (best, criteria) = try GaussianMixture.fit(Self.draws(6000), configuration: .init(maximumComponents: 6), using: &generator)
        #expect(criteria.map(\.components) == Array(1...6))
        let fitted = best.mixture
        #expect(fitted.components == 3, "BIC: \(criteria)")
        #expect(best.converged)
        for (index, mean) in Self.truth.means.enumerated() {
            let match = fitted.means.indices.min { distance(fitted.means[$0], mean) < distance(fitted.means[$1], mean) }!
            #expect(distance(fitted.means[match], mean) < 0.1, "mean \(fitted.means[match]) for \(mean)")
            #expect(abs(fitted.weights[match] - Self.truth.weights[index]) < 0.02)
            let (got, want) = (fitted.covariances[match].values, Self.truth.covariances[index].values)
            #expect(zip(got, want).allSatisfy { abs($0 - $1) < 0.15 }, "covariance \(got) for \(want)")
        }
    }

    /// The log-density is the Gaussian formula: one component against −½(x−μ)ᵀΣ⁻¹(x−μ) − ½log det(2πΣ)
    /// with the inverse and determinant written out for 2 × 2; a mixture's is the log of the
    /// weighted sum of its components' densities.
    @Test func logDensityIsTheGaussianFormula() throws {
        let (a, b, c) = (2.0, 0.7, 1.0)  // Σ = [[a, b], [b, c]]
        let single = try GaussianMixture(covariance: .full, weights: [1], means: [[1, -1]], covariances: [Matrix(rows: 2, columns: 2, values: [a, b, b, c])])
        let points = Tensor([[0, 0], [1, -1], [3, 2]])
        let determinant = a * c - b * b
        for (i, density) in single.logDensity(points).enumerated() {
            let (u, v) = (Double(points[i, 0]) - 1, Double(points[i, 1]) + 1)
            let quadratic = (c * u * u - 2 * b * u * v + a * v * v) / determinant
            #expect(abs(density - (-0.5 * quadratic - 0.5 * log(4 * Double.pi * Double.pi * determinant))) < 1e-9)
        }
        let truth = Self.truth
        let joint = truth.componentLogDensities(points)
        for (i, density) in truth.logDensity(points).enumerated() {
            #expect(abs(density - log((0..<3).map { exp(joint[i * 3 + $0]) }.reduce(0, +))) < 1e-9)
        }
    }

    /// Draws have the mixture's mean and covariance (law of total variance), and a diagonal
    /// mixture ignores off-diagonal entries it is given.
    @Test func drawsHaveTheMixturesMoments() throws {
        let x = Self.draws(100_000, seed: 3)
        let truth = Self.truth
        let mean = (0..<2).map { j in (0..<3).reduce(0.0) { $0 + truth.weights[$1] * truth.means[$1][j] } }
        let sampleMean = x.mean(alongAxis: 0).scalars.map(Double.init)
        #expect(zip(sampleMean, mean).allSatisfy { abs($0 - $1) < 0.05 }, "\(sampleMean) vs \(mean)")
        var second = [[Double]](repeating: [0, 0], count: 2)
        for k in 0..<3 { for i in 0..<2 { for j in 0..<2 {
            second[i][j] += truth.weights[k] * (truth.covariances[k][i, j] + truth.means[k][i] * truth.means[k][j])
        } } }
        let centred = x - x.mean(alongAxis: 0)
        let covariance = matmul(centred, transposeA: true, centred) / Float(x.rows)
        for i in 0..<2 { for j in 0..<2 {
            #expect(abs(Double(covariance[i, j]) - (second[i][j] - mean[i] * mean[j])) < 0.15)
        } }
        let diagonal = try GaussianMixture(covariance: .diagonal, weights: [1], means: [[0, 0]], covariances: [Matrix(rows: 2, columns: 2, values: [1, 0.9, 0.9, 1])])
        #expect(diagonal.covariances[0].values == [1, 0, 0, 1])
    }

    /// Same seed, same mixture, bit for bit (the M-step's sums run over fixed blocks of points).
    @Test func fitsAreDeterministic() throws {
        let x = Self.draws(9000)
        func fit() throws -> GaussianMixture {
            var generator = RandomGenerator(seed: 11)
            return try GaussianMixture.fit(x, configuration: .init(components: 3), using: &generator).best.mixture
        }
        #expect(try fit() == fit())
    }

    /// A code density survives its model file: Float32 tensors, a density equal to the
    /// original to Float precision; a broken factor is an error naming the tensor.
    @Test func codeDensityRoundTripsThroughAModelFile() throws {
        var file = SafeTensorsFile()
        try file.setCodeDensity(.gaussianMixture(Self.truth), info: .init(kind: .gaussianMixture, data: "points", samples: 6000))
        let read = try SafeTensorsFile.parse(try file.encode(), file: "m.safetensors")
        guard case .gaussianMixture(let mixture)? = try read.codeDensity(file: "m.safetensors") else { Issue.record("no mixture"); return }
        let points = Self.draws(50)
        #expect(zip(mixture.logDensity(points), Self.truth.logDensity(points)).allSatisfy { abs($0 - $1) < 1e-4 })
        try file.setCodeDensity(.categorical([0.25, 0.75]), info: .init(kind: .categorical))
        #expect(try SafeTensorsFile.parse(try file.encode(), file: "m").codeDensity(file: "m") == .categorical([0.25, 0.75]))
        #expect(file.tensors.map(\.name) == ["code_density.weights"])

        try file.setCodeDensity(.gaussianMixture(Self.truth), info: .init(kind: .gaussianMixture))
        let index = file.tensors.firstIndex { $0.name == "code_density.cholesky_factors" }!
        var factors = file.tensors[index].tensor.scalars
        factors[3] = -1
        file.tensors[index].tensor = try Tensor(shape: [3, 2, 2], scalars: factors)
        #expect { _ = try file.codeDensity(file: "m") } throws: { "\($0)".contains("cholesky_factors") && "\($0)".contains("component 0") }
    }

    @Test func badConfigurationsAreClearErrors() throws {
        var generator = RandomGenerator(seed: 0)
        let x = Self.draws(10)
        for (configuration, message) in [(GaussianMixture.Configuration(components: 0), "`components` must be at least 1, got 0"),
                                         (.init(components: 20), "at least 20 samples"), (.init(maximumIterations: 0), "`maximumIterations` must be at least 1"),
                                         (.init(tolerance: -1), "`tolerance` must be at least 0"), (.init(regularization: .nan), "`regularization`")] {
            #expect { _ = try GaussianMixture.fit(x, configuration: configuration, using: &generator) } throws: { "\($0)".contains(message) }
        }
        #expect { _ = try GaussianMixture(covariance: .full, weights: [0.5, 0.6], means: [[0], [1]], covariances: [.identity(1), .identity(1)]) }
            throws: { "\($0)".contains("sum to 1") }
    }

    private func distance(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }
}
