import CLatentKernels

/// A 2-D convolution of NHWC images as products: y = im2col(x)·Wᵀ + b.
///
/// Shapes: `images: n × H × W × C`, `weight: C′ × k × k × C` (PyTorch's `C′ × C × k × k` with
/// the input channels last, so that a weight row is one receptive field), `bias: C′`, result
/// `n × H′ × W′ × C′` with H′, W′ from `geometry`. Each chunk of samples is laid out by im2col
/// and multiplied by the built-in GEMM (see ``ConvolutionBatching``).
public func convolution2d(_ images: Tensor, weight: Tensor, bias: Tensor, geometry: ConvolutionGeometry,
                          settings: ComputeSettings = .current) -> Tensor {
    let g = geometry, outputs = weight.shape.first ?? 0
    require(images.rank == 4 && Array(images.shape.dropFirst()) == [g.height, g.width, g.channels],
            "convolution2d: images \(images.shape) are not [n, \(g.height), \(g.width), \(g.channels)]")
    require(weight.shape == [outputs, g.kernel, g.kernel, g.channels] && bias.shape == [outputs],
            "convolution2d: weight \(weight.shape) and bias \(bias.shape) are not [C′, \(g.kernel), \(g.kernel), \(g.channels)] and [C′]")
    let n = images.shape[0]
    var y = Tensor(repeatingRow: bias, count: n * g.positions)
    let batching = ConvolutionBatching(samples: n, rowValues: g.positions * g.receptiveField)
    images.withUnsafeBufferPointer { x in
        weight.withUnsafeBufferPointer { w in
            y.withUnsafeMutableBufferPointer { out in
                let (x, w, out) = (Address(x.baseAddress!), Address(w.baseAddress!), Address(out.baseAddress!))
                batching.forEachGroup(settings: settings) { group, settings in
                    let cols = UnsafeMutablePointer<Float>.allocate(capacity: batching.chunkSamples * g.positions * g.receptiveField)
                    defer { cols.deallocate() }
                    for chunk in batching.chunks(of: group) {
                        g.im2col(x[chunk.lowerBound * g.pixels], samples: chunk.count, into: cols)
                        let rows = chunk.count * g.positions
                        gemm(transposeA: false, transposeB: true, m: rows, n: outputs, k: g.receptiveField, alpha: 1,
                             a: cols, lda: g.receptiveField, b: w.base, ldb: g.receptiveField, beta: 1,
                             c: out[chunk.lowerBound * g.positions * outputs], ldc: outputs, settings: settings)
                    }
                }
            }
        }
    }
    return y.reshaped([n, g.outputHeight, g.outputWidth, outputs])
}

/// The gradients of ``convolution2d(_:weight:bias:geometry:settings:)`` given δ = ∂L/∂y
/// (`n × H′ × W′ × C′`): ∂W = Σ δᵀ·im2col(x), ∂b = Σ δ over samples and positions, and, when
/// `inputGradient`, ∂x = col2im(δ·W). The column matrices are laid out again chunk by chunk
/// rather than kept from the forward pass: a chunk's im2col costs less than reading it back
/// from memory.
public func convolution2dGradients(_ delta: Tensor, images: Tensor, weight: Tensor, geometry: ConvolutionGeometry, inputGradient: Bool,
                                   settings: ComputeSettings = .current) -> (images: Tensor?, weight: Tensor, bias: Tensor) {
    let g = geometry, outputs = weight.shape[0], n = images.shape[0]
    require(delta.shape == [n, g.outputHeight, g.outputWidth, outputs],
            "convolution2dGradients: δ \(delta.shape) is not [\(n), \(g.outputHeight), \(g.outputWidth), \(outputs)]")
    let batching = ConvolutionBatching(samples: n, rowValues: g.positions * g.receptiveField)
    let partials = GradientPartials(weightCount: weight.count, biasCount: outputs, groups: batching.groupCount)
    var dx: Tensor? = inputGradient ? Tensor.zeros(images.shape) : nil
    images.withUnsafeBufferPointer { x in
        weight.withUnsafeBufferPointer { w in
            delta.withUnsafeBufferPointer { d in
                let (x, w, d) = (Address(x.baseAddress!), Address(w.baseAddress!), Address(d.baseAddress!))
                let run = { (dxBase: Address?) in
                    batching.forEachGroup(settings: settings) { group, settings in
                        let capacity = batching.chunkSamples * g.positions * g.receptiveField
                        let cols = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
                        defer { cols.deallocate() }
                        for (index, chunk) in batching.chunks(of: group).enumerated() {
                            let rows = chunk.count * g.positions
                            let deltaChunk = d[chunk.lowerBound * g.positions * outputs]
                            g.im2col(x[chunk.lowerBound * g.pixels], samples: chunk.count, into: cols)
                            gemm(transposeA: true, transposeB: false, m: outputs, n: g.receptiveField, k: rows, alpha: 1,
                                 a: deltaChunk, lda: outputs, b: cols, ldb: g.receptiveField, beta: index == 0 ? 0 : 1,
                                 c: partials.weight(group), ldc: g.receptiveField, settings: settings)
                            addColumnSums(deltaChunk, rows: rows, columns: outputs, into: partials.bias(group))
                            guard let dxBase else { continue }
                            // ∂cols = δ·W overwrites the chunk's columns, then col2im adds them onto ∂x.
                            gemm(transposeA: false, transposeB: false, m: rows, n: g.receptiveField, k: outputs, alpha: 1,
                                 a: deltaChunk, lda: outputs, b: w.base, ldb: g.receptiveField, beta: 0,
                                 c: cols, ldc: g.receptiveField, settings: settings)
                            g.col2im(cols, samples: chunk.count, into: dxBase[chunk.lowerBound * g.pixels])
                        }
                    }
                }
                if dx != nil {
                    dx!.withUnsafeMutableBufferPointer { run(Address($0.baseAddress!)) }
                } else {
                    run(nil)
                }
            }
        }
    }
    let (dw, db) = partials.total(weightShape: weight.shape)
    return (dx, dw, db)
}

