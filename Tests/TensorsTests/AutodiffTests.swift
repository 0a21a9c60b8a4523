import Testing
import TestSupport
import Tensors

/// One differentiable operation with the inputs it is checked at.
struct DifferentiableCase: CustomTestStringConvertible, Sendable {
    let name: String
    let inputs: [Tensor]
    let function: @Sendable ([Variable]) -> Variable
    var testDescription: String { name }
}

private let m = randomTensor([3, 4], seed: 11)
private let n = randomTensor([3, 4], seed: 12)
private let row = randomTensor([4], seed: 13)
private let column = randomTensor([3, 1], seed: 14)
private let positive = randomTensor([3, 4], lower: 0.5, upper: 2, seed: 15)
// Kinks of abs, relu, clamp sit away from the sample points.
private let awayFromZero = Tensor(shape: [3, 4]) { i in (i % 2 == 0 ? 1 : -1) * (0.2 + 0.1 * Float(i)) }

let differentiableCases: [DifferentiableCase] = [
    .init(name: "matmul", inputs: [randomTensor([3, 5], seed: 1), randomTensor([5, 2], seed: 2)]) { matmul($0[0], $0[1]) },
    .init(name: "matmul Aᵀ", inputs: [randomTensor([5, 3], seed: 1), randomTensor([5, 2], seed: 2)]) { matmul($0[0], transposeA: true, $0[1]) },
    .init(name: "matmul Bᵀ", inputs: [randomTensor([3, 5], seed: 1), randomTensor([2, 5], seed: 2)]) { matmul($0[0], $0[1], transposeB: true) },
    .init(name: "matmul Aᵀ Bᵀ", inputs: [randomTensor([5, 3], seed: 1), randomTensor([2, 5], seed: 2)]) { matmul($0[0], transposeA: true, $0[1], transposeB: true) },
    .init(name: "add", inputs: [m, n]) { $0[0] + $0[1] },
    .init(name: "add row broadcast", inputs: [m, row]) { $0[0] + $0[1] },
    .init(name: "subtract column broadcast", inputs: [m, column]) { $0[0] - $0[1] },
    .init(name: "multiply row broadcast", inputs: [m, row]) { $0[0] * $0[1] },
    .init(name: "multiply column broadcast", inputs: [column, m]) { $0[0] * $0[1] },
    .init(name: "divide", inputs: [m, positive]) { $0[0] / $0[1] },
    .init(name: "divide by row", inputs: [m, randomTensor([4], lower: 0.5, upper: 2, seed: 3)]) { $0[0] / $0[1] },
    .init(name: "scalar arithmetic", inputs: [m]) { 2 - ($0[0] * 3 + 1) / 4 },
    .init(name: "negate", inputs: [m]) { -$0[0] },
    .init(name: "exp", inputs: [m]) { $0[0].exp() },
    .init(name: "log", inputs: [positive]) { $0[0].log() },
    .init(name: "log1p", inputs: [positive]) { $0[0].log1p() },
    .init(name: "sqrt", inputs: [positive]) { $0[0].sqrt() },
    .init(name: "squared", inputs: [m]) { $0[0].squared() },
    .init(name: "abs", inputs: [awayFromZero]) { $0[0].abs() },
    .init(name: "tanh", inputs: [m]) { $0[0].tanh() },
    .init(name: "sigmoid", inputs: [m * 3]) { $0[0].sigmoid() },
    .init(name: "softplus", inputs: [m * 3]) { $0[0].softplus() },
    .init(name: "relu", inputs: [awayFromZero]) { $0[0].relu() },
    .init(name: "leaky relu", inputs: [awayFromZero]) { $0[0].leakyRelu(slope: 0.1) },
    .init(name: "elu", inputs: [awayFromZero]) { $0[0].elu() },
    .init(name: "clamp", inputs: [awayFromZero * 2]) { $0[0].clamped(to: -0.5, 0.5) },
    .init(name: "pow", inputs: [positive]) { $0[0].pow(1.5) },
    .init(name: "sum", inputs: [m]) { $0[0].sum() },
    .init(name: "mean", inputs: [m]) { $0[0].mean() },
    .init(name: "sum along axis 0", inputs: [m]) { $0[0].sum(alongAxis: 0) },
    .init(name: "sum along axis 1", inputs: [m]) { $0[0].sum(alongAxis: 1) },
    .init(name: "mean along axis 0", inputs: [m]) { $0[0].mean(alongAxis: 0) },
    .init(name: "logSumExp along axis 1", inputs: [m * 3]) { $0[0].logSumExp(alongAxis: 1) },
    .init(name: "logSumExp along axis 0", inputs: [m * 3]) { $0[0].logSumExp(alongAxis: 0) },
    .init(name: "gather rows with repeats", inputs: [m]) { $0[0].gatherRows([2, 0, 2, 1]) },
    .init(name: "rows slice", inputs: [m]) { $0[0].rows(1..<3) },
    .init(name: "columns slice", inputs: [m]) { $0[0].columns(1..<3) },
    .init(name: "concatenate rows", inputs: [m, randomTensor([2, 4], seed: 5)]) { Variable.concatenate([$0[0], $0[1]], alongAxis: 0) },
    .init(name: "concatenate columns", inputs: [m, randomTensor([3, 2], seed: 6)]) { Variable.concatenate([$0[0], $0[1]], alongAxis: 1) },
    .init(name: "transpose", inputs: [m]) { $0[0].transposed() },
    .init(name: "reshape", inputs: [m]) { $0[0].reshaped([2, 6]) },
    .init(name: "shared input (fan-out)", inputs: [m]) { $0[0] * $0[0].sigmoid() + $0[0] },
]

