import Foundation
import Tensors

/// NumPy's `.npy` format, versions 1.0, 2.0 and 3.0
/// (numpy.lib.format: magic `\x93NUMPY`, version, header length as UInt16 LE (1.0) or UInt32 LE
/// (2.0, 3.0), a Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (n, d), }`
/// padded with spaces and a newline, then the raw values).
public enum NPY {
    /// The six bytes every `.npy` file starts with.
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Reads a `.npy` file (or a gzip-compressed `.npy.gz`). Little-endian float32 in C order (what Latent and most NumPy code
    /// write) streams from the file straight into the array's storage, with no second copy.
    public static func read(_ path: String, options: ReadOptions = .init()) throws -> NumericArray {
        if path.lowercased().hasSuffix(".gz") {
            let raw = try FileIO.read(path)
            guard GZip.isCompressed(raw) else { throw DataFormatError(path, .byte(0), "not a gzip file, though its name ends in .gz") }
            return try parse(try GZip.decompress(raw, file: path), file: path, options: options)
        }
        let file = try FileIO.open(path)
        defer { fclose(file) }
        let size = try FileIO.size(of: file, path: path)
        // Magic, version and length first: then the exact header.
        var prefix = [UInt8](repeating: 0, count: min(size, 12))
        _ = try prefix.withUnsafeMutableBytes { try FileIO.readFully(file, into: $0, path: path) }
        // Anything short of the exact magic string goes to `parse`, which says what is wrong.
        guard prefix.count >= 6, Array(prefix[0..<6]) == magic else { return try parse(try FileIO.read(path), file: path, options: options) }
        var headerEnd = 0
        if prefix.count >= 10, prefix[6] == 1 { headerEnd = 10 + Int(prefix[8]) | Int(prefix[9]) << 8 }
        if prefix.count >= 12, prefix[6] == 2 || prefix[6] == 3 {
            headerEnd = 12 + (Int(prefix[8]) | Int(prefix[9]) << 8 | Int(prefix[10]) << 16 | Int(prefix[11]) << 24)
        }
        guard headerEnd > prefix.count, headerEnd <= size, fseek(file, 0, SEEK_SET) == 0 else {
            return try parse(try FileIO.read(path), file: path, options: options)
        }
        var headerBytes = [UInt8](repeating: 0, count: headerEnd)
        _ = try headerBytes.withUnsafeMutableBytes { try FileIO.readFully(file, into: $0, path: path) }
        // Parse the header alone (with no data, only the size check can fail).
        let header: Header
        do {
            let start = prefix[6] == 1 ? 10 : 12
            header = try Header(parsing: String(decoding: headerBytes[start...], as: UTF8.self), file: path, offset: start)
        } catch { return try parse(try FileIO.read(path), file: path, options: options) }
        // What reading needs, from the header alone: the file's bytes (unless read in place)
        // and the decoded array, checked before either is allocated.
        if let dtype = try? ElementType(header.descr, file: path, offset: 0), let count = checkedProduct(header.shape) {
            let inPlace = (header.descr == "<f4" || header.descr == "=f4") && (!header.fortranOrder || header.shape.count <= 1)
            let needed = memoryNeeded(count: count, dtype: dtype, header: header, options: options)
            try MemoryBudget.check(inPlace ? needed : needed.addingReportingOverflow(size).partialValue,
                                   for: "reading the \(header.shape) array of '\(header.descr)'", file: path, at: .byte(prefix[6] == 1 ? 10 : 12))
        }
        guard header.descr == "<f4" || header.descr == "=f4", !header.fortranOrder || header.shape.count <= 1,
              let count = checkedProduct(header.shape), !count.multipliedReportingOverflow(by: 4).overflow,
              size - headerEnd == count * 4 else {
            return try parse(try FileIO.read(path), file: path, options: options)
        }
        let scalars = try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            let read = try FileIO.readFully(file, into: UnsafeMutableRawBufferPointer(buffer), path: path)
            guard read == count * 4 else { throw DataFormatError(path, .byte(headerEnd + read), "file ends early") }
            initialized = count
        }
        try options.checkFinite(scalars, shape: header.shape, file: path)
        return NumericArray(shape: header.shape, scalars: scalars, integers: nil)
    }

