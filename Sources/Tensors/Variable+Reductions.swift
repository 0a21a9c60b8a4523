// Reductions and shape operations on Variables, each with its adjoint beside it.

extension Variable {
    /// Σ of every value; ∂/∂x = 1.
    public func sum() -> Variable {
        let shape = self.shape
        return Variable(Tensor(value.sum()), parents: [self]) { g in [Tensor(repeating: g.scalar, shape: shape)] }
    }

    /// Mean of every value; ∂/∂x = 1/count.
    public func mean() -> Variable {
        let shape = self.shape, count = Float(value.count)
        return Variable(Tensor(value.mean()), parents: [self]) { g in [Tensor(repeating: g.scalar / count, shape: shape)] }
    }

    /// Σ along `axis` (removed); the gradient is copied back along it.
    public func sum(alongAxis axis: Int) -> Variable {
        let shape = self.shape
        return Variable(value.sum(alongAxis: axis), parents: [self]) { g in [g.expanded(alongAxis: axis, to: shape)] }
    }

    /// Mean along `axis` (removed).
    public func mean(alongAxis axis: Int) -> Variable {
        let shape = self.shape, length = Float(shape[axis])
        return Variable(value.mean(alongAxis: axis), parents: [self]) { g in [g.expanded(alongAxis: axis, to: shape) / length] }
    }

    /// log Σ exp along `axis` (removed); ∂/∂x = softmax(x) along that axis.
    public func logSumExp(alongAxis axis: Int) -> Variable {
        let x = value, shape = self.shape
        let y = x.logSumExp(alongAxis: axis)
        return Variable(y, parents: [self]) { g in
            let softmax = (x - y.expanded(alongAxis: axis, to: shape)).exp()
            return [softmax * g.expanded(alongAxis: axis, to: shape)]
        }
    }

    /// The same values under another shape.
    public func reshaped(_ newShape: [Int]) -> Variable {
        let shape = self.shape
        return Variable(value.reshaped(newShape), parents: [self]) { g in [g.reshaped(shape)] }
    }

    /// The matrix transpose.
    public func transposed() -> Variable {
        Variable(value.transposed(), parents: [self]) { g in [g.transposed()] }
    }

    /// Rows `range`; the gradient is zero outside them.
    public func rows(_ range: Range<Int>) -> Variable {
        let shape = self.shape
        return Variable(value.rows(range), parents: [self]) { g in
            var full = Tensor.zeros(shape)
            let width = g.columns
            full.scalars.replaceSubrange((range.lowerBound * width)..<(range.upperBound * width), with: g.scalars)
            return [full]
        }
    }

    /// Columns `range` of a matrix; the gradient is zero outside them.
    public func columns(_ range: Range<Int>) -> Variable {
        let shape = self.shape
        return Variable(value.columns(range), parents: [self]) { g in
            var full = Tensor.zeros(shape)
            for row in 0..<shape[0] {
                for (offset, column) in range.enumerated() { full[row, column] = g[row, offset] }
            }
            return [full]
        }
    }

    /// Rows at `indices`; the gradient of a row picked several times is the sum of its copies.
    public func gatherRows(_ indices: [Int]) -> Variable {
        let shape = self.shape
        return Variable(value.gatherRows(indices), parents: [self]) { g in
            var full = Tensor.zeros(shape)
            let width = g.columns
            g.withUnsafeBufferPointer { source in
                full.withUnsafeMutableBufferPointer { out in
                    for (position, index) in indices.enumerated() {
                        for j in 0..<width { out[index * width + j] += source[position * width + j] }
                    }
                }
            }
            return [full]
        }
    }

    /// Joins Variables along `axis`; each receives its slice of the gradient.
    public static func concatenate(_ parts: [Variable], alongAxis axis: Int = 0) -> Variable {
        let value = Tensor.concatenate(parts.map(\.value), alongAxis: axis)
        return Variable(value, parents: parts) { g in
            var offset = 0
            return parts.map { part in
                let length = part.shape[axis]
                defer { offset += length }
                return g.slice(alongAxis: axis, offset..<(offset + length))
            }
        }
    }
}

extension Tensor {
    /// Copies a tensor with `axis` removed back along that axis to `shape` (the adjoint of a
    /// reduction).
    func expanded(alongAxis axis: Int, to shape: [Int]) -> Tensor {
        var kept = shape
        kept[axis] = 1
        return Tensor.zeros(shape) + reshaped(kept)
    }

    /// The part of a tensor between `range` along `axis`.
    func slice(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        let length = shape[axis]
        var newShape = shape
        newShape[axis] = range.count
        var result = [Float]()
        result.reserveCapacity(outer * range.count * inner)
        for o in 0..<outer {
            result.append(contentsOf: scalars[((o * length + range.lowerBound) * inner)..<((o * length + range.upperBound) * inner)])
        }
        return Tensor(uncheckedShape: newShape, scalars: result)
    }
}
