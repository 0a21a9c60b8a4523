/// A dense array of Float32 values, contiguous and row-major, of any rank.
///
/// Rank 2 is the workhorse: data are `samples: n × D` matrices, one row per sample. Tensors
/// are values: copies share storage until one of them is mutated (copy-on-write through the
/// underlying array).
///
/// Operations whose shapes do not fit stop the program with a message naming both shapes, as
/// an out-of-range array index does: shapes are fixed by the code that calls them. Data that
/// comes from outside (files, command lines) is checked where it enters, with thrown
/// ``TensorError``s, before it reaches these operations.
public struct Tensor: Sendable, Equatable, Hashable {
    /// Extent along each axis; `[]` for a scalar.
    public let shape: [Int]
    /// The values in row-major order; `scalars.count == shape.reduce(1, *)`.
    public internal(set) var scalars: [Float]

    /// A tensor of `shape` holding `scalars` in row-major order.
    /// - Throws: ``TensorError/invalidShape(_:_:)`` when a dimension is negative or the
    ///   product overflows, ``TensorError/countMismatch(shape:count:)`` when the counts differ.
    public init(shape: [Int], scalars: [Float]) throws {
        let count = try Tensor.elementCount(of: shape)
        guard count == scalars.count else { throw TensorError.countMismatch(shape: shape, count: scalars.count) }
        self.shape = shape
        self.scalars = scalars
    }

    /// Internal unchecked initializer for shapes that operations computed themselves.
    init(uncheckedShape shape: [Int], scalars: [Float]) {
        assert(shape.reduce(1, *) == scalars.count)
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor whose values `initialize` writes (every one of them) into uninitialised
    /// storage: outputs that a kernel overwrites need no zero-fill first.
    public init(shape: [Int], unsafeUninitialized initialize: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let count = Tensor.checkedCount(shape)
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialize(buffer)
            initialized = count
        }
        self.init(uncheckedShape: shape, scalars: values)
    }

    /// Storage of `shape` whose values are undefined until written: for the output of a kernel
    /// that overwrites every value (a product with β = 0), which then needs no zero-fill.
    public static func uninitialized(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, unsafeUninitialized: { _ in })
    }

    /// A matrix of `count` rows, each a copy of the vector `row`.
    public init(repeatingRow row: Tensor, count: Int) {
        require(row.rank == 1, "repeatingRow needs a vector, got shape \(row.shape)")
        let width = row.count
        self.init(shape: [count, width]) { out in
            row.withUnsafeBufferPointer { source in
                for r in 0..<count { (out.baseAddress! + r * width).initialize(from: source.baseAddress!, count: width) }
            }
        }
    }

    /// A tensor of `shape` filled with `value`.
    public init(repeating value: Float, shape: [Int]) {
        let count = Tensor.checkedCount(shape)
        self.init(uncheckedShape: shape, scalars: [Float](repeating: value, count: count))
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }
    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }

    /// A rank-0 tensor holding one value.
    public init(_ value: Float) { self.init(uncheckedShape: [], scalars: [value]) }

    /// A vector (rank 1).
    public init(_ values: [Float]) { self.init(uncheckedShape: [values.count], scalars: values) }

    /// A matrix from its rows; every row must have the same length.
    public init(_ rows: [[Float]]) {
        let columns = rows.first?.count ?? 0
        for (index, row) in rows.enumerated() where row.count != columns {
            fatalError("Tensor rows are ragged: row 0 has \(columns) values, row \(index) has \(row.count)")
        }
        self.init(uncheckedShape: [rows.count, columns], scalars: rows.flatMap { $0 })
    }

    /// A tensor of `shape` whose values come from `body(flatIndex)`.
    public init(shape: [Int], generating body: (Int) throws -> Float) rethrows {
        let count = Tensor.checkedCount(shape)
        var values = [Float]()
        values.reserveCapacity(count)
        for index in 0..<count { values.append(try body(index)) }
        self.init(uncheckedShape: shape, scalars: values)
    }

    /// The number of axes.
    public var rank: Int { shape.count }
    /// The number of values.
    public var count: Int { scalars.count }
    /// Rows of a matrix (the first axis); 1 for a scalar.
    public var rows: Int { shape.first ?? 1 }
    /// Values per row: the product of every axis after the first.
    public var columns: Int { shape.count <= 1 ? 1 : shape.dropFirst().reduce(1, *) }

    /// The single value of a tensor with one element.
    public var scalar: Float {
        require(count == 1, "scalar needs a tensor of one element, got shape \(shape)")
        return scalars[0]
    }

    /// The value at a matrix position.
    public subscript(row: Int, column: Int) -> Float {
        get { scalars[flatIndex(row, column)] }
        set { scalars[flatIndex(row, column)] = newValue }
    }

    private func flatIndex(_ row: Int, _ column: Int) -> Int {
        require(rank == 2, "[row, column] needs a matrix, got shape \(shape)")
        require(row >= 0 && row < shape[0] && column >= 0 && column < shape[1],
                     "index [\(row), \(column)] is outside shape \(shape)")
        return row * shape[1] + column
    }

    /// The same values under a new shape with the same number of elements.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let count = Tensor.checkedCount(newShape)
        require(count == self.count, "cannot reshape \(shape) (\(self.count) values) to \(newShape) (\(count) values)")
        return Tensor(uncheckedShape: newShape, scalars: scalars)
    }

    /// Calls `body` with the values in row-major order.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with mutable access to the values (copying shared storage first).
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }

    static func elementCount(of shape: [Int]) throws -> Int {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { throw TensorError.invalidShape(shape, "negative dimension") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw TensorError.invalidShape(shape, "element count overflows") }
            count = product
        }
        return count
    }

    static func checkedCount(_ shape: [Int]) -> Int {
        do { return try elementCount(of: shape) } catch { fatalError("\(error)") }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(preview)\(count > 8 ? ", …" : "")])"
    }
}
