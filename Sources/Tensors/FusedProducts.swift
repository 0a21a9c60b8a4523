import CLatentKernels

/// An elementwise function that a fused product applies to its output (the ones with a vector
/// kernel; a layer's other activations run as a pass of their own after the product).
public enum EpilogueActivation: Sendable, Equatable {
    /// f(x) = x
    case linear
    /// f(x) = 1 / (1 + e⁻ˣ), exactly as ``Kernels/sigmoid(level:_:count:)``.
    case sigmoid
    /// f(x) = max(x, 0), NaN kept.
    case relu
    /// f(x) = x for x ≥ 0, slope·x otherwise.
    case leakyRelu(slope: Float)

    var kernel: (activation: latent_activation, slope: Float) {
        switch self {
        case .linear: (LATENT_ACTIVATION_LINEAR, 0)
        case .sigmoid: (LATENT_ACTIVATION_SIGMOID, 0)
        case .relu: (LATENT_ACTIVATION_RELU, 0)
        case .leakyRelu(let slope): (LATENT_ACTIVATION_LEAKY_RELU, slope)
        }
    }

    /// f in place over `count` values: the unfused pass.
    func apply(_ values: UnsafeMutablePointer<Float>, count: Int, level: CPULevel) {
        switch self {
        case .linear: return
        case .sigmoid: latent_sigmoid(level.kernelLevel, values, values, count)
        case .relu: latent_relu(values, count)
        case .leakyRelu(let slope): for i in 0..<count where values[i] < 0 { values[i] *= slope }
        }
    }
}

/// Adam's step (Kingma & Ba 2015, Algorithm 1) with its bias corrections folded in, as
/// ``Kernels/adamUpdate(level:parameters:gradient:firstMoment:secondMoment:count:beta1:beta2:stepSize:epsilonHat:decay:)`` takes it.
public struct AdamConstants: Sendable, Equatable {
    public var beta1: Float, beta2: Float
    /// lr·√(1−β₂ᵗ)/(1−β₁ᵗ)
    public var stepSize: Float
    /// ε·√(1−β₂ᵗ)
    public var epsilonHat: Float
    /// The decoupled weight decay θ ← θ − decay·θ (AdamW; 0 for Adam).
    public var decay: Float

    public init(beta1: Float, beta2: Float, stepSize: Float, epsilonHat: Float, decay: Float) {
        (self.beta1, self.beta2, self.stepSize, self.epsilonHat, self.decay) = (beta1, beta2, stepSize, epsilonHat, decay)
    }
}

/// Whether `settings` run the fused products: the built-in kernel at the level of the
/// elementwise kernels, so that fused and unfused compositions agree bit for bit. Elsewhere
/// (a system BLAS, Accelerate, mixed levels) the same functions run the unfused composition.
func fusedLevel(_ settings: ComputeSettings) -> CPULevel? {
    guard case .builtIn(let level) = settings.backend, level == settings.cpuLevel else { return nil }
    return level
}

/// y = f(op(x)·op(W) + 1·bᵀ) as one product whose tiles take the bias and f as they finish: a
/// dense layer's forward pass (Rumelhart, Hinton & Williams 1986, eq. 1–2 per unit).
///
/// - Parameters:
///   - x: `n × i` (or `i × n` when `transposeA`).
///   - weight: `i × o` (or `o × i`, as `torch.nn.Linear` holds it, when `transposeB`).
///   - bias: `o` values added to every row, or nil.
/// - Returns: `n × o`. Bit for bit the unfused composition (copies of the bias, the product with
///   β = 1, then f): the same sums in the same order.
public func affineProduct(_ x: Tensor, transposeA: Bool = false, _ weight: Tensor, transposeB: Bool = false,
                          bias: Tensor?, activation: EpilogueActivation, settings: ComputeSettings = .current) -> Tensor {
    require(x.rank == 2 && weight.rank == 2, "affineProduct needs matrices, got shapes \(x.shape) and \(weight.shape)")
    let m = transposeA ? x.shape[1] : x.shape[0], k = transposeA ? x.shape[0] : x.shape[1]
    let (kb, n) = transposeB ? (weight.shape[1], weight.shape[0]) : (weight.shape[0], weight.shape[1])
    require(k == kb, "affineProduct: inner dimensions differ: op(x) is \(m)×\(k) (shape \(x.shape)), op(W) is \(kb)×\(n) (shape \(weight.shape))")
    if let bias { require(bias.shape == [n], "affineProduct: bias shape \(bias.shape) is not [\(n)]") }
    guard let level = fusedLevel(settings) else {
        var y = bias.map { Tensor(repeatingRow: $0, count: m) } ?? .uninitialized([m, n])
        gemm(x, transposeA: transposeA, weight, transposeB: transposeB, beta: bias == nil ? 0 : 1, into: &y, settings: settings)
        y.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, count: $0.count, level: settings.cpuLevel) }
        return y
    }
    var y = Tensor.uninitialized([m, n])
    let (kernelActivation, slope) = activation.kernel
    x.withUnsafeBufferPointer { px in
        weight.withUnsafeBufferPointer { pw in
            y.withUnsafeMutableBufferPointer { py in
                (bias ?? Tensor.zeros([0])).withUnsafeBufferPointer { pb in
                    let tile = FusedTile(bias: bias == nil ? nil : pb.baseAddress, activation: kernelActivation, slope: slope)
                    fusedProduct(level: level, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                 a: px.baseAddress!, lda: x.shape[1], b: pw.baseAddress!, ldb: weight.shape[1],
                                 c: py.baseAddress, ldc: n, tile: tile, threads: settings.threads)
                }
            }
        }
    }
    return y
}

