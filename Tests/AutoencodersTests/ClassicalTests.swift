import Autoencoders
import DataFormats
import Foundation
import Testing
import TestSupport
import Tensors

/// Samples on a random k-dimensional affine subspace of R^D.
func lowRankData(n: Int, d: Int, rank: Int, seed: UInt64) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    let codes = Tensor.randomNormal([n, rank], using: &generator)
    let basis = Tensor.randomNormal([rank, d], using: &generator)
    return matmul(codes, basis) + Tensor.randomNormal([d], using: &generator)
}

/// Cosines of the principal angles between the row spaces of two k × D matrices with
/// orthonormal rows: the singular values of A·Bᵀ.
func principalCosines(_ a: Tensor, _ b: Tensor) throws -> [Double] {
    let m = Matrix(matmul(a, b, transposeB: true))
    return try SymmetricEigendecomposition(m * m.transposed).eigenvalues.map { max($0, 0).squareRoot() }
}

@Suite struct PCAProperties {
    @Test(arguments: [1, 2, 5])
    func reconstructionIsExactOnRankKData(rank: Int) throws {
        let x = lowRankData(n: 200, d: 12, rank: rank, seed: UInt64(rank))
        var generator = RandomGenerator(seed: 1)
        for solver in PCA.Configuration.Solver.allCases {
            let pca = try PCA.fit(x, configuration: .init(components: .count(rank), solver: solver), using: &generator)
            let metrics = try ReconstructionMetrics(pca, samples: x)
            let scale = x.squared().sumInDouble() / 200
            #expect(metrics.ssePerSample < 1e-8 * scale, "\(solver): sse per sample \(metrics.ssePerSample) (data scale \(scale))")
        }
    }

    @Test func explainedVarianceRatiosSumToOne() throws {
        var generator = RandomGenerator(seed: 2)
        let x = Tensor.randomNormal([300, 7], using: &generator) * Tensor([5, 4, 3, 2, 1, 0.5, 0.1])
        let pca = try PCA.fit(x, configuration: .init(components: .count(7)), using: &generator)
        #expect(abs(pca.explainedVarianceRatio.sumInDouble() - 1) < 1e-5)
        #expect(zip(pca.explainedVariance.scalars, pca.explainedVariance.scalars.dropFirst()).allSatisfy { $0 >= $1 })
        // The components are orthonormal.
        #expect(matmul(pca.components, pca.components, transposeB: true).isApproximatelyEqual(to: eye(7), relativeTolerance: 0, absoluteTolerance: 1e-5))
    }

    @Test func randomizedMatchesExactWithASpectralGap() throws {
        var generator = RandomGenerator(seed: 3)
        let scales = Tensor((0..<40).map { $0 < 5 ? Float(20 - 2 * $0) : 0.5 })
        let x = Tensor.randomNormal([1000, 40], using: &generator) * scales
        let exact = try PCA.fit(x, configuration: .init(components: .count(5)), using: &generator)
        let randomized = try PCA.fit(x, configuration: .init(components: .count(5), solver: .randomized), using: &generator)
        #expect(try principalCosines(exact.components, randomized.components).allSatisfy { $0 > 1 - 1e-5 })
        #expect(exact.explainedVariance.isApproximatelyEqual(to: randomized.explainedVariance, relativeTolerance: 1e-3))
        // The sign convention makes the two agree entry by entry.
        #expect(exact.components.isApproximatelyEqual(to: randomized.components, relativeTolerance: 0, absoluteTolerance: 1e-2))
    }

    @Test func varianceFractionPicksTheFewestComponents() throws {
        var generator = RandomGenerator(seed: 4)
        let x = Tensor.randomNormal([500, 4], using: &generator) * Tensor([10, 3, 1, 0.1])
        let pca = try PCA.fit(x, configuration: .init(components: .varianceFraction(0.95)), using: &generator)
        #expect(pca.codeSize == 2)
        #expect(pca.explainedVarianceRatio.sumInDouble() >= 0.95)
    }

