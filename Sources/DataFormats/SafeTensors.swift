import Foundation
import Tensors

/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
/// mapping each tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}` plus an
/// optional `"__metadata__"` map of strings, then the raw little-endian data.
///
/// Latent's model files: tensors named like PyTorch state dicts (`encoder.0.weight`), and the
/// method, its configuration and the format version in `__metadata__`.
public struct SafeTensorsFile: Sendable, Equatable {
    /// Tensors in file order.
    public var tensors: [(name: String, tensor: Tensor)]
    /// String key-value pairs of the header's `__metadata__`.
    public var metadata: [String: String]

    /// Headers larger than this are rejected before anything is allocated (the reference
    /// implementation's limit).
    public static let maximumHeaderBytes = 100_000_000

    public init(tensors: [(name: String, tensor: Tensor)] = [], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The tensor called `name`.
    public subscript(name: String) -> Tensor? { tensors.first { $0.name == name }?.tensor }

    public static func == (a: SafeTensorsFile, b: SafeTensorsFile) -> Bool {
        a.metadata == b.metadata && a.tensors.map(\.name) == b.tensors.map(\.name) && a.tensors.map(\.tensor) == b.tensors.map(\.tensor)
    }

    // MARK: - Reading

    /// Reads a `.safetensors` file.
    public static func read(_ path: String) throws -> SafeTensorsFile {
        try parse(try FileIO.read(path), file: path)
    }

    /// Parses the bytes of a `.safetensors` file. Floating-point (F16, BF16, F32, F64),
    /// integer and boolean tensors are read and converted to Float32.
    public static func parse(_ bytes: [UInt8], file: String) throws -> SafeTensorsFile {
        var reader = ByteReader(bytes, file: file)
        let length = try reader.readLittleEndian(8, "the header length")
        guard length <= UInt64(reader.remaining) else {
            throw reader.error("header claims \(length) bytes, but only \(reader.remaining) follow", at: 0)
        }
        guard length <= UInt64(maximumHeaderBytes) else {
            throw reader.error("header claims \(length) bytes, more than the \(maximumHeaderBytes)-byte limit", at: 0)
        }
        let headerBytes = try reader.readBytes(Int(length), "the header")
        let json: JSONValue
        do { json = try JSONValue(parsing: Data(headerBytes)) } catch {
            throw DataFormatError(file, .byte(8), "header is not valid JSON")
        }
        guard let header = json.objectValue else { throw DataFormatError(file, .byte(8), "header is not a JSON object") }
        let dataStart = reader.offset
        let dataLength = reader.remaining
        var metadata: [String: String] = [:]
        var entries: [(name: String, begin: Int, end: Int, shape: [Int], dtype: DType)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let map = value.objectValue else { throw DataFormatError(file, .entry("__metadata__"), "must be an object of strings") }
                for (key, item) in map {
                    guard let text = item.stringValue else { throw DataFormatError(file, .entry("__metadata__.\(key)"), "must be a string") }
                    metadata[key] = text
                }
                continue
            }
            let where_ = FilePosition.entry("tensor '\(name)'")
            guard let info = value.objectValue, let dtypeName = info["dtype"]?.stringValue,
                  let shapeValues = info["shape"]?.arrayValue, let offsets = info["data_offsets"]?.arrayValue, offsets.count == 2 else {
                throw DataFormatError(file, where_, "needs dtype, shape and data_offsets")
            }
            guard let dtype = DType(rawValue: dtypeName) else { throw DataFormatError(file, where_, "unsupported dtype \(dtypeName)") }
            let shape = shapeValues.compactMap(\.intValue)
            guard shape.count == shapeValues.count, let count = checkedProduct(shape),
                  !count.multipliedReportingOverflow(by: dtype.width).overflow else {
                throw DataFormatError(file, where_, "bad shape \(JSONValue.array(shapeValues).text)")
            }
            guard let begin = offsets[0].intValue, let end = offsets[1].intValue,
                  begin >= 0, begin <= end, end <= dataLength else {
                throw DataFormatError(file, where_, "data offsets \(JSONValue.array(offsets).text) fall outside the \(dataLength) data bytes")
            }
            guard end - begin == count * dtype.width else {
                throw DataFormatError(file, where_, "shape \(shape) of \(dtypeName) needs \(count * dtype.width) bytes, offsets give \(end - begin)")
            }
            entries.append((name, begin, end, shape, dtype))
        }
        // The tensors must tile the data exactly, as the reference implementation requires.
        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var covered = 0
        for entry in entries {
            guard entry.begin == covered else {
                throw DataFormatError(file, .entry("tensor '\(entry.name)'"), entry.begin > covered ? "gap in the data before it" : "overlaps another tensor")
            }
            covered = entry.end
        }
        guard covered == dataLength else { throw DataFormatError(file, .byte(dataStart + covered), "\(dataLength - covered) data bytes belong to no tensor") }

        // Float32 copies of every tensor: at most twice the data for 16-bit types.
        let decoded = entries.reduce(0) { $0 + ($1.end - $1.begin) / $1.dtype.width * MemoryLayout<Float>.size }
        try MemoryBudget.check(decoded, for: "decoding the tensors to 32-bit floats", file: file)
        var tensors: [(name: String, tensor: Tensor)] = []
        for entry in entries {
            let count = (entry.end - entry.begin) / entry.dtype.width
            let values = bytes.withUnsafeBufferPointer { b in
                entry.dtype.decode(b.baseAddress! + dataStart + entry.begin, count: count)
            }
            tensors.append((entry.name, try Tensor(shape: entry.shape, scalars: values)))
        }
        return SafeTensorsFile(tensors: tensors, metadata: metadata)
    }

