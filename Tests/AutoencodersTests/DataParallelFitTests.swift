import Autoencoders
import Collectives
import DataFormats
import Foundation
import Testing
import TestSupport
import Tensors

/// PCA and k-means with their sums cut into parts: the same parts give the same model on 1, 2
/// or 4 processes (threads here, MPI's processes in the command's tests), close to the serial fit.
@Suite struct DataParallelFits {
    static func samples() -> Tensor {
        var generator = RandomGenerator(seed: 21)
        let codes = Tensor.randomNormal([2_003, 3], using: &generator)
        return matmul(codes, Tensor.randomNormal([3, 9], using: &generator)) + Tensor.randomNormal([2_003, 9], standardDeviation: 0.3, using: &generator) + 40
    }

    @Test(arguments: [2, 4])
    func pcaInPartsIsTheSameOnAnyNumberOfProcesses(processes: Int) throws {
        let x = Self.samples()
        let configuration = PCA.Configuration(components: .count(3))
        var generator = RandomGenerator(seed: 0)
        let one = try PCA.fit(x, configuration: configuration, using: &generator, context: FitContext(parts: try PartTree(SingleProcess(), parts: 4)))
        let many = try ThreadedProcesses(size: processes).run { communicator in
            var generator = RandomGenerator(seed: 0)
            return try PCA.fit(x, configuration: configuration, using: &generator, context: FitContext(parts: try PartTree(communicator, parts: 4)))
        }
        for model in many {
            #expect(model.components.scalars.map(\.bitPattern) == one.components.scalars.map(\.bitPattern))
            #expect(model.mean.scalars.map(\.bitPattern) == one.mean.scalars.map(\.bitPattern))
        }
        generator = RandomGenerator(seed: 1)
        let serial = try PCA.fit(x, configuration: configuration, using: &generator)
        #expect(one.explainedVarianceRatio.scalars.elementsEqual(serial.explainedVarianceRatio.scalars) { abs($0 - $1) < 1e-5 })
        #expect(zip(one.mean.scalars, serial.mean.scalars).allSatisfy { abs($0 - $1) <= 1e-5 * abs($1) })
        // The same axes (their signs are fixed: largest entry positive).
        #expect(zip(one.components.scalars, serial.components.scalars).allSatisfy { abs($0 - $1) < 1e-4 })
    }

    @Test(arguments: [2, 4])
    func kMeansInPartsIsTheSameOnAnyNumberOfProcesses(processes: Int) throws {
        let x = Self.samples()
        let configuration = KMeans.Configuration(clusters: 5, initializations: 2)
        var generator = RandomGenerator(seed: 3)
        let one = try KMeans.fit(x, configuration: configuration, using: &generator, context: FitContext(parts: try PartTree(SingleProcess(), parts: 4)))
        let many = try ThreadedProcesses(size: processes).run { communicator in
            var generator = RandomGenerator(seed: 3)
            return try KMeans.fit(x, configuration: configuration, using: &generator, context: FitContext(parts: try PartTree(communicator, parts: 4)))
        }
        for model in many {
            #expect(model.centroids.scalars.map(\.bitPattern) == one.centroids.scalars.map(\.bitPattern))
            #expect(model.inertiaHistory == one.inertiaHistory)
        }
        generator = RandomGenerator(seed: 3)
        let serial = try KMeans.fit(x, configuration: configuration, using: &generator)
        #expect(abs(one.inertia - serial.inertia) <= 1e-6 * serial.inertia)
        #expect(throws: AutoencoderError.self) {
            var g = RandomGenerator(seed: 3)
            _ = try KMeans.fit(x, configuration: KMeans.Configuration(clusters: 5, algorithm: .miniBatch(batchSize: 100)), using: &g,
                               context: FitContext(parts: try PartTree(SingleProcess(), parts: 2)))
        }
    }
}

