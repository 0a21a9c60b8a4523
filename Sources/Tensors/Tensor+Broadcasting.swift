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
    /// The loop runs over the result's rows (its last axis) with a stride of 0 or 1 per
    /// operand, so the common cases (equal shapes, a scalar, a row vector over a matrix) are
    /// tight loops; large results are split by rows across ``ComputeSettings/current``'s
    /// threads, and written into storage that is not zero-filled first.
    @inline(__always)
    func broadcasting(_ other: Tensor, _ operation: String, _ combine: @escaping @Sendable (Float, Float) -> Float) -> Tensor {
        let resultShape: [Int]
        if shape == other.shape {
            resultShape = shape
        } else if let shape = broadcastShape(shape, other.shape) {
            resultShape = shape
        } else {
            fatalError("\(operation): shapes \(shape) and \(other.shape) cannot be broadcast together")
        }
        let rank = resultShape.count
        let stridesA = broadcastStrides(shape, rank: rank, result: resultShape)
        let stridesB = broadcastStrides(other.shape, rank: rank, result: resultShape)
        let total = resultShape.reduce(1, *)
        let inner = rank == 0 ? 1 : resultShape[rank - 1]
        guard total > 0, inner > 0 else { return Tensor(uncheckedShape: resultShape, scalars: []) }
        let sa = rank == 0 ? 0 : stridesA[rank - 1], sb = rank == 0 ? 0 : stridesB[rank - 1]
        let outerShape = Array(resultShape.dropLast())
        return scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                let (ua, ub) = (UInt(bitPattern: a.baseAddress), UInt(bitPattern: b.baseAddress))
                return Tensor(shape: resultShape) { out in
                    let uo = UInt(bitPattern: out.baseAddress)
                    forEachChunk(of: total / inner, minimumChunk: Swift.max(1, (1 << 16) / inner)) { rows in
                        let a = UnsafePointer<Float>(bitPattern: ua)!, b = UnsafePointer<Float>(bitPattern: ub)!
                        let out = UnsafeMutablePointer<Float>(bitPattern: uo)!
                        for row in rows {
                            // The row's offset in each operand from its multi-index.
                            var rest = row, baseA = 0, baseB = 0
                            for axis in stride(from: outerShape.count - 1, through: 0, by: -1) {
                                let index = rest % outerShape[axis]
                                rest /= outerShape[axis]
                                baseA += index * stridesA[axis]
                                baseB += index * stridesB[axis]
                            }
                            let target = out + row * inner
                            switch (sa, sb) {
                            case (1, 1): for j in 0..<inner { target[j] = combine(a[baseA + j], b[baseB + j]) }
                            case (1, 0): let y = b[baseB]; for j in 0..<inner { target[j] = combine(a[baseA + j], y) }
                            case (0, 1): let x = a[baseA]; for j in 0..<inner { target[j] = combine(x, b[baseB + j]) }
                            default: for j in 0..<inner { target[j] = combine(a[baseA + j * sa], b[baseB + j * sb]) }
                            }
                        }
                    }
                }
            }
        }
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
