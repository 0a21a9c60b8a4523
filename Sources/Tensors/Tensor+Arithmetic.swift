extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor { a.broadcasting(b, "+") { $0 + $1 } }
    public static func - (a: Tensor, b: Tensor) -> Tensor { a.broadcasting(b, "-") { $0 - $1 } }
    public static func * (a: Tensor, b: Tensor) -> Tensor { a.broadcasting(b, "*") { $0 * $1 } }
    public static func / (a: Tensor, b: Tensor) -> Tensor { a.broadcasting(b, "/") { $0 / $1 } }

    public static func + (a: Tensor, b: Float) -> Tensor { a.mapped { $0 + b } }
    public static func - (a: Tensor, b: Float) -> Tensor { a.mapped { $0 - b } }
    public static func * (a: Tensor, b: Float) -> Tensor { a.mapped { $0 * b } }
    public static func / (a: Tensor, b: Float) -> Tensor { a.mapped { $0 / b } }
    public static func + (a: Float, b: Tensor) -> Tensor { b.mapped { a + $0 } }
    public static func - (a: Float, b: Tensor) -> Tensor { b.mapped { a - $0 } }
    public static func * (a: Float, b: Tensor) -> Tensor { b.mapped { a * $0 } }
    public static func / (a: Float, b: Tensor) -> Tensor { b.mapped { a / $0 } }
    public static prefix func - (a: Tensor) -> Tensor { a.mapped { -$0 } }

    public static func += (a: inout Tensor, b: Tensor) { a.addInPlace(b, scale: 1) }
    public static func -= (a: inout Tensor, b: Tensor) { a.addInPlace(b, scale: -1) }
    public static func *= (a: inout Tensor, b: Float) {
        a.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] *= b } }
    }

    /// self ← self + scale·other for tensors of one shape, without allocating: the update
    /// that gradient accumulation and optimizers run on every parameter.
    public mutating func addInPlace(_ other: Tensor, scale: Float = 1) {
        guard shape == other.shape else {
            self = self + (scale == 1 ? other : other * scale)
            return
        }
        other.withUnsafeBufferPointer { b in
            withUnsafeMutableBufferPointer { a in
                for i in a.indices { a[i] += scale * b[i] }
            }
        }
    }

    /// Elementwise maximum (broadcasting).
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor { a.broadcasting(b, "maximum") { Swift.max($0, $1) } }
    /// Elementwise minimum (broadcasting).
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor { a.broadcasting(b, "minimum") { Swift.min($0, $1) } }
}
