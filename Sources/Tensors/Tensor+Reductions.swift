import Foundation

extension Tensor {
    /// Σ of every value, accumulated in Double.
    public func sum() -> Float { Float(sumInDouble()) }

    /// Σ of every value in Double, for metrics over many samples.
    public func sumInDouble() -> Double {
        scalars.withUnsafeBufferPointer { p in
            var total = 0.0
            for value in p { total += Double(value) }
            return total
        }
    }

    /// Mean of every value (accumulated in Double).
    public func mean() -> Float {
        require(count > 0, "mean of an empty tensor (shape \(shape))")
        return Float(sumInDouble() / Double(count))
    }

    /// Splits the shape around `axis` into (outer, length, inner) extents.
    private func around(_ axis: Int, _ operation: String) -> (outer: Int, length: Int, inner: Int, shape: [Int]) {
        require(axis >= 0 && axis < rank, "\(operation): axis \(axis) is out of range for shape \(shape)")
        var reduced = shape
        reduced.remove(at: axis)
        return (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *), reduced)
    }

    /// Reduces along `axis` (which disappears from the shape) with a Double accumulator.
    /// Generic over the reduction so that each one is specialised and its loop vectorised (a
    /// closure called per element inside the parallel body is not inlined).
    private func reduce<R: AxisReduction>(alongAxis axis: Int, _ operation: String, _: R.Type,
                                          _ finish: (Double, Int) -> Float) -> Tensor {
        let initial = R.initial
        let (outer, length, inner, reducedShape) = around(axis, operation)
        var accumulators = [Double](repeating: initial, count: outer * inner)
        scalars.withUnsafeBufferPointer { x in
            accumulators.withUnsafeMutableBufferPointer { acc in
                let (ux, ua) = (UInt(bitPattern: x.baseAddress), UInt(bitPattern: acc.baseAddress))
                // Threads take disjoint ranges of outputs and each output is summed in index
                // order, so the result does not depend on the thread count.
                forEachChunk(of: outer * inner, minimumChunk: Swift.max(1, (1 << 16) / Swift.max(length, 1))) { outputs in
                    guard let x = UnsafePointer<Float>(bitPattern: ux), let acc = UnsafeMutablePointer<Double>(bitPattern: ua) else { return }
                    var j = outputs.lowerBound
                    while j < outputs.upperBound {
                        let (o, first) = j.quotientAndRemainder(dividingBy: inner)
                        let last = Swift.min(inner, first + outputs.upperBound - j)
                        for l in 0..<length {
                            let row = (o * length + l) * inner
                            for i in first..<last { acc[o * inner + i] = R.combine(acc[o * inner + i], x[row + i]) }
                        }
                        j += last - first
                    }
                }
            }
        }
        return Tensor(uncheckedShape: reducedShape, scalars: accumulators.map { finish($0, length) })
    }

    /// Σ along `axis`; the axis is removed (`[n, d]` along 0 gives `[d]`).
    public func sum(alongAxis axis: Int) -> Tensor {
        reduce(alongAxis: axis, "sum", SumReduction.self, { total, _ in Float(total) })
    }

    /// Mean along `axis`; the axis is removed.
    public func mean(alongAxis axis: Int) -> Tensor {
        require(axis < rank && shape[axis] > 0, "mean along axis \(axis) of an empty axis (shape \(shape))")
        return reduce(alongAxis: axis, "mean", SumReduction.self, { total, n in Float(total / Double(n)) })
    }

    /// Maximum along `axis`; the axis is removed.
    public func max(alongAxis axis: Int) -> Tensor {
        reduce(alongAxis: axis, "max", MaxReduction.self, { m, _ in Float(m) })
    }

    /// Minimum along `axis`; the axis is removed.
    public func min(alongAxis axis: Int) -> Tensor {
        reduce(alongAxis: axis, "min", MinReduction.self, { m, _ in Float(m) })
    }

    /// The largest value.
    public func max() -> Float {
        require(count > 0, "max of an empty tensor (shape \(shape))")
        return scalars.max()!
    }

    /// The smallest value.
    public func min() -> Float {
        require(count > 0, "min of an empty tensor (shape \(shape))")
        return scalars.min()!
    }

    /// log Σ exp along `axis`, computed stably as m + log Σ exp(x − m) with m the maximum.
    public func logSumExp(alongAxis axis: Int) -> Tensor {
        let (outer, length, inner, reducedShape) = around(axis, "logSumExp")
        require(length > 0, "logSumExp along an empty axis (shape \(shape))")
        let maxima = max(alongAxis: axis)
        var result = [Float](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                let m = maxima.scalars[o * inner + i]
                guard m.isFinite else { result[o * inner + i] = m; continue }
                var total = 0.0
                for l in 0..<length { total += Foundation.exp(Double(scalars[(o * length + l) * inner + i] - m)) }
                result[o * inner + i] = m + Float(Foundation.log(total))
            }
        }
        return Tensor(uncheckedShape: reducedShape, scalars: result)
    }

    /// Index of the largest value in each row of a matrix (the first one on ties).
    public func argmaxPerRow() -> [Int] { argPerRow("argmaxPerRow") { $0 > $1 } }

    /// Index of the smallest value in each row of a matrix (the first one on ties).
    public func argminPerRow() -> [Int] { argPerRow("argminPerRow") { $0 < $1 } }

    private func argPerRow(_ operation: String, _ better: (Float, Float) -> Bool) -> [Int] {
        require(rank == 2 && shape[1] > 0, "\(operation) needs a matrix with at least one column, got shape \(shape)")
        let columns = shape[1]
        return (0..<shape[0]).map { row in
            var best = 0
            for column in 1..<columns where better(scalars[row * columns + column], scalars[row * columns + best]) {
                best = column
            }
            return best
        }
    }
}

/// An associative reduction with a Double accumulator.
private protocol AxisReduction: SendableMetatype {
    static var initial: Double { get }
    static func combine(_ accumulator: Double, _ value: Float) -> Double
}

private enum SumReduction: AxisReduction {
    static var initial: Double { 0 }
    @inline(__always) static func combine(_ accumulator: Double, _ value: Float) -> Double { accumulator + Double(value) }
}

private enum MaxReduction: AxisReduction {
    static var initial: Double { -.infinity }
    @inline(__always) static func combine(_ accumulator: Double, _ value: Float) -> Double { Swift.max(accumulator, Double(value)) }
}

private enum MinReduction: AxisReduction {
    static var initial: Double { .infinity }
    @inline(__always) static func combine(_ accumulator: Double, _ value: Float) -> Double { Swift.min(accumulator, Double(value)) }
}
