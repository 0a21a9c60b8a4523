import Foundation
import Tensors

/// One entropic transport problem, the ground cost C (`n × m`, Float32, row-major) between
/// weights a (`n`) and b (`m`), and its two half-iterations, the soft minima
///
///     fᵢ = −ε log Σⱼ bⱼ exp((gⱼ − Cᵢⱼ)/ε),   gⱼ = −ε log Σᵢ aᵢ exp((fᵢ − Cᵢⱼ)/ε)
///
/// (Peyré & Cuturi 2019, Remark 4.23), each one pass over C by the vectorised log-sum-exp kernels
/// (`Kernels.logSumExpRows`):
/// rows split across threads, columns in fixed stripes swept down the rows, so the results do
/// not depend on the thread count. The cost is stored in Float32; exponents are formed in Double
/// and exponentiated in Float32 (relative error below 2e-7 a term); sums run in Double.
struct SinkhornCost: @unchecked Sendable {
    /// Cᵢⱼ, `n × m`.
    let cost: Tensor
    let n: Int, m: Int
    /// log aᵢ and log bⱼ (−∞ for points without mass).
    let logA: [Double], logB: [Double]
    /// The largest Cᵢⱼ (the diameter where ε-scaling starts) and the mean under a ⊗ b.
    let largest: Double, mean: Double
    let settings: ComputeSettings

    /// Columns of a stripe: fixed, so a column's sum never depends on how work is split.
    static let stripe = 256

    /// The problem between the weighted rows of `x` (`n × d`, weights a) and `y` (`m × d`, b)
    /// on the squared-Euclidean cost ‖xᵢ − yⱼ‖² = ‖xᵢ‖² + ‖yⱼ‖² − 2xᵢ·yⱼ: the products from the
    /// GEMM, the norms in Double, clamped at 0; the largest cost and the mean under a ⊗ b in the
    /// same pass (per row, then summed in row order: the same whatever the thread count).
    init(squaredEuclideanBetween x: Tensor, _ y: Tensor, weightsA: [Double], weightsB: [Double], settings: ComputeSettings = .current) {
        let (xNorms, yNorms) = (rowSquaredNorms(x), rowSquaredNorms(y))
        var cost = matmul(x, y, transposeB: true, settings: settings)
        let (n, m) = (x.rows, y.rows)
        var (rowLargest, rowMeans) = ([Double](repeating: 0, count: n), [Double](repeating: 0, count: n))
        cost.withUnsafeMutableBufferPointer { c in
            rowLargest.withUnsafeMutableBufferPointer { largest in
                rowMeans.withUnsafeMutableBufferPointer { means in
                    let (c, largest, means) = (Address(c.baseAddress!), Address(largest.baseAddress!), Address(means.baseAddress!))
                    forEachChunk(of: n, minimumChunk: Swift.max(1, (1 << 15) / Swift.max(m, 1)), settings: settings) { rows in
                        let c = c.mutableFloats
                        for i in rows {
                            var (high, mean) = (0.0, 0.0)
                            for j in 0..<m {
                                let value = Float(Swift.max(xNorms[i] + yNorms[j] - 2 * Double(c[i * m + j]), 0))
                                c[i * m + j] = value
                                high = Swift.max(high, Double(value))
                                mean += weightsB[j] * Double(value)
                            }
                            (largest.mutableDoubles[i], means.mutableDoubles[i]) = (high, mean)
                        }
                    }
                }
            }
        }
        (self.cost, self.n, self.m, self.settings) = (cost, n, m, settings)
        (logA, logB) = (weightsA.map { Foundation.log($0) }, weightsB.map { Foundation.log($0) })
        largest = rowLargest.max() ?? 0
        mean = zip(weightsA, rowMeans).reduce(0.0) { $0 + $1.0 * $1.1 }
    }

    /// Runs `body` over row ranges, split across the threads (rows are independent).
    func overRows(_ body: @Sendable (Range<Int>) -> Void) {
        forEachChunk(of: n, minimumChunk: Swift.max(1, (1 << 15) / Swift.max(m, 1)), settings: settings, body)
    }

