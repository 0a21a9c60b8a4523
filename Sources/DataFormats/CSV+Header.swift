extension CSV {
    /// Whether the first record is a header, and a note when a row of numbers was taken as one
    /// or kept as data though it looks unlike the rows below.
    ///
    /// The automatic rule: a header when a field (other than those named by position, and other
    /// than a missing value, which is data) is not a number; when the fields read 0, 1, …, D − 1
    /// (after an empty first name: pandas' names for unnamed columns, with or without its index);
    /// or when the row differs from the rows below in at least two of three ways (``NumericHeaderEvidence``):
    /// a header of wavelengths above spectra, of years above counts.
    static func decideHeader(_ first: Record, parser: Parser, options: CSVOptions) -> (isHeader: Bool, note: String?) {
        switch options.header {
        case .present: return (true, nil)
        case .absent: return (false, nil)
        case .automatic:
            let positional = positionalColumns(options)
            // A gap is a missing value: evidence of nothing.
            let checked = first.indices.filter { !positional.contains($0) && !parser.isMissing(first[$0]) }
            if checked.contains(where: { parser.number(first[$0]) == nil }) { return (true, nil) }
            let texts = first.fields.map { parser.text($0) }
            let shift = texts.first == "" ? 1 : 0
            let named = first.indices.filter { !positional.contains($0) && $0 >= shift }
            // One column reading 0 is too likely to be data.
            if named.count >= 2 && named.allSatisfy({ texts[$0] == String($0 - shift) }) {
                // After an empty name, the note on pandas' index says it all.
                return (true, shift == 1 ? nil : "line 1 reads 0, 1, …, \(named.count - 1) (pandas' default column names): taken as the header, not as data (`header: .absent` keeps it as data)")
            }
            let evidence = NumericHeaderEvidence(first, columns: checked, parser: parser)
            guard !evidence.reasons.isEmpty else { return (false, nil) }
            let shown = checked.prefix(3).map { texts[$0] }.joined(separator: ", ") + (checked.count > 3 ? ", …" : "")
            let why = evidence.reasons.joined(separator: "; ")
            if evidence.reasons.count >= NumericHeaderEvidence.needed {
                return (true, "line 1 (\(shown)) reads unlike the rows below (\(why)): taken as the header of column names (`header: .absent` keeps it as data)")
            }
            return (false, "line 1 (\(shown)) looks unlike the rows below (\(why)), but was kept as data; `header: .present` reads it as column names")
        }
    }
}

/// How a first row of numbers differs from the rows below it: the signs of a header whose
/// names are numbers (wavelengths, years, gene ids), each on its own weak.
struct NumericHeaderEvidence {
    /// Signs that make the row a header.
    static let needed = 2
    /// The rows below that are compared (fewer for wide tables: about a million fields).
    static let fieldsCompared = 1 << 20
    static let maximumRows = 100
    /// How far outside a column's range (in multiples of the range's width) counts as far.
    static let farOutside = 2.0
    /// The share of columns that must show a sign.
    static let columnShare = 0.5

    /// What was found, in words, for the note.
    private(set) var reasons: [String] = []

    init(_ first: CSV.Record, columns: [Int], parser: CSV.Parser) {
        guard !columns.isEmpty else { return }
        let head = columns.map { parser.double(first[$0]) ?? .nan }
        var peek = parser
        var minimum = [Double](repeating: .infinity, count: columns.count), maximum = [Double](repeating: -.infinity, count: columns.count)
        var fractional = [Bool](repeating: false, count: columns.count)
        var rows = 0, increasingRows = 0
        let limit = max(2, min(Self.maximumRows, Self.fieldsCompared / max(first.count, 1)))
        while rows < limit, let record = try? peek.nextRecord() {
            guard record.count == first.count else { break }
            rows += 1
            var previous = -Double.infinity, increasing = true
            for (k, column) in columns.enumerated() {
                guard let value = peek.double(record[column]), value.isFinite else { increasing = false; continue }
                minimum[k] = min(minimum[k], value)
                maximum[k] = max(maximum[k], value)
                if value != value.rounded() { fractional[k] = true }
                if value <= previous { increasing = false }
                previous = value
            }
            if increasing { increasingRows += 1 }
        }
        guard rows >= 2, head.allSatisfy(\.isFinite) else { return }
        let share = Int((Double(columns.count) * Self.columnShare).rounded(.up))
        if head.allSatisfy({ $0 == $0.rounded() }), fractional.count(where: { $0 }) >= share {
            reasons.append("whole numbers above decimals")
        }
        if columns.count >= 3, zip(head, head.dropFirst()).allSatisfy({ $0 < $1 }), increasingRows * 10 < rows {
            reasons.append("a strictly increasing sequence, unlike the rows")
        }
        let outside = head.indices.count { k in
            guard minimum[k] <= maximum[k] else { return false }
            let width = max(maximum[k] - minimum[k], 1e-9 * max(abs(minimum[k]), abs(maximum[k]), 1))
            let distance = max(minimum[k] - head[k], head[k] - maximum[k], 0)
            return distance > Self.farOutside * width
        }
        if outside >= share { reasons.append("values far outside \(outside) of the \(columns.count) columns' ranges") }
    }
}

extension CSV {
    /// Refuses a first data row with text in feature columns, listing every such column at once
    /// (by name and by the 0-based position options take) with the options that deal with them:
    /// one error for a table of several text columns, not one error per try.
    static func checkFeaturesAreNumbers(_ record: Record, parser: Parser, roles: [Role], names: [String]?, options: CSVOptions, file: String) throws {
        let text = record.indices.filter { $0 < roles.count && roles[$0] == .feature && parser.double(record[$0]) == nil && !parser.isMissing(record[$0]) }
        guard !text.isEmpty else { return }
        let shown = text.prefix(10).map { "\(describe($0, names)) holds '\(parser.text(record[$0]).prefix(24))'" }.joined(separator: ", ")
            + (text.count > 10 ? ", … (\(text.count) in all)" : "")
        let references = text.map { index in names.flatMap { $0[index].isEmpty || $0[index].contains(",") ? nil : $0[index] } ?? String(index) }
        var advice: [String] = []
        if text.first == 0, options.indexColumn == nil {
            advice.append("if column 0 holds sample ids (an index, as scanpy and pandas write), `indexColumn: 0` keeps them as ids")
        }
        if text.count == 1, options.labelColumn == nil {
            advice.append("if it holds classes, `labelColumn: \(references[0])` reads them as labels")
        }
        advice.append("`dropColumns: \(references.joined(separator: ","))` leaves \(text.count == 1 ? "it" : "them") out, or `columns` chooses the features")
        throw DataFormatError(file, .line(record.line), "\(text.count) column\(text.count == 1 ? "" : "s") of text, not numbers: \(shown); "
                              + advice.joined(separator: "; "))
    }
}