    @Test func whiteningGivesUnitVarianceCodes() throws {
        var generator = RandomGenerator(seed: 5)
        let x = Tensor.randomNormal([2000, 3], using: &generator) * Tensor([4, 2, 1])
        let pca = try PCA.fit(x, configuration: .init(components: .count(3), whiten: true), using: &generator)
        let codes = try pca.encode(x)
        let variance = codes.squared().sum(alongAxis: 0) / 1999
        #expect(variance.isApproximatelyEqual(to: Tensor([1, 1, 1]), relativeTolerance: 1e-3))
        #expect(try pca.reconstruct(x).isApproximatelyEqual(to: x, relativeTolerance: 1e-3, absoluteTolerance: 1e-3))
    }

    @Test func badRequestsAreClearErrors() throws {
        var generator = RandomGenerator(seed: 6)
        let x = Tensor.randomNormal([10, 3], using: &generator)
        #expect(errorText { _ = try PCA.fit(x, configuration: .init(components: .count(4)), using: &generator) }.contains("at most min(samples, features) = 3"))
        #expect(errorText { _ = try PCA.fit(x.rows(0..<1), configuration: .init(components: .count(1)), using: &generator) }.contains("at least 2 samples"))
        // A constant feature is fine, but cannot be whitened.
        let constant = Tensor.concatenate([x, Tensor(repeating: 2, shape: [10, 1])], alongAxis: 1)
        #expect(try PCA.fit(constant, configuration: .init(components: .count(4)), using: &generator).explainedVariance.scalars[3] < 1e-6)
        #expect(errorText { _ = try PCA.fit(constant, configuration: .init(components: .count(4), whiten: true), using: &generator) }.contains("zero variance"))
        #expect(errorText { _ = try PCA.fit(x, configuration: .init(components: .varianceFraction(1.5)), using: &generator) }.contains("(0, 1]"))
    }
}

@Suite struct LinearAutoencoderProperties {
    /// Baldi & Hornik (1989): gradient descent on a linear autoencoder finds PCA's subspace.
    @Test func learnsThePrincipalSubspace() throws {
        var generator = RandomGenerator(seed: 11)
        // Three strong directions, then a gap.
        let x = Tensor.randomNormal([512, 8], using: &generator) * Tensor([3, 2.5, 2, 0.3, 0.2, 0.2, 0.1, 0.1])
            + Tensor.randomNormal([8], using: &generator)
        let pca = try PCA.fit(x, configuration: .init(components: .count(3)), using: &generator)
        let model = try LinearAutoencoder.fit(x, configuration: .init(codeSize: 3, epochs: 300, batchSize: 64, learningRate: 0.01),
                                              using: &generator)
        // Orthonormalise the decoder's columns, then compare subspaces.
        let basis = try QRDecomposition(Matrix(model.decoderWeight)).q.transposed.tensor  // 3 × 8
        let cosines = try principalCosines(pca.components, basis)
        #expect(cosines.allSatisfy { $0 > 0.999 }, "cosines of principal angles: \(cosines)")
        let gap = try ReconstructionMetrics(model, samples: x).ssePerSample / ReconstructionMetrics(pca, samples: x).ssePerSample
        #expect(gap < 1.02, "linear autoencoder error is \(gap)× PCA's")
        #expect(model.lossHistory.last! < model.lossHistory.first!)
    }
}

@Suite struct KMeansProperties {
    @Test(arguments: KMeans.Configuration.Initialization.allCases)
    func inertiaNeverIncreases(initialization: KMeans.Configuration.Initialization) throws {
        var generator = RandomGenerator(seed: 7)
        let x = try SyntheticManifold.blobs.generate(["n": 600, "centers": 8, "dimension": 5, "seed": 2]).dataset.samples
        let model = try KMeans.fit(x, configuration: .init(clusters: 8, initialization: initialization, initializations: 1), using: &generator)
        #expect(model.inertiaHistory.count >= 2)
        #expect(zip(model.inertiaHistory, model.inertiaHistory.dropFirst()).allSatisfy { $1 <= $0 * (1 + 1e-6) })
        #expect(abs(try model.distortion(x) - model.inertia) <= 1e-3 * model.inertia)
    }

    @Test func recoversSeparatedClusters() throws {
        let data = try SyntheticManifold.blobs.generate(["n": 400, "centers": 4, "dimension": 3, "seed": 9]).dataset
        var generator = RandomGenerator(seed: 8)
        let model = try KMeans.fit(data.samples, configuration: .init(clusters: 4), using: &generator)
        let codes = try model.encode(data.samples).scalars.map { Int($0) }
        // Each true cluster maps to one found cluster.
        for label in 0..<4 {
            let found = Set(zip(data.labels!, codes).filter { $0.0 == label }.map(\.1))
            #expect(found.count == 1, "cluster \(label) split into \(found)")
        }
        // Unit-variance blobs: the inertia per sample is about the dimension.
        #expect(abs(model.inertia / 400 - 3) < 0.5)
    }

