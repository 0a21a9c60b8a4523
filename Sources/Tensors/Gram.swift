import CLatentKernels
#if canImport(Accelerate)
import Accelerate
#endif

/// The Gram matrix (A − 1μᵀ)ᵀ(A − 1μᵀ) of `a: n × D`, centred at `mean` (`D`) when one is
/// given: n − 1 times the sample covariance (PCA), or AᵀA.
///
/// Computed as a symmetric rank-k update (BLAS's syrk): only the upper triangle, about half of
/// GEMM's multiply-adds, then mirrored. Centring happens block by block (`rowsPerBlock` rows
/// into one reused buffer), so no centred copy of all of A exists, and the data are never used
/// uncentred: XᵀX − nμμᵀ would cancel catastrophically in Float32 when |μ| ≫ σ.
///
/// Threads split the columns of C into bands of equal area in the triangle; each thread computes
/// its band's rectangle above the diagonal by GEMM and its diagonal block by syrk. With the
/// built-in kernel both use the same micro-kernel and depth order, so the result does not depend
/// on the thread count.
public func gramMatrix(_ a: Tensor, centredAt mean: Tensor? = nil, rowsPerBlock: Int = 4096,
                       settings: ComputeSettings = .current) -> Tensor {
    require(a.rank == 2, "gramMatrix needs a matrix, got shape \(a.shape)")
    let (n, d) = (a.shape[0], a.shape[1])
    if let mean { require(mean.shape == [d], "gramMatrix: the mean has shape \(mean.shape), the data \(a.shape)") }
    var c = Tensor.zeros([d, d])
    guard n > 0, d > 0 else { return c }
    let rowsPerBlock = max(1, mean == nil ? n : rowsPerBlock)
    var block = mean == nil ? Tensor.zeros([0]) : Tensor(shape: [min(rowsPerBlock, n) * d]) { _ in }
    let bands = bandBoundaries(d, parts: d * d * min(n, rowsPerBlock) < parallelGEMMThreshold ? 1 : settings.threads,
                               unit: tile(for: settings.backend).columns)
    for start in stride(from: 0, to: n, by: rowsPerBlock) {
        let rows = min(rowsPerBlock, n - start)
        a.withUnsafeBufferPointer { source in
            if let mean {
                block.withUnsafeMutableBufferPointer { out in
                    mean.withUnsafeBufferPointer { mu in centre(source.baseAddress! + start * d, rows: rows, d: d, mean: mu.baseAddress!, into: out.baseAddress!, settings: settings) }
                }
            }
            let beta: Float = start == 0 ? 0 : 1
            let update = { (x: UnsafePointer<Float>) in
                c.withUnsafeMutableBufferPointer { out in
                    let (ux, uc) = (UInt(bitPattern: x), UInt(bitPattern: out.baseAddress!))
                    parallelFor(bands.count - 1) { band in
                        let x = UnsafePointer<Float>(bitPattern: ux)!, c = UnsafeMutablePointer<Float>(bitPattern: uc)!
                        let (c0, c1) = (bands[band], bands[band + 1])
                        guard c0 < c1 else { return }
                        if c0 > 0 {
                            runGEMM(settings.backend, true, false, c0, c1 - c0, rows, 1, x, d, x + c0, d, beta, c + c0, d)
                        }
                        runSYRK(settings.backend, c1 - c0, rows, x + c0, d, beta, c + c0 * d + c0, d)
                    }
                }
            }
            if mean == nil { update(source.baseAddress! + start * d) } else { block.withUnsafeBufferPointer { update($0.baseAddress!) } }
        }
    }
    c.withUnsafeMutableBufferPointer { out in
        for row in 0..<d {
            for column in 0..<row { out[row * d + column] = out[column * d + row] }
        }
    }
    return c
}

/// Column boundaries splitting the upper triangle of a `d × d` matrix into `parts` bands of
/// about equal area (band t ends near d·√(t/parts)), on multiples of `unit`.
package func bandBoundaries(_ d: Int, parts: Int, unit: Int) -> [Int] {
    var bounds = [0]
    for t in 1..<max(parts, 1) {
        let edge = (Double(d) * (Double(t) / Double(parts)).squareRoot() / Double(unit)).rounded() * Double(unit)
        bounds.append(min(d, max(bounds.last!, Int(edge))))
    }
    bounds.append(d)
    return bounds
}

/// out = x − 1μᵀ for `rows × d` rows, split across threads by rows.
private func centre(_ x: UnsafePointer<Float>, rows: Int, d: Int, mean: UnsafePointer<Float>,
                    into out: UnsafeMutablePointer<Float>, settings: ComputeSettings) {
    let (ux, um, uo) = (UInt(bitPattern: x), UInt(bitPattern: mean), UInt(bitPattern: out))
    forEachChunk(of: rows, minimumChunk: max(1, (1 << 15) / max(d, 1)), settings: settings) { range in
        let x = UnsafePointer<Float>(bitPattern: ux)!, mean = UnsafePointer<Float>(bitPattern: um)!
        let out = UnsafeMutablePointer<Float>(bitPattern: uo)!
        for row in range {
            let (source, target) = (x + row * d, out + row * d)
            for j in 0..<d { target[j] = source[j] - mean[j] }
        }
    }
}

/// The upper triangle of C ← α·AᵀA + β·C (`a: k × n`), on one thread.
func runSYRK(_ backend: GEMMBackend, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int,
             _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    switch backend {
    case .builtIn(let level):
        latent_ssyrk_upper(level.kernelLevel, n, k, 1, a, lda, beta, c, ldc)
    case .systemBLAS(let blas):
        if !blas.ssyrkUpper(n: n, k: k, alpha: 1, a: a, lda: lda, beta: beta, c: c, ldc: ldc) {
            runGEMM(backend, true, false, n, n, k, 1, a, lda, a, lda, beta, c, ldc)
        }
    case .accelerate:
        #if canImport(Accelerate)
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(n), Int32(k), 1, a, Int32(lda), beta, c, Int32(ldc))
        #else
        latent_ssyrk_upper(CPULevel.detected.kernelLevel, n, k, 1, a, lda, beta, c, ldc)
        #endif
    }
}
