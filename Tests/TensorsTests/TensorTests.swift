import Foundation
import Synchronization
import Tensors
import TestSupport
import Testing

@Suite struct TensorConstruction {
    @Test func shapeAndCountMustAgree() {
        #expect(throws: TensorError.countMismatch(shape: [2, 3], count: 5)) { try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5]) }
        #expect(throws: TensorError.self) { try Tensor(shape: [-1, 3], scalars: []) }
        #expect(throws: TensorError.self) { try Tensor(shape: [Int.max, 3], scalars: []) }
    }

    @Test func emptyTensorsAreValid() throws {
        let empty = try Tensor(shape: [0, 4], scalars: [])
        #expect(empty.count == 0 && empty.rows == 0 && empty.columns == 4)
        #expect(empty.sum() == 0)
        #expect((empty + Tensor([1, 2, 3, 4])).shape == [0, 4])
    }

    @Test func valueSemanticsCopyOnWrite() {
        let a = Tensor([[1, 2], [3, 4]])
        var b = a
        b[0, 0] = 10
        #expect(a[0, 0] == 1 && b[0, 0] == 10)
    }

    @Test func checkFiniteNamesThePosition() {
        let t = Tensor([[1, 2], [3, -1]]).log()  // log(−1) = NaN at row 1, column 1
        #expect(throws: TensorError.self) { try t.checkFinite("log") }
        do { try t.checkFinite("log of data") } catch {
            #expect("\(error)".contains("row 1, column 1"))
            #expect("\(error)".contains("log of data"))
        }
    }

    @Test func shapeMismatchStopsWithBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor([[1, 2, 3]]) + Tensor([[1, 2], [3, 4]])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("[1, 3]") && message.contains("[2, 2]"), "message was: \(message)")
    }
}

@Suite struct Chunks {
    @Test(arguments: [0, 1, 1000, 100_000, 1_000_003])
    func chunksCoverEveryIndexOnce(count: Int) {
        let seen = Mutex([Range<Int>]())
        forEachChunk(of: count, minimumChunk: 1000, settings: ComputeSettings(backend: .builtIn(.baseline), threads: 3)) { range in
            seen.withLock { $0.append(range) }
        }
        let ranges = seen.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
        #expect(ranges.first?.lowerBound ?? 0 == 0 && ranges.last?.upperBound ?? 0 == count)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        #expect(ranges.count <= 3)
    }
}

@Suite struct BadShapes {
    @Test func emptyReductionsStopWithTheShape() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([0, 3]).mean()
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("empty") && message.contains("[0, 3]"), "message was: \(message)")
    }

    @Test func raggedRowsStopWithBothLengths() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor([[1, 2], [3]])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("ragged") && message.contains("row 1 has 1"), "message was: \(message)")
    }

    @Test func reshapeToAnotherCountStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).reshaped([4, 2])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("[2, 3]") && message.contains("[4, 2]"), "message was: \(message)")
    }
}

@Suite struct Broadcasting {
    @Test func rowVectorOverMatrix() {
        let m = Tensor([[1, 2, 3], [4, 5, 6]])
        #expect(m + Tensor([10, 20, 30]) == Tensor([[11, 22, 33], [14, 25, 36]]))
        #expect((m - Tensor([[1, 1, 1]])) == Tensor([[0, 1, 2], [3, 4, 5]]))
    }

    @Test func columnOverMatrixAndScalars() throws {
        let m = Tensor([[1, 2], [3, 4]])
        let column = try Tensor(shape: [2, 1], scalars: [10, 100])
        #expect(m * column == Tensor([[10, 20], [300, 400]]))
        #expect(m / Tensor(2) == Tensor([[0.5, 1], [1.5, 2]]))
        #expect(2 - m == Tensor([[1, 0], [-1, -2]]))
    }

    @Test func rankThreeAgainstMatrix() throws {
        let a = try Tensor(shape: [2, 2, 3], scalars: (0..<12).map(Float.init))
        let b = try Tensor(shape: [2, 1], scalars: [100, 200])
        let c = a + b
        #expect(c.shape == [2, 2, 3])
        #expect(c.scalars[0..<6] == [100, 101, 102, 203, 204, 205])
    }

    @Test func summedToShapeIsTheAdjoint() throws {
        let g = Tensor([[1, 2, 3], [4, 5, 6]])
        #expect(g.summed(toShape: [3]) == Tensor([5, 7, 9]))
        #expect(g.summed(toShape: [2, 1]) == (try Tensor(shape: [2, 1], scalars: [6, 15])))
        #expect(g.summed(toShape: []) == Tensor(21))
    }

    @Test func incompatibleShapesAreDetected() {
        #expect(broadcastShape([2, 3], [3, 2]) == nil)
        #expect(broadcastShape([5, 1, 4], [3, 1]) == [5, 3, 4])
    }
}

