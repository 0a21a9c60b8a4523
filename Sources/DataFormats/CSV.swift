import CLatentKernels
import Dispatch
import Foundation
import Synchronization
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
    /// Threads for large tables (nil: ``ComputeSettings/current``'s); results do not depend on it.
    public var threads: Int?

    public init(delimiter: UInt8? = nil, header: Header = .automatic, labelColumn: LabelColumn? = nil,
                allowNonFinite: Bool = false, threads: Int? = nil) {
        self.delimiter = delimiter
        self.header = header
        self.labelColumn = labelColumn
        self.allowNonFinite = allowNonFinite
        self.threads = threads
    }
}

/// Comma- and tab-separated values (RFC 4180 quoting: fields in double quotes may hold
/// separators, newlines and doubled quotes).
public enum CSV {
    /// Reads a table of numbers, optionally with a header and a label column.
    public static func read(_ path: String, options: CSVOptions = .init()) throws -> Dataset {
        var options = options
        if options.delimiter == nil { options.delimiter = path.lowercased().hasSuffix(".tsv") ? 9 : UInt8(ascii: ",") }
        return try FileIO.withMappedFile(path) { try parse($0, file: path, options: options) }
    }

    /// Parses the bytes of a table. Every failure names the file, line and column.
    public static func parse(_ bytes: [UInt8], file: String, options: CSVOptions = .init()) throws -> Dataset {
        try bytes.withUnsafeBufferPointer { try parse($0, file: file, options: options) }
    }

    static func parse(_ buffer: UnsafeBufferPointer<UInt8>, file: String, options: CSVOptions) throws -> Dataset {
        let delimiter = options.delimiter ?? UInt8(ascii: ",")
        do {
            var parser = Parser(bytes: buffer, delimiter: delimiter, file: file)
            guard let first = try parser.nextRecord() else { throw DataFormatError(file, nil, "no data rows") }
            // The first record decides the header and the label column.
            let columns = first.count
            let isHeader: Bool = switch options.header {
            case .present: true
            case .absent: false
            // A label column given by position may hold names; it says nothing of a header.
            case .automatic:
                first.indices.contains { index in
                    if case .index(let label)? = options.labelColumn, label == index { return false }
                    return parser.number(first[index]) == nil
                }
            }
            let names = isHeader ? first.indices.map { parser.text(first[$0]) } : nil
            var labelIndex: Int? = nil
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
            let layout = RowLayout(columns: columns, labelIndex: labelIndex, allowNonFinite: options.allowNonFinite, file: file)
            var table = Table()
            if !isHeader { try layout.append(first, from: parser, to: &table) }
            let rest = parser.position..<buffer.count
            if !rest.isEmpty && memchr(buffer.baseAddress! + rest.lowerBound, Int32(UInt8(ascii: "\"")), rest.count) == nil {
                // No quotes: records are lines, so the rest splits into chunks parsed in parallel.
                let threads = rest.count < 1 << 20 ? 1 : options.threads ?? ComputeSettings.current.threads
                table = try parseUnquoted(buffer, rest, firstLine: parser.line, delimiter: delimiter, layout: layout, after: table,
                                          threads: threads)
            } else {
                while let record = try parser.nextRecord() { try layout.append(record, from: parser, to: &table) }
            }
            guard table.rows > 0 else { throw DataFormatError(file, nil, "no data rows") }
            let samples = try Tensor(shape: [table.rows, layout.features], scalars: table.values)
            var (labels, classNames): ([Int]?, [String]?) = (nil, nil)
            if labelIndex != nil { (labels, classNames) = encodeLabels(table.labels) }
            return try Dataset(samples: samples, labels: labels, classNames: classNames, name: file)
        }
    }

    /// Parsed rows: values row-major, and the label column's texts.
    struct Table {
        var values: [Float] = []
        var labels: [Substring] = []
        var rows = 0

        mutating func append(_ other: Table) {
            values += other.values
            labels += other.labels
            rows += other.rows
        }
    }

    /// What every data row must look like, and how its fields become values.
    struct RowLayout {
        let columns: Int, labelIndex: Int?, allowNonFinite: Bool, file: String
        var features: Int { columns - (labelIndex == nil ? 0 : 1) }

        /// The value of a numeric field, or an error naming its line and column.
        @inline(__always)
        func value(_ parsed: Float?, line: Int, column: Int, text: () -> String) throws -> Float {
            guard let value = parsed else {
                let shown = text()
                throw DataFormatError(file, .line(line, column: column + 1), shown.isEmpty ? "missing value" : "not a number: '\(shown.prefix(40))'")
            }
            if !value.isFinite && !allowNonFinite {
                throw DataFormatError(file, .line(line, column: column + 1), "non-finite value \(value) (pass allowNonFinite / --allow-non-finite to accept)")
            }
            return value
        }

        func label(_ text: String, line: Int, column: Int) throws -> Substring {
            guard !text.isEmpty else { throw DataFormatError(file, .line(line, column: column + 1), "missing label") }
            return Substring(text)
        }

        func raggedError(_ count: Int, line: Int) -> DataFormatError {
            DataFormatError(file, .line(line), "\(count) fields where the first row has \(columns)")
        }

