import Tensors
import CLatentZlib

/// gzip (RFC 1952) through zlib, for `.gz` inputs and outputs.
public enum GZip {
    /// Whether `bytes` start with the gzip magic number 1f 8b.
    public static func isCompressed(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

    /// The decompressed bytes of every member of a gzip file. The output grows as it is
    /// produced; the size the trailer claims is never trusted for an allocation, and growth
    /// past `MemoryBudget.limit` is an error (a kilobyte can inflate to gigabytes).
    public static func decompress(_ bytes: [UInt8], file: String) throws -> [UInt8] {
        var stream = z_stream()
        // 15 window bits + 32: detect the gzip header automatically.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataFormatError(file, nil, "cannot initialise zlib")
        }
        defer { inflateEnd(&stream) }
        // Inflate straight into the output, doubling it when full.
        var output = [UInt8](repeating: 0, count: max(1 << 16, min(bytes.count * 2, 1 << 30, MemoryBudget.limit / 2)))
        var produced = 0
        try bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = UInt32(input.count)
            while true {
                if produced == output.count {
                    try MemoryBudget.check(2 * output.count, for: "decompressing (\(MemoryBudget.format(produced)) so far, from \(MemoryBudget.format(bytes.count)))",
                                           file: file, at: .byte(input.count - Int(stream.avail_in)))
                    output += [UInt8](repeating: 0, count: output.count)
                }
                let status: Int32 = output.withUnsafeMutableBufferPointer { out in
                    let room = min(out.count - produced, Int(UInt32.max))
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = UInt32(room)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    produced += room - Int(stream.avail_out)
                    return status
                }
                let consumed = input.count - Int(stream.avail_in)
                switch status {
                case Z_STREAM_END:
                    // Concatenated members are one file (RFC 1952 §2.2).
                    if stream.avail_in >= 2 && input[consumed] == 0x1F && input[consumed + 1] == 0x8B {
                        inflateReset(&stream)
                        continue
                    }
                    return
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw DataFormatError(file, .byte(consumed), "gzip stream ends early (truncated file)")
                case Z_BUF_ERROR:
                    continue  // output full: grown above
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                    throw DataFormatError(file, .byte(consumed), "corrupt gzip data: \(message)")
                }
            }
        }
        output.removeLast(output.count - produced)
        return output
    }

    /// gzip-compressed `bytes` (for writing `.gz` files and in tests).
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        // 15 window bits + 16: write a gzip header and trailer.
        deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
        bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                _ = deflate(&stream, Z_FINISH)
            }
        }
        output.removeLast(Int(stream.avail_out))
        return output
    }
}
