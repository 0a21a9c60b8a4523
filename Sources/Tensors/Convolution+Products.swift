import CLatentKernels

/// A 2-D convolution of NHWC images as products: y = f(im2col(x)·Wᵀ + b).
///
/// Shapes: `images: n × H × W × C`, `weight: C′ × k × k × C` (PyTorch's `C′ × C × k × k` with
/// the input channels last, so that a weight row is one receptive field), `bias: C′`, result
/// `n × H′ × W′ × C′` with H′, W′ from `geometry`. On the built-in GEMM with output channels
/// its kernels take, each group of samples runs as an indirect convolution straight from the
/// images (`IndirectConvolution`); otherwise each chunk of samples is laid out by im2col and
/// multiplied by the GEMM onto copies of the bias. Either way f (`then`, the layer's activation)
/// maps each group while it is in cache (see `ConvolutionBatching`).
public func convolution2d(_ images: Tensor, weight: Tensor, bias: Tensor, geometry: ConvolutionGeometry, then map: PointwiseMap? = nil,
                          settings: ComputeSettings = .current) -> Tensor {
    let g = geometry, outputs = weight.shape.first ?? 0
    require(images.rank == 4 && Array(images.shape.dropFirst()) == [g.height, g.width, g.channels],
            "convolution2d: images \(images.shape) are not [n, \(g.height), \(g.width), \(g.channels)]")
    require(weight.shape == [outputs, g.kernel, g.kernel, g.channels] && bias.shape == [outputs],
            "convolution2d: weight \(weight.shape) and bias \(bias.shape) are not [C′, \(g.kernel), \(g.kernel), \(g.channels)] and [C′]")
    let n = images.shape[0]
    var y = Tensor.uninitialized([n, g.outputHeight, g.outputWidth, outputs])
    let batching = ConvolutionBatching(samples: n, rowValues: g.positions * g.receptiveField)
    withAddresses([images, weight, bias], writing: &y) { read, out in
        let (x, w, b) = (read[0], read[1], read[2])
        if let indirect = IndirectConvolution(convolution: g, weight: w.base, outputs: outputs, settings: settings) {
            batching.forEachGroup(settings: settings) { group, _ in
                let samples = batching.group(group), target = out[samples.lowerBound * g.positions * outputs]
                indirect(x[samples.lowerBound * g.pixels], samples: samples.count, bias: b.base, into: target)
                map?(target, samples.count * g.positions * outputs)
            }
            return
        }
        batching.forEachGroup(settings: settings) { group, settings in
            let cols = UnsafeMutablePointer<Float>.allocate(capacity: batching.chunkSamples * g.positions * g.receptiveField)
            defer { cols.deallocate() }
            for chunk in batching.chunks(of: group) {
                let rows = chunk.count * g.positions, target = out[chunk.lowerBound * g.positions * outputs]
                g.im2col(x[chunk.lowerBound * g.pixels], samples: chunk.count, into: cols)
                fillRows(target, rows: rows, with: b.base, columns: outputs)
                gemm(transposeA: false, transposeB: true, m: rows, n: outputs, k: g.receptiveField, alpha: 1,
                     a: cols, lda: g.receptiveField, b: w.base, ldb: g.receptiveField, beta: 1, c: target, ldc: outputs, settings: settings)
                map?(target, rows * outputs)
            }
        }
    }
    return y
}

