import Tensors

/// What becomes of missing values (empty fields, NA, N/A, null, ?, and NaN in any format).
public enum MissingValues: String, Sendable, Codable, CaseIterable {
    /// Refuse the file at the first missing value, naming its line and column (the default).
    case error
    /// Leave out every sample that misses a value.
    case dropRows = "drop-rows"
    /// Fill a missing value with the mean of its column's present values.
    case mean
    /// Fill a missing value with the median of its column's present values.
    case median

    /// Whether readers should turn missing values into NaN for this policy to handle.
    public var readsMissingAsNaN: Bool { self != .error }

    /// `dataset` with its NaN values handled by this policy, and a note counting them.
    /// Statistics are those of `dataset`'s own columns, computed in Double.
    public func apply(to dataset: Dataset) throws -> Dataset {
        guard self != .error else { return dataset }
        let (n, d) = (dataset.count, dataset.features)
        let values = dataset.samples.scalars
        var missingRows: [Int] = [], missingPerColumn = [Int](repeating: 0, count: d)
        for row in 0..<n {
            var missing = false
            for column in 0..<d where values[row * d + column].isNaN {
                missing = true
                missingPerColumn[column] += 1
            }
            if missing { missingRows.append(row) }
        }
        guard !missingRows.isEmpty else { return dataset }
        let total = missingPerColumn.reduce(0, +)
        var result = dataset
        switch self {
        case .error:
            return dataset
        case .dropRows:
            let missing = Set(missingRows)
            guard missing.count < n else { throw DataFormatError(dataset.name, nil, "every sample misses a value; --missing drop-rows leaves none") }
            result = dataset.subset((0..<n).filter { !missing.contains($0) })
            let shown = missingRows.prefix(5).map { String($0 + 1) }.joined(separator: ", ") + (missingRows.count > 5 ? ", …" : "")
            result.notes.append("dropped \(missingRows.count) of \(n) samples that miss values (\(total) missing values; data rows \(shown))")
        case .mean, .median:
            var filled = values
            for column in 0..<d where missingPerColumn[column] > 0 {
                let present = (0..<n).map { Double(values[$0 * d + column]) }.filter { !$0.isNaN }
                guard !present.isEmpty else {
                    throw DataFormatError(dataset.name, nil, "column \(column + 1)\(dataset.featureNames.map { " ('\($0[column])')" } ?? "") has no values to compute a \(rawValue) from")
                }
                let fill = Float(self == .mean ? present.reduce(0, +) / Double(present.count) : Self.median(present))
                for row in 0..<n where filled[row * d + column].isNaN { filled[row * d + column] = fill }
            }
            result.samples = try Tensor(shape: [n, d], scalars: filled)
            let columns = missingPerColumn.filter { $0 > 0 }.count
            result.notes.append("filled \(total) missing values in \(columns) column\(columns == 1 ? "" : "s") (\(missingRows.count) of \(n) samples) with the column's \(rawValue)")
        }
        return result
    }

    /// The median of `values` (the mean of the middle two when their count is even).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted(), middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
