import Foundation
import NeuralNetworks
import Testing
import TestSupport
import Tensors

/// A convolution configuration: samples, image height × width × channels in, channels out,
/// kernel, stride, padding (and output padding for the transposed layer).
struct ConvolutionCase: CustomTestStringConvertible, Sendable {
    let samples: Int, height: Int, width: Int, inputs: Int, outputs: Int, kernel: Int, stride: Int, padding: Int, outputPadding: Int
    var testDescription: String { "\(samples)×\(height)×\(width)×\(inputs)→\(outputs) k\(kernel) s\(stride) p\(padding) op\(outputPadding)" }

    init(_ samples: Int, _ height: Int, _ width: Int, _ inputs: Int, _ outputs: Int, k kernel: Int, s stride: Int, p padding: Int, op outputPadding: Int = 0) {
        (self.samples, self.height, self.width, self.inputs, self.outputs) = (samples, height, width, inputs, outputs)
        (self.kernel, self.stride, self.padding, self.outputPadding) = (kernel, stride, padding, outputPadding)
    }

    /// Stride 1 and 2, padding 0 and 1, odd and even sizes, one and several channels.
    static let convolutions: [ConvolutionCase] = [
        .init(2, 5, 5, 3, 2, k: 3, s: 1, p: 1), .init(2, 5, 7, 2, 3, k: 3, s: 2, p: 0), .init(1, 6, 6, 1, 2, k: 4, s: 2, p: 1),
        .init(2, 4, 3, 2, 2, k: 2, s: 1, p: 0), .init(1, 3, 3, 3, 1, k: 1, s: 1, p: 0), .init(2, 7, 7, 2, 2, k: 3, s: 2, p: 1),
    ]
    static let transposed: [ConvolutionCase] = [
        .init(2, 3, 3, 2, 2, k: 4, s: 2, p: 1), .init(2, 3, 4, 2, 3, k: 3, s: 2, p: 1, op: 1), .init(1, 4, 4, 3, 1, k: 3, s: 1, p: 1),
        .init(2, 2, 3, 2, 2, k: 2, s: 2, p: 0), .init(1, 3, 3, 1, 2, k: 3, s: 1, p: 0), .init(2, 3, 3, 2, 1, k: 3, s: 2, p: 0, op: 1),
    ]
}

/// The definition of a convolution, summed in Double: y[b, i, j, o] = b_o + Σ x[b, i·s − p + u, j·s − p + v, c]·W[o, u, v, c].
func referenceConvolution(_ x: Tensor, weight: Tensor, bias: Tensor, stride: Int, padding: Int) -> Tensor {
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (outputs, k) = (weight.shape[0], weight.shape[1])
    let (oh, ow) = ((h + 2 * padding - k) / stride + 1, (w + 2 * padding - k) / stride + 1)
    var y = [Float](repeating: 0, count: n * oh * ow * outputs)
    for b in 0..<n { for i in 0..<oh { for j in 0..<ow { for o in 0..<outputs {
        var total = Double(bias.scalars[o])
        for u in 0..<k { for v in 0..<k {
            let (row, column) = (i * stride - padding + u, j * stride - padding + v)
            guard row >= 0, row < h, column >= 0, column < w else { continue }
            for ch in 0..<c { total += Double(x.scalars[((b * h + row) * w + column) * c + ch]) * Double(weight.scalars[((o * k + u) * k + v) * c + ch]) }
        } }
        y[((b * oh + i) * ow + j) * outputs + o] = Float(total)
    } } } }
    return try! Tensor(shape: [n, oh, ow, outputs], scalars: y)
}

