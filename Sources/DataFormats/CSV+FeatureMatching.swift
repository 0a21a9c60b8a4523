extension CSV {
    /// How a table's columns meet a model's features: which file feature holds each of the
    /// model's, so that values read in file order can be put in the model's order.
    struct FeatureMatch {
        /// For the model's j-th feature, its place among the table's feature columns (file order).
        let order: [Int]
        /// Whether the table's features come in another order than the model's.
        var reordered: Bool { order != Array(order.indices) }
        /// What the reader should tell the user.
        var notes: [String] = []

        /// The origin `given` in the model's feature order, put in the table's order.
        func fileOrder(_ given: [Double]) -> [Double] {
            var result = given
            for (j, k) in order.enumerated() { result[k] = given[j] }
            return result
        }
    }

    /// Matches the columns `names` of a table to the features `expected` of a model, by name,
    /// changing `roles`: a feature column the model does not know is skipped (unless chosen with
    /// `--columns`, which is then an error), and a model feature missing from the table is an
    /// error listing every one missing. A name the table holds twice cannot say which column is
    /// meant: an error with both positions.
    static func matchFeatures(_ expected: [String], names: [String], roles: inout [Role], options: CSVOptions, file: String) throws -> FeatureMatch {
        var positions: [String: [Int]] = [:]
        for (index, name) in names.enumerated() { positions[name, default: []].append(index) }
        var skipped: [Int] = []
        for index in roles.indices where roles[index] == .feature && !expected.contains(names[index]) {
            if options.columns != nil {
                throw DataFormatError(file, .line(1), "column \(describe(index, names)) is chosen by `columns` but is not among the features the model was fitted on (\(ClassLabels.listed(expected)))")
            }
            roles[index] = .skip
            skipped.append(index)
        }
        var missing: [String] = [], columns: [Int] = []
        for name in expected {
            let candidates = positions[name, default: []]
            let features = candidates.filter { roles[$0] == .feature }
            if features.count > 1 {
                throw DataFormatError(file, .line(1), "the model's feature '\(name)' names columns \(features.map(String.init).joined(separator: " and ")) (0-based): "
                                      + "rename one, or leave one out by position with `dropColumns`")
            }
            guard let column = features.first else {
                missing.append(name)
                continue
            }
            columns.append(column)
        }
        guard missing.isEmpty else {
            let roleNote = missing.compactMap { name in positions[name].map { "'\(name)' is column \($0[0]), read as a \(roles[$0[0]] == .label ? "label" : roles[$0[0]] == .id ? "id" : "dropped column")" } }
            throw DataFormatError(file, .line(1), "\(missing.count) of the model's \(expected.count) features \(missing.count == 1 ? "is" : "are") not among the table's columns: "
                                  + ClassLabels.listed(missing) + (roleNote.isEmpty ? "" : " (\(roleNote.joined(separator: "; ")))")
                                  + "; the model was fitted on \(ClassLabels.listed(expected))")
        }
        // Each chosen column's place among the feature columns, in file order.
        let fileFeatures = roles.indices.filter { roles[$0] == .feature }
        let place = Dictionary(uniqueKeysWithValues: fileFeatures.enumerated().map { ($1, $0) })
        var match = FeatureMatch(order: columns.map { place[$0]! })
        if match.reordered {
            match.notes.append("columns matched to the model's \(expected.count) features by name (the table lists them in another order)")
        }
        if !skipped.isEmpty {
            let shown = skipped.prefix(10).map { describe($0, names) }.joined(separator: ", ") + (skipped.count > 10 ? ", …" : "")
            match.notes.append("ignored \(skipped.count) column\(skipped.count == 1 ? "" : "s") the model was not fitted on: \(shown)")
        }
        return match
    }

    /// A column for messages: its name and its 0-based position, as the options take them.
    static func describe(_ index: Int, _ names: [String]?) -> String {
        guard let name = names?[index] else { return "column \(index)" }
        return name.isEmpty ? "column \(index) (no name)" : "'\(name)' (\(index))"
    }
}
