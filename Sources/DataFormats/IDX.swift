import Tensors

/// The IDX format of MNIST and Fashion-MNIST (LeCun et al.), plain or gzip-compressed.
///
/// Layout: two zero bytes, a type code (0x08 unsigned byte, 0x09 signed byte, 0x0B int16,
/// 0x0C int32, 0x0D float32, 0x0E float64), the number of dimensions, each dimension as a
/// big-endian UInt32, then the values, big-endian, in C order.
public enum IDX {
    /// Element types of IDX files.
    public enum ElementType: UInt8, Sendable, CaseIterable {
        case uint8 = 0x08, int8 = 0x09, int16 = 0x0B, int32 = 0x0C, float32 = 0x0D, float64 = 0x0E

        var width: Int {
            switch self {
            case .uint8, .int8: 1
            case .int16: 2
            case .int32, .float32: 4
            case .float64: 8
            }
        }
    }

    /// Unsigned-byte images are divided by this as they are read, to lie in [0, 1] (NPY's
    /// uint8 arrays are read the same way).
    public static let pixelScale: Float = 255

    /// Reads an IDX file (gzip-compressed or not, detected from its first bytes).
    public static func read(_ path: String, options: ReadOptions = .init()) throws -> (array: NumericArray, type: ElementType) {
        try parse(try FileIO.read(path), file: path, options: options)
    }

    /// Parses the bytes of an IDX file.
    public static func parse(_ raw: [UInt8], file: String, options: ReadOptions = .init()) throws -> (array: NumericArray, type: ElementType) {
        try parse(raw, file: file, options: options, pixelScale: 1)
    }

    /// Parses an IDX file; unsigned bytes are divided by `pixelScale` as they are converted
    /// (one pass, no second copy of a 60 000-image set).
    static func parse(_ raw: [UInt8], file: String, options: ReadOptions, pixelScale: Float) throws -> (array: NumericArray, type: ElementType) {
        let bytes = GZip.isCompressed(raw) ? try GZip.decompress(raw, file: file) : raw
        var reader = ByteReader(bytes, file: file)
        let zero = try reader.readBytes(2, "the magic number")
        guard zero.allSatisfy({ $0 == 0 }) else {
            throw reader.error("not an IDX file: magic number starts with \(zero.map { String(format2: $0) }.joined(separator: " ")), expected 00 00", at: 0)
        }
        let code = try reader.readUInt8("the type code")
        guard let type = ElementType(rawValue: code) else {
            throw reader.error("unknown IDX element type 0x\(String(format2: code))", at: 2)
        }
        let rank = Int(try reader.readUInt8("the number of dimensions"))
        guard rank > 0 else { throw reader.error("an IDX file needs at least one dimension", at: 3) }
        var shape: [Int] = []
        for axis in 0..<rank { shape.append(Int(try reader.readUInt32BigEndian("dimension \(axis)"))) }
        guard let count = checkedProduct(shape), count.multipliedReportingOverflow(by: type.width).overflow == false else {
            throw reader.error("dimensions \(shape) overflow", at: 4)
        }
        let needed = count * type.width
        guard needed == reader.remaining else {
            throw reader.error(needed > reader.remaining
                ? "file ends early: dimensions \(shape) need \(needed) bytes of data, \(reader.remaining) remain"
                : "\(reader.remaining - needed) bytes after the \(needed) bytes that dimensions \(shape) need")
        }
        let start = reader.offset
        try MemoryBudget.check(count * MemoryLayout<Float>.size + (rank == 1 ? count * MemoryLayout<Int>.size : 0),
                               for: "reading the \(shape) array as 32-bit floats", file: reader.file, at: .byte(4))
        var scalars = [Float](repeating: 0, count: count)
        var integers: [Int]? = nil
        bytes.withUnsafeBufferPointer { b in
            let p = b.baseAddress! + start
            func bigEndian(_ i: Int, _ width: Int) -> UInt64 {
                var value: UInt64 = 0
                for k in 0..<width { value = value << 8 | UInt64(p[i * width + k]) }
                return value
            }
            switch type {
            case .uint8: for i in 0..<count { scalars[i] = Float(p[i]) / pixelScale }
            case .int8: for i in 0..<count { scalars[i] = Float(Int8(bitPattern: p[i])) }
            case .int16: for i in 0..<count { scalars[i] = Float(Int16(bitPattern: UInt16(bigEndian(i, 2)))) }
            case .int32: for i in 0..<count { scalars[i] = Float(Int32(bitPattern: UInt32(bigEndian(i, 4)))) }
            case .float32: for i in 0..<count { scalars[i] = Float(bitPattern: UInt32(bigEndian(i, 4))) }
            case .float64: for i in 0..<count { scalars[i] = Float(Double(bitPattern: bigEndian(i, 8))) }
            }
            // Exact integers are kept for vectors (labels), not for images.
            if type != .float32 && type != .float64 && shape.count == 1 && pixelScale == 1 {
                integers = scalars.map { Int($0) }
            }
        }
        try options.checkFinite(scalars, shape: shape, file: file)
        return (NumericArray(shape: shape, scalars: scalars, integers: integers), type)
    }

