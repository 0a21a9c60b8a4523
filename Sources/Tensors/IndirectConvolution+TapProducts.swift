import CLatentKernels

/// The second step of a transposed convolution with few outputs (``IndirectConvolution/Kernel/tapProducts``):
/// with Z = x·W the k²·C′ tap products of every grid position (`positions × k²C′` per sample),
/// each image pixel (iy, ix) adds the products of the taps that reach it, ky ≡ iy + padding
/// (mod stride) from the grid row oy = (iy + padding − ky)/stride, and likewise for the columns:
///
///     y[iy, ix, o] = b[o] + Σ_{(ky, kx)} Z[oy, ox, (ky·k + kx)·C′ + o].
///
/// One pass over Z instead of a scatter-add (col2im) into a zero-filled image, and the product
/// before it fills the kernel's panels where C′ alone (one channel of logits) would use one
/// column of 32.
struct TapGather: Sendable {
    /// `pixels × taps` offsets into a sample's Z; −1 pads a pixel reached by fewer taps.
    let offsets: [Int]
    let pixels: Int, taps: Int
    /// k²·C′: the tap products of one grid position.
    let width: Int, positions: Int

    init(geometry g: ConvolutionGeometry) {
        let (k, s, p) = (g.kernel, g.stride, g.padding)
        width = k * k * g.channels
        positions = g.positions
        pixels = g.height * g.width
        taps = ((k + s - 1) / s) * ((k + s - 1) / s)
        var offsets = [Int]()
        offsets.reserveCapacity(pixels * taps)
        for iy in 0..<g.height {
            for ix in 0..<g.width {
                var reached = 0
                for ky in stride(from: (iy + p) % s, to: k, by: s) {
                    for kx in stride(from: (ix + p) % s, to: k, by: s) {
                        let (oy, ox) = ((iy + p - ky) / s, (ix + p - kx) / s)
                        reached += 1
                        let inside = (0..<g.outputHeight).contains(oy) && (0..<g.outputWidth).contains(ox)
                        offsets.append(inside ? (oy * g.outputWidth + ox) * width + (ky * k + kx) * g.channels : -1)
                    }
                }
                offsets.append(contentsOf: repeatElement(-1, count: taps - reached))
            }
        }
        self.offsets = offsets
    }

    /// Runs `convolution`'s transposed convolution on `samples` samples in chunks whose tap
    /// products stay near ``ConvolutionBatching/chunkValues`` floats (in the core's cache).
    func run(_ convolution: IndirectConvolution, _ input: UnsafePointer<Float>, samples: Int, bias: UnsafePointer<Float>?,
             into y: UnsafeMutablePointer<Float>) {
        let stage = convolution.phases[0], stride = positions * width
        let chunk = max(1, ConvolutionBatching.chunkValues / max(stride, 1))
        let products = UnsafeMutablePointer<Float>.allocate(capacity: min(chunk, max(samples, 1)) * stride)
        defer { products.deallocate() }
        stage.offsets.withUnsafeBufferPointer { stageOffsets in
            stage.packed.withUnsafeBufferPointer { packed in
                offsets.withUnsafeBufferPointer { offsets in
                    for first in Swift.stride(from: 0, to: samples, by: chunk) {
                        let count = min(chunk, samples - first)
                        latent_conv_indirect(convolution.level.kernelLevel, input + first * convolution.inputStride, count, convolution.inputStride,
                                             stageOffsets.baseAddress, positions, 1, convolution.channels, packed.baseAddress, width, nil,
                                             products, stride, nil)
                        latent_gather_add(products, count, stride, offsets.baseAddress, pixels, taps, convolution.outputs, bias,
                                          y + first * convolution.outputStride, convolution.outputStride)
                    }
                }
            }
        }
    }
}
