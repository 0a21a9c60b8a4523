import Testing
import TestSupport
import Tensors

/// The definition of a transposed convolution, summed in Double: every grid value x[b, i, j, c]
/// adds x·W[c, u, v, o] onto the image pixel (i·s − p + u, j·s − p + v) that is inside it.
func referenceTransposedConvolution(_ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: ConvolutionGeometry) -> Tensor {
    let (n, inputs, k, outputs) = (x.shape[0], x.shape[3], g.kernel, g.channels)
    var y = [Double](repeating: 0, count: n * g.pixels)
    for b in 0..<n { for i in 0..<g.outputHeight { for j in 0..<g.outputWidth { for u in 0..<k { for v in 0..<k {
        let (row, column) = (i * g.stride - g.padding + u, j * g.stride - g.padding + v)
        guard row >= 0, row < g.height, column >= 0, column < g.width else { continue }
        for c in 0..<inputs {
            let value = Double(x.scalars[((b * g.outputHeight + i) * g.outputWidth + j) * inputs + c])
            for o in 0..<outputs {
                y[((b * g.height + row) * g.width + column) * outputs + o] += value * Double(weight.scalars[((c * k + u) * k + v) * outputs + o])
            }
        }
    } } } } }
    if let bias { for index in y.indices { y[index] += Double(bias.scalars[index % outputs]) } }
    return try! Tensor(shape: [n, g.height, g.width, outputs], scalars: y.map(Float.init))
}

/// A weight gradient by its definition, in Double: ∂W[a][u][v][b] = Σ rows[n, i, j, a]·image[n,
/// i·s − p + u, j·s − p + v, b] over the grid positions whose tap is inside the image. A
/// convolution's is that of δ (rows) against its input; a transposed convolution's, that of its
/// input (rows) against δ.
func referenceWeightGradient(rows: Tensor, image: Tensor, kernel k: Int, stride: Int, padding: Int) -> Tensor {
    let (n, gh, gw, a) = (rows.shape[0], rows.shape[1], rows.shape[2], rows.shape[3])
    let (h, w, b) = (image.shape[1], image.shape[2], image.shape[3])
    var out = [Double](repeating: 0, count: a * k * k * b)
    for s in 0..<n { for i in 0..<gh { for j in 0..<gw { for u in 0..<k { for v in 0..<k {
        let (row, column) = (i * stride - padding + u, j * stride - padding + v)
        guard row >= 0, row < h, column >= 0, column < w else { continue }
        for ca in 0..<a {
            let left = Double(rows.scalars[((s * gh + i) * gw + j) * a + ca])
            for cb in 0..<b { out[((ca * k + u) * k + v) * b + cb] += left * Double(image.scalars[((s * h + row) * w + column) * b + cb]) }
        }
    } } } } }
    return try! Tensor(shape: [a, k, k, b], scalars: out.map(Float.init))
}

/// The bias gradient: δ summed over all but its channels.
func referenceBiasGradient(_ delta: Tensor) -> Tensor {
    let channels = delta.shape.last!
    var sums = [Double](repeating: 0, count: channels)
    for (index, value) in delta.scalars.enumerated() { sums[index % channels] += Double(value) }
    return Tensor(sums.map(Float.init))
}

/// The convolution kernels on every backend and CPU level of this machine against the
/// definitions in Double, with channel counts that fill the built-in kernel's column panels:
/// the shapes where the convolution and its input gradient run as indirect convolutions, and
/// the transposed convolution and a convolution's input gradient as gathers over stride² phases
/// (kernel smaller than the stride: phases without taps, bias only; output padding: rows the
/// grid does not reach), and the weight gradients summed from outer products with no column matrix.
@Suite struct ConvolutionKernels {
    /// (samples, image h × w, channels C, C′, kernel, stride, padding, output padding, C″ of the
    /// transposed convolution back onto the image): outputs that fill panels (tiles), few outputs
    /// (dot products), images of few channels (the narrow weight gradient), and counts between
    /// (im2col and the GEMM).
    static let geometries: [(Int, Int, Int, Int, Int, Int, Int, Int, Int, Int)] = [
        (2, 7, 7, 5, 32, 3, 1, 1, 0, 32), (3, 8, 8, 3, 32, 4, 2, 1, 0, 1), (2, 9, 7, 4, 24, 3, 2, 1, 0, 32), (1, 6, 6, 2, 32, 1, 2, 0, 1, 3),
        (2, 6, 8, 1, 32, 2, 2, 0, 0, 1), (2, 10, 10, 3, 32, 3, 3, 0, 1, 32), (2, 7, 7, 32, 32, 3, 1, 1, 0, 2), (2, 8, 8, 32, 16, 4, 2, 1, 0, 32),
        (2, 7, 7, 32, 2, 3, 2, 1, 0, 32), (2, 9, 9, 4, 1, 3, 2, 0, 0, 1),
    ]
    static let cases: [(backend: GEMMBackend, geometry: Int)] =
        (CPULevel.supported.map { GEMMBackend.builtIn($0) } + (SystemBLAS.findInstalled().map { [GEMMBackend.systemBLAS($0)] } ?? []))
        .flatMap { backend in geometries.indices.map { (backend, $0) } }

