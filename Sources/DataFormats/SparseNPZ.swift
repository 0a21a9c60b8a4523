import Foundation
import Tensors

/// SciPy's sparse matrices as `scipy.sparse.save_npz` writes them: an `.npz` archive of `data`,
/// `indices`, `indptr` and `shape` (CSR and CSC) or `row`, `col`, `data` and `shape` (COO),
/// with the layout in `format` (a bytes scalar, b"csr"). How single-cell data ship.
///
/// The matrix is read into a dense tensor (Latent's methods take dense samples), duplicate
/// entries summed as SciPy's `toarray()` sums them, after checking every index against the shape
/// and the index pointers for order, so a malformed file is an error naming the array and
/// position, never a wrong matrix.
public enum SparseNPZ {
    /// The layouts read.
    public enum Layout: String, Sendable, CaseIterable {
        case csr, csc, coo
    }

    /// The densest matrix read: 2³¹ entries (8 GiB of Float32) at most.
    public static let maximumEntries = 1 << 31

    /// Whether the arrays of an `.npz` archive are a SciPy sparse matrix (they hold `format`
    /// and `shape`).
    public static func isSparse(_ names: [String]) -> Bool { names.contains("format") && names.contains("shape") }

    /// Writes a `rows × columns` matrix given by its non-zeros (`data[k]` at `row[k]`,
    /// `column[k]`; float64) as SciPy's COO layout (`scipy.sparse.load_npz` reads it), atomically.
    public static func writeCOO(rows: Int, columns: Int, row: [Int], column: [Int], data: [Double], to path: String) throws {
        precondition(row.count == data.count && column.count == data.count, "COO: \(row.count) rows, \(column.count) columns and \(data.count) values")
        try NPZ.write(entries: [("row", NPY.encode(integers: row)), ("col", NPY.encode(integers: column)), ("data", NPY.encode(doubles: data)),
                                ("shape", NPY.encode(integers: [rows, columns])), ("format", NPY.encode(byteString: Layout.coo.rawValue))],
                      to: path)
    }

    /// The matrix in `path` as a dense `rows × columns` tensor, or `columns × rows` when
    /// `transpose` (single-cell files store features as rows, cells as columns).
    public static func read(_ path: String, transpose: Bool = false) throws -> Tensor {
        try read(entries: try NPZ.entries(path), path: path, transpose: transpose)
    }

    /// The matrix held by the raw entries of an `.npz` archive (see ``read(_:transpose:)``).
    public static func read(entries: [(name: String, bytes: [UInt8])], path: String, transpose: Bool) throws -> Tensor {
        func entry(_ name: String) throws -> [UInt8] {
            guard let found = entries.first(where: { $0.name == name }) else {
                throw DataFormatError(path, nil, "a SciPy sparse matrix needs an array '\(name)' (found \(entries.map(\.name).joined(separator: ", ")))")
            }
            return found.bytes
        }
        func array(_ name: String) throws -> NumericArray { try NPY.parse(try entry(name), file: "\(path)[\(name).npy]") }
        func integers(_ name: String) throws -> [Int] {
            let values = try array(name)
            guard values.shape.count == 1, let integers = values.integers else {
                throw DataFormatError(path, .entry(name), "must be a vector of integers, got shape \(values.shape)")
            }
            return integers
        }
        let formatName = try NPY.parseByteString(try entry("format"), file: "\(path)[format.npy]")
        guard let layout = Layout(rawValue: formatName) else {
            throw DataFormatError(path, .entry("format"), "unsupported sparse format '\(formatName)' (\(Layout.allCases.map(\.rawValue).joined(separator: ", ")) are read); convert it with .tocsr() before save_npz")
        }
        let shape = try integers("shape")
        guard shape.count == 2, shape.allSatisfy({ $0 >= 0 }) else { throw DataFormatError(path, .entry("shape"), "must hold two sizes ≥ 0, got \(shape)") }
        let (rows, columns) = (shape[0], shape[1])
        guard rows.multipliedReportingOverflow(by: columns).partialValue <= maximumEntries, !rows.multipliedReportingOverflow(by: columns).overflow else {
            throw DataFormatError(path, .entry("shape"), "\(rows) × \(columns) is too large to read densely (at most \(maximumEntries) entries)")
        }
        // The dense matrix grows with the shape, which a small file can claim: checked first.
        try MemoryBudget.check(rows * columns * MemoryLayout<Float>.size, for: "reading the \(rows) × \(columns) matrix densely", file: path, at: .entry("shape"))
        let data = try array("data")
        guard data.shape.count == 1 else { throw DataFormatError(path, .entry("data"), "must be a vector, got shape \(data.shape)") }
        let values = data.scalars
        // Each stored value's row and column.
        var rowOf = [Int](repeating: 0, count: values.count), columnOf = [Int](repeating: 0, count: values.count)
        switch layout {
        case .coo:
            let (r, c) = (try integers("row"), try integers("col"))
            guard r.count == values.count, c.count == values.count else {
                throw DataFormatError(path, nil, "row, col and data must have one entry per value: \(r.count), \(c.count) and \(values.count)")
            }
            (rowOf, columnOf) = (r, c)
        case .csr, .csc:
            let (indices, pointers) = (try integers("indices"), try integers("indptr"))
            let major = layout == .csr ? rows : columns
            guard pointers.count == major + 1 else {
                throw DataFormatError(path, .entry("indptr"), "must have \(major + 1) entries for \(major) \(layout == .csr ? "rows" : "columns"), got \(pointers.count)")
            }
            guard indices.count == values.count else {
                throw DataFormatError(path, .entry("indices"), "must have one entry per value of data: \(indices.count) against \(values.count)")
            }
            guard pointers.first == 0, pointers.last == values.count else {
                throw DataFormatError(path, .entry("indptr"), "must run from 0 to the number of values (\(values.count)), got \(pointers.first ?? 0) … \(pointers.last ?? 0)")
            }
            // All of indptr is checked before any of it is used: from 0, never decreasing, to
            // the number of values, so every run of values it marks lies inside data.
            if let m = (0..<major).first(where: { pointers[$0] > pointers[$0 + 1] }) {
                throw DataFormatError(path, .entry("indptr"), "decreases at entry \(m + 1) (\(pointers[m]) then \(pointers[m + 1]))")
            }
            for m in 0..<major {
                for k in pointers[m]..<pointers[m + 1] {
                    if layout == .csr { (rowOf[k], columnOf[k]) = (m, indices[k]) } else { (rowOf[k], columnOf[k]) = (indices[k], m) }
                }
            }
        }
        for k in values.indices where !(0..<rows).contains(rowOf[k]) || !(0..<columns).contains(columnOf[k]) {
            let name = layout == .coo ? (!(0..<rows).contains(rowOf[k]) ? "row" : "col") : "indices"
            throw DataFormatError(path, .entry(name), "value \(k) lies at (\(rowOf[k]), \(columnOf[k])), outside the \(rows) × \(columns) matrix")
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw DataFormatError(path, .entry("data"), "value \(bad) at (\(rowOf[bad]), \(columnOf[bad])) is \(values[bad])")
        }
        let (outRows, outColumns) = transpose ? (columns, rows) : (rows, columns)
        var dense = [Float](repeating: 0, count: rows * columns)
        for k in values.indices {
            let (r, c) = transpose ? (columnOf[k], rowOf[k]) : (rowOf[k], columnOf[k])
            dense[r * outColumns + c] += values[k]
        }
        return try Tensor(shape: [outRows, outColumns], scalars: dense)
    }
}
