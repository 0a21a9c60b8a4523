import CLatentKernels
import Foundation
import Testing
import TestSupport
import Tensors

/// Every backend present on this machine: the built-in kernel at each supported CPU level, and
/// a system BLAS when one is installed.
let backends: [GEMMBackend] = CPULevel.supported.map { GEMMBackend.builtIn($0) } +
    (SystemBLAS.findInstalled().map { [GEMMBackend.systemBLAS($0)] } ?? [])

/// Awkward sizes: 1, primes, and non-multiples of every tile (6, 12 rows; 8, 16, 32 columns;
/// 256 depth).
let awkwardSizes: [(m: Int, n: Int, k: Int)] = [
    (1, 1, 1), (7, 17, 129), (129, 7, 17), (17, 129, 7), (13, 33, 257), (130, 301, 300), (1, 1000, 3), (61, 1, 513),
]

@Suite struct GEMMCorrectness {
    @Test(arguments: backends.indices)
    func matchesDoubleReference(backendIndex: Int) {
        let backend = backends[backendIndex]
        let settings = ComputeSettings(backend: backend, threads: 2)
        for (m, n, k) in awkwardSizes {
            for (transposeA, transposeB) in [(false, false), (false, true), (true, false), (true, true)] {
                let a = randomTensor(transposeA ? [k, m] : [m, k], seed: 1)
                let b = randomTensor(transposeB ? [n, k] : [k, n], seed: 2)
                var c = randomTensor([m, n], seed: 3)
                let expected = referenceGEMM(a, transposeA: transposeA, b, transposeB: transposeB, alpha: 0.75, beta: -0.5, c: c)
                gemm(a, transposeA: transposeA, b, transposeB: transposeB, alpha: 0.75, beta: -0.5, into: &c, settings: settings)
                let error = zip(c.scalars, expected).map { abs(Double($0) - $1) }.max()!
                // Float32 rounding grows like √k for sums of k products of values in [−1, 1].
                #expect(error < 1e-5 * Double(k).squareRoot() + 1e-6,
                        "\(backend): \(m)×\(n)×\(k) transposeA \(transposeA) transposeB \(transposeB): error \(error)")
            }
        }
    }

    @Test(arguments: backends.indices)
    func betaZeroIgnoresGarbageInC(backendIndex: Int) {
        let settings = ComputeSettings(backend: backends[backendIndex], threads: 1)
        let a = randomTensor([9, 5], seed: 4), b = randomTensor([5, 11], seed: 5)
        var c = Tensor(repeating: .nan, shape: [9, 11])
        gemm(a, b, into: &c, settings: settings)
        let finite = c.scalars.allSatisfy { $0.isFinite }
        #expect(finite)
    }

    @Test(arguments: CPULevel.supported)
    func resultsDoNotDependOnThreadCount(level: CPULevel) {
        let a = randomTensor([300, 200], seed: 6), b = randomTensor([200, 500], seed: 7)
        let one = matmul(a, b, settings: ComputeSettings(backend: .builtIn(level), threads: 1))
        for threads in [2, 3, 8] {
            let many = matmul(a, b, settings: ComputeSettings(backend: .builtIn(level), threads: threads))
            #expect(one == many, "\(level) with \(threads) threads differs from one thread")
        }
    }

    @Test func zeroDepthScalesC() {
        var c = Tensor([[1, 2], [3, 4]])
        gemm(Tensor.zeros([2, 0]), Tensor.zeros([0, 2]), beta: 2, into: &c)
        #expect(c == Tensor([[2, 4], [6, 8]]))
    }

    @Test func unsupportedLevelIsAnError() {
        for level in CPULevel.allCases where !CPULevel.supported.contains(level) {
            #expect(throws: TensorError.self) { try GEMMBackend.builtIn(checking: level) }
        }
        #expect(throws: Never.self) { try GEMMBackend.builtIn(checking: .baseline) }
    }

    @Test func missingBLASLibraryIsAClearError() {
        do {
            _ = try SystemBLAS(path: "/nonexistent/libopenblas.so.0")
            Issue.record("loading a missing library succeeded")
        } catch {
            #expect("\(error)".contains("/nonexistent/libopenblas.so.0"))
        }
        // A library that loads but is no BLAS.
        #expect(throws: TensorError.self) { try SystemBLAS(path: "libz.so.1") }
    }

    @Test func innerDimensionMismatchStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Tensor.zeros([2, 3]), Tensor.zeros([4, 2]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("[2, 3]") && message.contains("[4, 2]"), "message was: \(message)")
    }
}

