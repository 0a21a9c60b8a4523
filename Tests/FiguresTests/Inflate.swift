import CLatentZlib
import Figures

/// The bytes of a zlib stream (RFC 1950), through zlib's `uncompress`.
func inflate(_ stream: [UInt8], capacity: Int = 1 << 20) throws -> [UInt8] {
    var output = [UInt8](repeating: 0, count: capacity)
    var size = uLong(capacity)
    let status = output.withUnsafeMutableBufferPointer { out in
        stream.withUnsafeBufferPointer { uncompress(out.baseAddress, &size, $0.baseAddress, uLong($0.count)) }
    }
    guard status == Z_OK else { throw FigureError("zlib uncompress failed with status \(status)") }
    return Array(output.prefix(Int(size)))
}