    @Test(arguments: cases.indices)
    func convolutionsAndTheirGradientsEqualTheirDefinitions(_ index: Int) throws {
        let (backend, geometryIndex) = Self.cases[index]
        let (n, h, w, c, outputs, k, s, p, extra, last) = Self.geometries[geometryIndex]
        var settings = ComputeSettings.current
        settings.backend = backend
        // A convolution from the h × w image, and a transposed one back onto it (with output padding).
        let image = try #require(ConvolutionGeometry(height: h - extra, width: w - extra, channels: c, kernel: k, stride: s, padding: p))
        let grid = try #require(ConvolutionGeometry(transposedFromHeight: image.outputHeight, width: image.outputWidth, channels: last,
                                                    kernel: k, stride: s, padding: p, outputPadding: extra))
        let x = randomTensor([n, image.height, image.width, c], seed: 21)
        let weight = randomTensor([outputs, k, k, c], seed: 22), bias = randomTensor([outputs], seed: 23)
        let label = "\(backend) \(image)"

        let y = convolution2d(x, weight: weight, bias: bias, geometry: image, settings: settings)
        expectClose(y, referenceConvolution(x, weight: weight, bias: bias, stride: s, padding: p), label + " forward")
        // ∂x of a convolution is the transposed convolution of δ with the same weights.
        let delta = randomTensor(y.shape, seed: 24)
        let backward = convolution2dGradients(delta, images: x, weight: weight, geometry: image, inputGradient: true, settings: settings)
        let transposedImage = try #require(ConvolutionGeometry(transposedFromHeight: image.outputHeight, width: image.outputWidth, channels: c,
                                                               kernel: k, stride: s, padding: p, outputPadding: 0))
        expectClose(try #require(backward.images), referenceTransposedConvolution(delta, weight: weight, bias: nil, geometry: transposedImage),
                    label + " ∂x")
        expectClose(backward.weight, referenceWeightGradient(rows: delta, image: x, kernel: k, stride: s, padding: p), label + " ∂W")
        expectClose(backward.bias, referenceBiasGradient(delta), label + " ∂b")

        // The transposed convolution C′ → C″ onto the grid's image, and its input gradient (a convolution).
        let tWeight = randomTensor([outputs, k, k, last], seed: 25), tBias = randomTensor([last], seed: 26)
        let t = transposedConvolution2d(y, weight: tWeight, bias: tBias, geometry: grid, settings: settings)
        expectClose(t, referenceTransposedConvolution(y, weight: tWeight, bias: tBias, geometry: grid), label + " transposed forward")
        let tDelta = randomTensor(t.shape, seed: 27)
        let tBackward = transposedConvolution2dGradients(tDelta, input: y, weight: tWeight, geometry: grid, inputGradient: true,
                                                         settings: settings)
        // ∂x of a transposed convolution: the convolution of δ with W read as C′ × k × k × C″.
        expectClose(try #require(tBackward.input), referenceConvolution(tDelta, weight: tWeight, bias: Tensor.zeros([outputs]), stride: s, padding: p),
                    label + " transposed ∂x")
        expectClose(tBackward.weight, referenceWeightGradient(rows: y, image: tDelta, kernel: k, stride: s, padding: p), label + " transposed ∂W")
        expectClose(tBackward.bias, referenceBiasGradient(tDelta), label + " transposed ∂b")
    }

    private func expectClose(_ actual: Tensor, _ expected: Tensor, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.shape == expected.shape && actual.isApproximatelyEqual(to: expected, relativeTolerance: 1e-4, absoluteTolerance: 1e-4),
                "\(label): differs by \(actual.shape == expected.shape ? actual.maxAbsoluteDifference(expected) : .infinity)",
                sourceLocation: sourceLocation)
    }
}
