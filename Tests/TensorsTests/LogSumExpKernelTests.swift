import Foundation
import Testing
import TestSupport
import Tensors

/// Sinkhorn's kernels at every instruction-set level against Double loops: the exponential,
/// the log-sum-exp over rows and over columns (shapes that leave vector tails, cross the
/// 1 024-column chunks and the 256-column stripes, terms of −∞, rows without any mass, and
/// exponents in the thousands, where rounding them to Float32 before subtracting would lose 10⁻⁴),
/// the plan's exponentials and the scaling domain's products.
@Suite struct LogSumExpKernelTests {
    static let shapes = [(1, 1), (5, 3), (33, 21), (7, 1500), (40, 300), (300, 17)]

    struct Case {
        let cost: [Float], rowTerms: [Double], columnTerms: [Double], n: Int, m: Int, scale: Double
    }

    /// Costs in [0, 4), terms near the costs' scale so the sums mix many terms; every seventh
    /// column term and every fifth row term is −∞ (no mass), and the last row term too.
    static func makeCase(_ n: Int, _ m: Int, scale: Double, seed: UInt64) -> Case {
        var generator = RandomGenerator(seed: seed)
        let cost = (0..<(n * m)).map { _ in generator.nextUniform() * 4 }
        let offset = scale * 2
        let rows = (0..<n).map { i in i % 5 == 4 || (i == n - 1 && n > 1) ? -Double.infinity : offset + generator.nextUniformDouble() * scale }
        let columns = (0..<m).map { j in j % 7 == 6 ? -Double.infinity : offset + generator.nextUniformDouble() * scale }
        return Case(cost: cost, rowTerms: rows, columnTerms: columns, n: n, m: m, scale: scale)
    }

    static func logSumExp(_ values: [Double]) -> Double {
        let high = values.max() ?? -.infinity
        guard high > -.infinity else { return -.infinity }
        return high + Foundation.log(values.reduce(0) { $0 + Foundation.exp($1 - high) })
    }

    @Test(arguments: CPULevel.supported)
    func exponentialsAreAccurateAndFlushBelowTheRange(_ level: CPULevel) {
        let inputs: [Float] = (0...2000).map { -Float($0) * 0.0451 } + [-0.0, -86.99, -87.01, -100, -.infinity, -1e-30]
        var outputs = [Float](repeating: .nan, count: inputs.count)
        Kernels.exponentials(level: level, of: inputs, into: &outputs, count: inputs.count)
        for (x, y) in zip(inputs, outputs) {
            if x < -87 {
                #expect(y == 0, "exp(\(x)) = \(y) at \(level): below the range it is 0")
            } else {
                let exact = Foundation.exp(Double(x))
                #expect(abs(Double(y) - exact) <= 3e-7 * exact, "exp(\(x)) = \(y), exact \(exact) at \(level)")
            }
        }
    }

    @Test(arguments: CPULevel.supported, [1.0, 1000.0])
    func logSumExpOverRowsAndColumnsMatchesDouble(_ level: CPULevel, _ scale: Double) {
        for (index, (n, m)) in Self.shapes.enumerated() {
            let c = Self.makeCase(n, m, scale: scale, seed: UInt64(index + 1))
            var (rows, means, columns) = ([Double](repeating: .nan, count: n), [Double](repeating: .nan, count: n), [Double](repeating: .nan, count: m))
            Kernels.logSumExpRows(level: level, cost: c.cost, rows: n, columns: m, leadingDimension: m, terms: c.columnTerms, scale: scale,
                                  into: &rows, means: &means)
            Kernels.logSumExpColumns(level: level, cost: c.cost, rows: n, columns: m, leadingDimension: m, terms: c.rowTerms, scale: scale, into: &columns)
            for i in 0..<n {
                let exponents = (0..<m).map { c.columnTerms[$0] - scale * Double(c.cost[i * m + $0]) }
                let expected = Self.logSumExp(exponents)
                #expect(abs(rows[i] - expected) <= 1e-6 || rows[i] == expected, "row \(i) of \(n) × \(m) at \(level), s = \(scale): \(rows[i]), exact \(expected)")
                let mean = zip(exponents, 0..<m).reduce(0.0) { $0 + Foundation.exp($1.0 - expected) * Double(c.cost[i * m + $1.1]) }
                #expect(abs(means[i] - mean) <= 1e-6 * max(1, mean), "mean of row \(i): \(means[i]), exact \(mean)")
            }
            for j in 0..<m {
                let expected = Self.logSumExp((0..<n).map { c.rowTerms[$0] - scale * Double(c.cost[$0 * m + j]) })
                #expect(abs(columns[j] - expected) <= 1e-6 || columns[j] == expected, "column \(j) of \(n) × \(m) at \(level), s = \(scale): \(columns[j]), exact \(expected)")
            }
        }
    }

    @Test(arguments: CPULevel.supported)
    func planAndProductsMatchDouble(_ level: CPULevel) {
        for (index, (n, m)) in Self.shapes.enumerated() {
            let c = Self.makeCase(n, m, scale: 1, seed: UInt64(index + 20))
            // Exponents rᵢ + tⱼ − Cᵢⱼ within [−8, 4]: the kernel's entries.
            let rowTerms = c.rowTerms.map { $0.isFinite ? $0 - 3 : -3 }, columnTerms = c.columnTerms.map { $0.isFinite ? $0 - 3 : -.infinity }
            var plan = [Float](repeating: .nan, count: n * m)
            Kernels.sinkhornPlan(level: level, cost: c.cost, rows: n, columns: m, leadingDimension: m, rowTerms: rowTerms, columnTerms: columnTerms,
                                 scale: 1, into: &plan)
            for i in 0..<n { for j in 0..<m {
                let exponent = rowTerms[i] + columnTerms[j] - Double(c.cost[i * m + j]), exact = Foundation.exp(exponent)
                // The exponent is rounded to Float32 (half an ulp: 6e-8·|x|) before exp's 2e-7.
                #expect(exact == 0 ? plan[i * m + j] == 0 : abs(Double(plan[i * m + j]) - exact) <= (3e-7 + 6e-8 * abs(exponent)) * exact, "plan[\(i), \(j)] at \(level): \(plan[i * m + j]), exact \(exact)")
            } }
            var generator = RandomGenerator(seed: UInt64(index + 40))
            let (w, v) = ((0..<m).map { _ in generator.nextUniform() }, (0..<n).map { _ in generator.nextUniform() })
            var (rows, columns) = ([Double](repeating: .nan, count: n), [Double](repeating: .nan, count: m))
            Kernels.multiplyRows(level: level, kernel: plan, rows: n, columns: m, leadingDimension: m, by: w, into: &rows)
            Kernels.multiplyColumns(level: level, kernel: plan, rows: n, columns: m, leadingDimension: m, by: v, into: &columns)
            for i in 0..<n {
                let exact = (0..<m).reduce(0.0) { $0 + Double(plan[i * m + $1]) * Double(w[$1]) }
                #expect(abs(rows[i] - exact) <= 1e-6 * exact, "(K·w)[\(i)] at \(level): \(rows[i]), exact \(exact)")
            }
            for j in 0..<m {
                let exact = (0..<n).reduce(0.0) { $0 + Double(plan[$1 * m + j]) * Double(v[$1]) }
                #expect(abs(columns[j] - exact) <= 1e-6 * max(exact, 1e-30), "(Kᵀ·v)[\(j)] at \(level): \(columns[j]), exact \(exact)")
            }
        }
    }
}
