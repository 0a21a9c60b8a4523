import Foundation
import Synchronization
import Tensors

/// Comma- and tab-separated values (RFC 4180 quoting: fields in double quotes may hold
/// separators, newlines and doubled quotes).
public enum CSV {
    /// Reads a table of numbers, optionally with a header, label, index and dropped columns;
    /// `.gz` files (gzip) are decompressed first.
    public static func read(_ path: String, options: CSVOptions = .init()) throws -> Dataset {
        var options = options
        let lower = path.lowercased()
        if options.delimiter == nil, lower.hasSuffix(".tsv") || lower.hasSuffix(".tsv.gz") { options.delimiter = 9 }
        if lower.hasSuffix(".gz") {
            let raw = try FileIO.read(path)
            guard GZip.isCompressed(raw) else { throw DataFormatError(path, .byte(0), "not a gzip file, though its name ends in .gz") }
            return try parse(try GZip.decompress(raw, file: path), file: path, options: options)
        }
        return try FileIO.withMappedFile(path) { try parse($0, file: path, options: options) }
    }

    /// Parses the bytes of a table. Every failure names the file, line and column.
    public static func parse(_ bytes: [UInt8], file: String, options: CSVOptions = .init()) throws -> Dataset {
        try bytes.withUnsafeBufferPointer { try parse($0, file: file, options: options) }
    }

    static func parse(_ buffer: UnsafeBufferPointer<UInt8>, file: String, options: CSVOptions) throws -> Dataset {
        let delimiter = options.delimiter ?? sniffDelimiter(buffer)
        var parser = Parser(bytes: buffer, delimiter: delimiter, file: file)
        guard let first = try parser.nextRecord() else { throw DataFormatError(file, nil, "no data rows") }
        // The first record decides the header and the columns' roles.
        let columns = first.count
        let (isHeader, headerNote) = decideHeader(first, parser: parser, options: options)
        let names = isHeader ? first.indices.map { parser.text(first[$0]) } : nil
        var roles = try roles(count: columns, names: names, options: options, file: file)
        let match = try options.modelFeatures.flatMap { expected in
            try names.map { try matchFeatures(expected, names: $0, roles: &roles, options: options, file: file) }
        }
        var origin: [Double]? = nil
        if case .given(let given)? = options.origin, let match, given.count == match.order.count {
            // The model's origin, in the model's order: each value to its column's place in the file.
            origin = given.allSatisfy { $0 == 0 } ? nil : match.fileOrder(given)
        } else if let requested = options.origin {
            // The first data row decides an automatic origin (a copy of the scanner peeks at it).
            var peek = parser
            let firstData = isHeader ? try peek.nextRecord() : first
            let values = firstData.map { record in
                record.indices.filter { $0 < roles.count && roles[$0] == .feature }.map { peek.double(record[$0]) ?? 0 }
            } ?? []
            var requested = requested
            // A first column with no name may be pandas' index, dropped below: it is read from zero.
            if case .given(let given) = requested, given.count == values.count - 1, names?.first == "", roles.first == .feature {
                requested = .given([0] + given)
            }
            origin = values.isEmpty ? nil : try requested.resolve(firstRow: values, file: file)
        }
        do {
            var peek = parser
            if let firstData = isHeader ? try peek.nextRecord() : first, firstData.count == columns {
                try checkFeaturesAreNumbers(firstData, parser: peek, roles: roles, names: names, options: options, file: file)
            }
        }
        let layout = RowLayout(roles: roles, origin: origin, allowNonFinite: options.allowNonFinite, missingAsNaN: options.missingAsNaN, file: file, names: names)
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
        var dataset = try Dataset(samples: samples, name: file)
        dataset.origin = origin
        if layout.labelIndex != nil {
            let column = names == nil ? "label column \(layout.labelIndex!)" : "label column " + describe(layout.labelIndex!, names)
            (dataset.labels, dataset.classNames) = try ClassLabels.encode(
                table.labels, knownClasses: options.knownClasses, file: file, where: { .entry("sample \($0) (0-based), \(column)") })
        }
        if let idIndex = layout.idIndex {
            dataset.ids = table.ids.map(String.init)
            dataset.idName = names?[idIndex]
        }
        if let labelIndex = layout.labelIndex { dataset.labelName = names?[labelIndex] }
        if let names { dataset.featureNames = roles.indices.filter { roles[$0] == .feature }.map { names[$0] } }
        if let headerNote { dataset.notes.append(headerNote) }
        if let match, let expected = options.modelFeatures {
            // The model's features in the model's order; a pandas index was skipped as a column the model does not know.
            if match.reordered {
                dataset.samples = dataset.samples.gatherColumns(match.order)
                dataset.origin = origin.map { origin in match.order.map { origin[$0] } }
            }
            dataset.featureNames = expected
            dataset.notes += match.notes
            return dataset
        }
        return try droppingPandasIndex(dataset, names: names, roles: roles, options: options)
    }