    /// Parses the bytes of a `.npy` file. Supported element types: float16/32/64, signed and
    /// unsigned integers of 1, 2, 4 and 8 bytes, and booleans, in either byte order, C or
    /// Fortran order.
    public static func parse(_ bytes: [UInt8], file: String, options: ReadOptions = .init()) throws -> NumericArray {
        var reader = ByteReader(bytes, file: file)
        let (header, headerStart) = try readHeader(&reader)
        let dtype = try ElementType(header.descr, file: file, offset: headerStart)
        guard let count = checkedProduct(header.shape), !count.multipliedReportingOverflow(by: dtype.width).overflow else {
            throw reader.error("shape \(header.shape) overflows", at: headerStart)
        }
        let needed = count * dtype.width
        guard needed == reader.remaining else {
            throw reader.error(needed > reader.remaining
                ? "file ends early: shape \(header.shape) of \(header.descr) needs \(needed) bytes of data, \(reader.remaining) remain"
                : "\(reader.remaining - needed) bytes after the \(needed) bytes that shape \(header.shape) needs")
        }
        try MemoryBudget.check(memoryNeeded(count: count, dtype: dtype, header: header, options: options),
                               for: "reading the \(header.shape) array of '\(header.descr)'", file: file, at: .byte(headerStart))
        return try decode(bytes, from: reader.offset, header: header, dtype: dtype, count: count, file: file, options: options)
    }

    /// The header of the `.npy` file at `path`, its element type and where its data start,
    /// read without the data, with the data's size checked against the file's.
    static func layout(_ path: String) throws -> (header: Header, dtype: ElementType, dataStart: Int) {
        let file = try FileIO.open(path)
        defer { fclose(file) }
        let size = try FileIO.size(of: file, path: path)
        var prefix = [UInt8](repeating: 0, count: min(size, 12))
        _ = try prefix.withUnsafeMutableBytes { try FileIO.readFully(file, into: $0, path: path) }
        var headerEnd = prefix.count
        if prefix.count >= 10, prefix[6] == 1 { headerEnd = 10 + Int(prefix[8]) | Int(prefix[9]) << 8 }
        if prefix.count >= 12, prefix[6] == 2 || prefix[6] == 3 {
            headerEnd = 12 + (Int(prefix[8]) | Int(prefix[9]) << 8 | Int(prefix[10]) << 16 | Int(prefix[11]) << 24)
        }
        var bytes = prefix
        if headerEnd > prefix.count, headerEnd <= size, fseek(file, 0, SEEK_SET) == 0 {
            bytes = [UInt8](repeating: 0, count: headerEnd)
            _ = try bytes.withUnsafeMutableBytes { try FileIO.readFully(file, into: $0, path: path) }
        }
        // A short or malformed prefix fails here, saying what is wrong.
        var reader = ByteReader(bytes, file: path)
        let (header, headerStart) = try readHeader(&reader)
        let dtype = try ElementType(header.descr, file: path, offset: headerStart)
        guard let count = checkedProduct(header.shape), !count.multipliedReportingOverflow(by: dtype.width).overflow else {
            throw DataFormatError(path, .byte(headerStart), "shape \(header.shape) overflows")
        }
        let needed = count * dtype.width, remaining = size - reader.offset
        guard needed == remaining else {
            throw DataFormatError(path, .byte(reader.offset), needed > remaining
                ? "file ends early: shape \(header.shape) needs \(needed) bytes of data, \(remaining) remain"
                : "\(remaining - needed) bytes after the \(needed) bytes that shape \(header.shape) needs")
        }
        return (header, dtype, reader.offset)
    }

