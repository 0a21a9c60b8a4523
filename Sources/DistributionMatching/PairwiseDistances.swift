import Tensors

/// Calls `body(i, row)` for each row i of `a` in order, `row` holding ‖aᵢ − bⱼ‖² for every row j
/// of `b` (`a: n × d`, `b: m × d`): Double, from GEMM on blocks of `a` (about 4 M distances at a
/// time, so memory stays bounded for any n), never negative.
public func forEachSquaredDistance(_ a: Tensor, _ b: Tensor, _ body: (Int, [Double]) -> Void) {
    precondition(a.rank == 2 && b.rank == 2 && a.columns == b.columns, "squared distances need n × d and m × d, got \(a.shape) and \(b.shape)")
    let (aNorms, bNorms) = (rowSquaredNorms(a), rowSquaredNorms(b))
    let m = b.rows
    let block = max(1, (1 << 22) / max(m, 1))
    var row = [Double](repeating: 0, count: m)
    for start in stride(from: 0, to: a.rows, by: block) {
        let rows = start..<min(start + block, a.rows)
        let products = matmul(a.rows(rows), b, transposeB: true)
        products.withUnsafeBufferPointer { p in
            for (offset, i) in rows.enumerated() {
                for j in 0..<m { row[j] = Swift.max(aNorms[i] + bNorms[j] - 2 * Double(p[offset * m + j]), 0) }
                body(i, row)
            }
        }
    }
}

/// ‖xᵢ‖² of each row, in Double.
public func rowSquaredNorms(_ x: Tensor) -> [Double] {
    let d = x.columns
    return x.withUnsafeBufferPointer { p in
        (0..<x.rows).map { i in (0..<d).reduce(0.0) { $0 + Double(p[i * d + $1]) * Double(p[i * d + $1]) } }
    }
}

/// The median of the pairwise distances among the rows of `points` (a seeded subset of `limit`
/// rows when there are more); 1 when all coincide: the median heuristic for a kernel's bandwidth
/// (Gretton et al. 2012, §8).
public func medianPairwiseDistance(_ points: Tensor, limit: Int = 1000, using generator: inout RandomGenerator) -> Double {
    var subset = points
    if points.rows > limit { subset = points.gatherRows(Array(generator.permutation(points.rows).prefix(limit))) }
    var distances: [Double] = []
    forEachSquaredDistance(subset, subset) { i, row in
        for j in (i + 1)..<max(row.count, i + 1) { distances.append(row[j].squareRoot()) }
    }
    guard !distances.isEmpty else { return 1 }
    distances.sort()
    let median = distances[distances.count / 2]
    return median > 0 ? median : 1
}