/// The gradients of ``convolution2d(_:weight:bias:geometry:then:settings:)`` given g = ∂L/∂y
/// (`n × H′ × W′ × C′`) and, when the convolution was mapped by f, its output y and f's
/// `pullback`: δ = g·f′ per group, then ∂W = Σ δᵀ·im2col(x), ∂b = Σ δ over samples and
/// positions, and, when `inputGradient`, ∂x = col2im(δ·W). Where the built-in kernels take the
/// channel counts, ∂W sums outer products of δ with the pixels under each tap
/// (`IndirectWeightGradient`) and ∂x is the transposed convolution of δ gathered phase by phase,
/// with no column matrix; otherwise im2col lays the images out again chunk by chunk (cheaper
/// than reading the forward pass's back from memory), ∂W is formed as (colsᵀ·δ)ᵀ and col2im adds
/// δ·W back.
public func convolution2dGradients(_ gradient: Tensor, images: Tensor, weight: Tensor, geometry: ConvolutionGeometry,
                                   output: Tensor? = nil, pullback: PointwisePullback? = nil, inputGradient: Bool,
                                   settings: ComputeSettings = .current) -> (images: Tensor?, weight: Tensor, bias: Tensor) {
    let g = geometry, outputs = weight.shape[0], n = images.shape[0]
    require(gradient.shape == [n, g.outputHeight, g.outputWidth, outputs] && (pullback == nil || output?.shape == gradient.shape),
            "convolution2dGradients: gradient \(gradient.shape) (and output \(output?.shape ?? [])) is not [\(n), \(g.outputHeight), \(g.outputWidth), \(outputs)]")
    let batching = ConvolutionBatching(samples: n, rowValues: g.positions * g.receptiveField)
    var dx: Tensor? = inputGradient ? Tensor.uninitialized(images.shape) : nil
    let y = pullback == nil ? gradient : output!
    // Without column matrices where the kernels take the channel counts.
    if let weightGradient = IndirectWeightGradient(geometry: g, rowChannels: outputs, settings: settings),
       !inputGradient || IndirectConvolution.applies(outputs: g.channels, settings: settings) {
        let partials = GradientPartials(weightCount: weight.count, biasCount: outputs, groups: batching.groupCount, transposed: false)
        withAddresses([images, weight, gradient, y]) { read in
            let (x, w, d, yp) = (read[0], read[1], read[2], read[3])
            let gather = inputGradient ? IndirectConvolution(transposed: g, weight: w.base, inputs: outputs, settings: settings) : nil
            withAddress(of: &dx) { dxBase in
                batching.forEachGroup(settings: settings) { group, _ in
                    let samples = batching.group(group), rows = samples.count * g.positions
                    withDelta(d[samples.lowerBound * g.positions * outputs], output: yp[samples.lowerBound * g.positions * outputs],
                              count: rows * outputs, pullback: pullback) { delta in
                        weightGradient(rows: delta, image: x[samples.lowerBound * g.pixels], samples: samples.count, into: partials.weight(group))
                        addColumnSums(delta, rows: rows, columns: outputs, into: partials.bias(group))
                        if let gather, let dxBase { gather(delta, samples: samples.count, bias: nil, into: dxBase[samples.lowerBound * g.pixels]) }
                    }
                }
            }
        }
        let (dw, db) = partials.total(weightShape: weight.shape, settings: settings)
        return (dx, dw, db)
    }
    let partials = GradientPartials(weightCount: weight.count, biasCount: outputs, groups: batching.groupCount)
    withAddresses([images, weight, gradient, y]) { read in
        let (x, w, d, yp) = (read[0], read[1], read[2], read[3])
        let gather = inputGradient ? IndirectConvolution(transposed: g, weight: w.base, inputs: outputs, settings: settings) : nil
        withAddress(of: &dx) { dxBase in
            batching.forEachGroup(settings: settings) { group, settings in
                let deltaValues = batching.chunkSamples * g.positions * outputs
                let cols = UnsafeMutablePointer<Float>.allocate(capacity: batching.chunkSamples * g.positions * g.receptiveField)
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: pullback == nil ? 0 : deltaValues)
                defer { cols.deallocate(); scratch.deallocate() }
                for (index, chunk) in batching.chunks(of: group).enumerated() {
                    let rows = chunk.count * g.positions, offset = chunk.lowerBound * g.positions * outputs
                    var delta = UnsafePointer(d[offset])
                    if let pullback {
                        pullback(yp[offset], d[offset], scratch, rows * outputs)
                        delta = UnsafePointer(scratch)
                    }
                    g.im2col(x[chunk.lowerBound * g.pixels], samples: chunk.count, into: cols)
                    // ∂Wᵀ = colsᵀ·δ: the faster of the two orders (latent-benchmarks convolution).
                    gemm(transposeA: true, transposeB: false, m: g.receptiveField, n: outputs, k: rows, alpha: 1,
                         a: cols, lda: g.receptiveField, b: delta, ldb: outputs, beta: index == 0 ? 0 : 1,
                         c: partials.weight(group), ldc: outputs, settings: settings)
                    addColumnSums(delta, rows: rows, columns: outputs, into: partials.bias(group))
                    guard let dxBase else { continue }
                    if let gather {
                        gather(delta, samples: chunk.count, bias: nil, into: dxBase[chunk.lowerBound * g.pixels])
                        continue
                    }
                    // ∂cols = δ·W overwrites the chunk's columns, then col2im adds them onto ∂x.
                    gemm(transposeA: false, transposeB: false, m: rows, n: g.receptiveField, k: outputs, alpha: 1,
                         a: delta, lda: outputs, b: w.base, ldb: g.receptiveField, beta: 0,
                         c: cols, ldc: g.receptiveField, settings: settings)
                    let target = dxBase[chunk.lowerBound * g.pixels]
                    target.initialize(repeating: 0, count: chunk.count * g.pixels)
                    g.col2im(cols, samples: chunk.count, into: target)
                }
            }
        }
    }
    let (dw, db) = partials.total(weightShape: weight.shape, settings: settings)
    return (dx, dw, db)
}

