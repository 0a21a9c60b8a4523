import Tensors
import Testing

/// Nearest centres and cluster sums, the vector quantiser's operations: each agrees with the
/// definition computed the slow way, and none depends on the thread count.
@Suite struct NearestCentresAndClusterSums {
    /// ‖x − c‖² in Double, straight from the definition.
    static func distance(_ x: Tensor, _ i: Int, _ c: Tensor, _ j: Int) -> Double {
        (0..<x.columns).reduce(0.0) { total, f in let t = Double(x[i, f]) - Double(c[j, f]); return total + t * t }
    }

    /// Few centres (the direct kernel) and many (GEMM), on odd sizes.
    @Test(arguments: [(rows: 301, features: 7, centres: 5), (rows: 700, features: 33, centres: 40), (rows: 9, features: 3, centres: 9)])
    func theNearestCentreIsTheClosest(_ size: (rows: Int, features: Int, centres: Int)) {
        var generator = RandomGenerator(seed: 11)
        let x = Tensor.randomNormal([size.rows, size.features], using: &generator)
        let c = Tensor.randomNormal([size.centres, size.features], using: &generator)
        let nearest = x.nearestCentres(c, rowSquaredNorms: x.rowSquaredNorms())
        for i in 0..<size.rows {
            let distances = (0..<size.centres).map { Self.distance(x, i, c, $0) }
            let best = distances.min()!
            // Within Float rounding of the true minimum, and the distance reported is the chosen one's.
            #expect(distances[nearest.indices[i]] <= best + 1e-4 * (1 + best), "row \(i)")
            #expect(abs(nearest.squaredDistances[i] - distances[nearest.indices[i]]) <= 1e-3 * (1 + best), "row \(i)")
        }
        let fused = x.nearestCentresWithSums(c, rowSquaredNorms: x.rowSquaredNorms())
        #expect(fused.nearest.indices.count == size.rows)
        if size.centres <= Tensor.directDistanceLimit { #expect(fused.nearest == nearest) }
        // The sums are those of the rows of each cluster.
        let summed = x.clusterSums(labels: fused.nearest.indices, clusters: size.centres)
        #expect(summed.counts == fused.sums.counts && summed.counts.reduce(0, +) == size.rows)
        for (a, b) in zip(summed.sums, fused.sums.sums) { #expect(abs(a - b) <= 1e-9 * (1 + abs(a))) }
    }

    /// The same rows, centres and settings but another thread count: the same bits.
    @Test(arguments: [3, 30])
    func threadsChangeNothing(_ centres: Int) {
        var generator = RandomGenerator(seed: 5)
        let x = Tensor.randomNormal([5_000, 20], using: &generator), c = Tensor.randomNormal([centres, 20], using: &generator)
        let norms = x.rowSquaredNorms()
        let one = ComputeSettings(backend: .builtIn(.detected), threads: 1), two = ComputeSettings(backend: .builtIn(.detected), threads: 2)
        let (a, b) = (x.nearestCentresWithSums(c, rowSquaredNorms: norms, settings: one), x.nearestCentresWithSums(c, rowSquaredNorms: norms, settings: two))
        #expect(a.nearest == b.nearest && a.sums == b.sums)
        #expect(x.nearestCentres(c, rowSquaredNorms: norms, settings: one) == x.nearestCentres(c, rowSquaredNorms: norms, settings: two))
    }

    /// Ranked in Float: the nearest up to Float rounding; rows beyond the limit belong to none.
    @Test func rankedInFloatTrimsRowsBeyondTheLimit() {
        var generator = RandomGenerator(seed: 9)
        let x = Tensor.randomNormal([400, 6], using: &generator), c = Tensor.randomNormal([7, 6], using: &generator)
        let centreNorms = (0..<7).map { j in (0..<6).reduce(0.0) { $0 + Double(c[j, $1]) * Double(c[j, $1]) } }
        let all = x.nearestCentresRankedInFloat(c, centreSquaredNorms: centreNorms, rowSquaredNorms: x.rowSquaredNorms())
        let limit = 2.0
        let trimmed = x.nearestCentresRankedInFloat(c, centreSquaredNorms: centreNorms, rowSquaredNorms: x.rowSquaredNorms(), beyond: limit)
        for i in 0..<400 {
            let best = (0..<7).map { Self.distance(x, i, c, $0) }.min()!
            #expect(abs(all.squaredDistances[i] - best) <= 1e-4 * (1 + best))
            #expect(trimmed.indices[i] == (all.squaredDistances[i] > limit ? -1 : all.indices[i]))
        }
        #expect(trimmed.indices.contains(-1) && trimmed.indices.contains { $0 >= 0 })
        // Rows in no cluster are left out of the sums.
        let sums = x.clusterSums(labels: trimmed.indices, clusters: 7)
        #expect(sums.counts.reduce(0, +) == trimmed.indices.filter { $0 >= 0 }.count)
    }

    /// The one-pass kernel behind `nearestCentresRankedInFloat` against what it replaces, the GEMM
    /// of the rows against the centres then a scan of each row of products (first strict least
    /// score wins), bit for bit at every level: one centre, fewer than a vector, a vector and one
    /// more, more than the centres the kernel holds in registers at once, and ties (repeated
    /// centres: the lowest index wins).
    @Test(arguments: CPULevel.supported)
    func rankedInFloatIsTheProductsThenTheScan(level: CPULevel) {
        let settings = ComputeSettings(backend: .builtIn(level), threads: 1, cpuLevel: level)
        var generator = RandomGenerator(seed: 12)
        for (k, d) in [(1, 3), (5, 1), (16, 10), (17, 10), (100, 10), (300, 7), (40, 256)] {
            let x = Tensor.randomNormal([301, d], using: &generator)
            var c = Tensor.randomNormal([k, d], using: &generator)
            // Ties with centre 1: a vector's width apart at every level (the same lane) and at the end.
            for twin in [5, 9, 17, 33, k - 1] where twin > 1 && twin < k { for f in 0..<d { c[twin, f] = c[1, f] } }
            let norms = (0..<k).map { j in (0..<d).reduce(0.0) { $0 + Double(c[j, $1]) * Double(c[j, $1]) } }
            let rowNorms = x.rowSquaredNorms()
            for limit in [Double.infinity, Double(d)] {
                let fast = x.nearestCentresRankedInFloat(c, centreSquaredNorms: norms, rowSquaredNorms: rowNorms, beyond: limit, settings: settings)
                let products = matmul(x, c, transposeB: true, settings: settings)
                for i in 0..<x.rows {
                    var best = 0, bestScore = Float.infinity
                    for j in 0..<k {
                        let score = Float(norms[j]) - 2 * products[i, j]
                        if score < bestScore { (best, bestScore) = (j, score) }
                    }
                    let squared = max(0, Double(Float(norms[best])) - 2 * Double(products[i, best]) + rowNorms[i])
                    let same = fast.indices[i] == (squared > limit ? -1 : best) && fast.squaredDistances[i].bitPattern == squared.bitPattern
                    #expect(same, "\(level) k \(k) d \(d) limit \(limit) row \(i)")
                }
            }
        }
    }

    @Test func distancesToAPointAndToFewCentresAreTheDefinition() {
        var generator = RandomGenerator(seed: 2)
        let x = Tensor.randomNormal([50, 9], using: &generator), c = Tensor.randomNormal([4, 9], using: &generator)
        let direct = x.squaredDistances(to: c)
        #expect(direct.shape == [50, 4])
        for i in 0..<50 { for j in 0..<4 { #expect(abs(Double(direct[i, j]) - Self.distance(x, i, c, j)) <= 1e-4 * (1 + Self.distance(x, i, c, j))) } }
        let point = (0..<9).map { Double(c[1, $0]) }
        for (i, squared) in x.squaredDistances(toPoint: point).enumerated() { #expect(abs(squared - Self.distance(x, i, c, 1)) <= 1e-12 * (1 + squared)) }
        #expect(x.rowSquaredNorms() == (0..<50).map { i in (0..<9).reduce(0.0) { $0 + Double(x[i, $1]) * Double(x[i, $1]) } })
    }
}
