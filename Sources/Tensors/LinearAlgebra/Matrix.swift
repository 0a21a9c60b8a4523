import CLatentKernels

/// A dense row-major matrix of Doubles: the working precision of the factorisations, which
/// take Float32 tensors in and give Float32 tensors back where callers want them.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// Row-major values.
    public var values: [Double]

    public init(rows: Int, columns: Int, values: [Double]) {
        require(rows >= 0 && columns >= 0 && values.count == rows * columns,
                     "Matrix(rows: \(rows), columns: \(columns)) needs \(rows * columns) values, got \(values.count)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// The identity of size n.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n, values: [Double](repeating: 0, count: n * n))
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    /// A matrix from a rank-2 tensor.
    public init(_ tensor: Tensor) {
        require(tensor.rank == 2, "Matrix needs a rank-2 tensor, got shape \(tensor.shape)")
        self.init(rows: tensor.shape[0], columns: tensor.shape[1], values: tensor.scalars.map(Double.init))
    }

    public subscript(row: Int, column: Int) -> Double {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// The values as a Float32 tensor `[rows, columns]`.
    public var tensor: Tensor { Tensor(uncheckedShape: [rows, columns], scalars: values.map(Float.init)) }

    /// The transpose.
    public var transposed: Matrix {
        var t = Matrix(rows: columns, columns: rows, values: [Double](repeating: 0, count: values.count))
        for i in 0..<rows { for j in 0..<columns { t[j, i] = self[i, j] } }
        return t
    }

    /// The product self·other (small matrices: factorisation checks and tests).
    public static func * (a: Matrix, b: Matrix) -> Matrix {
        require(a.columns == b.rows, "Matrix product: [\(a.rows), \(a.columns)] · [\(b.rows), \(b.columns)] do not match")
        var c = Matrix(rows: a.rows, columns: b.columns, values: [Double](repeating: 0, count: a.rows * b.columns))
        for i in 0..<a.rows {
            for k in 0..<a.columns {
                let aik = a[i, k]
                if aik == 0 { continue }
                for j in 0..<b.columns { c.values[i * b.columns + j] += aik * b.values[k * b.columns + j] }
            }
        }
        return c
    }

    /// Throws when a value is NaN or infinite, naming `operation`.
    func checkFinite(_ operation: String) throws {
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw TensorError.notFactorizable("\(operation): non-finite value \(values[index]) at row \(index / max(columns, 1)), column \(index % max(columns, 1)) of a \(rows)×\(columns) matrix")
        }
    }
}

/// Applies the Householder reflection I − β·v·vᵀ to `x` (both of length `count`):
/// x ← x − β(v·x)v.
@inline(__always)
func reflect(_ x: UnsafeMutablePointer<Double>, _ v: UnsafePointer<Double>, _ beta: Double, _ count: Int,
             _ level: latent_cpu_level) {
    let scale = beta * latent_ddot(level, v, x, count)
    latent_daxpy2(level, -scale, v, 0, v, x, count)
}

/// The Householder vector of `x` (length `count`), written over `x`: returns (β, α) with
/// (I − β·v·vᵀ)x = α·e₁, α = −sign(x₀)‖x‖; β = 0 when x = 0 (no reflection needed).
@inline(__always)
func householder(_ x: UnsafeMutablePointer<Double>, _ count: Int) -> (beta: Double, alpha: Double) {
    var norm = 0.0
    for i in 0..<count { norm += x[i] * x[i] }
    norm = norm.squareRoot()
    guard norm > 0 else { return (0, 0) }
    let alpha = x[0] > 0 ? -norm : norm
    x[0] -= alpha
    let vv = 2 * norm * norm - 2 * alpha * (x[0] + alpha)  // ‖x − αe₁‖² = 2‖x‖² − 2αx₀
    return (2 / vv, alpha)
}
