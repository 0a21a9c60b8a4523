import CLatentKernels

/// The shape arithmetic of a 2-D convolution with a square kernel on NHWC images: an image of
/// height × width × channels, a k × k kernel moved by `stride` over the image padded with
/// `padding` zeros on every side, and the grid of positions it takes,
///
///     outputHeight = (height + 2·padding − kernel) / stride + 1   (and likewise the width).
///
/// A convolution reads the image and writes one value per position and output channel; a
/// transposed convolution reads the grid and writes the image, so the same geometry describes
/// both (its `height`, `width` and `channels` then belong to the output).
public struct ConvolutionGeometry: Sendable, Hashable, CustomStringConvertible {
    public let height: Int, width: Int, channels: Int
    public let kernel: Int, stride: Int, padding: Int
    public let outputHeight: Int, outputWidth: Int

    /// The geometry of a convolution over an image of `height × width × channels`, its grid
    /// computed. Nil when the kernel does not fit the padded image or the stride does not
    /// divide height + 2·padding − kernel (positions would silently drop the image's last rows).
    public init?(height: Int, width: Int, channels: Int, kernel: Int, stride: Int, padding: Int) {
        guard height > 0, width > 0, channels > 0, kernel > 0, stride > 0, padding >= 0, padding < kernel else { return nil }
        let (spanY, spanX) = (height + 2 * padding - kernel, width + 2 * padding - kernel)
        guard spanY >= 0, spanX >= 0, spanY % stride == 0, spanX % stride == 0 else { return nil }
        self.init(unchecked: height, width, channels, kernel, stride, padding, spanY / stride + 1, spanX / stride + 1)
    }

    /// The geometry of a transposed convolution from a grid of `inputHeight × inputWidth` to
    /// the image of (inputHeight − 1)·stride − 2·padding + kernel + outputPadding rows (and
    /// likewise columns), as `torch.nn.ConvTranspose2d`; `outputPadding < stride` adds rows
    /// the convolution's grid does not reach. Nil when the image would be empty.
    public init?(transposedFromHeight inputHeight: Int, width inputWidth: Int, channels: Int, kernel: Int, stride: Int,
                 padding: Int, outputPadding: Int) {
        guard inputHeight > 0, inputWidth > 0, channels > 0, kernel > 0, stride > 0, padding >= 0, padding < kernel,
              outputPadding >= 0, outputPadding < stride else { return nil }
        let height = (inputHeight - 1) * stride - 2 * padding + kernel + outputPadding
        let width = (inputWidth - 1) * stride - 2 * padding + kernel + outputPadding
        guard height > 0, width > 0 else { return nil }
        self.init(unchecked: height, width, channels, kernel, stride, padding, inputHeight, inputWidth)
    }

    private init(unchecked height: Int, _ width: Int, _ channels: Int, _ kernel: Int, _ stride: Int, _ padding: Int,
                 _ outputHeight: Int, _ outputWidth: Int) {
        (self.height, self.width, self.channels) = (height, width, channels)
        (self.kernel, self.stride, self.padding) = (kernel, stride, padding)
        (self.outputHeight, self.outputWidth) = (outputHeight, outputWidth)
    }

    /// k·k·channels: the width of a row of the column matrix (one receptive field).
    public var receptiveField: Int { kernel * kernel * channels }
    /// Grid positions per image.
    public var positions: Int { outputHeight * outputWidth }
    /// Values per image.
    public var pixels: Int { height * width * channels }

    public var description: String {
        "\(height) × \(width) × \(channels) image, kernel \(kernel), stride \(stride), padding \(padding), grid \(outputHeight) × \(outputWidth)"
    }

    /// cols (`samples·positions × receptiveField`) of `samples` images at `images`.
    func im2col(_ images: UnsafePointer<Float>, samples: Int, into cols: UnsafeMutablePointer<Float>) {
        latent_im2col_nhwc(images, samples, height, width, channels, kernel, stride, padding, outputHeight, outputWidth, cols)
    }

