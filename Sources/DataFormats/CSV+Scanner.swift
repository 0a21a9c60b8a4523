import Foundation
import Tensors

extension CSV {
    /// A field: its bytes (without the surrounding quotes), whether it was quoted, its line.
    struct Field {
        let start: Int, end: Int, quoted: Bool, line: Int
    }

    struct Record {
        var fields: [Field]
        let line: Int
        var count: Int { fields.count }
        var indices: Range<Int> { fields.indices }
        subscript(index: Int) -> Field { fields[index] }
    }

    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        let delimiter: UInt8
        let file: String
        var position = 0, line = 1
        var fields: [Field] = []

        init(bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8, file: String) {
            self.bytes = bytes
            self.delimiter = delimiter
            self.file = file
            // A UTF-8 byte-order mark is not part of the first field.
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        }

        /// The next non-blank record, or nil at the end.
        mutating func nextRecord() throws -> Record? {
            let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), carriage = UInt8(ascii: "\r")
            while position < bytes.count {
                let recordLine = line
                fields.removeAll(keepingCapacity: true)
                // A blank line is skipped, not a record of one empty field.
                if bytes[position] == newline || (bytes[position] == carriage && position + 1 < bytes.count && bytes[position + 1] == newline) {
                    position += bytes[position] == carriage ? 2 : 1
                    line += 1
                    continue
                }
                while true {
                    let fieldLine = line
                    // Spaces before an opening quote are not part of the field.
                    var look = position
                    while look < bytes.count, bytes[look] == 32 || (bytes[look] == 9 && delimiter != 9) { look += 1 }
                    if look < bytes.count && bytes[look] == quote {
                        position = look + 1
                        let start = position
                        while true {
                            guard position < bytes.count else {
                                throw DataFormatError(file, .line(fieldLine), "quoted field never closes")
                            }
                            if bytes[position] == quote {
                                if position + 1 < bytes.count && bytes[position + 1] == quote { position += 2; continue }
                                break
                            }
                            if bytes[position] == newline { line += 1 }
                            position += 1
                        }
                        fields.append(Field(start: start, end: position, quoted: true, line: fieldLine))
                        position += 1
                        while position < bytes.count, bytes[position] == 32 { position += 1 }
                        guard position >= bytes.count || bytes[position] == delimiter || bytes[position] == newline || bytes[position] == carriage else {
                            throw DataFormatError(file, .field(line: line, column: fields.count), "characters after a closing quote")
                        }
                    } else {
                        let start = position
                        while position < bytes.count, bytes[position] != delimiter, bytes[position] != newline { position += 1 }
                        var end = position
                        if end > start && bytes[end - 1] == carriage { end -= 1 }
                        fields.append(Field(start: start, end: end, quoted: false, line: fieldLine))
                    }
                    if position < bytes.count && bytes[position] == delimiter { position += 1; continue }
                    if position < bytes.count && bytes[position] == carriage { position += 1 }
                    if position < bytes.count && bytes[position] == newline { position += 1; line += 1 }
                    return Record(fields: fields, line: recordLine)
                }
            }
            return nil
        }

        /// The bytes of the field without the spaces and tabs around them.
        private func trimmed(_ field: Field) -> (start: Int, end: Int) {
            var (start, end) = (field.start, field.end)
            while start < end, bytes[start] == 32 || bytes[start] == 9 { start += 1 }
            while end > start, bytes[end - 1] == 32 || bytes[end - 1] == 9 { end -= 1 }
            return (start, end)
        }

        /// The field as a number (the Double it reads, rounded to Float as NumPy's float64 →
        /// float32 cast rounds), spaces around it ignored; nil when it is not one.
        func number(_ field: Field) -> Float? { double(field).map(Float.init) }

        /// The field as the Double it reads, spaces around it ignored; nil when it is not one.
        func double(_ field: Field) -> Double? {
            let (start, end) = trimmed(field)
            guard !field.quoted || !containsQuote(start, end) else { return nil }
            return parseDecimalDouble(bytes.baseAddress! + start, end - start)
        }

        /// Whether the field marks a missing value (empty, NA, N/A, null, ?), spaces ignored.
        func isMissing(_ field: Field) -> Bool {
            let (start, end) = trimmed(field)
            return TextKernels.isMissingMarker(bytes.baseAddress! + start, count: end - start)
        }

        private func containsQuote(_ start: Int, _ end: Int) -> Bool {
            (start..<end).contains { bytes[$0] == UInt8(ascii: "\"") }
        }

        /// The field's text with doubled quotes undone and surrounding spaces trimmed.
        func text(_ field: Field) -> String {
            let raw = String(decoding: UnsafeBufferPointer(rebasing: bytes[field.start..<field.end]), as: UTF8.self)
            return (field.quoted ? raw.replacingOccurrences(of: "\"\"", with: "\"") : raw).trimmingSpaces
        }
    }
}