    /// The bytes that decoding `count` elements allocates besides the file's own: 32-bit floats,
    /// 64-bit integers too for a 1-D integer array (labels), Doubles for wide types measured from
    /// an origin, a reordered copy for Fortran order. Known from the header before anything is read.
    static func memoryNeeded(count: Int, dtype: ElementType, header: Header, options: ReadOptions) -> Int {
        var perElement = MemoryLayout<Float>.size
        if dtype.isInteger && header.shape.count == 1 { perElement += MemoryLayout<Int>.size }
        if options.origin != nil, dtype.width >= 4, !(dtype.kind == .float && dtype.width == 4) { perElement += MemoryLayout<Double>.size }
        if header.fortranOrder && header.shape.count > 1 { perElement += MemoryLayout<Double>.size }
        return count.multipliedReportingOverflow(by: perElement).overflow ? .max : count * perElement
    }

    /// The text an `.npy` file holds as a NumPy bytes scalar (dtype `|Sn`, shape ()): how
    /// SciPy's `save_npz` stores a sparse matrix's `format`.
    public static func parseByteString(_ bytes: [UInt8], file: String) throws -> String {
        var reader = ByteReader(bytes, file: file)
        let (header, headerStart) = try readHeader(&reader)
        guard header.shape.isEmpty, header.descr.hasPrefix("|S") || header.descr.hasPrefix("S"),
              let width = Int(header.descr.drop { $0 == "|" || $0 == "S" }), width == reader.remaining else {
            throw reader.error("expected a bytes scalar (dtype |Sn, shape ()), got dtype '\(header.descr)' and shape \(header.shape)", at: headerStart)
        }
        let text = try reader.readBytes(width, "the string")
        return String(decoding: text.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// Reads the magic string, version and header dict; returns the header and where it began.
    private static func readHeader(_ reader: inout ByteReader) throws -> (header: Header, offset: Int) {
        let magic = try reader.readBytes(6, "the magic string")
        guard Array(magic) == Self.magic else { throw reader.error("not a NumPy .npy file (bad magic string)", at: 0) }
        let major = try reader.readUInt8("the version"), minor = try reader.readUInt8("the version")
        let headerLength: Int
        switch major {
        case 1: headerLength = Int(try reader.readLittleEndian(2, "the header length"))
        case 2, 3: headerLength = Int(try reader.readLittleEndian(4, "the header length"))
        default: throw reader.error("unsupported .npy version \(major).\(minor)", at: 6)
        }
        guard headerLength <= reader.remaining else {
            throw reader.error("header claims \(headerLength) bytes, only \(reader.remaining) remain")
        }
        let headerStart = reader.offset
        let headerBytes = try reader.readBytes(headerLength, "the header")
        guard let text = String(bytes: headerBytes, encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw reader.error("header is not text", at: headerStart)
        }
        return (try Header(parsing: text, file: reader.file, offset: headerStart), headerStart)
    }

    /// The array of `count` elements of `dtype` that starts at byte `start` of `bytes`.
    private static func decode(_ bytes: [UInt8], from start: Int, header: Header, dtype: ElementType, count: Int,
                               file: String, options: ReadOptions) throws -> NumericArray {
        var scalars = [Float](repeating: 0, count: count)
        var integers: [Int]? = dtype.isInteger && header.shape.count == 1 ? [Int](repeating: 0, count: count) : nil
        var origin: [Double]? = nil
        if let requested = options.origin, dtype.width >= 4, !(dtype.kind == .float && dtype.width == 4), count > 0, !header.shape.isEmpty {
            // Wider than Float32 holds: measured from the origin in Double first.
            var doubles = bytes.withUnsafeBufferPointer { dtype.decodeDoubles($0.baseAddress! + start, count: count) }
            if header.fortranOrder && header.shape.count > 1 { doubles = fortranToC(doubles, shape: header.shape) }
            let columns = count / header.shape[0]
            origin = try requested.resolve(firstRow: Array(doubles[0..<columns]), file: file)
            for i in 0..<count { scalars[i] = Float(doubles[i] - (origin?[i % columns] ?? 0)) }
        } else {
            bytes.withUnsafeBufferPointer { b in
                dtype.decode(b.baseAddress! + start, count: count, into: &scalars, integers: &integers)
            }
            if header.fortranOrder && header.shape.count > 1 {
                scalars = fortranToC(scalars, shape: header.shape)
            }
        }
        try options.checkFinite(scalars, shape: header.shape, file: file)
        return NumericArray(shape: header.shape, scalars: scalars, integers: integers,
                            isUnsignedBytes: dtype.kind == .unsigned && dtype.width == 1, origin: origin)
    }

    /// The bytes of a `.npy` file (version 1.0, or 2.0 for huge headers) holding `tensor` as
    /// little-endian float32 in C order.
    public static func encode(_ tensor: Tensor) -> [UInt8] {
        var bytes = header(shape: tensor.shape)
        tensor.withUnsafeBufferPointer { values in
            values.withMemoryRebound(to: UInt8.self) { raw in
                // Float32 is little-endian on every platform Latent runs on.
                bytes.append(contentsOf: raw)
            }
        }
        return bytes
    }

    /// Writes a `.npy` file of float32 rows `rows × columns` atomically, its rows handed in by
    /// `body` block by block (each `k × columns`), never all in memory.
    /// - Throws: when the blocks do not add up to `rows` rows of `columns` values.
    public static func write(rows: Int, columns: Int, to path: String, _ body: (_ append: (Tensor) throws -> Void) throws -> Void) throws {
        try FileIO.writeAtomically(to: path) { write in
            try header(shape: [rows, columns]).withUnsafeBytes { try write($0) }
            var written = 0
            try withoutActuallyEscaping(write) { write in
                try body { block in
                    guard block.rank == 2, block.shape[1] == columns, written + block.shape[0] <= rows else {
                        throw DataFormatError(path, nil, "a block of shape \(block.shape) does not continue \(written) of \(rows) rows × \(columns)")
                    }
                    try block.withUnsafeBufferPointer { try write(UnsafeRawBufferPointer($0)) }
                    written += block.shape[0]
                }
            }
            guard written == rows else { throw DataFormatError(path, nil, "\(written) rows were written of the \(rows) announced") }
        }
    }

    /// The magic, version and header of a `.npy` file of float32 values of `shape` in C order,
    /// padded so the data start on a 64-byte boundary.
    static func header(shape dimensions: [Int], descr: String = "<f4") -> [UInt8] {
        let shape = dimensions.count == 1 ? "(\(dimensions[0]),)" : "(" + dimensions.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        // Pad so the data start on a 64-byte boundary, as NumPy does; the header ends in \n.
        let prefix = header.utf8.count + 1 + 10 <= 65_535 ? 10 : 12
        let total = (prefix + header.utf8.count + 1 + 63) / 64 * 64
        header += String(repeating: " ", count: total - prefix - header.utf8.count - 1) + "\n"
        var bytes: [UInt8] = magic
        let length = header.utf8.count
        if prefix == 10 {
            bytes += [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)]
        } else {
            bytes += [2, 0] + withUnsafeBytes(of: UInt32(length).littleEndian, Array.init)
        }
        bytes += Array(header.utf8)
        return bytes
    }

    /// The bytes of a `.npy` file holding `values` as little-endian int64 (a vector).
    public static func encode(integers values: [Int]) -> [UInt8] {
        header(shape: [values.count], descr: "<i8") + values.flatMap { withUnsafeBytes(of: Int64($0).littleEndian, Array.init) }
    }

    /// The bytes of a `.npy` file holding `values` as little-endian float64 (a vector).
    public static func encode(doubles values: [Double]) -> [UInt8] {
        header(shape: [values.count], descr: "<f8") + values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
    }

    /// The bytes of a `.npy` file holding one byte string (a 0-d array of `|S`n, as NumPy
    /// stores `np.array(b"coo")`).
    public static func encode(byteString text: String) -> [UInt8] {
        header(shape: [], descr: "|S\(text.utf8.count)") + Array(text.utf8)
    }

    /// Writes `tensor` to a `.npy` file, atomically.
    public static func write(_ tensor: Tensor, to path: String) throws {
        try FileIO.writeAtomically(encode(tensor), to: path)
    }

    // MARK: - Header

    struct Header {
        var descr = "", fortranOrder = false, shape: [Int] = []

        /// Parses the dict literal with a small tokenizer (strings, True/False, integer tuples).
        init(parsing text: String, file: String, offset: Int) throws {
            func fail(_ why: String) -> DataFormatError { DataFormatError(file, .byte(offset), "malformed .npy header: \(why)") }
            var fields: [String: String] = [:]
            let scalars = Array(text.unicodeScalars)
            var i = 0
            func skipSpace() { while i < scalars.count, scalars[i] == " " || scalars[i] == "\n" || scalars[i] == "\t" { i += 1 } }
            func quoted() throws -> String {
                let quote = scalars[i]
                i += 1
                let start = i
                while i < scalars.count, scalars[i] != quote { i += 1 }
                guard i < scalars.count else { throw fail("unterminated string") }
                defer { i += 1 }
                return String(String.UnicodeScalarView(scalars[start..<i]))
            }
            skipSpace()
            guard i < scalars.count, scalars[i] == "{" else { throw fail("expected '{'") }
            i += 1
            while true {
                skipSpace()
                guard i < scalars.count else { throw fail("unterminated dict") }
                if scalars[i] == "}" { break }
                guard scalars[i] == "'" || scalars[i] == "\"" else { throw fail("expected a quoted key") }
                let key = try quoted()
                skipSpace()
                guard i < scalars.count, scalars[i] == ":" else { throw fail("expected ':' after '\(key)'") }
                i += 1
                skipSpace()
                guard i < scalars.count else { throw fail("missing value for '\(key)'") }
                let value: String
                if scalars[i] == "'" || scalars[i] == "\"" {
                    value = try quoted()
                } else {
                    let open = scalars[i] == "(" || scalars[i] == "["
                    let start = i
                    if open {
                        while i < scalars.count, scalars[i] != ")" && scalars[i] != "]" { i += 1 }
                        guard i < scalars.count else { throw fail("unterminated tuple") }
                        i += 1
                    } else {
                        while i < scalars.count, scalars[i] != "," && scalars[i] != "}" { i += 1 }
                    }
                    value = String(String.UnicodeScalarView(scalars[start..<i])).trimmingSpaces
                }
                fields[key] = value
                skipSpace()
                if i < scalars.count, scalars[i] == "," { i += 1 }
            }
            guard let descr = fields["descr"] else { throw fail("no 'descr'") }
            guard let order = fields["fortran_order"], order == "True" || order == "False" else { throw fail("no 'fortran_order' True/False") }
            guard let shapeText = fields["shape"], shapeText.first == "(" else { throw fail("no 'shape' tuple") }
            var shape: [Int] = []
            for part in shapeText.dropFirst().dropLast().split(separator: ",") {
                let trimmed = String(part).trimmingSpaces
                if trimmed.isEmpty { continue }
                guard let dimension = Int(trimmed.hasSuffix("L") ? String(trimmed.dropLast()) : trimmed), dimension >= 0 else {
                    throw fail("bad dimension '\(trimmed)' in shape \(shapeText)")
                }
                shape.append(dimension)
            }
            self.descr = descr
            self.fortranOrder = order == "True"
            self.shape = shape
        }
    }

    // MARK: - Element types

    struct ElementType: Sendable {
        enum Kind { case float, signed, unsigned, boolean }
        let kind: Kind, width: Int, bigEndian: Bool
        var isInteger: Bool { kind != .float }

        init(_ descr: String, file: String, offset: Int) throws {
            let unknown = DataFormatError(file, .byte(offset), "unsupported dtype '\(descr)' (expected float16/32/64, [u]int8/16/32/64 or bool)")
            var text = Substring(descr)
            var big = false
            if let order = text.first, "<>|=".contains(order) {
                big = order == ">"
                text = text.dropFirst()
            }
            guard let code = text.first, let width = Int(text.dropFirst()) else { throw unknown }
            switch (code, width) {
            case ("f", 2), ("f", 4), ("f", 8): kind = .float
            case ("i", 1), ("i", 2), ("i", 4), ("i", 8): kind = .signed
            case ("u", 1), ("u", 2), ("u", 4), ("u", 8): kind = .unsigned
            case ("b", 1): kind = .boolean
            default: throw unknown
            }
            self.width = width
            self.bigEndian = big && width > 1
        }

        /// The values as Double (exact for float64 and integers below 2⁵³).
        func decodeDoubles(_ p: UnsafePointer<UInt8>, count: Int) -> [Double] {
            (0..<count).map { i in
                var bits: UInt64 = 0
                if bigEndian {
                    for k in 0..<width { bits = bits << 8 | UInt64(p[i * width + k]) }
                } else {
                    for k in stride(from: width - 1, through: 0, by: -1) { bits = bits << 8 | UInt64(p[i * width + k]) }
                }
                switch (kind, width) {
                case (.float, 2): return Double(Float16(bitPattern: UInt16(bits)))
                case (.float, 4): return Double(Float(bitPattern: UInt32(bits)))
                case (.float, _): return Double(bitPattern: bits)
                case (.signed, _):
                    let shift = UInt64(64 - 8 * width)
                    return Double(Int64(bitPattern: bits << shift) >> Int64(shift))
                default: return Double(bits)
                }
            }
        }

        /// `count` values at `p` as Float32, written to `out` (integers as their nearest floats).
        func decode(_ p: UnsafePointer<UInt8>, count: Int, to out: UnsafeMutablePointer<Float>) {
            if kind == .float && width == 4 && !bigEndian {
                UnsafeMutableRawPointer(out).copyMemory(from: p, byteCount: count * 4)
                return
            }
            var integers: [Int]? = nil
            var scalars = [Float](repeating: 0, count: count)
            decode(p, count: count, into: &scalars, integers: &integers)
            scalars.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: count) }
        }

