import Tensors

extension CSV {
    /// What a column of a table holds: a feature, the label, an id, or skipped.
    typealias Role = TextKernels.Role

    /// The delimiter for a table whose options name none: a comma, unless the first line holds
    /// no comma but a semicolon (common where the decimal mark is a comma) or a tab.
    static func sniffDelimiter(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt8 {
        let comma = UInt8(ascii: ","), semicolon = UInt8(ascii: ";"), tab: UInt8 = 9
        var sawSemicolon = false, sawTab = false, inQuotes = false
        for byte in bytes {
            if byte == UInt8(ascii: "\"") { inQuotes.toggle(); continue }
            if inQuotes { continue }
            if byte == UInt8(ascii: "\n") { break }
            if byte == comma { return comma }
            sawSemicolon = sawSemicolon || byte == semicolon
            sawTab = sawTab || byte == tab
        }
        return sawSemicolon ? semicolon : sawTab ? tab : comma
    }

    /// The positions that options name by number (they may hold text, so they say nothing of
    /// whether the first row is a header).
    static func positionalColumns(_ options: CSVOptions) -> Set<Int> {
        var positions = Set<Int>()
        for column in [options.labelColumn, options.indexColumn].compactMap({ $0 }) + options.dropColumns {
            switch column {
            case .index(let index): positions.insert(index)
            case .nameOrIndex(let text): if let index = Int(text) { positions.insert(index) }
            case .name: break
            }
        }
        return positions
    }

    /// The 0-based position of `column` among `count` columns named `names`; `what` says which
    /// option named it, for the error.
    static func position(of column: CSVOptions.Column, names: [String]?, count: Int, what: String, file: String) throws -> Int {
        func byIndex(_ index: Int) throws -> Int {
            guard index >= 0 && index < count else {
                throw DataFormatError(file, .line(1), "\(what) \(index) is outside the \(count) columns (numbered from 0)")
            }
            return index
        }
        func byName(_ name: String) throws -> Int {
            guard let names else {
                throw DataFormatError(file, .line(1), "\(what) '\(name)' needs a header row, and the first row is all numbers (`header: .present` reads it as one)")
            }
            let indices = names.indices.filter { names[$0] == name }
            guard let index = indices.first else {
                throw DataFormatError(file, .line(1), "no column named '\(name)' for the \(what) (columns: \(names.prefix(10).map { "'\($0)'" }.joined(separator: ", "))\(names.count > 10 ? ", …" : ""))")
            }
            guard indices.count == 1 else {
                // Acting on one of them would be a guess.
                throw DataFormatError(file, .line(1), "the \(what) '\(name)' names \(indices.count) columns, at 0-based positions \(indices.map(String.init).joined(separator: " and ")): name the one meant by its position")
            }
            return index
        }
        switch column {
        case .index(let index): return try byIndex(index)
        case .name(let name): return try byName(name)
        case .nameOrIndex(let text):
            if let names, names.contains(text) { return try byName(text) }
            if let index = Int(text) { return try byIndex(index) }
            return try byName(text)
        }
    }

    /// The role of each of `count` columns under `options`. Every column is named at most once.
    static func roles(count: Int, names: [String]?, options: CSVOptions, file: String) throws -> [Role] {
        var roles = [Role](repeating: options.columns == nil ? .feature : .skip, count: count)
        var named: [Int: String] = [:]
        func assign(_ column: CSVOptions.Column, _ role: Role, _ what: String) throws {
            let index = try position(of: column, names: names, count: count, what: what, file: file)
            if let earlier = named[index], !(earlier == "`columns`" && what == "`columns`") {
                throw DataFormatError(file, .line(1), "column \(column) is named both as \(earlier) and as \(what)")
            }
            named[index] = what
            roles[index] = role
        }
        for column in options.columns ?? [] { try assign(column, .feature, "`columns`") }
        if let label = options.labelColumn { try assign(label, .label, "label column") }
        if let index = options.indexColumn { try assign(index, .id, "index column") }
        for column in options.dropColumns { try assign(column, .skip, "dropped column") }
        guard roles.contains(.feature) else { throw DataFormatError(file, .line(1), "no feature columns are left of the \(count) columns") }
        return roles
    }

    /// A first column with an empty name holding 0, 1, …, n − 1 is the index pandas writes by
    /// default: it is dropped from the features (automatic headers only), with a note.
    static func droppingPandasIndex(_ dataset: Dataset, names: [String]?, roles: [Role], options: CSVOptions) throws -> Dataset {
        guard options.header == .automatic, options.indexColumn == nil, let names, names.first == "", roles.first == .feature,
              dataset.features > 1 else { return dataset }
        let d = dataset.features
        let isIndex = dataset.samples.withUnsafeBufferPointer { values in
            (0..<dataset.count).allSatisfy { values[$0 * d] == Float($0) }
        }
        var result = dataset
        guard isIndex, dataset.count < 1 << 24 else {
            result.notes.append("column 0 has no name in the header; if it is an index, pass `indexColumn: 0` (or `dropColumns: 0`)")
            return result
        }
        result.samples = dataset.samples.columns(1..<d)
        result.featureNames = dataset.featureNames.map { Array($0.dropFirst()) }
        result.origin = dataset.origin.map { Array($0.dropFirst()) }
        result.notes.append("column 0 (no name; values 0, 1, …, \(dataset.count - 1)) is pandas' index: dropped from the features (`indexColumn: 0` keeps it as ids)")
        return result
    }
}
