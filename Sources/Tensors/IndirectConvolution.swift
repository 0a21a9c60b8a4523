import CLatentKernels

/// A convolution's products without a column matrix: the built-in kernel's micro-tiles
/// broadcast straight from the NHWC input through a table of tap offsets (Dukhan, "The
/// Indirect Convolution Algorithm", 2019), against weights packed once per call.
///
/// Two forms share the kernel:
/// - the **convolution** y = im2col(x)·Wᵀ + b (W: `C′ × k × k × C`): one phase whose rows are the
///   grid's positions; it is the forward pass of a convolution, and the input gradient of a
///   transposed convolution (the same product on its output gradient);
/// - the **transposed convolution** y = col2im(x·W) + b (W: `C × k × k × C′`) as a gather: an
///   image pixel (iy, ix) receives the taps ky ≡ iy + padding (mod stride) (and likewise kx), so
///   the image splits into stride² phases, each a convolution of the grid with its own taps
///   (Zeiler's deconvolution as sub-convolutions): the forward pass of a transposed convolution
///   and the input gradient of a convolution, with no scatter-adds and no zero-filled image.
///
/// Where the outputs fill the kernel's column panels, micro-tiles of outputs run against packed
/// weights (``Kernel/tiles``); where they are few (a single channel of logits), each output of a
/// convolution is a dot product vectorised along the channels (``Kernel/dots``), and a transposed
/// convolution first forms every grid position's tap products, which fill the panels, then
/// gathers them (``Kernel/tapProducts``). Every output value sums its
/// products in one fixed order (taps, then channels): the same bits at any thread count. On the
/// built-in GEMM only; otherwise, and for output counts between the two, callers keep
/// im2col/col2im and the GEMM.
struct IndirectConvolution: Sendable {
    enum Kernel: Sendable {
        /// ``latent_conv_indirect`` on weights packed in panels.
        case tiles
        /// ``latent_conv_gather_dot`` on weights laid out `outputs × taps × channels`.
        case dots
        /// A transposed convolution with few outputs: every grid position's k²·C′ tap products
        /// x·W as a 1 × 1 indirect convolution, then each image pixel adds the products that
        /// reach it (``latent_gather_add``, `TapGather`).
        case tapProducts
    }

    /// Output channels up to which dot products beat panels of mostly unused columns.
    static let fewOutputs = 4

    /// A set of output rows with the same taps.
    struct Phase: Sendable {
        let positions: Int, taps: Int
        /// `positions × taps` offsets of each tap's input pixel from the sample's start; −1 reads zeros.
        let offsets: [Int]
        /// Each position's output offset from the sample's start; nil: rows in position order.
        let outputOffsets: [Int]?
        /// The weights as ``kernel`` reads them.
        let packed: [Float]
    }

    let level: CPULevel, kernel: Kernel, channels: Int, outputs: Int
    /// Floats per sample of the input and of the output.
    let inputStride: Int, outputStride: Int
    let phases: [Phase]
    /// For ``Kernel/tapProducts``: where each image pixel finds its tap products.
    let gather: TapGather?

    /// The convolution im2col(x)·Wᵀ on `geometry`'s image, W (`outputs × receptiveField`) at `weight`.
    init?(convolution g: ConvolutionGeometry, weight: UnsafePointer<Float>, outputs: Int, settings: ComputeSettings) {
        guard case .builtIn(let level) = settings.backend, let kernel = Self.kernel(outputs: outputs, level: level) else { return nil }
        let offsets = g.tapOffsets
        let packed = Self.pack(kernel, level: level, weight: weight, outputs: outputs, outputStride: g.receptiveField,
                               rowOffsets: Array(0..<g.receptiveField))
        self.init(level: level, kernel: kernel, channels: g.channels, outputs: outputs, inputStride: g.pixels, outputStride: g.positions * outputs,
                  phases: [Phase(positions: g.positions, taps: g.kernel * g.kernel, offsets: offsets, outputOffsets: nil, packed: packed)],
                  gather: nil)
    }

    private init(level: CPULevel, kernel: Kernel, channels: Int, outputs: Int, inputStride: Int, outputStride: Int, phases: [Phase],
                 gather: TapGather?) {
        (self.level, self.kernel, self.channels, self.outputs) = (level, kernel, channels, outputs)
        (self.inputStride, self.outputStride, self.phases, self.gather) = (inputStride, outputStride, phases, gather)
    }