@Suite struct GramMatrices {
    @Test(arguments: [(5, 3), (100, 191), (300, 400), (1, 785)])
    func matchesTheFullProduct(n: Int, d: Int) {
        let a = randomTensor([n, d], seed: UInt64(n + d))
        let full = matmul(a, transposeA: true, a)
        let product = gramMatrix(a)
        #expect(product.isApproximatelyEqual(to: full, relativeTolerance: 1e-5, absoluteTolerance: 1e-5))
        #expect(product == product.transposed())
        // Centred block by block: the same as centring all of A first.
        let mean = a.mean(alongAxis: 0)
        let centred = gramMatrix(a, centredAt: mean, rowsPerBlock: 7)
        #expect(centred.isApproximatelyEqual(to: matmul(a - mean, transposeA: true, a - mean), relativeTolerance: 1e-5, absoluteTolerance: 1e-4))
    }

    /// The built-in syrk computes the same elements as the built-in GEMM, bit for bit, at every
    /// level and for any thread count (bands of the triangle change with the count).
    @Test(arguments: CPULevel.supported)
    func builtInIsBitIdenticalToGEMMForAnyThreadCount(level: CPULevel) {
        let a = randomTensor([517, 301], seed: 9)
        let mean = a.mean(alongAxis: 0)
        let reference = matmul(a - mean, transposeA: true, a - mean, settings: ComputeSettings(backend: .builtIn(level), threads: 1))
        for threads in [1, 2, 3, 8] {
            let settings = ComputeSettings(backend: .builtIn(level), threads: threads)
            let gram = gramMatrix(a, centredAt: mean, rowsPerBlock: 1000, settings: settings)
            for i in 0..<301 {
                for j in i..<301 where gram[i, j] != reference[i, j] {
                    Issue.record("threads \(threads): C[\(i), \(j)] = \(gram[i, j]), GEMM gives \(reference[i, j])")
                    return
                }
            }
        }
    }

    /// Data far from the origin: centring first keeps the covariance accurate where XᵀX − nμμᵀ
    /// would lose every digit in Float32.
    @Test func largeOffsetsDoNotCancel() {
        let noise = randomTensor([400, 3], seed: 4)
        let shifted = noise + 10_000
        let gram = gramMatrix(shifted, centredAt: shifted.mean(alongAxis: 0))
        let expected = gramMatrix(noise, centredAt: noise.mean(alongAxis: 0))
        #expect(gram.isApproximatelyEqual(to: expected, relativeTolerance: 1e-2, absoluteTolerance: 1e-2))
    }

    @Test func bandsSplitTheTriangleEvenly() {
        let bounds = bandBoundaries(784, parts: 2, unit: 16)
        #expect(bounds.first == 0 && bounds.last == 784 && bounds.count == 3)
        // The first band's triangle holds about half of the whole one's area.
        let first = Double(bounds[1] * bounds[1]), whole = Double(784 * 784)
        #expect(abs(first / whole - 0.5) < 0.05)
    }
}

/// The k-means kernels against plain loops, at every level this CPU runs.
@Suite struct ClusteringKernels {
    @Test(arguments: CPULevel.supported)
    func squaredDistancesMatchPlainLoops(level: CPULevel) {
        let (n, d, t) = (37, 29, 7)
        let x = randomTensor([n, d], seed: 1), c = randomTensor([t, d], seed: 2)
        var out = [Float](repeating: 0, count: n * t)
        latent_squared_distances(level.kernelLevel, x.scalars, n, d, c.scalars, t, &out)
        for i in 0..<n {
            for j in 0..<t {
                let expected = (0..<d).reduce(0.0) { $0 + Double(x[i, $1] - c[j, $1]) * Double(x[i, $1] - c[j, $1]) }
                #expect(abs(Double(out[i * t + j]) - expected) < 1e-4, "\(level) [\(i), \(j)]")
            }
        }
    }