        func decode(_ p: UnsafePointer<UInt8>, count: Int, into scalars: inout [Float], integers: inout [Int]?) {
            func raw(_ i: Int) -> UInt64 {
                var value: UInt64 = 0
                if bigEndian {
                    for k in 0..<width { value = value << 8 | UInt64(p[i * width + k]) }
                } else {
                    for k in stride(from: width - 1, through: 0, by: -1) { value = value << 8 | UInt64(p[i * width + k]) }
                }
                return value
            }
            if kind == .float && width == 4 && !bigEndian {
                // The common case: a straight copy.
                scalars.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: p, count: count * 4)) }
                return
            }
            for i in 0..<count {
                let bits = raw(i)
                let value: Float
                var integer = 0
                switch (kind, width) {
                case (.float, 2): value = Float(Float16(bitPattern: UInt16(bits)))
                case (.float, 4): value = Float(bitPattern: UInt32(bits))
                case (.float, 8): value = Float(Double(bitPattern: bits))
                case (.signed, _):
                    let shift = UInt64(64 - 8 * width)
                    integer = Int(Int64(bitPattern: bits << shift) >> Int64(shift))
                    value = Float(integer)
                default:
                    integer = Int(truncatingIfNeeded: bits)
                    value = Float(bits)
                }
                scalars[i] = value
                integers?[i] = integer
            }
        }
    }

    /// Reorders values stored in Fortran (column-major) order into C order.
    static func fortranToC<Scalar: Numeric>(_ values: [Scalar], shape: [Int]) -> [Scalar] {
        let rank = shape.count
        var fortranStrides = [Int](repeating: 1, count: rank)
        for axis in 1..<rank { fortranStrides[axis] = fortranStrides[axis - 1] * shape[axis - 1] }
        var result = [Scalar](repeating: 0, count: values.count)
        var index = [Int](repeating: 0, count: rank)
        for flat in 0..<values.count {
            var source = 0
            for axis in 0..<rank { source += index[axis] * fortranStrides[axis] }
            result[flat] = values[source]
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let first = s.first, first == " " || first == "\n" || first == "\t" || first == "\r" { s = s.dropFirst() }
        while let last = s.last, last == " " || last == "\n" || last == "\t" || last == "\r" { s = s.dropLast() }
        return String(s)
    }
}