/// A transposed convolution of NHWC images (the adjoint of ``convolution2d(_:weight:bias:geometry:then:settings:)``
/// in its input, as `torch.nn.ConvTranspose2d`): y = f(col2im(x·W) + b).
///
/// Shapes: `input: n × h × w × C` on the geometry's grid (h = `outputHeight`, w = `outputWidth`),
/// `weight: C × k × k × C′` (PyTorch's `C × C′ × k × k` with the output channels last), `bias: C′`,
/// result `n × H × W × C′`, the geometry's image. On the built-in GEMM with output channels its
/// kernels take, a gather over the image's stride² pixel phases (`IndirectConvolution`); otherwise
/// x·W per chunk, added onto the bias by col2im.
public func transposedConvolution2d(_ input: Tensor, weight: Tensor, bias: Tensor, geometry: ConvolutionGeometry, then map: PointwiseMap? = nil,
                                    settings: ComputeSettings = .current) -> Tensor {
    let g = geometry, inputs = weight.shape.first ?? 0
    require(input.rank == 4 && Array(input.shape.dropFirst()) == [g.outputHeight, g.outputWidth, inputs],
            "transposedConvolution2d: input \(input.shape) is not [n, \(g.outputHeight), \(g.outputWidth), \(inputs)]")
    require(weight.shape == [inputs, g.kernel, g.kernel, g.channels] && bias.shape == [g.channels],
            "transposedConvolution2d: weight \(weight.shape) and bias \(bias.shape) are not [C, \(g.kernel), \(g.kernel), \(g.channels)] and [\(g.channels)]")
    let n = input.shape[0]
    var y = Tensor.uninitialized([n, g.height, g.width, g.channels])
    let batching = ConvolutionBatching(samples: n, rowValues: g.positions * g.receptiveField)
    withAddresses([input, weight, bias], writing: &y) { read, out in
        let (x, w, b) = (read[0], read[1], read[2])
        if let gather = IndirectConvolution(transposed: g, weight: w.base, inputs: inputs, settings: settings) {
            batching.forEachGroup(settings: settings) { group, _ in
                let samples = batching.group(group), target = out[samples.lowerBound * g.pixels]
                gather(x[samples.lowerBound * g.positions * inputs], samples: samples.count, bias: b.base, into: target)
                map?(target, samples.count * g.pixels)
            }
            return
        }
        batching.forEachGroup(settings: settings) { group, settings in
            let cols = UnsafeMutablePointer<Float>.allocate(capacity: batching.chunkSamples * g.positions * g.receptiveField)
            defer { cols.deallocate() }
            for chunk in batching.chunks(of: group) {
                gemm(transposeA: false, transposeB: false, m: chunk.count * g.positions, n: g.receptiveField, k: inputs, alpha: 1,
                     a: x[chunk.lowerBound * g.positions * inputs], lda: inputs, b: w.base, ldb: g.receptiveField, beta: 0,
                     c: cols, ldc: g.receptiveField, settings: settings)
                let target = out[chunk.lowerBound * g.pixels]
                fillRows(target, rows: chunk.count * g.height * g.width, with: b.base, columns: g.channels)
                g.col2im(cols, samples: chunk.count, into: target)
                map?(target, chunk.count * g.pixels)
            }
        }
    }
    return y
}

