/// NumPy's broadcasting rule: align shapes at the right; each pair of dimensions must be equal
/// or one of them 1. A row vector `[d]` (or `[1, d]`) thus stretches over a `samples: n × d`
/// matrix, and a column `[n, 1]` over its columns.
public func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = max(a.count, b.count)
    var result = [Int](repeating: 1, count: rank)
    for axis in 0..<rank {
        let da = axis < rank - a.count ? 1 : a[axis - (rank - a.count)]
        let db = axis < rank - b.count ? 1 : b[axis - (rank - b.count)]
        guard da == db || da == 1 || db == 1 else { return nil }
        result[axis] = da == 1 ? db : da
    }
    return result
}

extension Tensor {
    /// Combines two tensors elementwise under broadcasting.
    ///
    /// The loop runs over the result's last axis with a stride of 0 or 1 per operand, so the
    /// common cases (equal shapes, a scalar, a row vector over a matrix) are tight loops.
    @inline(__always)
    func broadcasting(_ other: Tensor, _ operation: String, _ combine: (Float, Float) -> Float) -> Tensor {
        if shape == other.shape {
            var result = [Float](repeating: 0, count: count)
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { b in
                    for i in 0..<a.count { result[i] = combine(a[i], b[i]) }
                }
            }
            return Tensor(uncheckedShape: shape, scalars: result)
        }
        guard let resultShape = broadcastShape(shape, other.shape) else {
            fatalError("\(operation): shapes \(shape) and \(other.shape) cannot be broadcast together")
        }
        let rank = resultShape.count
        let stridesA = broadcastStrides(shape, rank: rank, result: resultShape)
        let stridesB = broadcastStrides(other.shape, rank: rank, result: resultShape)
        let total = resultShape.reduce(1, *)
        var result = [Float](repeating: 0, count: total)
        guard total > 0 else { return Tensor(uncheckedShape: resultShape, scalars: result) }
        let inner = rank == 0 ? 1 : resultShape[rank - 1]
        let sa = rank == 0 ? 0 : stridesA[rank - 1], sb = rank == 0 ? 0 : stridesB[rank - 1]
        var index = [Int](repeating: 0, count: Swift.max(rank - 1, 0))
        scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                result.withUnsafeMutableBufferPointer { out in
                    var offset = 0
                    while offset < total {
                        var baseA = 0, baseB = 0
                        for axis in 0..<index.count {
                            baseA += index[axis] * stridesA[axis]
                            baseB += index[axis] * stridesB[axis]
                        }
                        for j in 0..<inner { out[offset + j] = combine(a[baseA + j * sa], b[baseB + j * sb]) }
                        offset += inner
                        var axis = index.count - 1
                        while axis >= 0 {
                            index[axis] += 1
                            if index[axis] < resultShape[axis] { break }
                            index[axis] = 0
                            axis -= 1
                        }
                    }
                }
            }
        }
        return Tensor(uncheckedShape: resultShape, scalars: result)
    }

    /// Sums a broadcast result back down to `target` shape: the adjoint of broadcasting, used
    /// by the gradients of every broadcasting operation.
    public func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        require(broadcastShape(target, shape) == shape, "cannot sum shape \(shape) down to \(target)")
        var result = self
        // Leading axes that broadcasting added.
        while result.rank > target.count { result = result.sum(alongAxis: 0) }
        for axis in 0..<target.count where target[axis] == 1 && result.shape[axis] != 1 {
            var kept = result.sum(alongAxis: axis).shape
            kept.insert(1, at: axis)
            result = result.sum(alongAxis: axis).reshaped(kept)
        }
        return result.reshaped(target)
    }

    /// Applies `transform` to every value.
    @inline(__always)
    func mapped(_ transform: (Float) -> Float) -> Tensor {
        var result = [Float](repeating: 0, count: count)
        scalars.withUnsafeBufferPointer { a in
            result.withUnsafeMutableBufferPointer { out in
                for i in 0..<a.count { out[i] = transform(a[i]) }
            }
        }
        return Tensor(uncheckedShape: shape, scalars: result)
    }
}

/// Strides of `shape` seen from a result of `rank` axes: 0 along broadcast axes.
private func broadcastStrides(_ shape: [Int], rank: Int, result: [Int]) -> [Int] {
    var strides = [Int](repeating: 0, count: rank)
    var step = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
        let resultAxis = axis + rank - shape.count
        strides[resultAxis] = shape[axis] == 1 && result[resultAxis] != 1 ? 0 : step
        step *= shape[axis]
    }
    return strides
}