/// A transposed convolution of NHWC images (the adjoint of ``convolution2d(_:weight:bias:geometry:settings:)``
/// in its input, as `torch.nn.ConvTranspose2d`): y = col2im(x·W) + b.
///
/// Shapes: `input: n × h × w × C` on the geometry's grid (h = `outputHeight`, w = `outputWidth`),
/// `weight: C × k × k × C′` (PyTorch's `C × C′ × k × k` with the output channels last), `bias: C′`,
/// result `n × H × W × C′`, the geometry's image.
public func transposedConvolution2d(_ input: Tensor, weight: Tensor, bias: Tensor, geometry: ConvolutionGeometry,
                                    settings: ComputeSettings = .current) -> Tensor {
    let g = geometry, inputs = weight.shape.first ?? 0
    require(input.rank == 4 && Array(input.shape.dropFirst()) == [g.outputHeight, g.outputWidth, inputs],
            "transposedConvolution2d: input \(input.shape) is not [n, \(g.outputHeight), \(g.outputWidth), \(inputs)]")
    require(weight.shape == [inputs, g.kernel, g.kernel, g.channels] && bias.shape == [g.channels],
            "transposedConvolution2d: weight \(weight.shape) and bias \(bias.shape) are not [C, \(g.kernel), \(g.kernel), \(g.channels)] and [\(g.channels)]")
    let n = input.shape[0]
    var y = Tensor(repeatingRow: bias, count: n * g.height * g.width)
    let batching = ConvolutionBatching(samples: n, rowValues: g.positions * g.receptiveField)
    input.withUnsafeBufferPointer { x in
        weight.withUnsafeBufferPointer { w in
            y.withUnsafeMutableBufferPointer { out in
                let (x, w, out) = (Address(x.baseAddress!), Address(w.baseAddress!), Address(out.baseAddress!))
                batching.forEachGroup(settings: settings) { group, settings in
                    let cols = UnsafeMutablePointer<Float>.allocate(capacity: batching.chunkSamples * g.positions * g.receptiveField)
                    defer { cols.deallocate() }
                    for chunk in batching.chunks(of: group) {
                        gemm(transposeA: false, transposeB: false, m: chunk.count * g.positions, n: g.receptiveField, k: inputs, alpha: 1,
                             a: x[chunk.lowerBound * g.positions * inputs], lda: inputs, b: w.base, ldb: g.receptiveField, beta: 0,
                             c: cols, ldc: g.receptiveField, settings: settings)
                        g.col2im(cols, samples: chunk.count, into: out[chunk.lowerBound * g.pixels])
                    }
                }
            }
        }
    }
    return y.reshaped([n, g.height, g.width, g.channels])
}