/// θ, m, v ← Adam(θ, m, v, G) with the gradient G = op(A)·op(B) formed tile by tile and spent
/// where it is formed: a weight's gradient product δᵀ·x and its optimizer step in one pass, so
/// G is never written to memory and read back. Bit for bit `matmul` then
/// ``Kernels/adamUpdate(level:parameters:gradient:firstMoment:secondMoment:count:beta1:beta2:stepSize:epsilonHat:decay:)``.
///
/// Shapes: op(A) `m × k`, op(B) `k × n`; `parameters`, `firstMoment`, `secondMoment`: `m × n`.
public func adamStep(gradientProduct a: Tensor, transposeA: Bool = false, _ b: Tensor, transposeB: Bool = false,
                     parameters: inout Tensor, firstMoment: inout Tensor, secondMoment: inout Tensor,
                     constants: AdamConstants, settings: ComputeSettings = .current) {
    require(a.rank == 2 && b.rank == 2, "adamStep needs matrices, got shapes \(a.shape) and \(b.shape)")
    let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
    let (kb, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
    require(k == kb, "adamStep: inner dimensions differ: op(A) is \(m)×\(k) (shape \(a.shape)), op(B) is \(kb)×\(n) (shape \(b.shape))")
    require(parameters.shape == [m, n] && firstMoment.shape == [m, n] && secondMoment.shape == [m, n],
            "adamStep: parameters \(parameters.shape) and moments \(firstMoment.shape), \(secondMoment.shape) must all be the gradient's [\(m), \(n)]")
    let c = constants
    guard let level = fusedLevel(settings) else {
        let gradient = matmul(a, transposeA: transposeA, b, transposeB: transposeB, settings: settings)
        gradient.withUnsafeBufferPointer { g in
            parameters.withUnsafeMutableBufferPointer { theta in
                firstMoment.withUnsafeMutableBufferPointer { first in
                    secondMoment.withUnsafeMutableBufferPointer { second in
                        latent_adam_update(settings.cpuLevel.kernelLevel, theta.baseAddress, g.baseAddress, first.baseAddress, second.baseAddress,
                                           g.count, c.beta1, c.beta2, c.stepSize, c.epsilonHat, c.decay)
                    }
                }
            }
        }
        return
    }
    // Deeper than one block of the product, the blocks' partial sums need a home between blocks.
    var partial = k > latent_gemm_depth_block() ? Tensor.uninitialized([m, n]) : Tensor.zeros([0])
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            parameters.withUnsafeMutableBufferPointer { theta in
                firstMoment.withUnsafeMutableBufferPointer { first in
                    secondMoment.withUnsafeMutableBufferPointer { second in
                        partial.withUnsafeMutableBufferPointer { pc in
                            var tile = FusedTile(bias: nil, activation: LATENT_ACTIVATION_LINEAR, slope: 0)
                            tile.adam = (UInt(bitPattern: theta.baseAddress), UInt(bitPattern: first.baseAddress), UInt(bitPattern: second.baseAddress), n)
                            tile.constants = c
                            fusedProduct(level: level, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                         a: pa.baseAddress!, lda: a.shape[1], b: pb.baseAddress!, ldb: b.shape[1],
                                         c: pc.count > 0 ? pc.baseAddress : nil, ldc: n, tile: tile, threads: settings.threads)
                        }
                    }
                }
            }
        }
    }
}

/// A fused product's epilogue as addresses (each thread's block offsets them).
private struct FusedTile: Sendable {
    var bias: UInt = 0
    var activation: latent_activation.RawValue
    var slope: Float
    /// θ, m, v and their row stride.
    var adam: (parameters: UInt, first: UInt, second: UInt, stride: Int)?
    var constants = AdamConstants(beta1: 0, beta2: 0, stepSize: 0, epsilonHat: 0, decay: 0)

    init(bias: UnsafePointer<Float>?, activation: latent_activation, slope: Float) {
        self.bias = UInt(bitPattern: bias)
        self.activation = activation.rawValue
        self.slope = slope
    }