    /// images += col2im(cols).
    func col2im(_ cols: UnsafePointer<Float>, samples: Int, into images: UnsafeMutablePointer<Float>) {
        latent_col2im_nhwc(cols, samples, height, width, channels, kernel, stride, padding, outputHeight, outputWidth, images)
    }
}

/// How a batch of images is cut for the convolution kernels: into at most ``groups`` groups of
/// consecutive samples, which threads take in turn, each group in chunks whose column matrix
/// stays near ``chunkValues`` floats, so that im2col writes it into the core's cache and the
/// product reads it from there. The cut depends on the shapes alone, never on the thread count,
/// and the gradients' sums over groups run in group order: results are the same bit for bit at
/// any thread count.
struct ConvolutionBatching {
    /// Column-matrix values per chunk: 1 MiB, a core's L2 on the machine it was measured on (in
    /// `latent-benchmarks convolution`).
    static let chunkValues = 1 << 18
    /// Groups of a batch: the weight gradient is summed over this many partial sums.
    static let groups = 16

    let samples: Int, groupCount: Int, chunkSamples: Int

    init(samples: Int, rowValues: Int) {
        self.samples = samples
        groupCount = max(1, min(samples, Self.groups))
        chunkSamples = max(1, Self.chunkValues / max(rowValues, 1))
    }

    func group(_ g: Int) -> Range<Int> { (samples * g / groupCount)..<(samples * (g + 1) / groupCount) }

    /// The chunks of group `g`.
    func chunks(of g: Int) -> [Range<Int>] {
        let range = group(g)
        return stride(from: range.lowerBound, to: range.upperBound, by: chunkSamples).map { $0..<min($0 + chunkSamples, range.upperBound) }
    }

    /// Runs `body(group, settings)` for every group: in parallel with single-threaded products
    /// when there are groups enough, else one group after another with the caller's threads.
    func forEachGroup(settings: ComputeSettings, _ body: @Sendable (Int, ComputeSettings) -> Void) {
        if groupCount >= 2, settings.threads > 1 {
            var oneThread = settings
            oneThread.threads = 1
            let single = oneThread
            forEachPart(groupCount, settings: settings) { body($0, single) }
        } else {
            for g in 0..<groupCount { body(g, settings) }
        }
    }
}

/// A pointwise map applied in place to a kernel's output, chunk by chunk while the chunk is in
/// cache (a layer's activation): `(values, count)`.
public typealias PointwiseMap = @Sendable (UnsafeMutablePointer<Float>, Int) -> Void
/// The pullback of a pointwise map, chunk by chunk: `(y, g, δ, count)` writes δ = g·f′ from
/// the map's output y and the gradient g.
public typealias PointwisePullback = @Sendable (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void

/// `rows` copies of `bias` (`columns` values) at `out`.
func fillRows(_ out: UnsafeMutablePointer<Float>, rows: Int, with bias: UnsafePointer<Float>, columns: Int) {
    for r in 0..<rows { (out + r * columns).update(from: bias, count: columns) }
}

/// Sendable addresses of tensor storage that parallel groups read, or write in disjoint parts.
struct Address: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
    init(_ pointer: UnsafePointer<Float>) { base = UnsafeMutablePointer(mutating: pointer) }
    init(_ pointer: UnsafeMutablePointer<Float>) { base = pointer }
    subscript(offset: Int) -> UnsafeMutablePointer<Float> { base + offset }
    /// The address given for an empty tensor (no samples): one value, never read.
    static let empty = Address(UnsafeMutablePointer<Float>.allocate(capacity: 1))
}

/// Runs `body` with the storage addresses of `tensors` (read) and of `output` (written), in
/// order; an empty tensor's address is never read.
func withAddresses<Result>(_ tensors: [Tensor], writing output: inout Tensor, _ body: ([Address], Address) -> Result) -> Result {
    output.withUnsafeMutableBufferPointer { out in
        withAddresses(tensors) { read in body(read, out.baseAddress.map(Address.init) ?? Address.empty) }
    }
}