@Suite struct Autodiff {
    @Test(arguments: differentiableCases)
    func gradientMatchesFiniteDifferences(_ testCase: DifferentiableCase) {
        let check = checkGradients(testCase.inputs, testCase.function)
        #expect(check.passed, "\(testCase.name): \(check)")
        #expect(check.compared == testCase.inputs.reduce(0) { $0 + $1.count })
    }

    @Test func checkerCatchesAWrongDerivative() {
        // A deliberately wrong pullback (∂ = 1 for x²) must fail the check.
        let check = checkGradients([m]) { v in
            Variable(v[0].value.squared(), parents: [v[0]]) { g in [g] }
        }
        #expect(!check.passed)
    }

    @Test func parameterGradientsAccumulateUntilZeroed() {
        let w = Variable(Tensor([1, 2, 3]), requiresGradient: true)
        (w * Variable(Tensor([2, 2, 2]))).sum().backward()
        (w * Variable(Tensor([1, 1, 1]))).sum().backward()
        #expect(w.gradient == Tensor([3, 3, 3]))
        w.zeroGradient()
        #expect(w.gradient == nil)
    }

    @Test func constantsGetNoGradientAndNoGraph() {
        let x = Variable(Tensor([1, 2]))
        let y = (x * 2).exp()
        #expect(!y.requiresGradient)
        y.backward()
        #expect(x.gradient == nil)
    }

    @Test func backwardConsumesTheGraph() async {
        // Parameters stay uniquely referenced after backward, so in-place updates copy nothing.
        // Freshly computed storage (a literal's array may be a read-only static one).
        let w = Variable(randomTensor([2], seed: 1), requiresGradient: true)
        let loss = (w * w).sum()
        loss.backward()
        #expect(w.gradient == w.value * 2)
        let unique = w.value.withUnsafeBufferPointer { $0.baseAddress }
        w.value.addInPlace(Tensor([1, 1]))
        #expect(w.value.withUnsafeBufferPointer { $0.baseAddress } == unique)
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Variable(Tensor([1, 2]), requiresGradient: true)
            let loss = (w * 3).sum()
            loss.backward()
            loss.backward()
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("already back-propagated"), "message was: \(message)")
    }

    @Test func deepChainsDoNotOverflowTheStack() {
        let x = Variable(Tensor([1]), requiresGradient: true)
        var y = x
        for _ in 0..<20_000 { y = y + 0 }
        y.sum().backward()
        #expect(x.gradient == Tensor([1]))
    }
}
