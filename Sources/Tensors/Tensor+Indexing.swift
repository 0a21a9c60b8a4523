extension Tensor {
    /// Rows `range` of a tensor (along its first axis), as a new tensor.
    public func rows(_ range: Range<Int>) -> Tensor {
        require(rank >= 1, "rows(_:) needs at least one axis, got a scalar")
        require(range.lowerBound >= 0 && range.upperBound <= shape[0],
                     "rows \(range) are outside shape \(shape)")
        let width = columns
        var newShape = shape
        newShape[0] = range.count
        return Tensor(uncheckedShape: newShape, scalars: Array(scalars[(range.lowerBound * width)..<(range.upperBound * width)]))
    }

    /// Row `index` as a tensor of the remaining axes.
    public func row(_ index: Int) -> Tensor {
        rows(index..<(index + 1)).reshaped(Array(shape.dropFirst()))
    }

    /// The rows at `indices`, in that order (repeats allowed): mini-batches and subsets.
    public func gatherRows(_ indices: [Int]) -> Tensor {
        require(rank >= 1, "gatherRows needs at least one axis, got a scalar")
        let width = columns
        var result = [Float](repeating: 0, count: indices.count * width)
        scalars.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { out in
                for (position, index) in indices.enumerated() {
                    require(index >= 0 && index < shape[0], "gatherRows: row \(index) is outside shape \(shape)")
                    let from = source.baseAddress! + index * width
                    (out.baseAddress! + position * width).update(from: from, count: width)
                }
            }
        }
        var newShape = shape
        newShape[0] = indices.count
        return Tensor(uncheckedShape: newShape, scalars: result)
    }

    /// Joins tensors along `axis`; all other extents must agree.
    public static func concatenate(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        require(!tensors.isEmpty, "concatenate needs at least one tensor")
        let first = tensors[0]
        require(axis >= 0 && axis < first.rank, "concatenate: axis \(axis) is out of range for shape \(first.shape)")
        for tensor in tensors {
            var a = tensor.shape, b = first.shape
            require(a.count == b.count, "concatenate: shapes \(first.shape) and \(tensor.shape) differ in rank")
            a[axis] = 0
            b[axis] = 0
            require(a == b, "concatenate along axis \(axis): shapes \(first.shape) and \(tensor.shape) do not match")
        }
        let outer = first.shape[..<axis].reduce(1, *)
        let inner = first.shape[(axis + 1)...].reduce(1, *)
        var newShape = first.shape
        newShape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        var result = [Float]()
        result.reserveCapacity(newShape.reduce(1, *))
        for o in 0..<outer {
            for tensor in tensors {
                let block = tensor.shape[axis] * inner
                result.append(contentsOf: tensor.scalars[(o * block)..<((o + 1) * block)])
            }
        }
        return Tensor(uncheckedShape: newShape, scalars: result)
    }

    /// The transpose of a matrix, copied in cache-sized blocks.
    public func transposed() -> Tensor {
        require(rank == 2, "transposed() needs a matrix, got shape \(shape)")
        let (m, n) = (shape[0], shape[1])
        var result = [Float](repeating: 0, count: count)
        let block = 32
        scalars.withUnsafeBufferPointer { a in
            result.withUnsafeMutableBufferPointer { t in
                for i0 in stride(from: 0, to: m, by: block) {
                    for j0 in stride(from: 0, to: n, by: block) {
                        for i in i0..<Swift.min(i0 + block, m) {
                            for j in j0..<Swift.min(j0 + block, n) { t[j * m + i] = a[i * n + j] }
                        }
                    }
                }
            }
        }
        return Tensor(uncheckedShape: [n, m], scalars: result)
    }

    /// Columns `range` of a matrix.
    public func columns(_ range: Range<Int>) -> Tensor {
        require(rank == 2, "columns(_:) needs a matrix, got shape \(shape)")
        require(range.lowerBound >= 0 && range.upperBound <= shape[1], "columns \(range) are outside shape \(shape)")
        var result = [Float]()
        result.reserveCapacity(shape[0] * range.count)
        for row in 0..<shape[0] { result.append(contentsOf: scalars[(row * shape[1] + range.lowerBound)..<(row * shape[1] + range.upperBound)]) }
        return Tensor(uncheckedShape: [shape[0], range.count], scalars: result)
    }

    /// Columns `indices` of a matrix, in that order (a column may repeat).
    public func gatherColumns(_ indices: [Int]) -> Tensor {
        require(rank == 2, "gatherColumns(_:) needs a matrix, got shape \(shape)")
        let (n, d) = (shape[0], shape[1])
        require(indices.allSatisfy { $0 >= 0 && $0 < d }, "gatherColumns: an index is outside the \(d) columns of shape \(shape)")
        let m = indices.count
        return Tensor(shape: [n, m], unsafeUninitialized: { out in
            scalars.withUnsafeBufferPointer { source in
                for row in 0..<n {
                    for (j, column) in indices.enumerated() { out[row * m + j] = source[row * d + column] }
                }
            }
        })
    }
}
