import Collectives
import Tensors

/// One Lloyd iteration's pass over the data: each sample's nearest centroid and squared
/// distance, and each cluster's sum and count.
struct LloydPass {
    var labels: [Int]
    var distances: [Double]
    /// `k × D` sums of the samples of each cluster, in Double.
    var sums: [Double]
    var counts: [Int]
    let clusters: Int
}

extension KMeans {
    /// Row blocks whose cluster sums are kept apart and added in block order at the end: a fixed
    /// number, not one per thread, so the centroids do not depend on the thread count.
    static let lloydBlocks = 8
    /// Rows per chunk: distances, assignment and sums of one chunk run while it is in L2.
    static let lloydChunkRows = 256
    /// Up to this many centroids, distances come from a direct kernel that reads each sample
    /// once (a GEMM with so few columns spends its time re-packing the samples).
    static let directDistanceLimit = 16

    /// Assignment and update sums in one pass over the samples (`n × D`), chunk by chunk, so each
    /// sample is read from memory once per iteration instead of once for a GEMM's packing, once
    /// for its product and once for the sums.
    static func lloydPass(_ samples: Tensor, _ squaredNorms: [Double], _ centroids: Tensor) -> LloydPass {
        let (n, d, k) = (samples.shape[0], samples.shape[1], centroids.shape[0])
        let blocks = Swift.min(lloydBlocks, n)
        var pass = LloydPass(labels: [Int](repeating: 0, count: n), distances: [Double](repeating: 0, count: n),
                             sums: [Double](repeating: 0, count: k * d), counts: [Int](repeating: 0, count: k), clusters: k)
        var partialSums = [Double](repeating: 0, count: blocks * k * d), partialCounts = [Int](repeating: 0, count: blocks * k)
        let centroidNorms = rowSquaredNorms(centroids)
        let settings = ComputeSettings.current
        let single = ComputeSettings(backend: settings.backend, threads: 1, cpuLevel: settings.cpuLevel)
        let level = settings.cpuLevel
        let workers = Swift.max(1, Swift.min(settings.threads, blocks, n * d * k / (1 << 18) + 1))
        samples.withUnsafeBufferPointer { x in
            centroids.withUnsafeBufferPointer { c in
                pass.labels.withUnsafeMutableBufferPointer { labels in
                    pass.distances.withUnsafeMutableBufferPointer { distances in
                        partialSums.withUnsafeMutableBufferPointer { sums in
                            partialCounts.withUnsafeMutableBufferPointer { counts in
                                let addresses = [x.baseAddress, c.baseAddress].map { UInt(bitPattern: $0) }
                                let outputs = (UInt(bitPattern: labels.baseAddress), UInt(bitPattern: distances.baseAddress),
                                               UInt(bitPattern: sums.baseAddress), UInt(bitPattern: counts.baseAddress))
                                forEachPart(workers, settings: settings) { worker in
                                    let x = UnsafePointer<Float>(bitPattern: addresses[0])!, c = UnsafePointer<Float>(bitPattern: addresses[1])!
                                    let labels = UnsafeMutablePointer<Int>(bitPattern: outputs.0)!
                                    let distances = UnsafeMutablePointer<Double>(bitPattern: outputs.1)!
                                    var scores = [Float](repeating: 0, count: lloydChunkRows * k)
                                    for block in stride(from: worker, to: blocks, by: workers) {
                                        let sums = UnsafeMutablePointer<Double>(bitPattern: outputs.2)! + block * k * d
                                        let counts = UnsafeMutablePointer<Int>(bitPattern: outputs.3)! + block * k
                                        for start in stride(from: n * block / blocks, to: n * (block + 1) / blocks, by: lloydChunkRows) {
                                            let rows = Swift.min(lloydChunkRows, n * (block + 1) / blocks - start)
                                            let chunk = x + start * d
                                            scores.withUnsafeMutableBufferPointer { scores in
                                                let s = scores.baseAddress!
                                                if k <= directDistanceLimit {
                                                    Kernels.squaredDistances(level: level, samples: chunk, rows: rows, features: d, centres: c, centreCount: k, into: s)
                                                } else {
                                                    gemm(transposeA: false, transposeB: true, m: rows, n: k, k: d, alpha: 1, a: chunk, lda: d,
                                                         b: c, ldb: d, beta: 0, c: s, ldc: k, settings: single)
                                                }
                                                for r in 0..<rows {
                                                    var bestIndex = 0, bestDistance = Double.infinity
                                                    for j in 0..<k {
                                                        // Direct: ‖x − c‖²; through GEMM: ‖c‖² − 2x·c, ‖x‖² added after.
                                                        let distance = k <= directDistanceLimit ? Double(s[r * k + j]) : centroidNorms[j] - 2 * Double(s[r * k + j])
                                                        if distance < bestDistance { bestDistance = distance; bestIndex = j }
                                                    }
                                                    labels[start + r] = bestIndex
                                                    distances[start + r] = Swift.max(k <= directDistanceLimit ? bestDistance : bestDistance + squaredNorms[start + r], 0)
                                                }
                                            }
                                            Kernels.clusterSums(level: level, samples: chunk, rows: rows, features: d, labels: labels + start, sums: sums, counts: counts)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for block in 0..<blocks {
            for i in 0..<(k * d) { pass.sums[i] += partialSums[block * k * d + i] }
            for j in 0..<k { pass.counts[j] += partialCounts[block * k + j] }
        }
        return pass
    }

    /// The mean of each cluster (in Double). An empty cluster takes the sample farthest from
    /// its own centroid, which lowers the inertia, so it never rises from one iteration to the
    /// next.
    static func means(_ pass: LloydPass, _ samples: Tensor) -> Tensor {
        let (k, d) = (pass.clusters, samples.shape[1])
        var result = [Float](repeating: 0, count: k * d)
        for c in 0..<k where pass.counts[c] > 0 {
            for j in 0..<d { result[c * d + j] = Float(pass.sums[c * d + j] / Double(pass.counts[c])) }
        }
        let empty = (0..<k).filter { pass.counts[$0] == 0 }
        if !empty.isEmpty {
            let farthest = pass.distances.indices.sorted { pass.distances[$0] > pass.distances[$1] }
            for (c, donor) in zip(empty, farthest) {
                for j in 0..<d { result[c * d + j] = samples[donor, j] }
            }
        }
        return try! Tensor(shape: [k, d], scalars: result)
    }
}
