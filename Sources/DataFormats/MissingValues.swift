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
    ///
    /// `mean` and `median` fill with `fill`'s values when given (a model's, fitted on its
    /// training data: a sample's code never depends on the other samples of its file), else
    /// with the statistics of `dataset`'s own columns, computed in Double in the file's units;
    /// either way the values used are kept as the result's ``Dataset/missingFill``, for the model.
    public func apply(to dataset: Dataset, fill: MissingValueFill? = nil) throws -> Dataset {
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
        var result = dataset
        let total = missingPerColumn.reduce(0, +)
        switch self {
        case .error:
            return dataset
        case .dropRows:
            guard !missingRows.isEmpty else { return dataset }
            let missing = Set(missingRows)
            guard missing.count < n else { throw DataFormatError(dataset.name, nil, "every sample misses a value; `missing: .dropRows` leaves none") }
            result = dataset.subset((0..<n).filter { !missing.contains($0) })
            let shown = missingRows.prefix(5).map { String($0) }.joined(separator: ", ") + (missingRows.count > 5 ? ", …" : "")
            result.notes.append("dropped \(missingRows.count) of \(n) samples that miss values (\(total) missing values; samples \(shown), 0-based)")
        case .mean, .median:
            let origin = dataset.origin ?? [Double](repeating: 0, count: d)
            let fillValues: [Double]
            if let fill {
                guard fill.values.count == d else {
                    throw DataFormatError(dataset.name, nil, "has \(d) features; the model's \(fill.values.count) fill values for missing ones do not fit")
                }
                fillValues = fill.values
            } else {
                fillValues = try (0..<d).map { column in
                    let present = (0..<n).map { Double(values[$0 * d + column]) }.filter { !$0.isNaN }
                    guard !present.isEmpty else {
                        throw DataFormatError(dataset.name, nil, "column \(column)\(dataset.featureNames.map { " ('\($0[column])')" } ?? "") has no values to compute a \(rawValue) from")
                    }
                    return origin[column] + (self == .mean ? present.reduce(0, +) / Double(present.count) : Self.median(present))
                }
            }
            result.missingFill = MissingValueFill(policy: fill?.policy ?? self, values: fillValues)
            guard !missingRows.isEmpty else { return result }
            var filled = values
            for column in 0..<d where missingPerColumn[column] > 0 {
                let value = Float(fillValues[column] - origin[column])
                for row in 0..<n where filled[row * d + column].isNaN { filled[row * d + column] = value }
            }
            result.samples = try Tensor(shape: [n, d], scalars: filled)
            let columns = missingPerColumn.filter { $0 > 0 }.count
            let source = fill == nil ? "the column's \(rawValue)" : "the model's \(result.missingFill!.policy.rawValue) of its training data"
            result.notes.append("filled \(total) missing values in \(columns) column\(columns == 1 ? "" : "s") (\(missingRows.count) of \(n) samples) with \(source)")
        }
        return result
    }

    /// The median of `values` (the mean of the middle two when their count is even).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted(), middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// The values that fill missing entries, fitted on a model's training data and stored in the
/// model (as its scaling is), so that every later file is filled the same way.
public struct MissingValueFill: Codable, Sendable, Equatable {
    /// `mean` or `median`.
    public var policy: MissingValues
    /// One per feature, in the file's units.
    public var values: [Double]

    public init(policy: MissingValues, values: [Double]) {
        self.policy = policy
        self.values = values
    }
}