@Suite struct ConvolutionLayers {
    @Test(arguments: ConvolutionCase.convolutions)
    func convolutionEqualsItsDefinition(_ c: ConvolutionCase) {
        var generator = RandomGenerator(seed: 1)
        let layer = Convolution2D(inputChannels: c.inputs, outputChannels: c.outputs, kernel: c.kernel, stride: c.stride, padding: c.padding, using: &generator)
        let bias = randomTensor([c.outputs], seed: 3)
        let x = randomTensor([c.samples, c.height, c.width, c.inputs], seed: 2)
        let y = Convolution2D(weight: layer.weight, bias: Variable(bias), stride: c.stride, padding: c.padding)(x)
        #expect(y.isApproximatelyEqual(to: referenceConvolution(x, weight: layer.weight.value, bias: bias, stride: c.stride, padding: c.padding),
                                       relativeTolerance: 1e-5, absoluteTolerance: 1e-5))
    }

    @Test(arguments: ConvolutionCase.convolutions, [Activation.linear, .tanh])
    func convolutionGradientsMatchFiniteDifferences(_ c: ConvolutionCase, activation: Activation) {
        let x = randomTensor([c.samples, c.height, c.width, c.inputs], seed: 4)
        let weight = randomTensor([c.outputs, c.kernel, c.kernel, c.inputs], lower: -0.5, upper: 0.5, seed: 5)
        let check = checkGradients([x, weight, randomTensor([c.outputs], seed: 6)]) { v in
            Convolution2D(weight: v[1], bias: v[2], stride: c.stride, padding: c.padding, activation: activation)(v[0])
        }
        #expect(check.passed, "\(c.testDescription) \(activation): \(check)")
    }

    @Test(arguments: ConvolutionCase.transposed, [Activation.linear, .tanh])
    func transposedConvolutionGradientsMatchFiniteDifferences(_ c: ConvolutionCase, activation: Activation) {
        let x = randomTensor([c.samples, c.height, c.width, c.inputs], seed: 7)
        let weight = randomTensor([c.inputs, c.kernel, c.kernel, c.outputs], lower: -0.5, upper: 0.5, seed: 8)
        let check = checkGradients([x, weight, randomTensor([c.outputs], seed: 9)]) { v in
            TransposedConvolution2D(weight: v[1], bias: v[2], stride: c.stride, padding: c.padding, outputPadding: c.outputPadding, activation: activation)(v[0])
        }
        #expect(check.passed, "\(c.testDescription) \(activation): \(check)")
    }

    /// ⟨conv(x), y⟩ = ⟨x, convᵀ(y)⟩ with the same weights (no bias): the transposed layer is the adjoint.
    @Test(arguments: ConvolutionCase.convolutions)
    func transposedConvolutionIsTheAdjoint(_ c: ConvolutionCase) {
        let x = randomTensor([c.samples, c.height, c.width, c.inputs], seed: 10)
        let weight = randomTensor([c.outputs, c.kernel, c.kernel, c.inputs], seed: 11)
        let conv = Convolution2D(weight: Variable(weight), bias: Variable(.zeros([c.outputs])), stride: c.stride, padding: c.padding)
        let y = conv(x)
        let grid = randomTensor(y.shape, seed: 12)
        // The transposed layer maps the grid back onto an image of x's size: its weight is W with
        // the roles of C and C′ exchanged, [C′, k, k, C]; output padding covers rows the grid does not reach.
        let extra = (c.height + 2 * c.padding - c.kernel) % c.stride
        let transposed = TransposedConvolution2D(weight: Variable(weight), bias: Variable(.zeros([c.inputs])), stride: c.stride,
                                                 padding: c.padding, outputPadding: extra)
        let back = transposed(grid)
        #expect(back.shape == x.shape)
        let left = zip(y.scalars, grid.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let right = zip(x.scalars, back.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(left - right) <= 1e-4 * max(1, abs(left)), "⟨conv x, y⟩ = \(left), ⟨x, convᵀ y⟩ = \(right)")
    }

    @Test func upsamplingAndItsGradient() {
        let x = randomTensor([2, 2, 3, 2], seed: 13)
        let y = UpsampleNearest(factor: 2)(x)
        #expect(y.shape == [2, 4, 6, 2])
        for (b, i, j, c) in [(0, 0, 0, 0), (1, 3, 5, 1), (0, 2, 3, 1)] {
            #expect(y.scalars[((b * 4 + i) * 6 + j) * 2 + c] == x.scalars[((b * 2 + i / 2) * 3 + j / 2) * 2 + c])
        }
        let check = checkGradients([x]) { UpsampleNearest(factor: 3)($0[0]) }
        #expect(check.passed, "\(check)")
    }

    @Test func reshapeAndFlattenKeepTheValues() {
        let x = randomTensor([3, 12], seed: 14)
        let image = Reshape([2, 3, 2])(x)
        #expect(image.shape == [3, 2, 3, 2] && image.scalars == x.scalars)
        #expect(Flatten()(image) == x)
        let check = checkGradients([x]) { v in Flatten()(Reshape([2, 3, 2])(v[0]) * v[0].reshaped([3, 2, 3, 2])) }
        #expect(check.passed, "\(check)")
    }

    /// A batch of no samples gives no outputs and zero parameter gradients, not a crash.
    @Test func anEmptyBatchPassesThrough() {
        var generator = RandomGenerator(seed: 20)
        let conv = Convolution2D(inputChannels: 2, outputChannels: 3, kernel: 3, stride: 1, padding: 1, activation: .relu, using: &generator)
        let transposed = TransposedConvolution2D(inputChannels: 3, outputChannels: 2, kernel: 4, stride: 2, padding: 1, using: &generator)
        let x = Variable(Tensor.zeros([0, 4, 4, 2]), requiresGradient: true)
        let y = transposed(conv(x))
        #expect(y.shape == [0, 8, 8, 2])
        y.backward(seed: Tensor.zeros([0, 8, 8, 2]))
        #expect(conv.weight.gradient == Tensor.zeros(conv.weight.shape) && transposed.bias.gradient == Tensor.zeros([2]))
    }

    /// Large enough to be cut into groups and chunks: the same values on 1 and 2 threads.
    @Test func resultsDoNotDependOnTheThreadCount() {
        let x = randomTensor([37, 14, 14, 8], seed: 15)
        let weight = randomTensor([16, 4, 4, 8], seed: 16), bias = randomTensor([16], seed: 17)
        let g = ConvolutionGeometry(height: 14, width: 14, channels: 8, kernel: 4, stride: 2, padding: 1)!
        func run(_ threads: Int) -> [Tensor] {
            var settings = ComputeSettings.current
            settings.threads = threads
            let y = convolution2d(x, weight: weight, bias: bias, geometry: g, settings: settings)
            let delta = randomTensor(y.shape, seed: 18)
            let gradients = convolution2dGradients(delta, images: x, weight: weight, geometry: g, inputGradient: true, settings: settings)
            let t = transposedConvolution2d(y, weight: randomTensor([16, 4, 4, 8], seed: 19), bias: bias.rows(0..<8), geometry: g, settings: settings)
            let back = transposedConvolution2dGradients(t, input: y, weight: weight.reshaped([16, 4, 4, 8]), geometry: g, inputGradient: true, settings: settings)
            return [y, gradients.images!, gradients.weight, gradients.bias, t, back.input!, back.weight, back.bias]
        }
        #expect(run(1) == run(2))
        #expect(run(2) == run(3))
    }
}

