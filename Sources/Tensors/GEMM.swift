import CLatentKernels
#if canImport(Accelerate)
import Accelerate
#endif

/// Products below this many multiply-adds run on one thread: forking costs more than it saves.
let parallelGEMMThreshold = 1 << 18

/// C ← α·op(A)·op(B) + β·C, the one entry point for matrix products.
///
/// - Parameters:
///   - a: `m × k`, or `k × m` when `transposeA`.
///   - b: `k × n`, or `n × k` when `transposeB`.
///   - c: `m × n`; read only when `beta ≠ 0`.
/// Runs on ``ComputeSettings/current``'s backend, split over its threads by blocks of C.
public func gemm(_ a: Tensor, transposeA: Bool = false, _ b: Tensor, transposeB: Bool = false,
                 alpha: Float = 1, beta: Float = 0, into c: inout Tensor,
                 settings: ComputeSettings = .current) {
    require(a.rank == 2 && b.rank == 2 && c.rank == 2,
                 "gemm needs matrices, got shapes \(a.shape), \(b.shape), \(c.shape)")
    let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let (kb, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
    require(k == kb, "gemm: inner dimensions differ: op(A) is \(m)×\(k) (shape \(a.shape)\(transposeA ? "ᵀ" : "")), op(B) is \(kb)×\(n) (shape \(b.shape)\(transposeB ? "ᵀ" : ""))")
    require(c.shape == [m, n], "gemm: output shape \(c.shape) does not match op(A)·op(B) = [\(m), \(n)]")
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                     a: pa.baseAddress!, lda: a.shape[1], b: pb.baseAddress!, ldb: b.shape[1],
                     beta: beta, c: pc.baseAddress!, ldc: n, settings: settings)
            }
        }
    }
}

/// The matrix product op(A)·op(B) as a new tensor.
public func matmul(_ a: Tensor, transposeA: Bool = false, _ b: Tensor, transposeB: Bool = false,
                   settings: ComputeSettings = .current) -> Tensor {
    require(a.rank == 2 && b.rank == 2, "matmul needs matrices, got shapes \(a.shape) and \(b.shape)")
    let m = transposeA ? a.shape[1] : a.shape[0]
    let n = transposeB ? b.shape[0] : b.shape[1]
    // β = 0 never reads C, so its storage needs no zero-fill.
    var c = Tensor.uninitialized([m, n])
    gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: &c, settings: settings)
    return c
}

/// The raw-pointer form of ``gemm(_:transposeA:_:transposeB:alpha:beta:into:settings:)``,
/// with leading dimensions (row strides) for each matrix.
public func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                 a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                 beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                 settings: ComputeSettings = .current) {
    guard m > 0, n > 0 else { return }
    // Sendable addresses: each block writes a disjoint part of C.
    let (ua, ub, uc) = (UInt(bitPattern: a), UInt(bitPattern: b), UInt(bitPattern: c))
    forEachBlockOfC(m: m, n: n, k: k, tile: tile(for: settings.backend), threads: settings.threads) { block, splitColumns in
        let a = UnsafePointer<Float>(bitPattern: ua)!, b = UnsafePointer<Float>(bitPattern: ub)!
        let c = UnsafeMutablePointer<Float>(bitPattern: uc)!
        if splitColumns {
            // Columns [first, last) of op(B) start at column `first` of B, or row `first` of Bᵀ.
            let bBlock = transposeB ? b + block.lowerBound * ldb : b + block.lowerBound
            runGEMM(settings.backend, transposeA, transposeB, m, block.count, k, alpha,
                    a, lda, bBlock, ldb, beta, c + block.lowerBound, ldc)
        } else {
            let aBlock = transposeA ? a + block.lowerBound : a + block.lowerBound * lda
            runGEMM(settings.backend, transposeA, transposeB, block.count, n, k, alpha,
                    aBlock, lda, b, ldb, beta, c + block.lowerBound * ldc, ldc)
        }
    }
}

/// Runs `body(block, splitColumns)` for the blocks of an `m × n` product's C in parallel: C cut
/// along its longer side (its columns when `splitColumns`, else its rows) on tile boundaries,
/// one block per thread, or one block for products below `parallelGEMMThreshold` multiply-adds.
/// Every element's sum is the kernel's whatever the cut, so results do not depend on it.
func forEachBlockOfC(m: Int, n: Int, k: Int, tile: (rows: Int, columns: Int), threads: Int,
                     _ body: @Sendable (_ block: Range<Int>, _ splitColumns: Bool) -> Void) {
    let parts = m * n * max(k, 1) < parallelGEMMThreshold ? 1 : threads
    let splitColumns = n >= m
    let extent = splitColumns ? n : m, unit = splitColumns ? tile.columns : tile.rows
    let units = (extent + unit - 1) / unit
    let blocks = min(parts, units)
    parallelFor(blocks) { block in
        let first = units * block / blocks * unit
        let last = min(extent, units * (block + 1) / blocks * unit)
        guard first < last else { return }
        body(first..<last, splitColumns)
    }
}

func tile(for backend: GEMMBackend) -> (rows: Int, columns: Int) {
    guard case .builtIn(let level) = backend else { return (16, 64) }
    var rows = 0, columns = 0
    latent_gemm_tile(level.kernelLevel, &rows, &columns)
    return (rows, columns)
}

func runGEMM(_ backend: GEMMBackend, _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int,
                     _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                     _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    switch backend {
    case .builtIn(let level):
        latent_sgemm(level.kernelLevel, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    case .systemBLAS(let blas):
        let limit = Int(Int32.max)
        if max(m, n, k, lda, ldb, ldc) < limit, k > 0 {
            blas.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                       a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        } else {
            // CBLAS takes 32-bit sizes; larger products (and k = 0) run on the built-in kernel.
            latent_sgemm(CPULevel.detected.kernelLevel, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        }
    case .accelerate:
        #if canImport(Accelerate)
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        #else
        latent_sgemm(CPULevel.detected.kernelLevel, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        #endif
    }
}
