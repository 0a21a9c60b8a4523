import CLatentKernels

/// Parses a decimal number from ASCII bytes as a Float, rounding as reading a float64 and
/// casting to float32 does (NumPy's and pandas' behaviour), or nil when the bytes are not a
/// number. See `latent_parse_float` for the accepted forms and the algorithm.
@inline(__always)
func parseDecimal(_ p: UnsafePointer<UInt8>, _ count: Int) -> Float? {
    var value: Float = 0
    return latent_parse_float(p, count, &value) ? value : nil
}

/// Parses a decimal number from ASCII bytes as the Double it reads (before any rounding to
/// Float), or nil when the bytes are not a number.
@inline(__always)
func parseDecimalDouble(_ p: UnsafePointer<UInt8>, _ count: Int) -> Double? {
    var value: Double = 0
    return latent_parse_double(p, count, &value) ? value : nil
}