/// The gradients of ``transposedConvolution2d(_:weight:bias:geometry:then:settings:)`` given
/// g = ∂L/∂y (`n × H × W × C′`) and, when mapped by f, its output y and f's `pullback`: δ = g·f′
/// per chunk, D = im2col(δ), then ∂W = Σ xᵀ·D, ∂b = Σ δ over samples and pixels, and, when
/// `inputGradient`, ∂x = D·Wᵀ. Where the built-in kernels take the channel counts, without D:
/// ∂W from outer products (`IndirectWeightGradient`), ∂x as an indirect convolution of δ.
public func transposedConvolution2dGradients(_ gradient: Tensor, input: Tensor, weight: Tensor, geometry: ConvolutionGeometry,
                                             output: Tensor? = nil, pullback: PointwisePullback? = nil,
                                             inputGradient: Bool, settings: ComputeSettings = .current)
    -> (input: Tensor?, weight: Tensor, bias: Tensor) {
    let g = geometry, inputs = weight.shape[0], n = input.shape[0]
    require(gradient.shape == [n, g.height, g.width, g.channels] && (pullback == nil || output?.shape == gradient.shape),
            "transposedConvolution2dGradients: gradient \(gradient.shape) (and output \(output?.shape ?? [])) is not [\(n), \(g.height), \(g.width), \(g.channels)]")
    let batching = ConvolutionBatching(samples: n, rowValues: g.positions * g.receptiveField)
    var dx: Tensor? = inputGradient ? Tensor.uninitialized(input.shape) : nil
    let y = pullback == nil ? gradient : output!
    // Without column matrices where the kernels take the channel counts.
    if let weightGradient = IndirectWeightGradient(geometry: g, rowChannels: inputs, settings: settings),
       !inputGradient || IndirectConvolution.applies(outputs: inputs, settings: settings) {
        let partials = GradientPartials(weightCount: weight.count, biasCount: g.channels, groups: batching.groupCount, transposed: false)
        withAddresses([input, weight, gradient, y]) { read in
            let (x, w, d, yp) = (read[0], read[1], read[2], read[3])
            let indirect = inputGradient ? IndirectConvolution(convolution: g, weight: w.base, outputs: inputs, settings: settings) : nil
            withAddress(of: &dx) { dxBase in
                batching.forEachGroup(settings: settings) { group, _ in
                    let samples = batching.group(group), gridRows = samples.lowerBound * g.positions * inputs
                    withDelta(d[samples.lowerBound * g.pixels], output: yp[samples.lowerBound * g.pixels], count: samples.count * g.pixels,
                              pullback: pullback) { delta in
                        weightGradient(rows: x[gridRows], image: delta, samples: samples.count, into: partials.weight(group))
                        addColumnSums(delta, rows: samples.count * g.height * g.width, columns: g.channels, into: partials.bias(group))
                        if let indirect, let dxBase { indirect(delta, samples: samples.count, bias: nil, into: dxBase[gridRows]) }
                    }
                }
            }
        }
        let (dw, db) = partials.total(weightShape: weight.shape, settings: settings)
        return (dx, dw, db)
    }
    let partials = GradientPartials(weightCount: weight.count, biasCount: g.channels, groups: batching.groupCount)
    withAddresses([input, weight, gradient, y]) { read in
        let (x, w, d, yp) = (read[0], read[1], read[2], read[3])
        let indirect = inputGradient ? IndirectConvolution(convolution: g, weight: w.base, outputs: inputs, settings: settings) : nil
        withAddress(of: &dx) { dxBase in
            batching.forEachGroup(settings: settings) { group, settings in
                let cols = UnsafeMutablePointer<Float>.allocate(capacity: batching.chunkSamples * g.positions * g.receptiveField)
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: pullback == nil ? 0 : batching.chunkSamples * g.pixels)
                defer { cols.deallocate(); scratch.deallocate() }
                for (index, chunk) in batching.chunks(of: group).enumerated() {
                    let rows = chunk.count * g.positions, offset = chunk.lowerBound * g.pixels
                    var delta = UnsafePointer(d[offset])
                    if let pullback {
                        pullback(yp[offset], d[offset], scratch, chunk.count * g.pixels)
                        delta = UnsafePointer(scratch)
                    }
                    let inputChunk = x[chunk.lowerBound * g.positions * inputs]
                    g.im2col(delta, samples: chunk.count, into: cols)
                    gemm(transposeA: true, transposeB: false, m: g.receptiveField, n: inputs, k: rows, alpha: 1,
                         a: cols, lda: g.receptiveField, b: inputChunk, ldb: inputs, beta: index == 0 ? 0 : 1,
                         c: partials.weight(group), ldc: inputs, settings: settings)
                    addColumnSums(delta, rows: chunk.count * g.height * g.width, columns: g.channels, into: partials.bias(group))
                    guard let dxBase else { continue }
                    if let indirect {
                        indirect(delta, samples: chunk.count, bias: nil, into: dxBase[chunk.lowerBound * g.positions * inputs])
                        continue
                    }
                    gemm(transposeA: false, transposeB: true, m: rows, n: inputs, k: g.receptiveField, alpha: 1,
                         a: cols, lda: g.receptiveField, b: w.base, ldb: g.receptiveField, beta: 0,
                         c: dxBase[chunk.lowerBound * g.positions * inputs], ldc: inputs, settings: settings)
                }
            }
        }
    }
    let (dw, db) = partials.total(weightShape: weight.shape, settings: settings)
    return (dx, dw, db)
}

/// Runs `body` with δ = g·f′ for `count` values (`pullback` given the map's output y), or with
/// g itself when the layer has no map.
private func withDelta(_ gradient: UnsafePointer<Float>, output: UnsafePointer<Float>, count: Int, pullback: PointwisePullback?,
                       _ body: (UnsafePointer<Float>) -> Void) {
    guard let pullback else { return body(gradient) }
    let delta = UnsafeMutablePointer<Float>.allocate(capacity: count)
    defer { delta.deallocate() }
    pullback(output, gradient, delta, count)
    body(delta)
}
