import DataFormats
import Foundation
import Testing
import TestSupport
import Figures

/// The path of a committed golden file.
func golden(_ name: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Golden").appendingPathComponent(name).path
}

@Suite struct PNGTests {
    @Test func greyImageMatchesIndependentGolden() throws {
        // The golden file was written by Python's struct and zlib (stored blocks), not by this encoder.
        let image = try PNGImage(width: 2, height: 2, channels: .grey, pixels: [0, 255, 128, 64])
        #expect(image.encoded(compression: .none) == (try FileIO.read(golden("grey-2x2.png"))))
    }

    @Test func rgbImageMatchesIndependentGolden() throws {
        var image = try PNGImage(width: 3, height: 1, filledWith: .white)
        for (column, color) in Palette.categorical.prefix(3).enumerated() { image.set(row: 0, column: column, color) }
        #expect(image.encoded(compression: .none) == (try FileIO.read(golden("rgb-3x1.png"))))
    }

    @Test(arguments: [PNGImage.Compression.none, .standard, .best])
    func compressedStreamInflatesToTheFilteredRows(compression: PNGImage.Compression) throws {
        var generator = SystemRandomNumberGenerator()
        let (width, height) = (37, 11)
        let pixels = (0..<(width * height * 3)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let bytes = try PNGImage(width: width, height: height, channels: .rgb, pixels: pixels).encoded(compression: compression)
        let chunks = try parseChunks(bytes)
        #expect(chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
        let raw = try inflate(chunks[1].data)
        var expected: [UInt8] = []
        for row in 0..<height { expected += [0] + pixels[(row * width * 3)..<((row + 1) * width * 3)] }
        #expect(raw == expected)
    }

    @Test(.enabled(if: pythonCanImport("PIL"), "needs python3 with Pillow (installed by .ci/run)"))
    func pillowDecodesWhatWeWrite() throws {
        let folder = temporaryFolder()
        let path = folder + "/grid.png"
        let pixels = (0..<(5 * 4)).map { UInt8($0 * 12) }
        try FileIO.writeAtomically(try PNGImage(width: 5, height: 4, channels: .grey, pixels: pixels).encoded(), to: path)
        let result = try runProcess("python3", ["-c", "import sys; from PIL import Image; im = Image.open(sys.argv[1]); im.load(); print(im.mode, im.size, list(im.getdata()))", path])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "L (5, 4) \(pixels.map(Int.init))")
    }

    @Test func badSizesAreRejectedWithTheirNumbers() {
        #expect(throws: FigureError("a 2 × 2 grey PNG image needs 4 bytes; got 3")) {
            try PNGImage(width: 2, height: 2, channels: .grey, pixels: [1, 2, 3])
        }
        #expect(throws: FigureError("a PNG image needs 1 ≤ width, height < 2³¹; got 0 × 5")) {
            try PNGImage(width: 0, height: 5, channels: .rgb, pixels: [])
        }
    }
}

/// The chunks of a PNG file, each CRC checked.
func parseChunks(_ bytes: [UInt8]) throws -> [(type: String, data: [UInt8])] {
    #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    var chunks: [(type: String, data: [UInt8])] = [], offset = 8
    func word(_ at: Int) -> UInt32 { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) } }
    while offset < bytes.count {
        let length = Int(word(offset))
        let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
        let data = Array(bytes[(offset + 8)..<(offset + 8 + length)])
        #expect(word(offset + 8 + length) == crc32Reference(Array(type.utf8) + data), "CRC of \(type)")
        chunks.append((type, data))
        offset += 12 + length
    }
    return chunks
}

/// CRC-32 (ISO 3309, the PNG spec's Annex D), bit by bit: an independent check of zlib's.
func crc32Reference(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
    }
    return ~crc
}
