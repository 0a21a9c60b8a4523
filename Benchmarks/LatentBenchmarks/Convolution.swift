import Latent

/// One convolution of the default convolutional VAE for 28 × 28 × 1 images at batch 128.
struct ConvolutionShape {
    let name: String, transposed: Bool, inputs: Int, outputs: Int, side: Int
    let kernel = 4, stride = 2, padding = 1, batch = 128

    var geometry: ConvolutionGeometry {
        transposed ? ConvolutionGeometry(transposedFromHeight: side, width: side, channels: outputs, kernel: kernel, stride: stride, padding: padding, outputPadding: 0)!
            : ConvolutionGeometry(height: side, width: side, channels: inputs, kernel: kernel, stride: stride, padding: padding)!
    }
    /// Multiply-adds of one product: grid positions × k² × C × C′.
    var multiplyAdds: Int { batch * geometry.positions * kernel * kernel * inputs * outputs }
    /// Products of a training step: forward, ∂W, and ∂x unless the input is the data.
    var products: Int { inputs > 1 ? 3 : 2 }
}

let convolutionShapes = [
    ConvolutionShape(name: "conv 1→32, 28→14", transposed: false, inputs: 1, outputs: 32, side: 28),
    ConvolutionShape(name: "conv 32→64, 14→7", transposed: false, inputs: 32, outputs: 64, side: 14),
    ConvolutionShape(name: "convT 64→32, 7→14", transposed: true, inputs: 64, outputs: 32, side: 7),
    ConvolutionShape(name: "convT 32→1, 14→28", transposed: true, inputs: 32, outputs: 1, side: 14),
]

/// The convolution layers' throughput on the training shapes (forward, and forward with both
/// gradients), beside the GEMM's on the same products over the whole batch's column matrix,
/// and the layout's measurement: NHWC's one product per chunk of samples against NCHW's one
/// product per sample. Compare with `Benchmarks/reference/conv_vae_reference.py --kernels`.
@MainActor func benchmarkConvolution(repetitions: Int) {
    let settings = ComputeSettings.current
    print("Convolution layers at batch 128, \(settings.threads) thread(s), \(settings.backend); median of \(repetitions)")
    for shape in convolutionShapes {
        let g = shape.geometry
        let input: Tensor, weight: Variable
        let bias = Variable(.zeros([shape.outputs]), requiresGradient: true)
        let layer: any Layer
        if shape.transposed {
            input = Tensor.randomUniform([shape.batch, shape.side, shape.side, shape.inputs], using: &generator)
            weight = Variable(Tensor.randomNormal([shape.inputs, 4, 4, shape.outputs], standardDeviation: 0.1, using: &generator), requiresGradient: true)
            layer = TransposedConvolution2D(weight: weight, bias: bias, stride: 2, padding: 1)
        } else {
            input = Tensor.randomUniform([shape.batch, shape.side, shape.side, shape.inputs], using: &generator)
            weight = Variable(Tensor.randomNormal([shape.outputs, 4, 4, shape.inputs], standardDeviation: 0.1, using: &generator), requiresGradient: true)
            layer = Convolution2D(weight: weight, bias: bias, stride: 2, padding: 1)
        }
        let forward = medianSeconds(repetitions: repetitions) { _ = layer(input) }
        let outputShape = layer(input).shape
        let seed = Tensor.randomUniform(outputShape, using: &generator)
        let both = medianSeconds(repetitions: repetitions) {
            let x = Variable(input, requiresGradient: shape.inputs > 1)
            layer(x).backward(seed: seed)
            weight.zeroGradient()
            bias.zeroGradient()
        }
        // The same products as single GEMMs over the whole batch's column matrix (rows: grid positions).
        let rows = shape.batch * g.positions, k = g.receptiveField, c = shape.transposed ? shape.inputs : shape.outputs
        let cols = Tensor.randomUniform([rows, k], using: &generator), w = Tensor.randomUniform([c, k], using: &generator)
        let delta = Tensor.randomUniform([rows, c], using: &generator)
        var out = Tensor.zeros([rows, c]), dw = Tensor.zeros([c, k]), dcols = Tensor.zeros([rows, k])
        let products = medianSeconds(repetitions: repetitions) {
            gemm(cols, w, transposeB: true, into: &out)
            gemm(delta, transposeA: true, cols, into: &dw)
            if shape.products == 3 { gemm(delta, w, into: &dcols) }
        }
        let flops = 2 * Double(shape.multiplyAdds)
        print(column(shape.name, 20)
              + String(format: "forward %7.3f ms (%5.1f GFLOP/s)   forward + backward %7.3f ms (%5.1f GFLOP/s)   its %d GEMMs alone %7.3f ms (%5.1f GFLOP/s)",
                       forward * 1e3, flops / forward / 1e9, both * 1e3, flops * Double(shape.products) / both / 1e9,
                       shape.products, products * 1e3, flops * Double(shape.products) / products / 1e9))
    }
    // Layout: NCHW computes each sample's grid as W·cols (C′ × k²C times k²C × positions); NHWC one product per chunk.
    let shape = convolutionShapes[1], g = shape.geometry
    let w = Tensor.randomUniform([shape.outputs, g.receptiveField], using: &generator)
    let perSample = Tensor.randomUniform([g.receptiveField, g.positions], using: &generator)
    var grid = Tensor.zeros([shape.outputs, g.positions])
    let nchw = medianSeconds(repetitions: repetitions) {
        for _ in 0..<shape.batch { gemm(w, perSample, into: &grid) }
    }
    let batchCols = Tensor.randomUniform([shape.batch * g.positions, g.receptiveField], using: &generator)
    var batchOut = Tensor.zeros([shape.batch * g.positions, shape.outputs])
    let nhwc = medianSeconds(repetitions: repetitions) { gemm(batchCols, w, transposeB: true, into: &batchOut) }
    let flops = 2 * Double(shape.multiplyAdds)
    print(String(format: "layout, %@ forward product: NCHW one GEMM per sample %.3f ms (%.1f GFLOP/s); NHWC one GEMM per batch %.3f ms (%.1f GFLOP/s)",
                 shape.name, nchw * 1e3, flops / nchw / 1e9, nhwc * 1e3, flops / nhwc / 1e9))
}

