import CLatentKernels

/// A system BLAS library (OpenBLAS, BLIS, …) loaded at run time with dlopen.
///
/// Latent splits work across cores itself, so the library's own threading is set to one
/// thread when it exposes a setter (`openblas_set_num_threads`, …).
public final class SystemBLAS: Sendable, CustomStringConvertible {
    /// The path or soname the library was opened from.
    public let path: String
    /// Whether the library's own thread count could be set to one.
    public let threadsSetToOne: Bool
    nonisolated(unsafe) let blas: latent_blas

    /// The sonames tried, in order, when no path is given.
    public static let defaultNames = ["libopenblas.so.0", "libblis.so.4", "libcblas.so.3"]

    /// Opens the library at `path` (a file path or a soname).
    /// - Throws: ``TensorError/blasUnavailable(_:)`` when it does not load or lacks `cblas_sgemm`.
    public init(path: String) throws {
        var handle = latent_blas()
        var message = [CChar](repeating: 0, count: 512)
        guard latent_blas_open(path, &handle, &message, message.count) else {
            let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw TensorError.blasUnavailable(text)
        }
        self.path = path
        self.blas = handle
        self.threadsSetToOne = handle.threads_set_to_one
    }

    /// The first of ``defaultNames`` that loads, or nil when none is installed.
    public static func findInstalled() -> SystemBLAS? {
        for name in defaultNames { if let blas = try? SystemBLAS(path: name) { return blas } }
        return nil
    }

    public var description: String { path }

    func sgemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
               a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
               beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let rowMajor: Int32 = 101, noTranspose: Int32 = 111, transpose: Int32 = 112
        blas.sgemm(rowMajor, transposeA ? transpose : noTranspose, transposeB ? transpose : noTranspose,
                   Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The upper triangle of C ← α·AᵀA + β·C; false (and nothing done) when the library has
    /// no cblas_ssyrk or the sizes exceed CBLAS's 32-bit integers.
    func ssyrkUpper(n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) -> Bool {
        guard let ssyrk = blas.ssyrk, max(n, k, lda, ldc) < Int(Int32.max) else { return false }
        let rowMajor: Int32 = 101, upper: Int32 = 121, transpose: Int32 = 112
        ssyrk(rowMajor, upper, transpose, Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
        return true
    }
}
