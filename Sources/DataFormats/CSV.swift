import Tensors

/// Options for reading delimited text.
public struct CSVOptions: Sendable, Equatable {
    /// Whether the first row names the columns.
    public enum Header: Sendable, Equatable {
        /// A header when some field of the first row is not a number.
        case automatic, present, absent
    }

    /// The column holding labels (removed from the features).
    public enum LabelColumn: Sendable, Equatable {
        /// By header name.
        case name(String)
        /// By 0-based position.
        case index(Int)
    }

    /// The field separator; nil chooses a tab for `.tsv` files and a comma otherwise.
    public var delimiter: UInt8?
    public var header: Header
    public var labelColumn: LabelColumn?
    /// Accept NaN and infinite values (rejected by default, with their line and column).
    public var allowNonFinite: Bool

    public init(delimiter: UInt8? = nil, header: Header = .automatic, labelColumn: LabelColumn? = nil,
                allowNonFinite: Bool = false) {
        self.delimiter = delimiter
        self.header = header
        self.labelColumn = labelColumn
        self.allowNonFinite = allowNonFinite
    }
}

/// Comma- and tab-separated values (RFC 4180 quoting: fields in double quotes may hold
/// separators, newlines and doubled quotes).
public enum CSV {
    /// Reads a table of numbers, optionally with a header and a label column.
    public static func read(_ path: String, options: CSVOptions = .init()) throws -> Dataset {
        var options = options
        if options.delimiter == nil { options.delimiter = path.lowercased().hasSuffix(".tsv") ? 9 : UInt8(ascii: ",") }
        return try parse(try FileIO.read(path), file: path, options: options)
    }

    /// Parses the bytes of a table. Every failure names the file, line and column.
    public static func parse(_ bytes: [UInt8], file: String, options: CSVOptions = .init()) throws -> Dataset {
        let delimiter = options.delimiter ?? UInt8(ascii: ",")
        return try bytes.withUnsafeBufferPointer { buffer in
            var parser = Parser(bytes: buffer, delimiter: delimiter, file: file)
            var values: [Float] = []
            var labelTexts: [Substring] = []
            var names: [String]? = nil
            var columns = -1, labelIndex: Int? = nil
            var rows = 0
            while let record = try parser.nextRecord() {
                if columns < 0 {
                    // The first record decides the header and the label column.
                    columns = record.count
                    let isHeader: Bool = switch options.header {
                    case .present: true
                    case .absent: false
                    // A label column given by position may hold names; it says nothing of a header.
                    case .automatic:
                        record.indices.contains { index in
                            if case .index(let label)? = options.labelColumn, label == index { return false }
                            return parser.number(record[index]) == nil
                        }
                    }
                    if isHeader { names = record.indices.map { parser.text(record[$0]) } }
                    switch options.labelColumn {
                    case .name(let name)?:
                        guard let names else { throw DataFormatError(file, .line(1), "label column '\(name)' needs a header row, and the first row is all numbers") }
                        guard let index = names.firstIndex(of: name) else {
                            throw DataFormatError(file, .line(1), "no column named '\(name)' (columns: \(names.prefix(10).joined(separator: ", "))\(names.count > 10 ? ", …" : ""))")
                        }
                        labelIndex = index
                    case .index(let index)?:
                        guard index >= 0 && index < columns else { throw DataFormatError(file, .line(1), "label column \(index) is outside the \(columns) columns") }
                        labelIndex = index
                    case nil: break
                    }
                    if isHeader { continue }
                }
                guard record.count == columns else {
                    throw DataFormatError(file, .line(record.line), "\(record.count) fields where the first row has \(columns)")
                }
                for index in record.indices {
                    let field = record[index]
                    if index == labelIndex {
                        let label = parser.text(field)
                        guard !label.isEmpty else { throw DataFormatError(file, .line(field.line, column: index + 1), "missing label") }
                        labelTexts.append(Substring(label))
                        continue
                    }
                    guard let value = parser.number(field) else {
                        let text = parser.text(field)
                        throw DataFormatError(file, .line(field.line, column: index + 1),
                                              text.isEmpty ? "missing value" : "not a number: '\(text.prefix(40))'")
                    }
                    if !value.isFinite && !options.allowNonFinite {
                        throw DataFormatError(file, .line(field.line, column: index + 1),
                                              "non-finite value \(value) (pass allowNonFinite / --allow-non-finite to accept)")
                    }
                    values.append(value)
                }
                rows += 1
            }
            guard rows > 0 else { throw DataFormatError(file, nil, "no data rows") }
            let features = columns - (labelIndex == nil ? 0 : 1)
            let samples = try Tensor(shape: [rows, features], scalars: values)
            var (labels, classNames): ([Int]?, [String]?) = (nil, nil)
            if labelIndex != nil { (labels, classNames) = encodeLabels(labelTexts) }
            return try Dataset(samples: samples, labels: labels, classNames: classNames, name: file)
        }
    }

    /// Labels that are all non-negative integers stay as they are; any other labels become
    /// indices into their distinct values, sorted (so the mapping does not depend on row order).
    static func encodeLabels(_ texts: [Substring]) -> ([Int], [String]?) {
        let integers = texts.map { Int($0) }
        if integers.allSatisfy({ ($0 ?? -1) >= 0 }) { return (integers.map { $0! }, nil) }
        let names = Array(Set(texts.map(String.init))).sorted()
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        return (texts.map { index[String($0)]! }, names)
    }

    /// The bytes of a CSV table: a header row, then one row per sample; the label column
    /// (named `labelColumnName`) comes last, holding class names when given.
    public static func encode(_ samples: Tensor, columnNames: [String]? = nil, labels: [Int]? = nil,
                              classNames: [String]? = nil, labelColumnName: String = "label") -> [UInt8] {
        let d = samples.columns
        var out = ""
        let names = columnNames ?? (0..<d).map { "x\($0)" }
        out += (names + (labels == nil ? [] : [labelColumnName])).map(quoteIfNeeded).joined(separator: ",") + "\n"
        for row in 0..<samples.rows {
            var fields = (0..<d).map { "\(samples.scalars[row * d + $0])" }
            if let labels { fields.append(quoteIfNeeded(classNames.map { $0[labels[row]] } ?? "\(labels[row])")) }
            out += fields.joined(separator: ",") + "\n"
        }
        return Array(out.utf8)
    }

    /// Writes a CSV table atomically.
    public static func write(_ samples: Tensor, to path: String, columnNames: [String]? = nil, labels: [Int]? = nil,
                             classNames: [String]? = nil) throws {
        try FileIO.writeAtomically(encode(samples, columnNames: columnNames, labels: labels, classNames: classNames), to: path)
    }

    private static func quoteIfNeeded(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: - The record scanner

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
                            throw DataFormatError(file, .line(line, column: fields.count), "characters after a closing quote")
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

        /// The field as a number, spaces around it ignored; nil when it is not one.
        func number(_ field: Field) -> Float? {
            var (start, end) = (field.start, field.end)
            while start < end, bytes[start] == 32 || bytes[start] == 9 { start += 1 }
            while end > start, bytes[end - 1] == 32 || bytes[end - 1] == 9 { end -= 1 }
            guard !field.quoted || !containsQuote(start, end) else { return nil }
            return parseDecimal(bytes.baseAddress! + start, end - start)
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

import Foundation