    /// The epilogue of the block whose first element is row `row`, column `column` of C.
    func epilogue(row: Int, column: Int) -> latent_epilogue {
        var e = latent_epilogue()
        e.bias = bias == 0 ? nil : UnsafePointer<Float>(bitPattern: bias)! + column
        e.activation = latent_activation(rawValue: activation)
        e.slope = slope
        if let adam {
            let offset = row * adam.stride + column
            e.parameters = UnsafeMutablePointer<Float>(bitPattern: adam.parameters)! + offset
            e.first_moment = UnsafeMutablePointer<Float>(bitPattern: adam.first)! + offset
            e.second_moment = UnsafeMutablePointer<Float>(bitPattern: adam.second)! + offset
            e.parameter_stride = adam.stride
            (e.beta1, e.beta2, e.step_size, e.epsilon_hat, e.decay) = (constants.beta1, constants.beta2, constants.stepSize, constants.epsilonHat, constants.decay)
        }
        return e
    }
}

/// The fused product split over threads as ``gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:settings:)``
/// splits a plain one: blocks of C along its longer side, on tile boundaries.
private func fusedProduct(level: CPULevel, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                          a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                          c: UnsafeMutablePointer<Float>?, ldc: Int, tile: FusedTile, threads: Int) {
    guard m > 0, n > 0 else { return }
    let (ua, ub, uc) = (UInt(bitPattern: a), UInt(bitPattern: b), UInt(bitPattern: c))
    forEachBlockOfC(m: m, n: n, k: k, tile: Tensors.tile(for: .builtIn(level)), threads: threads) { block, splitColumns in
        let a = UnsafePointer<Float>(bitPattern: ua)!, b = UnsafePointer<Float>(bitPattern: ub)!
        let c = UnsafeMutablePointer<Float>(bitPattern: uc)
        let first = block.lowerBound
        var epilogue = splitColumns ? tile.epilogue(row: 0, column: first) : tile.epilogue(row: first, column: 0)
        if splitColumns {
            let bBlock = transposeB ? b + first * ldb : b + first
            latent_sgemm_fused(level.kernelLevel, transposeA, transposeB, m, block.count, k, a, lda, bBlock, ldb, c.map { $0 + first }, ldc, &epilogue)
        } else {
            let aBlock = transposeA ? a + first : a + first * lda
            latent_sgemm_fused(level.kernelLevel, transposeA, transposeB, block.count, n, k, aBlock, lda, b, ldb, c.map { $0 + first * ldc }, ldc, &epilogue)
        }
    }
}

/// δ = g·f′ from a layer's output y = f(x), and the bias gradient Σₙ δ, in one pass over the
/// rows: what a dense layer's pullback needs before its two products (∂W = δᵀ·x, ∂x = δ·W).
/// Columns are split over threads; each column sums its rows in order, in Double, as
/// `sum(alongAxis: 0)` does, so the sums equal it bit for bit at any thread count.
///
/// Shapes: `output`, `gradient`: `n × o`; returns δ `n × o` (the gradient itself for `.linear`)
/// and the sums `o`.
public func pullbackWithColumnSums(_ activation: EpilogueActivation, output y: Tensor, gradient g: Tensor,
                                   settings: ComputeSettings = .current) -> (delta: Tensor, columnSums: Tensor) {
    require(g.rank == 2 && (activation == .linear || y.shape == g.shape),
            "pullbackWithColumnSums: output \(y.shape) and gradient \(g.shape) must be the same matrix")
    let (rows, columns) = (g.shape[0], g.shape[1])
    var sums = [Double](repeating: 0, count: columns)
    let (kernelActivation, slope) = activation.kernel
    let level = settings.cpuLevel.kernelLevel
    func pass(delta ud: UInt) {
        y.withUnsafeBufferPointer { py in
            g.withUnsafeBufferPointer { pg in
                sums.withUnsafeMutableBufferPointer { ps in
                    let (uy, ug, us) = (UInt(bitPattern: py.baseAddress), UInt(bitPattern: pg.baseAddress), UInt(bitPattern: ps.baseAddress))
                    forEachChunk(of: columns, minimumChunk: max(1, (1 << 14) / max(rows, 1)), settings: settings) { part in
                        func at<T>(_ address: UInt, _: T.Type) -> UnsafeMutablePointer<T>? {
                            UnsafeMutablePointer<T>(bitPattern: address).map { $0 + part.lowerBound }
                        }
                        latent_pullback_column_sums(level, kernelActivation, slope, UnsafePointer(at(uy, Float.self)), UnsafePointer(at(ug, Float.self)),
                                                    at(ud, Float.self), rows, part.count, columns, at(us, Double.self))
                    }
                }
            }
        }
    }
    var delta = g
    if activation == .linear {
        pass(delta: 0)
    } else {
        delta = Tensor.uninitialized(g.shape)
        delta.withUnsafeMutableBufferPointer { pass(delta: UInt(bitPattern: $0.baseAddress)) }
    }
    return (delta, Tensor(uncheckedShape: [columns], scalars: sums.map { Float($0) }))
}
