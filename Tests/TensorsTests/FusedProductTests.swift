import Testing
import TestSupport
import Tensors

/// The fused products against the unfused compositions they replace, bit for bit, at every
/// instruction-set level this machine runs (each forced in turn), on one thread and on three.
@Suite struct FusedProducts {
    static let activations: [EpilogueActivation] = [.linear, .sigmoid, .relu, .leakyRelu(slope: 0.01)]
    /// The awkward sizes of the GEMM tests, an empty depth, and a deep product (several depth blocks).
    static let sizes = awkwardSizes + [(5, 9, 0), (24, 40, 600)]
    static let transposes = [(false, false), (false, true), (true, false), (true, true)]

    static func settings(_ level: CPULevel, threads: Int) -> ComputeSettings {
        ComputeSettings(backend: .builtIn(level), threads: threads, cpuLevel: level)
    }

    static func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }

    /// Copies of the bias, the plain product with β = 1 (β = 0 without a bias), then f in place.
    static func unfusedAffine(_ x: Tensor, transposeA: Bool, _ w: Tensor, transposeB: Bool, bias: Tensor?,
                              activation: EpilogueActivation, level: CPULevel) -> Tensor {
        let m = transposeA ? x.shape[1] : x.shape[0], n = transposeB ? w.shape[0] : w.shape[1]
        var y = bias.map { Tensor(repeatingRow: $0, count: m) } ?? .uninitialized([m, n])
        gemm(x, transposeA: transposeA, w, transposeB: transposeB, beta: bias == nil ? 0 : 1, into: &y,
             settings: settings(level, threads: 1))
        return activate(y, activation, level: level)
    }

    /// f in place as the unfused kernels apply it.
    static func activate(_ x: Tensor, _ activation: EpilogueActivation, level: CPULevel) -> Tensor {
        var y = x
        y.withUnsafeMutableBufferPointer { v in
            guard let base = v.baseAddress else { return }
            switch activation {
            case .linear: break
            case .sigmoid: Kernels.sigmoid(level: level, base, count: v.count)
            case .relu: Kernels.relu(base, count: v.count)
            case .leakyRelu(let slope): for i in v.indices where v[i] < 0 { v[i] *= slope }
            }
        }
        return y
    }

    @Test(arguments: CPULevel.supported)
    func affineProductIsBiasProductThenActivation(level: CPULevel) {
        for (m, n, k) in Self.sizes {
            for (transposeA, transposeB) in Self.transposes {
                // Values up to ±8 reach σ's flat tails and both signs of every rectifier.
                let x = randomTensor(transposeA ? [k, m] : [m, k], lower: -8, upper: 8, seed: 1)
                let w = randomTensor(transposeB ? [n, k] : [k, n], seed: 2)
                for bias in [nil, randomTensor([n], lower: -4, upper: 4, seed: 3)] {
                    for activation in Self.activations {
                        let expected = Self.unfusedAffine(x, transposeA: transposeA, w, transposeB: transposeB, bias: bias,
                                                          activation: activation, level: level)
                        for threads in [1, 3] {
                            let fused = affineProduct(x, transposeA: transposeA, w, transposeB: transposeB, bias: bias,
                                                      activation: activation, settings: Self.settings(level, threads: threads))
                            #expect(Self.bits(fused) == Self.bits(expected),
                                    "\(level) \(m)×\(n)×\(k) transposeA \(transposeA) transposeB \(transposeB) bias \(bias != nil) \(activation) threads \(threads)")
                        }
                    }
                }
            }
        }
    }

    @Test(arguments: CPULevel.supported)
    func affineProductOfLayerShapes(level: CPULevel) {
        // A batch through the first layer of the deep autoencoder: every tile whole, two threads.
        let x = randomTensor([128, 784], lower: 0, upper: 1, seed: 4), w = randomTensor([1000, 784], lower: -0.05, upper: 0.05, seed: 5)
        let bias = randomTensor([1000], seed: 6)
        let fused = affineProduct(x, w, transposeB: true, bias: bias, activation: .sigmoid, settings: Self.settings(level, threads: 2))
        let expected = Self.unfusedAffine(x, transposeA: false, w, transposeB: true, bias: bias, activation: .sigmoid, level: level)
        #expect(Self.bits(fused) == Self.bits(expected))
    }

    @Test(arguments: CPULevel.supported)
    func adamStepIsTheProductThenTheUpdate(level: CPULevel) {
        let constants = AdamConstants(beta1: 0.9, beta2: 0.999, stepSize: 0.003, epsilonHat: 1e-8, decay: 1e-4)
        for (m, n, k) in Self.sizes {
            for (transposeA, transposeB) in Self.transposes {
                let a = randomTensor(transposeA ? [k, m] : [m, k], seed: 7), b = randomTensor(transposeB ? [n, k] : [k, n], seed: 8)
                let theta = randomTensor([m, n], seed: 9), first = randomTensor([m, n], lower: -0.1, upper: 0.1, seed: 10)
                let second = randomTensor([m, n], lower: 0, upper: 0.01, seed: 11)
                // The unfused composition: the gradient, then the update over it.
                let gradient = matmul(a, transposeA: transposeA, b, transposeB: transposeB, settings: Self.settings(level, threads: 1))
                var (expectedTheta, expectedFirst, expectedSecond) = (theta, first, second)
                expectedTheta.withUnsafeMutableBufferPointer { p in
                    expectedFirst.withUnsafeMutableBufferPointer { m1 in
                        expectedSecond.withUnsafeMutableBufferPointer { m2 in
                            gradient.withUnsafeBufferPointer { g in
                                guard let p = p.baseAddress, let g = g.baseAddress else { return }
                                Kernels.adamUpdate(level: level, parameters: p, gradient: g, firstMoment: m1.baseAddress!, secondMoment: m2.baseAddress!,
                                                   count: gradient.count, beta1: constants.beta1, beta2: constants.beta2, stepSize: constants.stepSize,
                                                   epsilonHat: constants.epsilonHat, decay: constants.decay)
                            }
                        }
                    }
                }
                for threads in [1, 3] {
                    var (fusedTheta, fusedFirst, fusedSecond) = (theta, first, second)
                    adamStep(gradientProduct: a, transposeA: transposeA, b, transposeB: transposeB, parameters: &fusedTheta,
                             firstMoment: &fusedFirst, secondMoment: &fusedSecond, constants: constants, settings: Self.settings(level, threads: threads))
                    let same = Self.bits(fusedTheta) == Self.bits(expectedTheta) && Self.bits(fusedFirst) == Self.bits(expectedFirst)
                        && Self.bits(fusedSecond) == Self.bits(expectedSecond)
                    #expect(same, "\(level) \(m)×\(n)×\(k) transposeA \(transposeA) transposeB \(transposeB) threads \(threads)")
                }
            }
        }
    }

    @Test(arguments: CPULevel.supported)
    func pullbackAndColumnSumsAreThePassesTheyReplace(level: CPULevel) {
        for (rows, columns) in [(1, 1), (7, 33), (3, 17), (128, 1000), (61, 250)] {
            let g = randomTensor([rows, columns], seed: 12)
            let preActivation = randomTensor([rows, columns], lower: -6, upper: 6, seed: 13)
            for activation in Self.activations {
                let y = Self.activate(preActivation, activation, level: level)
                // δ as the layers' pullbacks form it, then the column sums as `sum(alongAxis: 0)` forms them.
                let delta: Tensor = switch activation {
                case .linear: g
                case .sigmoid: try! Tensor(shape: g.shape, scalars: zip(g.scalars, y.scalars).map { g, y in g * y * (1 - y) })
                case .relu: try! Tensor(shape: g.shape, scalars: zip(g.scalars, y.scalars).map { g, y in y > 0 ? g : 0 })
                case .leakyRelu(let slope): try! Tensor(shape: g.shape, scalars: zip(g.scalars, y.scalars).map { g, y in y > 0 ? g : g * slope })
                }
                let sums = delta.sum(alongAxis: 0)
                for threads in [1, 3] {
                    let fused = pullbackWithColumnSums(activation, output: y, gradient: g, settings: Self.settings(level, threads: threads))
                    let same = Self.bits(fused.delta) == Self.bits(delta) && Self.bits(fused.columnSums) == Self.bits(sums)
                    #expect(same, "\(level) \(rows)×\(columns) \(activation) threads \(threads)")
                }
            }
        }
    }

    @Test func sigmoidOfAValueDoesNotDependOnWhereItLies() {
        // The vector path and the padded tail give a value the same σ.
        for level in CPULevel.supported {
            let x = randomTensor([37], lower: -20, upper: 20, seed: 14)
            var whole = x
            whole.withUnsafeMutableBufferPointer { Kernels.sigmoid(level: level, $0.baseAddress!, count: $0.count) }
            for start in 0..<x.count {
                var one = [x.scalars[start]]
                one.withUnsafeMutableBufferPointer { Kernels.sigmoid(level: level, $0.baseAddress!, count: 1) }
                #expect(one[0].bitPattern == whole.scalars[start].bitPattern, "\(level): σ(\(x.scalars[start]))")
            }
        }
    }

    @Test func mixedLevelsRunTheUnfusedComposition() {
        // A product at one level and elementwise kernels at another cannot fuse; the answer is the same composition.
        guard let top = CPULevel.supported.last, top > .baseline else { return }
        let settings = ComputeSettings(backend: .builtIn(top), threads: 2, cpuLevel: .baseline)
        let x = randomTensor([9, 20], seed: 15), w = randomTensor([20, 11], seed: 16), bias = randomTensor([11], seed: 17)
        var expected = Tensor(repeatingRow: bias, count: 9)
        gemm(x, w, beta: 1, into: &expected, settings: settings)
        expected.withUnsafeMutableBufferPointer { Kernels.sigmoid(level: .baseline, $0.baseAddress!, count: $0.count) }
        let fused = affineProduct(x, w, bias: bias, activation: .sigmoid, settings: settings)
        #expect(Self.bits(fused) == Self.bits(expected))
    }
}
