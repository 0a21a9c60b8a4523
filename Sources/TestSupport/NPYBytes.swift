import Foundation

/// The bytes of an `.npy` file: a version 1.0 header for `descr` and `shape`, then `payload`.
public func npyBytes(descr: String, shape: [Int], payload: [UInt8]) -> [UInt8] {
    let shapeText = shape.isEmpty ? "()" : shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    let length = UInt16(header.utf8.count)
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8) + payload
}

public func int32Bytes(_ values: [Int]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: Int32($0).littleEndian, Array.init) } }
public func int64Bytes(_ values: [Int]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: Int64($0).littleEndian, Array.init) } }
public func float32Bytes(_ values: [Float]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }
