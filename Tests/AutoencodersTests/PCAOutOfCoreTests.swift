import Autoencoders
import DataFormats
import Foundation
import Testing
import TestSupport
import Tensors

/// PCA of data in 20 NPY shards, read block by block, equals the in-memory fit of the same rows
/// to Float32 precision: mean, axes (unit vectors, compared up to rounding), variances and ratios.
@Suite struct OutOfCorePCA {
    @Test(arguments: [PCA.Configuration(components: .count(5)), PCA.Configuration(components: .varianceFraction(0.9), whiten: true)])
    func twentyShardsGiveTheInMemoryFit(_ configuration: PCA.Configuration) throws {
        // 12 000 rows × 24 features far from zero, with a few strong directions: blocks of 4 096
        // rows cross the shards' boundaries.
        var generator = RandomGenerator(seed: 8)
        let latent = Tensor.randomNormal([12_000, 6], using: &generator)
        let samples = matmul(latent, Tensor.randomNormal([6, 24], standardDeviation: 2, using: &generator))
            + Tensor.randomNormal([12_000, 24], standardDeviation: 0.3, using: &generator) + 40
        let folder = temporaryFolder()
        var start = 0
        for index in 0..<20 {
            let count = index == 19 ? 12_000 - start : 400 + 13 * index
            try NPY.write(samples.rows(start..<(start + count)), to: folder + "/shard-\(String(format: "%02d", index)).npy")
            start += count
        }
        let shards = try NPYShards(folder: folder)
        #expect(shards.shards.count == 20 && shards.rows == 12_000)
        var generatorForFit = RandomGenerator(seed: 1)
        let inMemory = try PCA.fit(samples, configuration: configuration, using: &generatorForFit)
        var reported: [Int] = []
        let outOfCore = try PCA.fit(shards, configuration: configuration, using: &generatorForFit, context: FitContext()) { done, total in
            #expect(total == 24_000)
            reported.append(done)
        }
        #expect(reported.last == 24_000 && reported == reported.sorted())
        #expect(outOfCore.mean.isApproximatelyEqual(to: inMemory.mean, relativeTolerance: 1e-6, absoluteTolerance: 1e-5))
        #expect(outOfCore.codeSize == inMemory.codeSize)
        #expect(outOfCore.components.isApproximatelyEqual(to: inMemory.components, relativeTolerance: 1e-4, absoluteTolerance: 1e-4))
        #expect(outOfCore.explainedVariance.isApproximatelyEqual(to: inMemory.explainedVariance, relativeTolerance: 1e-5, absoluteTolerance: 1e-6))
        #expect(outOfCore.explainedVarianceRatio.isApproximatelyEqual(to: inMemory.explainedVarianceRatio, relativeTolerance: 1e-5, absoluteTolerance: 1e-6))
        #expect(try outOfCore.encode(samples).isApproximatelyEqual(to: try inMemory.encode(samples), relativeTolerance: 1e-3, absoluteTolerance: 1e-3))
    }

    @Test func theRandomizedSolverIsRefused() throws {
        let folder = temporaryFolder()
        try NPY.write(randomTensor([50, 4], seed: 2), to: folder + "/a.npy")
        var generator = RandomGenerator(seed: 1)
        #expect {
            _ = try PCA.fit(try NPYShards(folder: folder), configuration: .init(components: .count(2), solver: .randomized), using: &generator, context: FitContext())
        } throws: {
            "\($0)".contains("uses the exact solver")
        }
    }
}