    /// The transposed convolution col2im(x·W) from `geometry`'s grid (`inputs` channels) to its
    /// image (`channels` of it), W (`inputs × k × k × channels`) at `weight`.
    init?(transposed g: ConvolutionGeometry, weight: UnsafePointer<Float>, inputs: Int, settings: ComputeSettings) {
        guard case .builtIn(let level) = settings.backend, let kernel = Self.kernel(outputs: g.channels, level: level) else { return nil }
        guard kernel == .tiles else {
            self.init(tapProducts: g, weight: weight, inputs: inputs, level: level)
            return
        }
        let (k, s, p) = (g.kernel, g.stride, g.padding)
        var phases = [Phase]()
        for phaseY in 0..<s {
            for phaseX in 0..<s {
                // Image rows iy with (iy + p) mod s = phase, and the kernel rows that reach them.
                let rows = (0..<g.height).filter { ($0 + p) % s == phaseY }, columns = (0..<g.width).filter { ($0 + p) % s == phaseX }
                guard !rows.isEmpty, !columns.isEmpty else { continue }
                let kys = Array(stride(from: phaseY, to: k, by: s)), kxs = Array(stride(from: phaseX, to: k, by: s))
                var offsets = [Int](), outputOffsets = [Int]()
                for iy in rows {
                    for ix in columns {
                        outputOffsets.append((iy * g.width + ix) * g.channels)
                        for ky in kys {
                            for kx in kxs {
                                let (oy, ox) = ((iy + p - ky) / s, (ix + p - kx) / s)
                                let inside = (0..<g.outputHeight).contains(oy) && (0..<g.outputWidth).contains(ox)
                                offsets.append(inside ? (oy * g.outputWidth + ox) * inputs : -1)
                            }
                        }
                    }
                }
                // B[(t, c)][o] = W[c][ky_t][kx_t][o].
                let rowOffsets = kys.flatMap { ky in kxs.flatMap { kx in (0..<inputs).map { c in (c * k * k + ky * k + kx) * g.channels } } }
                let packed = Self.pack(kernel, level: level, weight: weight, outputs: g.channels, outputStride: 1, rowOffsets: rowOffsets)
                phases.append(Phase(positions: rows.count * columns.count, taps: kys.count * kxs.count, offsets: offsets,
                                    outputOffsets: outputOffsets, packed: packed))
            }
        }
        self.init(level: level, kernel: kernel, channels: inputs, outputs: g.channels, inputStride: g.positions * inputs, outputStride: g.pixels,
                  phases: phases, gather: nil)
    }

    /// The transposed convolution in two steps (``Kernel/tapProducts``): W as a 1 × 1
    /// convolution to the k²·C′ tap products of each grid position, and their gather.
    private init(tapProducts g: ConvolutionGeometry, weight: UnsafePointer<Float>, inputs: Int, level: CPULevel) {
        let width = g.kernel * g.kernel * g.channels
        // B[c][j] = W[c][j], j = (ky·k + kx)·C′ + o.
        let packed = Self.pack(.tiles, level: level, weight: weight, outputs: width, outputStride: 1, rowOffsets: (0..<inputs).map { $0 * width })
        self.init(level: level, kernel: .tapProducts, channels: inputs, outputs: g.channels, inputStride: g.positions * inputs,
                  outputStride: g.pixels,
                  phases: [Phase(positions: g.positions, taps: 1, offsets: (0..<g.positions).map { $0 * inputs }, outputOffsets: nil, packed: packed)],
                  gather: TapGather(geometry: g))
    }

    /// Whether a kernel takes `outputs` output channels on `settings`' backend.
    static func applies(outputs: Int, settings: ComputeSettings) -> Bool {
        guard case .builtIn(let level) = settings.backend else { return false }
        return kernel(outputs: outputs, level: level) != nil
    }

    /// Tiles where the outputs fill the column panels to at least four fifths, dot products for a
    /// few outputs, else none (one output channel would use 1 of 32 columns of a panel).
    private static func kernel(outputs: Int, level: CPULevel) -> Kernel? {
        guard outputs > 0 else { return nil }
        let padded = latent_conv_packed_count(level.kernelLevel, outputs, 1)
        if 5 * outputs >= 4 * padded { return .tiles }
        return outputs <= fewOutputs ? .dots : nil
    }