@Suite struct Reductions {
    @Test func sumsAccumulateInDouble() {
        // 2²⁴ + 1 ones: a Float accumulator stops at 16 777 216.
        let count = (1 << 24) + 8
        let t = Tensor(repeating: 1, shape: [count])
        #expect(t.sumInDouble() == Double(count))
    }

    @Test func alongAxes() {
        let m = Tensor([[1, 5, 3], [4, 2, 6]])
        #expect(m.sum(alongAxis: 0) == Tensor([5, 7, 9]))
        #expect(m.sum(alongAxis: 1) == Tensor([9, 12]))
        #expect(m.mean(alongAxis: 1) == Tensor([3, 4]))
        #expect(m.max(alongAxis: 0) == Tensor([4, 5, 6]))
        #expect(m.min(alongAxis: 1) == Tensor([1, 2]))
        #expect(m.argmaxPerRow() == [1, 2])
        #expect(m.argminPerRow() == [0, 1])
    }

    @Test func logSumExpIsStable() {
        let m = Tensor([[1000, 1000], [-1000, -1000]])
        let l = m.logSumExp(alongAxis: 1)
        #expect(abs(l.scalars[0] - (1000 + log(2))) < 1e-3)
        #expect(abs(l.scalars[1] - (-1000 + log(2))) < 1e-3)
    }
}

@Suite struct Indexing {
    let m = Tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]])

    @Test func rowsGatherConcatenate() {
        #expect(m.rows(1..<3) == Tensor([[4, 5, 6], [7, 8, 9]]))
        #expect(m.gatherRows([2, 0, 2]) == Tensor([[7, 8, 9], [1, 2, 3], [7, 8, 9]]))
        #expect(Tensor.concatenate([m.rows(0..<1), m.rows(2..<3)]) == Tensor([[1, 2, 3], [7, 8, 9]]))
        #expect(Tensor.concatenate([m.columns(0..<1), m.columns(2..<3)], alongAxis: 1) == Tensor([[1, 3], [4, 6], [7, 9]]))
        #expect(m.row(1) == Tensor([4, 5, 6]))
    }

    @Test(arguments: [(1, 1), (3, 5), (33, 65), (100, 7)])
    func transposeTwiceIsIdentity(rows: Int, columns: Int) {
        let t = randomTensor([rows, columns], seed: 3)
        #expect(t.transposed().transposed() == t)
        #expect(t.transposed()[columns - 1, 0] == t[0, columns - 1])
    }
}

@Suite struct Math {
    @Test func sigmoidKernelMatchesDefinition() {
        let x = Tensor((-400...400).map { Float($0) * 0.25 })
        let reference = x.scalars.map { 1 / (1 + Foundation.exp(-Double($0))) }
        for level in CPULevel.supported {
            let y = x.sigmoid(level: level)
            for (value, expected) in zip(y.scalars, reference) {
                #expect(abs(Double(value) - expected) <= 2e-7 + 1e-6 * expected, "level \(level)")
            }
        }
    }

    @Test func softplusNeverOverflows() {
        let y = Tensor([-100, 0, 100]).softplus()
        #expect(y.scalars[0] >= 0 && y.scalars[0] < 1e-30)
        #expect(abs(y.scalars[1] - log(2)) < 1e-6)
        #expect(y.scalars[2] == 100)
    }

    @Test func approximateEquality() {
        let a = Tensor([1, 2, 3])
        #expect(a.isApproximatelyEqual(to: a + 1e-7))
        #expect(!a.isApproximatelyEqual(to: a + 1e-2))
        #expect(!a.isApproximatelyEqual(to: Tensor([[1, 2, 3]])))
        #expect(!Tensor([Float.nan]).isApproximatelyEqual(to: Tensor([Float.nan])))
    }
}

/// Reductions along an axis on tensors large enough to be split across threads: each output
/// is summed over the axis in order, so they equal a plain loop exactly.
@Suite struct LargeAxisReductions {
    @Test(arguments: [[300, 2000], [2000, 300], [3, 400, 500]])
    func matchPlainLoops(shape: [Int]) {
        let x = randomTensor(shape, seed: UInt64(shape.count))
        for axis in shape.indices {
            let outer = shape[..<axis].reduce(1, *), length = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
            var sums = [Double](repeating: 0, count: outer * inner), maxima = [Float](repeating: -.infinity, count: outer * inner)
            for o in 0..<outer {
                for l in 0..<length {
                    for i in 0..<inner {
                        let value = x.scalars[(o * length + l) * inner + i]
                        sums[o * inner + i] += Double(value)
                        maxima[o * inner + i] = max(maxima[o * inner + i], value)
                    }
                }
            }
            #expect(x.sum(alongAxis: axis).scalars == sums.map { Float($0) }, "sum along \(axis) of \(shape)")
            #expect(x.mean(alongAxis: axis).scalars == sums.map { Float($0 / Double(length)) }, "mean along \(axis) of \(shape)")
            #expect(x.max(alongAxis: axis).scalars == maxima, "max along \(axis) of \(shape)")
        }
    }
}