    @Test func miniBatchComesCloseToLloyd() throws {
        let data = try SyntheticManifold.blobs.generate(["n": 2000, "centers": 5, "dimension": 4, "seed": 12]).dataset
        var generator = RandomGenerator(seed: 13)
        let lloyd = try KMeans.fit(data.samples, configuration: .init(clusters: 5), using: &generator)
        let miniBatch = try KMeans.fit(data.samples, configuration: .init(clusters: 5, algorithm: .miniBatch(batchSize: 100), maximumIterations: 20),
                                       using: &generator)
        #expect(miniBatch.inertia <= 1.05 * lloyd.inertia, "mini-batch \(miniBatch.inertia) vs Lloyd \(lloyd.inertia)")
        #expect(errorText { _ = try KMeans.fit(data.samples, configuration: .init(clusters: 5, algorithm: .miniBatch(batchSize: 0)), using: &generator) }
                .contains("`miniBatchSize` must be at least 1, got 0"))
    }

    @Test func emptyClustersAreRepaired() throws {
        // Duplicated points and more clusters than distinct values.
        let x = Tensor([[0, 0], [0, 0], [0, 0], [10, 10], [10, 10], [20, 0]])
        var generator = RandomGenerator(seed: 9)
        let model = try KMeans.fit(x, configuration: .init(clusters: 3, initialization: .random, initializations: 5), using: &generator)
        #expect(model.inertia < 1e-9)
        #expect(Set(try model.encode(x).scalars).count == 3)
    }

    @Test func badRequestsAreClearErrors() throws {
        var generator = RandomGenerator(seed: 10)
        let x = Tensor.randomNormal([5, 2], using: &generator)
        #expect(errorText { _ = try KMeans.fit(x, configuration: .init(clusters: 6), using: &generator) }.contains("k = 6 clusters need between 1 and 5"))
        let model = try KMeans.fit(x, configuration: .init(clusters: 2), using: &generator)
        #expect(errorText { _ = try model.decode(Tensor([[0.5]])) }.contains("row 0 holds 0.5"))
        #expect(errorText { _ = try model.decode(Tensor([[2]])) }.contains("cluster indices 0…1"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("latent-\(UUID().uuidString).safetensors").path
        try model.save(to: path)
        #expect(errorText { _ = try PCA.load(from: path) }.contains("holds a kmeans model, not pca"))
    }
}

func eye(_ n: Int) -> Tensor { Tensor(shape: [n, n]) { $0 / n == $0 % n ? 1 : 0 } }

func errorText(_ body: () throws -> Void) -> String {
    do { try body(); return "" } catch { return "\(error)" }
}

/// ENCODE of k-means is the nearest centroid, for few centroids (a direct distance kernel) and
/// many (distances through GEMM): checked against brute force in Double.
@Suite struct KMeansAssignment {
    @Test(arguments: [5, 20])
    func encodeIsTheNearestCentroid(clusters: Int) throws {
        let data = try SyntheticManifold.blobs.generate(["n": 600, "centers": 8, "dimension": 7, "seed": 9]).dataset.samples
        var generator = RandomGenerator(seed: 1)
        let model = try KMeans.fit(data, configuration: .init(clusters: clusters, initializations: 1), using: &generator)
        let codes = try model.encode(data)
        var mismatches = 0
        for i in 0..<600 {
            let distances = (0..<clusters).map { c in (0..<7).reduce(0.0) { $0 + pow(Double(data[i, $1] - model.centroids[c, $1]), 2) } }
            let best = distances.indices.min { distances[$0] < distances[$1] }!
            // Float32 rounding may only swap near-ties.
            if Int(codes[i, 0]) != best, distances[Int(codes[i, 0])] - distances[best] > 1e-4 * distances[best] { mismatches += 1 }
        }
        #expect(mismatches == 0)
        // The inertia is the distortion of the training data.
        #expect(abs(model.inertia - (try model.distortion(data))) <= 1e-6 * model.inertia)
    }
}
