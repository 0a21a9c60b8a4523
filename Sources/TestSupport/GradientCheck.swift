import Tensors

/// The outcome of comparing back-propagated gradients with finite differences.
public struct GradientCheck: CustomStringConvertible {
    /// The largest |analytic − numeric| / (absoluteTolerance + relativeTolerance·scale) seen;
    /// the check passes when it is at most 1.
    public let worstRatio: Double
    /// Where the worst disagreement is: input, flat index, and both derivatives.
    public let worst: (input: Int, index: Int, analytic: Double, numeric: Double)
    /// How many partial derivatives were compared.
    public let compared: Int

    public var passed: Bool { worstRatio <= 1 }

    public var description: String {
        "gradient check: worst at input \(worst.input), index \(worst.index): analytic \(worst.analytic), numeric \(worst.numeric) (ratio \(worstRatio), \(compared) compared)"
    }
}

/// Compares the gradients that `backward()` gives for `function` with central finite
/// differences.
///
/// The output is projected onto fixed random weights w (seeded), L = Σ w ⊙ f(x), so every
/// output element contributes. L is summed in Double, and each difference quotient divides by
/// the perturbation actually stored in Float32, (x + h) − (x − h) computed in Double, so the
/// reference is limited only by Float32 rounding of f itself.
public func checkGradients(_ inputs: [Tensor], step: Float = 1e-2, relativeTolerance: Double = 1e-2,
                           absoluteTolerance: Double = 1e-3, seed: UInt64 = 7,
                           _ function: ([Variable]) -> Variable) -> GradientCheck {
    let variables = inputs.map { Variable($0, requiresGradient: true) }
    let output = function(variables)
    var generator = RandomGenerator(seed: seed)
    let weights = Tensor.randomUniform(output.shape, lower: -1, upper: 1, using: &generator)
    output.backward(seed: weights)

    func projected(_ values: [Tensor]) -> Double {
        let out = function(values.map { Variable($0) }).value
        return zip(out.scalars, weights.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    var worstRatio = 0.0
    var worst = (input: -1, index: -1, analytic: 0.0, numeric: 0.0)
    var compared = 0
    for (inputIndex, input) in inputs.enumerated() {
        let analytic = variables[inputIndex].gradient ?? .zeros(input.shape)
        for index in 0..<input.count {
            var plus = inputs, minus = inputs
            let x = input.scalars[index]
            let h = step * max(1, abs(x))
            var up = plus[inputIndex].scalars
            up[index] = x + h
            plus[inputIndex] = try! Tensor(shape: input.shape, scalars: up)
            var down = minus[inputIndex].scalars
            down[index] = x - h
            minus[inputIndex] = try! Tensor(shape: input.shape, scalars: down)
            let width = Double(x + h) - Double(x - h)
            let numeric = (projected(plus) - projected(minus)) / width
            let a = Double(analytic.scalars[index])
            let ratio = abs(a - numeric) / (absoluteTolerance + relativeTolerance * max(abs(a), abs(numeric)))
            compared += 1
            if ratio > worstRatio || worst.input < 0 {
                worstRatio = max(ratio, worstRatio)
                worst = (inputIndex, index, a, numeric)
            }
        }
    }
    return GradientCheck(worstRatio: worstRatio, worst: worst, compared: compared)
}

/// C = α·op(A)·op(B) + β·C computed naively in Double: the reference for every GEMM backend.
public func referenceGEMM(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool,
                          alpha: Float, beta: Float, c: Tensor) -> [Double] {
    let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let n = transposeB ? b.shape[0] : b.shape[1]
    var result = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k {
                let aip = transposeA ? a.scalars[p * m + i] : a.scalars[i * k + p]
                let bpj = transposeB ? b.scalars[j * k + p] : b.scalars[p * n + j]
                sum += Double(aip) * Double(bpj)
            }
            result[i * n + j] = Double(alpha) * sum + (beta == 0 ? 0 : Double(beta) * Double(c.scalars[i * n + j]))
        }
    }
    return result
}

/// A tensor of values uniform in [lower, upper) from a fixed seed: test inputs in one line.
public func randomTensor(_ shape: [Int], lower: Float = -1, upper: Float = 1, seed: UInt64) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    return .randomUniform(shape, lower: lower, upper: upper, using: &generator)
}
