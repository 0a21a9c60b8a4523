import Foundation

/// Parses a decimal number from ASCII bytes as a Float, rounding as reading a float64 and
/// casting to float32 does (NumPy's and pandas' behaviour), or nil when the bytes are not a
/// number. Accepts an optional sign, digits with an optional point, an optional exponent, and
/// `nan`, `inf`, `infinity` in any case.
///
/// Fast path (Clinger, "How to read floating point numbers accurately", PLDI 1990): a mantissa
/// below 2⁵³ scaled by 10^±e with e ≤ 22 is one correctly rounded Double operation on exact
/// operands. Anything else goes to `strtod`.
@inline(__always)
func parseDecimal(_ p: UnsafePointer<UInt8>, _ count: Int) -> Float? {
    guard count > 0 else { return nil }
    var i = 0
    var negative = false
    if p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+") {
        negative = p[0] == UInt8(ascii: "-")
        i = 1
    }
    var mantissa: UInt64 = 0
    var digits = 0, exponent = 0
    var sawDigit = false
    while i < count, p[i] &- 48 < 10 {
        if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p[i] &- 48); if mantissa > 0 { digits += 1 } } else { exponent += 1 }
        sawDigit = true
        i += 1
    }
    if i < count, p[i] == UInt8(ascii: ".") {
        i += 1
        while i < count, p[i] &- 48 < 10 {
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p[i] &- 48); exponent -= 1; if mantissa > 0 { digits += 1 } }
            sawDigit = true
            i += 1
        }
    }
    guard sawDigit else { return parseSpecial(p, count) }
    if i < count, p[i] | 0x20 == UInt8(ascii: "e") {
        i += 1
        var exponentNegative = false
        if i < count, p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") {
            exponentNegative = p[i] == UInt8(ascii: "-")
            i += 1
        }
        var value = 0, exponentDigits = 0
        while i < count, p[i] &- 48 < 10 {
            if value < 100_000 { value = value * 10 + Int(p[i] &- 48) }
            exponentDigits += 1
            i += 1
        }
        guard exponentDigits > 0 else { return nil }
        exponent += exponentNegative ? -value : value
    }
    guard i == count else { return nil }
    if mantissa < (1 << 53), abs(exponent) <= 22 {
        var value = Double(mantissa)
        value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
        return Float(negative ? -value : value)
    }
    return parseWithStrtod(p, count)
}

private let powersOfTen: [Double] = (0...22).map { Double(sign: .plus, exponent: 0, significand: 1) * pow(10, Double($0)) }

private func parseSpecial(_ p: UnsafePointer<UInt8>, _ count: Int) -> Float? {
    var text = String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self).lowercased()
    var sign: Float = 1
    if text.hasPrefix("-") { sign = -1; text.removeFirst() } else if text.hasPrefix("+") { text.removeFirst() }
    switch text {
    case "nan": return .nan
    case "inf", "infinity": return sign * .infinity
    default: return nil
    }
}

private func parseWithStrtod(_ p: UnsafePointer<UInt8>, _ count: Int) -> Float? {
    guard count < 512 else { return nil }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer in
        for k in 0..<count { buffer[k] = CChar(bitPattern: p[k]) }
        buffer[count] = 0
        var end: UnsafeMutablePointer<CChar>? = nil
        let value = strtod(buffer.baseAddress!, &end)
        guard end == buffer.baseAddress! + count else { return nil }
        return Float(value)
    }
}