    /// Runs `body` over stripes of `stripe` columns (all of them at once for small problems),
    /// fixed whatever the thread count.
    func overColumnStripes(_ body: @Sendable (Range<Int>) -> Void) {
        let (m, stripe) = (m, Self.stripe)
        let parts = n * m < (1 << 15) ? 1 : (m + stripe - 1) / stripe
        forEachPart(parts, settings: settings) { part in
            body(parts == 1 ? 0..<m : (part * stripe)..<Swift.min(m, (part + 1) * stripe))
        }
    }

    /// fᵢ = −ε log Σⱼ exp(log bⱼ + (gⱼ − Cᵢⱼ)/ε) for every row, and with `means` also
    /// Σⱼ Pᵢⱼ Cᵢⱼ / aᵢ, the row's average cost under the plan that these f make exact.
    func rowSoftMinimum(_ g: [Double], epsilon: Double, means: Bool = false) -> (f: [Double], means: [Double]) {
        let terms = zip(logB, g).map { $0 + $1 / epsilon }
        var (lse, average) = ([Double](repeating: 0, count: n), [Double](repeating: 0, count: n))
        let (scale, level, m) = (1 / epsilon, settings.cpuLevel, m)
        withAddresses(cost, terms, &lse, &average) { c, t, out, meansOut in
            overRows { rows in
                Kernels.logSumExpRows(level: level, cost: c.floats + rows.lowerBound * m, rows: rows.count, columns: m, leadingDimension: m,
                                      terms: t.doubles, scale: scale, into: out.mutableDoubles + rows.lowerBound,
                                      means: means ? meansOut.mutableDoubles + rows.lowerBound : nil)
            }
        }
        return (lse.map { -epsilon * $0 }, average)
    }

    /// gⱼ = −ε log Σᵢ exp(log aᵢ + (fᵢ − Cᵢⱼ)/ε) for every column.
    func columnSoftMinimum(_ f: [Double], epsilon: Double) -> [Double] {
        let terms = zip(logA, f).map { $0 + $1 / epsilon }
        var lse = [Double](repeating: 0, count: m), unused = [Double](repeating: 0, count: 1)
        let (scale, level, n, m) = (1 / epsilon, settings.cpuLevel, n, m)
        withAddresses(cost, terms, &lse, &unused) { c, t, out, _ in
            overColumnStripes { columns in
                Kernels.logSumExpColumns(level: level, cost: c.floats + columns.lowerBound, rows: n, columns: columns.count, leadingDimension: m,
                                         terms: t.doubles, scale: scale, into: out.mutableDoubles + columns.lowerBound)
            }
        }
        return lse.map { -epsilon * $0 }
    }

    /// exp(rᵢ + tⱼ − Cᵢⱼ/ε), `n × m` (exponents at most 88).
    func exponentials(rowTerms: [Double], columnTerms: [Double], epsilon: Double) -> Tensor {
        let (scale, level, m) = (1 / epsilon, settings.cpuLevel, m)
        return Tensor(shape: [n, m], unsafeUninitialized: { out in
            let o = Address(out.baseAddress!)
            cost.withUnsafeBufferPointer { c in
                rowTerms.withUnsafeBufferPointer { r in
                    columnTerms.withUnsafeBufferPointer { t in
                        let (c, r, t) = (Address(c.baseAddress!), Address(r.baseAddress!), Address(t.baseAddress!))
                        overRows { rows in
                            Kernels.sinkhornPlan(level: level, cost: c.floats + rows.lowerBound * m, rows: rows.count, columns: m, leadingDimension: m,
                                                 rowTerms: r.doubles + rows.lowerBound, columnTerms: t.doubles, scale: scale,
                                                 into: o.mutableFloats + rows.lowerBound * m)
                        }
                    }
                }
            }
        })
    }

    /// Pᵢⱼ = aᵢbⱼ exp((fᵢ + gⱼ − Cᵢⱼ)/ε), `n × m`.
    func plan(f: [Double], g: [Double], epsilon: Double) -> Tensor {
        exponentials(rowTerms: zip(logA, f).map { $0 + $1 / epsilon }, columnTerms: zip(logB, g).map { $0 + $1 / epsilon }, epsilon: epsilon)
    }

