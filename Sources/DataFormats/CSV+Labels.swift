import Foundation

extension CSV {
    /// The texts of one column of a labels file, with the line of each.
    ///
    /// A file of several columns has a header (in automatic mode) and needs `column` to say
    /// which holds the labels. In a file of one column, the first row is a header when it is
    /// not a whole number while the rows below are, or when it is text that occurs nowhere
    /// below (a class name labels several samples; a column's name appears once), as
    /// `pandas.Series.to_csv(index=False)` writes it.
    static func readLabelColumn(_ path: String, column: CSVOptions.Column?, header: CSVOptions.Header,
                                delimiter: UInt8?) throws -> (texts: [Substring], lines: [Int]) {
        var bytes = try FileIO.read(path)
        if path.lowercased().hasSuffix(".gz") { bytes = try GZip.decompress(bytes, file: path) }
        return try bytes.withUnsafeBufferPointer { buffer in
            let tab = path.lowercased().hasSuffix(".tsv") || path.lowercased().hasSuffix(".tsv.gz")
            var parser = Parser(bytes: buffer, delimiter: delimiter ?? (tab ? 9 : sniffDelimiter(buffer)), file: path)
            var rows: [(fields: [String], line: Int)] = []
            while let record = try parser.nextRecord() {
                rows.append((record.fields.map { parser.text($0) }, record.line))
            }
            guard let first = rows.first else { throw DataFormatError(path, nil, "no labels") }
            let columns = first.fields.count
            let isHeader: Bool
            switch header {
            case .present: isHeader = true
            case .absent: isHeader = false
            case .automatic:
                if columns > 1 {
                    isHeader = true
                } else {
                    let head = first.fields[0], rest = rows.dropFirst().map { $0.fields[0] }
                    isHeader = ClassLabels.integer(Substring(head)) == nil
                        && (rest.allSatisfy { ClassLabels.integer(Substring($0)) != nil } || !rest.contains(head))
                }
            }
            let names = isHeader ? first.fields : nil
            let index: Int
            if let column {
                index = try position(of: column, names: names, count: columns, what: "label column", file: path)
            } else {
                guard columns == 1 else {
                    throw DataFormatError(path, .line(1), "\(columns) columns (\(ClassLabels.listed(first.fields))): say which holds the labels with `labelColumn`")
                }
                index = 0
            }
            var texts: [Substring] = [], lines: [Int] = []
            for row in rows.dropFirst(isHeader ? 1 : 0) {
                guard row.fields.count == columns else { throw DataFormatError(path, .line(row.line), "\(row.fields.count) fields where the first row has \(columns)") }
                guard !row.fields[index].isEmpty else { throw DataFormatError(path, .field(line: row.line, column: index, name: names?[index]), "missing label") }
                texts.append(Substring(row.fields[index]))
                lines.append(row.line)
            }
            guard !texts.isEmpty else { throw DataFormatError(path, nil, "no labels below the header") }
            return (texts, lines)
        }
    }
}
