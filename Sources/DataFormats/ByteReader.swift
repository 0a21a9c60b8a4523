/// A bounds-checked cursor over the bytes of a file: every read past the end becomes an error
/// naming the file and offset, never a crash.
struct ByteReader {
    let bytes: [UInt8]
    let file: String
    private(set) var offset = 0

    init(_ bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    var remaining: Int { bytes.count - offset }

    func error(_ reason: String, at position: Int? = nil) -> DataFormatError {
        DataFormatError(file, .byte(position ?? offset), reason)
    }

    /// Moves past `count` bytes, returning the range they occupy.
    mutating func skip(_ count: Int, _ what: @autoclosure () -> String) throws -> Range<Int> {
        guard count >= 0, count <= remaining else {
            throw error("file ends early: \(what()) needs \(count) bytes, \(remaining) remain")
        }
        defer { offset += count }
        return offset..<(offset + count)
    }

    mutating func readBytes(_ count: Int, _ what: @autoclosure () -> String) throws -> ArraySlice<UInt8> {
        bytes[try skip(count, what())]
    }

    mutating func readUInt8(_ what: @autoclosure () -> String) throws -> UInt8 {
        bytes[try skip(1, what()).lowerBound]
    }

    /// A big-endian unsigned 32-bit integer (IDX).
    mutating func readUInt32BigEndian(_ what: @autoclosure () -> String) throws -> UInt32 {
        let range = try skip(4, what())
        return bytes[range].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// A little-endian unsigned integer of `width` bytes (NPY, safetensors).
    mutating func readLittleEndian(_ width: Int, _ what: @autoclosure () -> String) throws -> UInt64 {
        let range = try skip(width, what())
        return bytes[range].reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// The product of `dimensions`, or nil when a dimension is negative or the product overflows
/// (a file may claim any sizes; they are checked before anything is allocated).
func checkedProduct(_ dimensions: [Int]) -> Int? {
    var product = 1
    for dimension in dimensions {
        guard dimension >= 0 else { return nil }
        let (result, overflow) = product.multipliedReportingOverflow(by: dimension)
        guard !overflow else { return nil }
        product = result
    }
    return product
}
