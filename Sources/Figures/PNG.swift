import CLatentZlib

/// A raster image with 8-bit channels, written as PNG (ISO/IEC 15948, W3C PNG 2nd ed.).
///
/// Pixels are row-major, top row first, channels interleaved: `height × width × channels`
/// bytes. Rows are stored with filter type 0 and the whole stream deflated by zlib.
public struct PNGImage: Sendable, Equatable {
    /// The PNG colour types written here (PNG spec §11.2.2, IHDR).
    public enum Channels: UInt8, Sendable {
        case grey = 0
        case rgb = 2

        /// Bytes per pixel.
        public var count: Int { self == .grey ? 1 : 3 }
    }

    /// How hard zlib compresses the image data.
    public enum Compression: Sendable {
        /// Stored blocks, no compression: byte-for-byte reproducible across zlib versions.
        case none
        /// zlib's default trade-off (level 6).
        case standard
        /// zlib's smallest output (level 9).
        case best

        var level: Int32 { switch self { case .none: 0; case .standard: 6; case .best: 9 } }
    }

    public let width: Int, height: Int, channels: Channels
    public private(set) var pixels: [UInt8]

    /// An image from its pixels; throws when their count is not `height × width × channels`.
    public init(width: Int, height: Int, channels: Channels, pixels: [UInt8]) throws {
        guard width > 0, height > 0, width <= Int(Int32.max), height <= Int(Int32.max) else {
            throw FigureError("a PNG image needs 1 ≤ width, height < 2³¹; got \(width) × \(height)")
        }
        guard pixels.count == width * height * channels.count else {
            throw FigureError("a \(width) × \(height) \(channels) PNG image needs \(width * height * channels.count) bytes; got \(pixels.count)")
        }
        (self.width, self.height, self.channels, self.pixels) = (width, height, channels, pixels)
    }

    /// An image of one colour.
    public init(width: Int, height: Int, filledWith color: Color) throws {
        let pixel = [color.red, color.green, color.blue]
        try self.init(width: width, height: height, channels: .rgb,
                      pixels: Array([[UInt8]](repeating: pixel, count: width * height).joined()))
    }

    /// Sets the pixel at (`row`, `column`); grey images take the colour's green channel.
    public mutating func set(row: Int, column: Int, _ color: Color) {
        let offset = (row * width + column) * channels.count
        if channels == .grey { pixels[offset] = color.green; return }
        pixels[offset] = color.red
        pixels[offset + 1] = color.green
        pixels[offset + 2] = color.blue
    }

    /// The PNG file: signature, IHDR, one IDAT, IEND.
    public func encoded(compression: Compression = .best) -> [UInt8] {
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        // Bit depth 8, colour type, deflate, filter method 0, no interlace.
        header += [8, channels.rawValue, 0, 0, 0]
        let stride = width * channels.count
        var filtered = [UInt8]()
        filtered.reserveCapacity(height * (stride + 1))
        for row in 0..<height {
            // Filter type 0 (None) before each row (§9.2).
            filtered.append(0)
            filtered += pixels[(row * stride)..<((row + 1) * stride)]
        }
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        file.appendChunk("IHDR", header)
        file.appendChunk("IDAT", Self.deflate(filtered, level: compression.level))
        file.appendChunk("IEND", [])
        return file
    }

    /// A zlib stream (RFC 1950) of `bytes`.
    static func deflate(_ bytes: [UInt8], level: Int32) -> [UInt8] {
        var size = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(size))
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                compress2(out.baseAddress, &size, input.baseAddress, uLong(input.count), level)
            }
        }
        // compressBound guarantees room, and the arguments are valid: any other status is a bug.
        precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
        return Array(output.prefix(Int(size)))
    }
}

extension [UInt8] {
    mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
    }

    /// A PNG chunk: length, type, data, and the CRC-32 of type and data (§5.3).
    mutating func appendChunk(_ type: String, _ data: [UInt8]) {
        appendBigEndian(UInt32(data.count))
        let typed = Array(type.utf8) + data
        self += typed
        let crc = typed.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        appendBigEndian(UInt32(crc))
    }
}