/// PyTorch's values and gradients (Benchmarks/reference/conv_fixtures.py) against the layers'.
@Suite struct ConvolutionFixtures {
    struct Case: Decodable, CustomTestStringConvertible, Sendable {
        let kind: String, samples: Int, height: Int, width: Int, inputChannels: Int, outputChannels: Int
        let kernel: Int, stride: Int, padding: Int, outputPadding: Int
        let input: [Float], outputShape: [Int], output: [Float], projection: [Float], inputGradient: [Float]
        let weight: [Float]?, bias: [Float]?, weightGradient: [Float]?, biasGradient: [Float]?
        var testDescription: String { "\(kind) \(samples)×\(height)×\(width)×\(inputChannels)→\(outputChannels) k\(kernel) s\(stride) p\(padding) op\(outputPadding)" }
    }

    static let cases: [Case] = {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/convolutions.json")
        struct File: Decodable { let cases: [Case] }
        return (try? JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases) ?? []
    }()

    @Test func theFixturesAreThere() { #expect(Self.cases.count == 12) }

    @Test(arguments: cases)
    func valuesAndGradientsEqualPyTorchs(_ c: Case) throws {
        let x = Variable(try Tensor(shape: [c.samples, c.height, c.width, c.inputChannels], scalars: c.input), requiresGradient: true)
        let layer: any Layer
        switch c.kind {
        case "conv":
            layer = Convolution2D(weight: Variable(try Tensor(shape: [c.outputChannels, c.kernel, c.kernel, c.inputChannels], scalars: c.weight!), requiresGradient: true),
                                  bias: Variable(Tensor(c.bias!), requiresGradient: true), stride: c.stride, padding: c.padding)
        case "convT":
            layer = TransposedConvolution2D(weight: Variable(try Tensor(shape: [c.inputChannels, c.kernel, c.kernel, c.outputChannels], scalars: c.weight!),
                                                             requiresGradient: true),
                                            bias: Variable(Tensor(c.bias!), requiresGradient: true), stride: c.stride, padding: c.padding, outputPadding: c.outputPadding)
        default:
            layer = UpsampleNearest(factor: c.stride)
        }
        let y = layer(x)
        let expected = try Tensor(shape: c.outputShape, scalars: c.output)
        #expect(y.value.isApproximatelyEqual(to: expected, relativeTolerance: 1e-5, absoluteTolerance: 1e-5),
                "output differs by \(y.shape == expected.shape ? y.value.maxAbsoluteDifference(expected) : .infinity)")
        y.backward(seed: try Tensor(shape: c.outputShape, scalars: c.projection))
        let tolerance: (relative: Float, absolute: Float) = (1e-5, 1e-5)
        #expect(x.gradient!.isApproximatelyEqual(to: try Tensor(shape: x.shape, scalars: c.inputGradient),
                                                 relativeTolerance: tolerance.relative, absoluteTolerance: tolerance.absolute))
        let parameters = layer.namedParameters
        if let weightGradient = c.weightGradient, let biasGradient = c.biasGradient {
            #expect(parameters[0].parameter.gradient!.isApproximatelyEqual(to: try Tensor(shape: parameters[0].parameter.shape, scalars: weightGradient),
                                                                           relativeTolerance: 1e-5, absoluteTolerance: 1e-4))
            #expect(parameters[1].parameter.gradient!.isApproximatelyEqual(to: Tensor(biasGradient), relativeTolerance: 1e-5, absoluteTolerance: 1e-4))
        } else {
            #expect(parameters.isEmpty)
        }
    }
}
