// Arithmetic on Variables: each forward value with its local derivative beside it.
// Broadcasting operations sum their gradients back to each operand's shape.

extension Variable {
    public static func + (a: Variable, b: Variable) -> Variable {
        Variable(a.value + b.value, parents: [a, b]) { g in
            [g.summed(toShape: a.shape), g.summed(toShape: b.shape)]
        }
    }

    public static func - (a: Variable, b: Variable) -> Variable {
        Variable(a.value - b.value, parents: [a, b]) { g in
            [g.summed(toShape: a.shape), (-g).summed(toShape: b.shape)]
        }
    }

    /// ∂(ab)/∂a = b, ∂(ab)/∂b = a.
    public static func * (a: Variable, b: Variable) -> Variable {
        Variable(a.value * b.value, parents: [a, b]) { g in
            [a.requiresGradient ? (g * b.value).summed(toShape: a.shape) : nil,
             b.requiresGradient ? (g * a.value).summed(toShape: b.shape) : nil]
        }
    }

    /// ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b².
    public static func / (a: Variable, b: Variable) -> Variable {
        Variable(a.value / b.value, parents: [a, b]) { g in
            [a.requiresGradient ? (g / b.value).summed(toShape: a.shape) : nil,
             b.requiresGradient ? (-(g * a.value) / b.value.squared()).summed(toShape: b.shape) : nil]
        }
    }

    public static func + (a: Variable, b: Float) -> Variable { Variable(a.value + b, parents: [a]) { g in [g] } }
    public static func - (a: Variable, b: Float) -> Variable { Variable(a.value - b, parents: [a]) { g in [g] } }
    public static func + (a: Float, b: Variable) -> Variable { b + a }
    public static func - (a: Float, b: Variable) -> Variable { Variable(a - b.value, parents: [b]) { g in [-g] } }
    public static func * (a: Variable, b: Float) -> Variable { Variable(a.value * b, parents: [a]) { g in [g * b] } }
    public static func * (a: Float, b: Variable) -> Variable { b * a }
    public static func / (a: Variable, b: Float) -> Variable { Variable(a.value / b, parents: [a]) { g in [g / b] } }
    public static prefix func - (a: Variable) -> Variable { Variable(-a.value, parents: [a]) { g in [-g] } }
}

/// op(A)·op(B). With C = op(A)·op(B) and upstream gradient G:
/// ∂op(A) = G·op(B)ᵀ and ∂op(B) = op(A)ᵀ·G, each written as one GEMM with transpose flags
/// so no transposed copy is made.
public func matmul(_ a: Variable, transposeA: Bool = false, _ b: Variable, transposeB: Bool = false) -> Variable {
    let value = matmul(a.value, transposeA: transposeA, b.value, transposeB: transposeB)
    return Variable(value, parents: [a, b]) { g in
        let gradientA: Tensor? = !a.requiresGradient ? nil :
            transposeA ? matmul(b.value, transposeA: transposeB, g, transposeB: true)
                       : matmul(g, b.value, transposeB: !transposeB)
        let gradientB: Tensor? = !b.requiresGradient ? nil :
            transposeB ? matmul(g, transposeA: true, a.value, transposeB: transposeA)
                       : matmul(a.value, transposeA: !transposeA, g)
        return [gradientA, gradientB]
    }
}