    // MARK: - Writing

    /// The header of the file (its 8-byte length and the JSON, padded with spaces to a multiple
    /// of 8 bytes so the data are aligned; keys sorted) and the size of the data after it.
    func encodedHeader() throws -> (header: [UInt8], dataSize: Int) {
        var header: [String: JSONValue] = [:]
        if !metadata.isEmpty { header["__metadata__"] = .object(metadata.mapValues { .string($0) }) }
        var offset = 0
        for (name, tensor) in tensors {
            guard name != "__metadata__", header[name] == nil else {
                throw DataFormatError("safetensors", .entry(name), "duplicate or reserved tensor name")
            }
            header[name] = .object(["dtype": .string("F32"), "shape": .array(tensor.shape.map { .number(Double($0)) }),
                                    "data_offsets": .array([.number(Double(offset)), .number(Double(offset + 4 * tensor.count))])])
            offset += 4 * tensor.count
        }
        var json = Array(JSONValue.object(header).text.utf8)
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
        return (withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init) + json, offset)
    }

    /// The bytes of the file: F32 tensors in order after the header.
    public func encode() throws -> [UInt8] {
        let (header, dataSize) = try encodedHeader()
        var bytes = header
        bytes.reserveCapacity(header.count + dataSize)
        for (_, tensor) in tensors {
            tensor.withUnsafeBufferPointer { values in
                values.withMemoryRebound(to: UInt8.self) { bytes.append(contentsOf: $0) }
            }
        }
        return bytes
    }

    /// Writes the file atomically, each tensor straight from its storage (no copy of the whole
    /// file in memory: a checkpoint of a large network costs one pass over its bytes).
    public func write(to path: String) throws {
        let (header, _) = try encodedHeader()
        try FileIO.writeAtomically(to: path) { write in
            try header.withUnsafeBytes { try write($0) }
            for (_, tensor) in tensors {
                try tensor.withUnsafeBufferPointer { try write(UnsafeRawBufferPointer($0)) }
            }
        }
    }

    // MARK: - Element types

    enum DType: String {
        case f16 = "F16", bf16 = "BF16", f32 = "F32", f64 = "F64"
        case i8 = "I8", i16 = "I16", i32 = "I32", i64 = "I64", u8 = "U8", u16 = "U16", u32 = "U32", u64 = "U64", bool = "BOOL"

        var width: Int {
            switch self {
            case .i8, .u8, .bool: 1
            case .f16, .bf16, .i16, .u16: 2
            case .f32, .i32, .u32: 4
            case .f64, .i64, .u64: 8
            }
        }

        func decode(_ p: UnsafePointer<UInt8>, count: Int) -> [Float] {
            func word(_ i: Int) -> UInt64 {
                var value: UInt64 = 0
                for k in stride(from: width - 1, through: 0, by: -1) { value = value << 8 | UInt64(p[i * width + k]) }
                return value
            }
            return (0..<count).map { i in
                let bits = word(i)
                switch self {
                case .f32: return Float(bitPattern: UInt32(bits))
                case .f64: return Float(Double(bitPattern: bits))
                case .f16: return Float(Float16(bitPattern: UInt16(bits)))
                case .bf16: return Float(bitPattern: UInt32(bits) << 16)
                case .i8: return Float(Int8(truncatingIfNeeded: bits))
                case .i16: return Float(Int16(truncatingIfNeeded: bits))
                case .i32: return Float(Int32(truncatingIfNeeded: bits))
                case .i64: return Float(Int64(bitPattern: bits))
                case .u8, .u16, .u32, .u64, .bool: return Float(bits)
                }
            }
        }
    }
}
