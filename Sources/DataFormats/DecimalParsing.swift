import Tensors

/// Parses a decimal number from ASCII bytes as a Float, rounding as reading a float64 and
/// casting to float32 does (NumPy's and pandas' behaviour), or nil when the bytes are not a
/// number. See ``TextKernels/parseDouble(_:count:)`` for the accepted forms.
@inline(__always)
func parseDecimal(_ p: UnsafePointer<UInt8>, _ count: Int) -> Float? {
    TextKernels.parseDouble(p, count: count).map(Float.init)
}

/// Parses a decimal number from ASCII bytes as the Double it reads (before any rounding to
/// Float), or nil when the bytes are not a number.
@inline(__always)
func parseDecimalDouble(_ p: UnsafePointer<UInt8>, _ count: Int) -> Double? {
    TextKernels.parseDouble(p, count: count)
}