    /// Parsed rows: values row-major, and the label and id columns' texts.
    struct Table {
        var values: [Float] = []
        var labels: [Substring] = []
        var ids: [Substring] = []
        var rows = 0
    }

    /// What every data row must look like, and how its fields become values.
    struct RowLayout {
        let roles: [Role], origin: [Double]?, allowNonFinite: Bool, missingAsNaN: Bool, file: String
        /// The header's names, for errors.
        let names: [String]?
        let features: Int, labelIndex: Int?, idIndex: Int?
        var columns: Int { roles.count }

        init(roles: [Role], origin: [Double]?, allowNonFinite: Bool, missingAsNaN: Bool, file: String, names: [String]? = nil) {
            (self.roles, self.origin, self.allowNonFinite, self.missingAsNaN, self.file) = (roles, origin, allowNonFinite, missingAsNaN, file)
            self.names = names
            features = roles.count { $0 == .feature }
            labelIndex = roles.firstIndex(of: .label)
            idIndex = roles.firstIndex(of: .id)
        }

        /// The value of a numeric field, or an error naming its line and column.
        @inline(__always)
        func value(_ parsed: Float?, line: Int, column: Int, text: () -> String) throws -> Float {
            guard let value = parsed else {
                let shown = text()
                throw DataFormatError(file, .field(line: line, column: column, name: names?[column]), shown.isEmpty
                    ? "missing value (`missing` drops or fills them)" : "not a number: '\(shown.prefix(40))'")
            }
            if !value.isFinite && !allowNonFinite && !(missingAsNaN && value.isNaN) {
                throw DataFormatError(file, .field(line: line, column: column, name: names?[column]), "non-finite value \(value) (`allowNonFinite` accepts them)")
            }
            return value
        }

        func label(_ text: String, line: Int, column: Int) throws -> Substring {
            guard !text.isEmpty else { throw DataFormatError(file, .field(line: line, column: column, name: names?[column]), roles[column] == .id ? "missing id" : "missing label") }
            return Substring(text)
        }

        func raggedError(_ count: Int, line: Int) -> DataFormatError {
            DataFormatError(file, .line(line), "\(count) fields where the first row has \(columns)")
        }