/// The products of the two large convolutions as one thread computes them for one group of 8
/// samples (392 grid positions), and over the whole batch: single-thread GFLOP/s of each shape.
@MainActor func benchmarkConvolutionProducts(repetitions: Int) {
    var settings = ComputeSettings.current
    settings.threads = 1
    // `positions` names the dimension that runs over the grid positions: it grows 16 times from a group to the batch.
    let products: [(String, m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, positions: Character)] = [
        ("conv forward cols·Wᵀ", 392, 64, 512, false, true, "m"),
        ("conv forward yᵀ = W·colsᵀ", 64, 392, 512, false, true, "n"),
        ("conv forward cols·(Wᵀ stored)", 392, 64, 512, false, false, "m"),
        ("conv ∂W = δᵀ·cols", 64, 512, 392, true, false, "k"),
        ("conv ∂Wᵀ = colsᵀ·δ", 512, 64, 392, true, false, "k"),
        ("conv ∂cols = δ·W / convT forward x·W", 392, 512, 64, false, false, "m"),
        ("convT ∂x = D·Wᵀ", 392, 64, 512, false, true, "m"),
        ("convT ∂x = D·(Wᵀ stored)", 392, 64, 512, false, false, "m"),
    ]
    print("Products of the 32↔64-channel convolutions, 1 thread, per group of 8 samples and per batch of 128 (GFLOP/s)")
    for (name, m, n, k, ta, tb, positions) in products {
        var rates: [Double] = []
        for scale in [1, 16] {
            let (m, n, k) = (positions == "m" ? m * scale : m, positions == "n" ? n * scale : n, positions == "k" ? k * scale : k)
            let a = Tensor.randomUniform(ta ? [k, m] : [m, k], using: &generator), b = Tensor.randomUniform(tb ? [n, k] : [k, n], using: &generator)
            var c = Tensor.zeros([m, n])
            let seconds = medianSeconds(repetitions: repetitions) { gemm(a, transposeA: ta, b, transposeB: tb, into: &c, settings: settings) }
            rates.append(2 * Double(m * n * k) / seconds / 1e9)
        }
        print(column(name, 40) + String(format: "group %6.1f   batch %6.1f", rates[0], rates[1]))
    }
}