    @Test(arguments: CPULevel.supported)
    func clusterSumsMatchPlainLoops(level: CPULevel) {
        let (n, d, k) = (50, 13, 4)
        let x = randomTensor([n, d], seed: 3)
        let labels = (0..<n).map { ($0 * 7) % k }
        var sums = [Double](repeating: 0, count: k * d), counts = [Int](repeating: 0, count: k)
        latent_cluster_sums(level.kernelLevel, x.scalars, n, d, labels, &sums, &counts)
        for c in 0..<k {
            #expect(counts[c] == labels.filter { $0 == c }.count)
            for j in 0..<d {
                let expected = (0..<n).filter { labels[$0] == c }.reduce(0.0) { $0 + Double(x[$1, j]) }
                #expect(abs(sums[c * d + j] - expected) < 1e-9)
            }
        }
    }
}

/// The binary cross-entropy kernel against Double formulas, at every level, over the whole range
/// of logits (including overflow territory for a naive formula).
@Suite struct LossKernels {
    @Test(arguments: CPULevel.supported)
    func binaryCrossEntropyMatchesDouble(level: CPULevel) {
        var generator = RandomGenerator(seed: 5)
        let n = 1003
        let z = (0..<n).map { i -> Float in i < 6 ? [-100, -20, -1e-3, 0, 20, 100][i] : Float(generator.nextNormal() * 6) }
        let t = (0..<n).map { _ in generator.nextUniform() }
        var residual = [Float](repeating: .nan, count: n)
        let total = latent_bce_logits(level.kernelLevel, z, t, &residual, n)
        var expected = 0.0
        for i in 0..<n {
            let (zi, ti) = (Double(z[i]), Double(t[i]))
            expected += max(zi, 0) - zi * ti + log1p(exp(-abs(zi)))
            let sigma = 1 / (1 + exp(-zi))
            #expect(abs(Double(residual[i]) - (sigma - ti)) < 1e-6, "residual at z = \(zi)")
        }
        #expect(abs(total - expected) <= 1e-6 * expected, "\(total) vs \(expected)")
    }
}

@Suite struct BackendChoice {
    /// With AVX2+FMA the built-in kernel is preferred (as fast as OpenBLAS on training shapes,
    /// results independent of the thread count); below that, a system BLAS when installed, else
    /// the built-in kernel. The choice is checked for every CPU level, with and without a BLAS.
    @Test(arguments: CPULevel.allCases, [false, true])
    func autoPrefersTheBuiltInKernelFromAVX2(level: CPULevel, withBLAS: Bool) throws {
        // A real library: CI installs OpenBLAS; elsewhere, without one, the case is moot.
        let blas = withBLAS ? SystemBLAS.findInstalled() : nil
        if withBLAS && blas == nil {
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("CI must install OpenBLAS (libopenblas0-pthread)") }
            return
        }
        var asked = false
        let choice = GEMMBackend.preferred(cpu: level, installedBLAS: { asked = true; return blas })
        switch (choice, level >= .avx2, blas) {
        case (.builtIn(let chosen), true, _): #expect(chosen == level && !asked)
        case (.systemBLAS(let chosen), false, let installed?): #expect(chosen === installed)
        case (.builtIn(let chosen), false, nil): #expect(chosen == level)
        default: Issue.record("\(level) with BLAS \(String(describing: blas)): chose \(choice)")
        }
    }

    @Test func thisMachineGetsTheChoiceForItsCPU() {
        #if !canImport(Accelerate)
        #expect(GEMMBackend.preferred.description == GEMMBackend.preferred(cpu: .detected, installedBLAS: SystemBLAS.findInstalled).description)
        #endif
    }
}
