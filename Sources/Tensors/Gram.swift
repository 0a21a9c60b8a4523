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
public func gramMatrix(_ a: Tensor, centredAt mean: Tensor? = nil, rowsPerBlock: Int = GramAccumulator.rowsPerBlock,
                       settings: ComputeSettings = .current) -> Tensor {
    require(a.rank == 2, "gramMatrix needs a matrix, got shape \(a.shape)")
    let (n, d) = (a.shape[0], a.shape[1])
    var gram = GramAccumulator(columns: d, centredAt: mean, settings: settings)
    // Uncentred, A is used in place as one block; centred, block by block into one buffer.
    let step = max(1, mean == nil ? n : rowsPerBlock)
    for start in stride(from: 0, to: n, by: step) { gram.add(rowsOf: a, start..<min(n, start + step)) }
    return gram.result()
}

/// The Gram matrix accumulated over blocks of rows, which may come one at a time from data
/// that are never all in memory (``gramMatrix(_:centredAt:rowsPerBlock:settings:)`` is this over
/// the blocks of one tensor): the same blocks, in the same order, give the same matrix bit for bit.
public struct GramAccumulator {
    /// Rows centred and added at a time: a block's buffer is `rowsPerBlock × D` floats.
    public static let rowsPerBlock = 4096
    public let columns: Int
    let mean: Tensor?
    let settings: ComputeSettings
    var c: Tensor
    var block: Tensor
    var started = false
    var bands: [Int]? = nil

    /// An empty sum for rows of `columns` values, centred at `mean` (`columns`) when given.
    public init(columns d: Int, centredAt mean: Tensor? = nil, settings: ComputeSettings = .current) {
        if let mean { require(mean.shape == [d], "GramAccumulator: the mean has shape \(mean.shape), the data \(d) columns") }
        (self.columns, self.mean, self.settings) = (d, mean, settings)
        c = Tensor.zeros([d, d])
        block = Tensor.zeros([0])
    }

    /// Adds the rows `range` of `a` (`n × D`).
    public mutating func add(rowsOf a: Tensor, _ range: Range<Int>) {
        require(a.rank == 2 && a.shape[1] == columns && range.upperBound <= a.shape[0], "GramAccumulator: rows \(range) of shape \(a.shape) for \(columns) columns")
        let (rows, d) = (range.count, columns)
        guard rows > 0, d > 0 else { return }
        // The bands follow the first block's size, as gramMatrix's always have.
        let bands = self.bands ?? bandBoundaries(d, parts: d * d * rows < parallelGEMMThreshold ? 1 : settings.threads, unit: tile(for: settings.backend).columns)
        self.bands = bands
        let beta: Float = started ? 1 : 0
        started = true
        let settings = self.settings
        if let mean {
            if block.count < rows * d { block = Tensor(shape: [rows * d]) { _ in } }
            a.withUnsafeBufferPointer { source in
                block.withUnsafeMutableBufferPointer { out in
                    mean.withUnsafeBufferPointer { mu in
                        centre(source.baseAddress! + range.lowerBound * d, rows: rows, d: d, mean: mu.baseAddress!, into: out.baseAddress!, settings: settings)
                    }
                }
            }
            block.withUnsafeBufferPointer { x in
                c.withUnsafeMutableBufferPointer { Self.update($0.baseAddress!, with: x.baseAddress!, rows: rows, d: d, beta: beta, bands: bands, settings: settings) }
            }
        } else {
            a.withUnsafeBufferPointer { source in
                c.withUnsafeMutableBufferPointer {
                    Self.update($0.baseAddress!, with: source.baseAddress! + range.lowerBound * d, rows: rows, d: d, beta: beta, bands: bands, settings: settings)
                }
            }
        }
    }

    /// C ← XᵀX + β·C (upper triangle) for `x: rows × d`, one band of columns per thread.
    private static func update(_ c: UnsafeMutablePointer<Float>, with x: UnsafePointer<Float>, rows: Int, d: Int, beta: Float,
                               bands: [Int], settings: ComputeSettings) {
        let (ux, uc) = (UInt(bitPattern: x), UInt(bitPattern: c))
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

    /// The sum so far, both triangles filled: `D × D`.
    public func result() -> Tensor {
        var c = self.c
        let d = columns
        c.withUnsafeMutableBufferPointer { out in
            for row in 0..<d {
                for column in 0..<row { out[row * d + column] = out[column * d + row] }
            }
        }
        return c
    }
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