    /// Reads images (`n × rows × columns`, or any rank ≥ 2) as samples `n × D`; unsigned-byte
    /// pixels are scaled to [0, 1].
    public static func readImages(_ path: String, options: ReadOptions = .init()) throws -> (samples: Tensor, sampleShape: [Int]) {
        let (array, _) = try parse(try FileIO.read(path), file: path, options: options, pixelScale: pixelScale)
        guard array.shape.count >= 2 else {
            throw DataFormatError(path, nil, "expected images (at least 2 dimensions), got shape \(array.shape)")
        }
        return (try array.matrix(file: path), Array(array.shape.dropFirst()))
    }

    /// Reads labels (a vector of integers).
    public static func readLabels(_ path: String) throws -> [Int] {
        let (array, _) = try read(path)
        guard array.shape.count == 1, let labels = array.integers else {
            throw DataFormatError(path, nil, "expected a vector of integer labels, got shape \(array.shape)")
        }
        return labels
    }

    /// The bytes of an IDX file holding `tensor` as `type` (values are rounded and clamped for
    /// integer types; for `.uint8` images pass values already in 0…255).
    public static func encode(_ tensor: Tensor, as type: ElementType) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, type.rawValue, UInt8(tensor.rank)]
        for dimension in tensor.shape { bytes += withUnsafeBytes(of: UInt32(dimension).bigEndian, Array.init) }
        bytes.reserveCapacity(bytes.count + tensor.count * type.width)
        for value in tensor.scalars {
            switch type {
            case .uint8: bytes.append(UInt8(clamping: Int(value.rounded())))
            case .int8: bytes.append(UInt8(bitPattern: Int8(clamping: Int(value.rounded()))))
            case .int16: bytes += withUnsafeBytes(of: Int16(clamping: Int(value.rounded())).bigEndian, Array.init)
            case .int32: bytes += withUnsafeBytes(of: Int32(clamping: Int(value.rounded())).bigEndian, Array.init)
            case .float32: bytes += withUnsafeBytes(of: value.bitPattern.bigEndian, Array.init)
            case .float64: bytes += withUnsafeBytes(of: Double(value).bitPattern.bigEndian, Array.init)
            }
        }
        return bytes
    }

    /// Writes `tensor` as an IDX file, gzip-compressed when `path` ends in `.gz`.
    public static func write(_ tensor: Tensor, as type: ElementType, to path: String) throws {
        let bytes = encode(tensor, as: type)
        try FileIO.writeAtomically(path.hasSuffix(".gz") ? GZip.compress(bytes) : bytes, to: path)
    }
}

extension String {
    /// Two hexadecimal digits.
    init(format2 byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self = String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}
