import CLatentKernels

/// Two-dimensional discrete Fourier transforms of square split-complex grids, for convolving
/// grids with a kernel: X̂ₖₗ = Σᵣ Σ_c Xᵣ_c e^(∓2πi(kr + lc)/M), M = ``size`` = 2ᵃ3ᵇ.
///
/// Built for zero-padded (circulant) convolution: the forward transform reads a grid whose values
/// lie in rows and columns 0 ..< `support` and skips the transforms of the rows known to be zero;
/// the inverse computes only the corner 0 ..< `keep` that the caller reads. Each pass runs the
/// length-M transforms down blocks of columns at once (Stockham stages of radix 4, 2 and 3, each
/// butterfly a loop along a row), a transpose between the two passes; so the spectrum is stored
/// transposed (X̂ᵀ), which a product with the spectrum of a kernel symmetric in its two axes does
/// not notice, and the inverse transposes back. Columns are independent: results do not depend
/// on the thread count.
public struct FourierTransform2D: Sendable {
    /// M, the side of the grids.
    public let size: Int
    private let cosines: [Float], sines: [Float]
    /// Columns a transform carries through its stages at once (two 32-float rows per element fit
    /// a cache line pair; a block of M rows stays in L2).
    static let blockWidth = 32

    /// Transforms of the smallest size 2ᵃ3ᵇ at or above `minimum`.
    public init(atLeast minimum: Int) {
        size = latent_fft_good_size(Swift.max(minimum, 2))
        var c = [Float](repeating: 0, count: size), s = [Float](repeating: 0, count: size)
        latent_fft_twiddles(size, &c, &s)
        (cosines, sines) = (c, s)
    }

    /// The forward transform, in place, of the M × M grid (`real`, `imaginary`) whose values lie in
    /// rows and columns 0 ..< `support`: the spectrum, transposed. `scratch` holds two more grids.
    public func forward(real: inout [Float], imaginary: inout [Float], support: Int, scratch: inout (real: [Float], imaginary: [Float]),
                        settings: ComputeSettings = .current) {
        check(real, imaginary, scratch)
        columns(&real, &imaginary, count: support, inverse: false, settings: settings)
        transpose(real, imaginary, rows: size, columns: support, into: &scratch, settings: settings)
        for row in support..<size {
            for c in 0..<size { scratch.real[row * size + c] = 0; scratch.imaginary[row * size + c] = 0 }
        }
        columns(&scratch.real, &scratch.imaginary, count: size, inverse: false, settings: settings)
        swap(&real, &scratch.real)
        swap(&imaginary, &scratch.imaginary)
    }

    /// The inverse transform, in place, of a transposed spectrum from ``forward(real:imaginary:support:scratch:settings:)``, unscaled (M²
    /// times the inverse DFT): exact in rows and columns 0 ..< `keep`, the rest not meaningful.
    public func inverse(real: inout [Float], imaginary: inout [Float], keep: Int, scratch: inout (real: [Float], imaginary: [Float]),
                        settings: ComputeSettings = .current) {
        check(real, imaginary, scratch)
        columns(&real, &imaginary, count: size, inverse: true, settings: settings)
        transpose(real, imaginary, rows: keep, columns: size, into: &scratch, settings: settings)
        columns(&scratch.real, &scratch.imaginary, count: keep, inverse: true, settings: settings)
        swap(&real, &scratch.real)
        swap(&imaginary, &scratch.imaginary)
    }

    private func check(_ real: [Float], _ imaginary: [Float], _ scratch: (real: [Float], imaginary: [Float])) {
        let cells = size * size
        precondition(real.count == cells && imaginary.count == cells && scratch.real.count == cells && scratch.imaginary.count == cells,
                     "FourierTransform2D: grids of \(size) × \(size) expected")
    }

    /// Length-M transforms down columns 0 ..< count, in blocks.
    private func columns(_ real: inout [Float], _ imaginary: inout [Float], count: Int, inverse: Bool, settings: ComputeSettings) {
        let width = Self.blockWidth, blocks = (count + width - 1) / width, size = size
        cosines.withUnsafeBufferPointer { c in
            sines.withUnsafeBufferPointer { s in
                real.withUnsafeMutableBufferPointer { re in
                    imaginary.withUnsafeMutableBufferPointer { im in
                        let addresses = (UInt(bitPattern: re.baseAddress), UInt(bitPattern: im.baseAddress),
                                         UInt(bitPattern: c.baseAddress), UInt(bitPattern: s.baseAddress))
                        forEachPart(blocks, settings: settings) { block in
                            let first = block * width
                            latent_fft_columns(UnsafeMutablePointer<Float>(bitPattern: addresses.0), UnsafeMutablePointer<Float>(bitPattern: addresses.1),
                                               size, size, first, Swift.min(width, count - first), inverse ? 1 : 0,
                                               UnsafePointer<Float>(bitPattern: addresses.2), UnsafePointer<Float>(bitPattern: addresses.3))
                        }
                    }
                }
            }
        }
    }

    /// out[c][r] = in[r][c] for r < rows, c < columns, both planes.
    private func transpose(_ real: [Float], _ imaginary: [Float], rows: Int, columns: Int, into out: inout (real: [Float], imaginary: [Float]),
                           settings: ComputeSettings) {
        transpose(real, rows: rows, columns: columns, into: &out.real, settings: settings)
        transpose(imaginary, rows: rows, columns: columns, into: &out.imaginary, settings: settings)
    }

    private func transpose(_ input: [Float], rows: Int, columns: Int, into output: inout [Float], settings: ComputeSettings) {
        let size = size, band = 64, bands = (rows + band - 1) / band
        input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                let (from, to) = (UInt(bitPattern: source.baseAddress), UInt(bitPattern: target.baseAddress))
                forEachPart(bands, settings: settings) { part in
                    latent_transpose_block(UnsafePointer<Float>(bitPattern: from), size, UnsafeMutablePointer<Float>(bitPattern: to), size,
                                           part * band, Swift.min(rows, (part + 1) * band), columns)
                }
            }
        }
    }
}