/// Incremental PCA against scikit-learn's `IncrementalPCA` with the same batches, on a
/// spectrum without a gap (where the incremental axes differ from the exact ones, so agreeing
/// means following the same algorithm): the same axes, variances and ratios to float precision.
/// Runs where python3 has scikit-learn (CI installs it).
@Test(.enabled(if: pythonCanImport("sklearn"), "needs python3 with scikit-learn"), arguments: [50, 128])
func incrementalPCAIsScikitLearns(batchRows: Int) throws {
    var generator = RandomGenerator(seed: 31)
    let scales = Tensor((0..<12).map { Float(4 * pow(0.8, Double($0))) })
    let x = matmul(Tensor.randomNormal([1_030, 12], using: &generator) * scales, Tensor.randomNormal([12, 20], using: &generator)) + 3
    let path = temporaryPath("incremental.npy")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try NPY.write(x, to: path)
    let configuration = PCA.Configuration(components: .count(4), solver: .incremental)
    let ours = try PCA.fitIncrementally(columns: 20, rows: 1_030, configuration: configuration, batchRows: batchRows) { body in try body(x) }
    let script = """
        import json, numpy as np
        from sklearn.decomposition import IncrementalPCA
        x = np.load('\(path)').astype(np.float64)
        p = IncrementalPCA(n_components=4, batch_size=\(batchRows)).fit(x)
        print(json.dumps({"components": p.components_.ravel().tolist(), "variance": p.explained_variance_.tolist(),
                          "ratio": p.explained_variance_ratio_.tolist(), "mean": p.mean_.tolist()}))
        """
    let result = try runProcess("python3", ["-c", script])
    #expect(result.status == 0, "\(result.errors)")
    let reference = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: [Double]])
    let gap = zip(ours.explainedVariance.scalars, try #require(reference["variance"])).map { abs(Double($0) - $1) / $1 }.max()!
    #expect(gap < 1e-4, "variances differ by \(gap) relative")
    let axes = zip(ours.components.scalars, try #require(reference["components"])).map { abs(Double($0) - $1) }.max()!
    #expect(axes < 1e-3, "axes differ by \(axes)")
    #expect(zip(ours.explainedVarianceRatio.scalars, try #require(reference["ratio"])).allSatisfy { abs(Double($0) - $1) < 1e-5 })
    #expect(zip(ours.mean.scalars, try #require(reference["mean"])).allSatisfy { abs(Double($0) - $1) < 1e-4 })
    // The exact axes differ: without a gap, the incremental result is the algorithm's own.
    var g = RandomGenerator(seed: 1)
    let exact = try PCA.fit(x, configuration: PCA.Configuration(components: .count(4)), using: &g)
    #expect(zip(exact.components.scalars, ours.components.scalars).map { abs($0 - $1) }.max()! > 10 * Float(axes))
}

/// Incremental PCA (Ross et al. 2008) against the exact solver: the same axes and variances
/// on data of a few strong directions, whatever the batch size; ratios of the whole variance.
@Suite struct IncrementalPCA {
    @Test(arguments: [7, 64, 1_000])
    func incrementalAxesMatchTheExactOnes(batchRows: Int) throws {
        var generator = RandomGenerator(seed: 12)
        // Four strong directions, then a gap: each update keeps k = 4 directions of k + m + 1,
        // and what it drops (Ross et al. 2008, §3.2) is small only when the spectrum has a gap.
        let scales = Tensor([5, 3, 2, 1, 0.15, 0.1])
        let codes = Tensor.randomNormal([1_500, 6], using: &generator) * scales
        let basis = try QRDecomposition(Matrix(Tensor.randomNormal([40, 6], using: &generator))).q
        let x = matmul(codes, Tensor(shape: [6, 40]) { Float(basis.values[($0 % 40) * basis.columns + $0 / 40]) })
            + Tensor.randomNormal([1_500, 40], standardDeviation: 0.05, using: &generator) + 7
        let configuration = PCA.Configuration(components: .count(4))
        var g = RandomGenerator(seed: 1)
        let exact = try PCA.fit(x, configuration: configuration, using: &g)
        let incremental = try PCA.fitIncrementally(columns: 40, rows: 1_500, configuration: PCA.Configuration(components: .count(4), solver: .incremental),
                                                   batchRows: batchRows) { body in
            for start in stride(from: 0, to: 1_500, by: 333) { try body(x.rows(start..<min(1_500, start + 333))) }
        }
        let axisError = zip(incremental.components.scalars, exact.components.scalars).map { abs($0 - $1) }.max()!
        #expect(axisError < 1e-3, "batches of \(batchRows): axes differ by \(axisError)")
        #expect(zip(incremental.explainedVariance.scalars, exact.explainedVariance.scalars).allSatisfy { abs($0 - $1) <= 1e-3 * $1 })
        #expect(zip(incremental.explainedVarianceRatio.scalars, exact.explainedVarianceRatio.scalars).allSatisfy { abs($0 - $1) < 1e-4 })
        #expect(zip(incremental.mean.scalars, exact.mean.scalars).allSatisfy { abs($0 - $1) < 1e-4 })
        #expect(throws: AutoencoderError.self) {
            _ = try PCA.fit(x, configuration: PCA.Configuration(components: .varianceFraction(0.9), solver: .incremental), using: &g)
        }
    }
}