/// The gradients of ``transposedConvolution2d(_:weight:bias:geometry:settings:)`` given
/// δ = ∂L/∂y (`n × H × W × C′`): with D = im2col(δ), ∂W = Σ xᵀ·D, ∂b = Σ δ over samples and
/// pixels, and, when `inputGradient`, ∂x = D·Wᵀ.
public func transposedConvolution2dGradients(_ delta: Tensor, input: Tensor, weight: Tensor, geometry: ConvolutionGeometry,
                                             inputGradient: Bool, settings: ComputeSettings = .current)
    -> (input: Tensor?, weight: Tensor, bias: Tensor) {
    let g = geometry, inputs = weight.shape[0], n = input.shape[0]
    require(delta.shape == [n, g.height, g.width, g.channels],
            "transposedConvolution2dGradients: δ \(delta.shape) is not [\(n), \(g.height), \(g.width), \(g.channels)]")
    let batching = ConvolutionBatching(samples: n, rowValues: g.positions * g.receptiveField)
    let partials = GradientPartials(weightCount: weight.count, biasCount: g.channels, groups: batching.groupCount)
    var dx: Tensor? = inputGradient ? Tensor.uninitialized(input.shape) : nil
    input.withUnsafeBufferPointer { x in
        weight.withUnsafeBufferPointer { w in
            delta.withUnsafeBufferPointer { d in
                let (x, w, d) = (Address(x.baseAddress!), Address(w.baseAddress!), Address(d.baseAddress!))
                let run = { (dxBase: Address?) in
                    batching.forEachGroup(settings: settings) { group, settings in
                        let cols = UnsafeMutablePointer<Float>.allocate(capacity: batching.chunkSamples * g.positions * g.receptiveField)
                        defer { cols.deallocate() }
                        for (index, chunk) in batching.chunks(of: group).enumerated() {
                            let rows = chunk.count * g.positions
                            let inputChunk = x[chunk.lowerBound * g.positions * inputs]
                            g.im2col(d[chunk.lowerBound * g.pixels], samples: chunk.count, into: cols)
                            gemm(transposeA: true, transposeB: false, m: inputs, n: g.receptiveField, k: rows, alpha: 1,
                                 a: inputChunk, lda: inputs, b: cols, ldb: g.receptiveField, beta: index == 0 ? 0 : 1,
                                 c: partials.weight(group), ldc: g.receptiveField, settings: settings)
                            addColumnSums(d[chunk.lowerBound * g.pixels], rows: chunk.count * g.height * g.width, columns: g.channels,
                                          into: partials.bias(group))
                            guard let dxBase else { continue }
                            gemm(transposeA: false, transposeB: true, m: rows, n: inputs, k: g.receptiveField, alpha: 1,
                                 a: cols, lda: g.receptiveField, b: w.base, ldb: g.receptiveField, beta: 0,
                                 c: dxBase[chunk.lowerBound * g.positions * inputs], ldc: inputs, settings: settings)
                        }
                    }
                }
                if dx != nil {
                    dx!.withUnsafeMutableBufferPointer { run(Address($0.baseAddress!)) }
                } else {
                    run(nil)
                }
            }
        }
    }
    let (dw, db) = partials.total(weightShape: weight.shape)
    return (dx, dw, db)
}

/// Nearest-neighbour upsampling of NHWC images by an integer `factor`: `n × H × W × C` →
/// `n × fH × fW × C`, each pixel repeated in an f × f block.
public func upsampleNearest(_ images: Tensor, factor: Int) -> Tensor {
    require(images.rank == 4 && factor >= 1, "upsampleNearest: images \(images.shape) are not [n, H, W, C], or factor \(factor) < 1")
    let (n, h, w, c) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
    return Tensor(shape: [n, h * factor, w * factor, c]) { out in
        images.withUnsafeBufferPointer { latent_upsample_nearest_nhwc($0.baseAddress!, n, h, w, c, factor, out.baseAddress!) }
    }
}

/// The adjoint of ``upsampleNearest(_:factor:)``: each f × f block of `gradient` summed.
public func upsampleNearestAdjoint(_ gradient: Tensor, factor: Int) -> Tensor {
    require(gradient.rank == 4 && factor >= 1 && gradient.shape[1] % factor == 0 && gradient.shape[2] % factor == 0,
            "upsampleNearestAdjoint: gradient \(gradient.shape) does not come from an upsampling by \(factor)")
    let (n, h, w, c) = (gradient.shape[0], gradient.shape[1] / factor, gradient.shape[2] / factor, gradient.shape[3])
    return Tensor(shape: [n, h, w, c]) { out in
        gradient.withUnsafeBufferPointer { latent_upsample_nearest_adjoint_nhwc($0.baseAddress!, n, h, w, c, factor, out.baseAddress!) }
    }
}