    /// The weights B[k][o] = weight[o·outputStride + rowOffsets[k]] as `kernel` reads them.
    private static func pack(_ kernel: Kernel, level: CPULevel, weight: UnsafePointer<Float>, outputs: Int, outputStride: Int,
                             rowOffsets: [Int]) -> [Float] {
        switch kernel {
        case .dots:
            return (0..<outputs).flatMap { o in rowOffsets.map { weight[o * outputStride + $0] } }
        case .tiles, .tapProducts:
            let count = latent_conv_packed_count(level.kernelLevel, outputs, rowOffsets.count)
            return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                rowOffsets.withUnsafeBufferPointer { rows in
                    if let base = buffer.baseAddress {
                        latent_conv_pack_weights(level.kernelLevel, weight, outputs, rowOffsets.count, outputStride, rows.baseAddress, base)
                    }
                }
                initialized = count
            }
        }
    }

    /// The outputs of `samples` samples at `input` (``inputStride`` floats each), written at `y`
    /// (``outputStride`` floats each): bias + the product; no bias adds nothing.
    func callAsFunction(_ input: UnsafePointer<Float>, samples: Int, bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>) {
        if let gather { return gather.run(self, input, samples: samples, bias: bias, into: y) }
        for phase in phases {
            phase.offsets.withUnsafeBufferPointer { offsets in
                phase.packed.withUnsafeBufferPointer { packed in
                    func run(_ outputOffsets: UnsafePointer<Int>?) {
                        switch kernel {
                        case .tiles:
                            latent_conv_indirect(level.kernelLevel, input, samples, inputStride, offsets.baseAddress, phase.positions, phase.taps,
                                                 channels, packed.baseAddress, outputs, bias, y, outputStride, outputOffsets)
                        case .dots, .tapProducts:
                            latent_conv_gather_dot(level.kernelLevel, input, samples, inputStride, offsets.baseAddress, phase.positions, phase.taps,
                                                   channels, packed.baseAddress, outputs, bias, y, outputStride, outputOffsets)
                        }
                    }
                    if let outputOffsets = phase.outputOffsets { outputOffsets.withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
                }
            }
        }
    }
}

extension ConvolutionGeometry {
    /// `positions × k²` offsets, from an image's start, of the pixel each tap (ky, kx) of each
    /// grid position reads; −1 where the tap falls in the padding.
    var tapOffsets: [Int] {
        var offsets = [Int]()
        offsets.reserveCapacity(positions * kernel * kernel)
        for oy in 0..<outputHeight {
            for ox in 0..<outputWidth {
                for ky in 0..<kernel {
                    for kx in 0..<kernel {
                        let (iy, ix) = (oy * stride - padding + ky, ox * stride - padding + kx)
                        let inside = (0..<height).contains(iy) && (0..<width).contains(ix)
                        offsets.append(inside ? (iy * width + ix) * channels : -1)
                    }
                }
            }
        }
        return offsets
    }
}

/// The weight gradient of a convolution or transposed convolution as sums of outer products
/// over the grid's positions, read through ``ConvolutionGeometry/tapOffsets`` with no column
/// matrix (``latent_conv_weight_gradient``), in the weight's own layout.
struct IndirectWeightGradient: Sendable {
    let level: CPULevel, geometry: ConvolutionGeometry, offsets: [Int]
    /// Channels of the rows (δ for a convolution, the input grid for a transposed one).
    let rowChannels: Int

    /// Nil on a system BLAS, or for channel counts the kernels do not take
    /// (``latent_conv_weight_gradient_fits``).
    init?(geometry g: ConvolutionGeometry, rowChannels: Int, settings: ComputeSettings) {
        guard case .builtIn(let level) = settings.backend, latent_conv_weight_gradient_fits(level.kernelLevel, rowChannels, g.channels) else { return nil }
        (self.level, geometry, offsets, self.rowChannels) = (level, g, g.tapOffsets, rowChannels)
    }

    /// out (`rowChannels × k × k × channels`) = Σ over the positions of `samples` samples of
    /// rows ⊗ the image's pixels under each tap.
    func callAsFunction(rows: UnsafePointer<Float>, image: UnsafePointer<Float>, samples: Int, into out: UnsafeMutablePointer<Float>) {
        let g = geometry
        offsets.withUnsafeBufferPointer { offsets in
            latent_conv_weight_gradient(level.kernelLevel, rows, rowChannels, image, samples, g.pixels, offsets.baseAddress, g.positions,
                                        g.kernel * g.kernel, g.channels, out)
        }
    }
}