    /// The stabilised kernel K̃ᵢⱼ = exp((f̃ᵢ + g̃ⱼ − Cᵢⱼ)/ε) of the scaling iterations.
    func kernel(f: [Double], g: [Double], epsilon: Double) -> Tensor {
        exponentials(rowTerms: f.map { $0 / epsilon }, columnTerms: g.map { $0 / epsilon }, epsilon: epsilon)
    }

    /// K·w (`n`) for an `n × m` kernel.
    func multiplyRows(_ kernel: Tensor, by w: [Float]) -> [Double] {
        var out = [Double](repeating: 0, count: n)
        let (level, m) = (settings.cpuLevel, m)
        kernel.withUnsafeBufferPointer { k in
            w.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { o in
                    let (k, x, o) = (Address(k.baseAddress!), Address(x.baseAddress!), Address(o.baseAddress!))
                    overRows { rows in
                        Kernels.multiplyRows(level: level, kernel: k.floats + rows.lowerBound * m, rows: rows.count, columns: m, leadingDimension: m,
                                             by: x.floats, into: o.mutableDoubles + rows.lowerBound)
                    }
                }
            }
        }
        return out
    }

    /// Kᵀ·w (`m`) for an `n × m` kernel.
    func multiplyColumns(_ kernel: Tensor, by w: [Float]) -> [Double] {
        var out = [Double](repeating: 0, count: m)
        let (level, n, m) = (settings.cpuLevel, n, m)
        kernel.withUnsafeBufferPointer { k in
            w.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { o in
                    let (k, x, o) = (Address(k.baseAddress!), Address(x.baseAddress!), Address(o.baseAddress!))
                    overColumnStripes { columns in
                        Kernels.multiplyColumns(level: level, kernel: k.floats + columns.lowerBound, rows: n, columns: columns.count, leadingDimension: m,
                                                by: x.floats, into: o.mutableDoubles + columns.lowerBound)
                    }
                }
            }
        }
        return out
    }

    /// `body` with the addresses of the cost, `terms` and two outputs, valid for its duration.
    private func withAddresses(_ cost: Tensor, _ terms: [Double], _ first: inout [Double], _ second: inout [Double],
                               _ body: (Address, Address, Address, Address) -> Void) {
        cost.withUnsafeBufferPointer { c in
            terms.withUnsafeBufferPointer { t in
                first.withUnsafeMutableBufferPointer { o in
                    second.withUnsafeMutableBufferPointer { p in
                        body(Address(c.baseAddress!), Address(t.baseAddress!), Address(o.baseAddress!), Address(p.baseAddress!))
                    }
                }
            }
        }
    }

    /// Σᵢ aᵢ |exp((fᵢ − f′ᵢ)/ε) − 1|: the L1 error of the row marginal of the plan of (f, g),
    /// when f′ is the row soft minimum of g (the plan of (f′, g) has the row marginal a exactly,
    /// and the plan of (f, g) is it scaled by exp((fᵢ − f′ᵢ)/ε) row by row). Free: no pass over C.
    func rowMarginalError(before f: [Double], after next: [Double], epsilon: Double) -> Double {
        var error = 0.0
        for i in 0..<n where logA[i] > -.infinity { error += Foundation.exp(logA[i]) * Swift.abs(Foundation.expm1((f[i] - next[i]) / epsilon)) }
        return error
    }
}

/// A buffer's address, passed into the parallel regions (which take `@Sendable` closures) as
/// a number; made and used inside the buffer's `withUnsafe…` scope.
struct Address: Sendable {
    let bits: UInt
    init(_ pointer: UnsafeRawPointer) { bits = UInt(bitPattern: pointer) }
    var floats: UnsafePointer<Float> { UnsafePointer(bitPattern: bits)! }
    var doubles: UnsafePointer<Double> { UnsafePointer(bitPattern: bits)! }
    var mutableFloats: UnsafeMutablePointer<Float> { UnsafeMutablePointer(bitPattern: bits)! }
    var mutableDoubles: UnsafeMutablePointer<Double> { UnsafeMutablePointer(bitPattern: bits)! }
}