        /// Appends a record scanned by the general (quote-aware) parser.
        func append(_ record: Record, from parser: Parser, to table: inout Table) throws {
            guard record.count == columns else { throw raggedError(record.count, line: record.line) }
            for index in record.indices {
                let field = record[index]
                if index == labelIndex {
                    table.labels.append(try label(parser.text(field), line: field.line, column: index))
                } else {
                    table.values.append(try value(parser.number(field), line: field.line, column: index) { parser.text(field) })
                }
            }
            table.rows += 1
        }
    }

    /// Parses lines without quotes in `range` into the rows that follow `first`: one chunk per
    /// thread, split at line boundaries. A first parallel pass counts each chunk's lines and
    /// rows, so the second writes its values straight into their place in one output array.
    static func parseUnquoted(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, firstLine: Int, delimiter: UInt8,
                              layout: RowLayout, after first: Table, threads: Int) throws -> Table {
        let newline = UInt8(ascii: "\n")
        var bounds = [range.lowerBound]
        for part in 1..<max(threads, 1) {
            var cut = max(range.lowerBound + range.count * part / threads, bounds.last!)
            while cut < range.upperBound && cut > range.lowerBound && bytes[cut - 1] != newline { cut += 1 }
            bounds.append(cut)
        }
        bounds.append(range.upperBound)
        let parts = bounds.count - 1
        let address = UInt(bitPattern: bytes.baseAddress), size = bytes.count
        @Sendable func view() -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: UnsafePointer<UInt8>(bitPattern: address), count: size) }

        // Pass 1: lines and non-blank lines (rows) per chunk.
        let cuts = bounds
        let counts = Mutex([(lines: Int, rows: Int)](repeating: (0, 0), count: parts))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            var lines = 0, rows = 0
            latent_count_lines(view().baseAddress!, cuts[part], cuts[part + 1], &lines, &rows)
            counts.withLock { $0[part] = (lines, rows) }
        }
        let perPart = counts.withLock { $0 }
        var firstLines = [firstLine], firstRows = [first.rows]
        for part in 0..<parts {
            firstLines.append(firstLines[part] + perPart[part].lines)
            firstRows.append(firstRows[part] + perPart[part].rows)
        }
        let totalRows = firstRows.last!, features = layout.features
        let (startLines, startRows) = (firstLines, firstRows)

        // Pass 2: values into place.
        var labels = [[Substring]](repeating: [], count: parts)
        let values = try [Float](unsafeUninitializedCapacity: totalRows * features) { buffer, initialized in
            initialized = 0
            first.values.withUnsafeBufferPointer { buffer.baseAddress!.update(from: $0.baseAddress!, count: $0.count) }
            let out = UInt(bitPattern: buffer.baseAddress)
            let results = Mutex([Result<[Substring], Error>?](repeating: nil, count: parts))
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let target = UnsafeMutablePointer<Float>(bitPattern: out)! + startRows[part] * features
                let result = Result {
                    try parseLines(view(), cuts[part]..<cuts[part + 1], firstLine: startLines[part], delimiter: delimiter,
                                   layout: layout, rows: startRows[part + 1] - startRows[part], into: target)
                }
                results.withLock { $0[part] = result }
            }
            for (part, result) in results.withLock({ $0 }).enumerated() { labels[part] = try result!.get() }
            initialized = totalRows * features
        }
        return Table(values: values, labels: first.labels + labels.flatMap { $0 }, rows: totalRows)
    }

    /// The tight loop over unquoted lines, in C (`latent_parse_csv_lines`); problems come back
    /// as positions, turned into messages here. Writes `rows × features` values to `out` and
    /// returns the label column's texts.
    static func parseLines(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, firstLine: Int, delimiter: UInt8,
                           layout: RowLayout, rows: Int, into out: UnsafeMutablePointer<Float>) throws -> [Substring] {
        let p = bytes.baseAddress!
        var spans = [Int](repeating: 0, count: layout.labelIndex == nil ? 0 : 2 * rows)
        let result = spans.withUnsafeMutableBufferPointer { spans in
            latent_parse_csv_lines(p, range.lowerBound, range.upperBound, delimiter, layout.columns, layout.labelIndex ?? -1,
                                   layout.allowNonFinite, out, spans.baseAddress)
        }
        let line = firstLine + result.line, column = result.column
        let field = String(decoding: UnsafeBufferPointer(start: p + result.field_start, count: result.field_end - result.field_start), as: UTF8.self)
        switch result.status {
        case LATENT_CSV_OK: break
        case LATENT_CSV_RAGGED: throw layout.raggedError(result.fields, line: line)
        case LATENT_CSV_MISSING_LABEL: _ = try layout.label("", line: line, column: column)
        case LATENT_CSV_NOT_A_NUMBER: _ = try layout.value(nil, line: line, column: column) { field }
        default: _ = try layout.value(parseDecimal(p + result.field_start, result.field_end - result.field_start), line: line, column: column) { field }
        }
        require(result.rows == rows, "CSV chunk counted \(rows) rows but parsed \(result.rows)")
        guard layout.labelIndex != nil else { return [] }
        return (0..<rows).map { row in
            Substring(String(decoding: UnsafeBufferPointer(start: p + spans[2 * row], count: spans[2 * row + 1] - spans[2 * row]), as: UTF8.self))
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