        /// Appends a record scanned by the general (quote-aware) parser.
        func append(_ record: Record, from parser: Parser, to table: inout Table) throws {
            guard record.count == columns else { throw raggedError(record.count, line: record.line) }
            var feature = 0
            for index in record.indices {
                let field = record[index]
                switch roles[index] {
                case .label: table.labels.append(try label(parser.text(field), line: field.line, column: index))
                case .id: table.ids.append(try label(parser.text(field), line: field.line, column: index))
                case .skip: break
                case .feature:
                    // Measured from the origin in Double, as the C scanner does.
                    let read = parser.double(field) ?? (missingAsNaN && parser.isMissing(field) ? Double.nan : nil)
                    let parsed = read.map { Float($0 - (origin?[feature] ?? 0)) }
                    table.values.append(try value(parsed, line: field.line, column: index) { parser.text(field) })
                    feature += 1
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
        let current = ComputeSettings.current
        let settings = ComputeSettings(backend: current.backend, threads: threads, cpuLevel: current.cpuLevel)
        let counts = Mutex([(lines: Int, rows: Int)](repeating: (0, 0), count: parts))
        forEachPart(parts, settings: settings) { part in
            let (lines, rows) = TextKernels.countLines(view().baseAddress!, cuts[part]..<cuts[part + 1])
            counts.withLock { $0[part] = (lines, rows) }
        }
        let perPart = counts.withLock { $0 }
        var firstLines = [firstLine], firstRows = [first.rows]
        for part in 0..<parts {
            firstLines.append(firstLines[part] + perPart[part].lines)
            firstRows.append(firstRows[part] + perPart[part].rows)
        }
        let totalRows = firstRows.last!, features = layout.features
        // Known once the rows are counted, before the matrix is allocated.
        let (cells, overflow) = totalRows.multipliedReportingOverflow(by: features)
        try MemoryBudget.check(overflow ? .max : cells * MemoryLayout<Float>.size,
                               for: "the \(totalRows) × \(features) table as 32-bit floats", file: layout.file)
        let (startLines, startRows) = (firstLines, firstRows)

        // Pass 2: values into place.
        var texts = [(labels: [Substring], ids: [Substring])](repeating: ([], []), count: parts)
        let values = try [Float](unsafeUninitializedCapacity: totalRows * features) { buffer, initialized in
            initialized = 0
            first.values.withUnsafeBufferPointer { buffer.baseAddress!.update(from: $0.baseAddress!, count: $0.count) }
            let out = UInt(bitPattern: buffer.baseAddress)
            let results = Mutex([Result<(labels: [Substring], ids: [Substring]), Error>?](repeating: nil, count: parts))
            forEachPart(parts, settings: settings) { part in
                let target = UnsafeMutablePointer<Float>(bitPattern: out)! + startRows[part] * features
                let result = Result {
                    try parseLines(view(), cuts[part]..<cuts[part + 1], firstLine: startLines[part], delimiter: delimiter,
                                   layout: layout, rows: startRows[part + 1] - startRows[part], into: target)
                }
                results.withLock { $0[part] = result }
            }
            for (part, result) in results.withLock({ $0 }).enumerated() { texts[part] = try result!.get() }
            initialized = totalRows * features
        }
        return Table(values: values, labels: first.labels + texts.flatMap(\.labels), ids: first.ids + texts.flatMap(\.ids), rows: totalRows)
    }

    /// The tight loop over unquoted lines, in C (``TextKernels/scanLines``); problems come back
    /// as positions, turned into messages here. Writes `rows × features` values to `out` and
    /// returns the label and id columns' texts.
    static func parseLines(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, firstLine: Int, delimiter: UInt8,
                           layout: RowLayout, rows: Int, into out: UnsafeMutablePointer<Float>) throws -> (labels: [Substring], ids: [Substring]) {
        let p = bytes.baseAddress!
        var labelSpans = [Int](repeating: 0, count: layout.labelIndex == nil ? 0 : 2 * rows)
        var idSpans = [Int](repeating: 0, count: layout.idIndex == nil ? 0 : 2 * rows)
        let result = labelSpans.withUnsafeMutableBufferPointer { labelSpans in
            idSpans.withUnsafeMutableBufferPointer { idSpans in
                TextKernels.scanLines(p, range, delimiter: delimiter, roles: layout.roles, origin: layout.origin, allowNonFinite: layout.allowNonFinite,
                                      missingAsNaN: layout.missingAsNaN, into: out, labelSpans: labelSpans.baseAddress, idSpans: idSpans.baseAddress)
            }
        }
        let line = firstLine + result.line, column = result.column
        let field = String(decoding: UnsafeBufferPointer(start: p + result.fieldStart, count: result.fieldEnd - result.fieldStart), as: UTF8.self)
        switch result.status {
        case .ok: break
        case .ragged: throw layout.raggedError(result.fields, line: line)
        case .missingLabel: _ = try layout.label("", line: line, column: column)
        case .notANumber: _ = try layout.value(nil, line: line, column: column) { field }
        case .nonFinite: _ = try layout.value(parseDecimal(p + result.fieldStart, result.fieldEnd - result.fieldStart), line: line, column: column) { field }
        }
        require(result.rows == rows, "CSV chunk counted \(rows) rows but parsed \(result.rows)")
        func texts(_ spans: [Int]) -> [Substring] {
            guard !spans.isEmpty else { return [] }
            return (0..<rows).map { row in
                Substring(String(decoding: UnsafeBufferPointer(start: p + spans[2 * row], count: spans[2 * row + 1] - spans[2 * row]), as: UTF8.self))
            }
        }
        return (texts(labelSpans), texts(idSpans))
    }

    /// The bytes of a CSV table: a header row, then one row per sample; an `id` column first
    /// when `ids` are given, and the label column (named `labelColumnName`) last, holding class
    /// names when given.
    public static func encode(_ samples: Tensor, columnNames: [String]? = nil, labels: [Int]? = nil,
                              classNames: [String]? = nil, ids: [String]? = nil, labelColumnName: String = "label",
                              idColumnName: String = "id") -> [UInt8] {
        let d = samples.columns
        var out = ""
        let names = columnNames ?? (0..<d).map { "x\($0)" }
        out += ((ids == nil ? [] : [idColumnName]) + names + (labels == nil ? [] : [labelColumnName])).map(quoteIfNeeded).joined(separator: ",") + "\n"
        for row in 0..<samples.rows {
            var fields = ids.map { [quoteIfNeeded($0[row])] } ?? []
            fields += (0..<d).map { "\(samples.scalars[row * d + $0])" }
            if let labels { fields.append(quoteIfNeeded(classNames.map { $0[labels[row]] } ?? "\(labels[row])")) }
            out += fields.joined(separator: ",") + "\n"
        }
        return Array(out.utf8)
    }

    /// Writes a CSV table atomically.
    public static func write(_ samples: Tensor, to path: String, columnNames: [String]? = nil, labels: [Int]? = nil,
                             classNames: [String]? = nil, ids: [String]? = nil, labelColumnName: String = "label",
                             idColumnName: String = "id") throws {
        try FileIO.writeAtomically(encode(samples, columnNames: columnNames, labels: labels, classNames: classNames, ids: ids,
                                          labelColumnName: labelColumnName, idColumnName: idColumnName), to: path)
    }

    /// Writes a CSV table (a header row, then the rows) atomically, its rows handed in by `body`
    /// block by block (each `k × D`), never all in memory.
    public static func write(to path: String, columnNames: [String], _ body: (_ append: (Tensor) throws -> Void) throws -> Void) throws {
        try FileIO.writeAtomically(to: path) { write in
            let header = Array((columnNames.map(quoteIfNeeded).joined(separator: ",") + "\n").utf8)
            try header.withUnsafeBytes { try write($0) }
            try withoutActuallyEscaping(write) { write in
                try body { block in
                    guard block.rank == 2, block.shape[1] == columnNames.count else {
                        throw DataFormatError(path, nil, "a block of shape \(block.shape) under \(columnNames.count) columns")
                    }
                    let rows = encode(block, columnNames: columnNames).dropFirst(header.count)
                    try Array(rows).withUnsafeBytes { try write($0) }
                }
            }
        }
    }

    private static func quoteIfNeeded(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
