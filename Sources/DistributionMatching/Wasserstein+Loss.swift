import Foundation
import Tensors

extension Wasserstein {
    /// The 1-D optimal coupling of sorted samples as (i, j, mass) triples: the quantile walk of
    /// ``oneDimensional(_:_:p:)``, indices into the sorted orders.
    static func quantileCoupling(n: Int, m: Int) -> [(i: Int, j: Int, mass: Double)] {
        var (i, j, t) = (0, 0, 0)
        var coupling: [(i: Int, j: Int, mass: Double)] = []
        coupling.reserveCapacity(n + m)
        while i < n && j < m {
            let next = Swift.min((i + 1) * m, (j + 1) * n)
            coupling.append((i, j, Double(next - t) / Double(n * m)))
            t = next
            if (i + 1) * m == next { i += 1 }
            if (j + 1) * n == next { j += 1 }
        }
        return coupling
    }

    /// SW₂² = the mean over `directions` (`P × d`, unit rows) of W₂² between the projections of
    /// the rows of `x` and `y`, as a graph node: on each line the optimal coupling is the sorted
    /// order, so ∂/∂(θ·xᵢ) = 2·Σⱼ πᵢⱼ(θ·xᵢ − θ·yⱼ)/P with π the quantile coupling, carried back
    /// to xᵢ along θ (Bonneel et al. 2015, §4). The square, not the root: its gradient stays
    /// finite when the sets coincide.
    public static func slicedLoss(_ x: Variable, _ y: Variable, directions: Tensor) throws -> Variable {
        guard x.shape.count == 2, y.shape.count == 2, x.shape[1] == y.shape[1], directions.rank == 2, directions.columns == x.shape[1],
              x.shape[0] >= 1, y.shape[0] >= 1, directions.rows >= 1 else {
            throw MatchingError("a sliced Wasserstein loss needs n × d and m × d sets and P × d directions; got \(x.shape), \(y.shape), \(directions.shape)")
        }
        let (n, m, projections) = (x.shape[0], y.shape[0], directions.rows)
        let (px, py) = (matmul(x.value, directions, transposeB: true), matmul(y.value, directions, transposeB: true))  // n × P, m × P
        let coupling = quantileCoupling(n: n, m: m)
        var total = 0.0
        var (gx, gy) = ([Float](repeating: 0, count: n * projections), [Float](repeating: 0, count: m * projections))
        for k in 0..<projections {
            let orderX = (0..<n).sorted { px[$0, k] < px[$1, k] }, orderY = (0..<m).sorted { py[$0, k] < py[$1, k] }
            for (i, j, mass) in coupling {
                let (a, b) = (orderX[i], orderY[j])
                let difference = Double(px[a, k]) - Double(py[b, k])
                total += mass * difference * difference
                let slope = Float(2 * mass * difference / Double(projections))
                gx[a * projections + k] += slope
                gy[b * projections + k] -= slope
            }
        }
        let (gradientX, gradientY) = (try Tensor(shape: [n, projections], scalars: gx), try Tensor(shape: [m, projections], scalars: gy))
        return Variable(Tensor(Float(total / Double(projections))), parents: [x, y]) { g in
            [x.requiresGradient ? matmul(gradientX, directions) * g.scalar : nil, y.requiresGradient ? matmul(gradientY, directions) * g.scalar : nil]
        }
    }
}