/// Runs `body` with the storage addresses of `tensors`, in order.
func withAddresses<Result>(_ tensors: [Tensor], _ body: ([Address]) -> Result) -> Result {
    func next(_ index: Int, _ collected: [Address]) -> Result {
        guard index < tensors.count else { return body(collected) }
        return tensors[index].withUnsafeBufferPointer { next(index + 1, collected + [$0.baseAddress.map(Address.init) ?? Address.empty]) }
    }
    return next(0, [])
}

/// Runs `body` with the address of `tensor`'s storage (nil when there is no tensor: a
/// gradient nobody needs).
func withAddress(of tensor: inout Tensor?, _ body: (Address?) -> Void) {
    guard tensor != nil else { return body(nil) }
    tensor!.withUnsafeMutableBufferPointer { body($0.baseAddress.map(Address.init) ?? Address.empty) }
}

/// Σ over `rows` rows of a `rows × columns` block, added to `sums` (``latent_add_column_sums``).
func addColumnSums(_ block: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Double>) {
    latent_add_column_sums(block, rows, columns, sums)
}

/// The weight and bias gradients of every group, summed in group order; a group's weight
/// gradient is held transposed (`K × C` for a `C × K` weight).
struct GradientPartials: @unchecked Sendable {
    let weights: UnsafeMutablePointer<Float>, biases: UnsafeMutablePointer<Double>
    let weightCount: Int, biasCount: Int, groups: Int
    /// Whether a group's weight gradient is held transposed (`K × C` for a `C × K` weight, from
    /// the GEMM) rather than in the weight's layout (from ``IndirectWeightGradient``).
    let transposed: Bool

    /// `transposed: false` partials come from ``IndirectWeightGradient``, which writes every
    /// group's whole partial (zeros for a group without samples); the GEMM's are zeroed first,
    /// for a group without samples that no product writes.
    init(weightCount: Int, biasCount: Int, groups: Int, transposed: Bool = true) {
        (self.weightCount, self.biasCount, self.groups, self.transposed) = (weightCount, biasCount, groups, transposed)
        weights = .allocate(capacity: weightCount * groups)
        if transposed { weights.initialize(repeating: 0, count: weightCount * groups) }
        biases = .allocate(capacity: biasCount * groups)
        biases.initialize(repeating: 0, count: biasCount * groups)
    }

    func weight(_ g: Int) -> UnsafeMutablePointer<Float> { weights + g * weightCount }
    func bias(_ g: Int) -> UnsafeMutablePointer<Double> { biases + g * biasCount }

    /// The sums over groups as tensors, the weight's of `weightShape` = `[C, K]` (transposed from
    /// the partials' `K × C` layout where they are held transposed); frees the partials.
    func total(weightShape: [Int], settings: ComputeSettings) -> (weight: Tensor, bias: Tensor) {
        defer { weights.deallocate(); biases.deallocate() }
        let columns = weightShape[0], rows = weightCount / max(columns, 1)
        let summed = UnsafeMutablePointer<Float>.allocate(capacity: weightCount)
        defer { summed.deallocate() }
        // Each value summed over the groups in group order, the values split between threads.
        let (partials, total, count, groups) = (Address(weights), Address(summed), weightCount, groups)
        forEachChunk(of: weightCount, minimumChunk: 1 << 12, settings: settings) { range in
            let out = total[range.lowerBound]
            out.update(from: partials[range.lowerBound], count: range.count)
            for g in 1..<max(groups, 1) {
                let partial = UnsafePointer(partials[g * count + range.lowerBound])
                for i in 0..<range.count { out[i] += partial[i] }
            }
        }
        let weight = Tensor(shape: weightShape) { out in
            if transposed {
                for r in 0..<rows { for c in 0..<columns { out[c * rows + r] = summed[r * columns + c] } }
            } else if let base = out.baseAddress {
                base.update(from: summed, count: weightCount)
            }
        }
        let bias = Tensor(shape: [biasCount]) { out in
            for c in 0..<biasCount { out[c] = Float((0..<groups).reduce(0.0) { $0 + biases[$1 * biasCount + c] }) }
        }
        return (weight, bias)
    }
}
