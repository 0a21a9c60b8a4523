import CLatentKernels

/// Each row's nearest centre and its squared distance: a vector quantiser's ENCODE (k-means'
/// assignment, a principal graph's partition of the points among its nodes).
public struct NearestCentres: Sendable, Equatable {
    /// The nearest centre of each row (the lowest index wins a tie); −1 where even the nearest
    /// lies beyond the limit asked for.
    public var indices: [Int]
    /// ‖xᵢ − c‖² to that centre, in Double, at least 0.
    public var squaredDistances: [Double]

    public init(indices: [Int], squaredDistances: [Double]) {
        (self.indices, self.squaredDistances) = (indices, squaredDistances)
    }
}

/// The rows of each cluster summed and counted: Sⱼ = Σ_{i: label i = j} xᵢ (in Double) and nⱼ,
/// the sufficient statistics of a centroid update (k-means' means, a principal graph's solve).
public struct ClusterSums: Sendable, Equatable {
    /// `clusters × features`, row-major.
    public var sums: [Double]
    public var counts: [Int]
    public let clusters: Int
    public let features: Int

    /// Empty sums of `clusters` clusters of `features` columns.
    public init(clusters: Int, features: Int) {
        (self.clusters, self.features) = (clusters, features)
        sums = [Double](repeating: 0, count: clusters * features)
        counts = [Int](repeating: 0, count: clusters)
    }

    /// Adds `other`'s sums and counts (of the same clusters and features) to these.
    public mutating func add(_ other: ClusterSums) {
        precondition(other.clusters == clusters && other.features == features, "ClusterSums.add: \(other.clusters) × \(other.features) to \(clusters) × \(features)")
        for i in sums.indices { sums[i] += other.sums[i] }
        for j in counts.indices { counts[j] += other.counts[j] }
    }
}

extension Tensor {
    /// Up to this many centres, distances come from a direct kernel that reads each row once
    /// and computes ‖x − c‖² without cancellation (a GEMM with so few columns spends its time
    /// re-packing the rows).
    public static let directDistanceLimit = 16
    /// Row blocks whose cluster sums are kept apart and added in block order at the end: a fixed
    /// number, not one per thread, so the sums do not depend on the thread count.
    static let clusterSumBlocks = 8
    /// Rows per chunk: distances, assignment and sums of one chunk run while it is in L2.
    static let nearestChunkRows = 256

    /// ‖xᵢ‖² of each row (`n × D` → n values), in Double.
    public func rowSquaredNorms() -> [Double] {
        precondition(rank == 2, "rowSquaredNorms: needs a matrix, got shape \(shape)")
        let d = columns
        return withUnsafeBufferPointer { x in
            (0..<rows).map { i in
                var total = 0.0
                for j in 0..<d { let v = Double(x[i * d + j]); total += v * v }
                return total
            }
        }
    }

    /// ‖xᵢ − p‖² of every row (`n × D`) to one point `p` given in Double, computed in Double.
    public func squaredDistances(toPoint point: [Double]) -> [Double] {
        precondition(rank == 2 && point.count == columns, "squaredDistances(toPoint:): rows \(shape) and a point of \(point.count)")
        let d = columns
        return withUnsafeBufferPointer { x in
            (0..<rows).map { i in
                var squared = 0.0
                for c in 0..<d { let t = Double(x[i * d + c]) - point[c]; squared += t * t }
                return squared
            }
        }
    }

    /// ‖xᵢ − cⱼ‖² of every row (`n × D`) to every centre (`t × D`, t ≤ ``directDistanceLimit``):
    /// `n × t`, each computed directly in Float (no cancellation), split by rows across threads.
    public func squaredDistances(to centres: Tensor, settings: ComputeSettings = .current) -> Tensor {
        precondition(rank == 2 && centres.rank == 2 && centres.columns == columns, "squaredDistances: rows \(shape) and centres \(centres.shape)")
        precondition(centres.rows <= Self.directDistanceLimit, "squaredDistances takes at most \(Self.directDistanceLimit) centres, got \(centres.rows)")
        let (n, d, t) = (rows, columns, centres.rows)
        let level = settings.cpuLevel
        var out = [Float](repeating: 0, count: n * t)
        withUnsafeBufferPointer { x in
            centres.withUnsafeBufferPointer { c in
                out.withUnsafeMutableBufferPointer { o in
                    let (ux, uc, uo) = (UInt(bitPattern: x.baseAddress), UInt(bitPattern: c.baseAddress), UInt(bitPattern: o.baseAddress))
                    forEachChunk(of: n, minimumChunk: 1024, settings: settings) { rows in
                        Kernels.squaredDistances(level: level, samples: UnsafePointer<Float>(bitPattern: ux)! + rows.lowerBound * d, rows: rows.count,
                                                 features: d, centres: UnsafePointer<Float>(bitPattern: uc)!, centreCount: t,
                                                 into: UnsafeMutablePointer<Float>(bitPattern: uo)! + rows.lowerBound * t)
                    }
                }
            }
        }
        return try! Tensor(shape: [n, t], scalars: out)
    }

    /// The nearest of `centres` (`k × D`) to each row (`n × D`; `rowSquaredNorms`: its
    /// ``rowSquaredNorms()``, read only for k > ``directDistanceLimit``): up to that many
    /// centres the direct distances of ``nearestCentresWithSums(_:rowSquaredNorms:settings:)``
    /// (so the two agree on ties), beyond it ‖c‖² − 2x·c by one GEMM, ranked in Double, and
    /// ‖x‖² added to the best.
    public func nearestCentres(_ centres: Tensor, rowSquaredNorms: [Double], settings: ComputeSettings = .current) -> NearestCentres {
        let (n, k) = (rows, centres.rows)
        guard k > Self.directDistanceLimit else { return nearestCentresWithSums(centres, rowSquaredNorms: rowSquaredNorms, settings: settings).nearest }
        let centreNorms = centres.rowSquaredNorms()
        let products = matmul(self, centres, transposeB: true)  // n × k
        var labels = [Int](repeating: 0, count: n), distances = [Double](repeating: 0, count: n)
        products.withUnsafeBufferPointer { p in
            labels.withUnsafeMutableBufferPointer { l in
                distances.withUnsafeMutableBufferPointer { out in
                    let (up, ul, uo) = (UInt(bitPattern: p.baseAddress), UInt(bitPattern: l.baseAddress), UInt(bitPattern: out.baseAddress))
                    forEachChunk(of: n, minimumChunk: Swift.max(1, (1 << 15) / k), settings: settings) { rows in
                        let p = UnsafePointer<Float>(bitPattern: up)!
                        let (labels, distances) = (UnsafeMutablePointer<Int>(bitPattern: ul)!, UnsafeMutablePointer<Double>(bitPattern: uo)!)
                        for i in rows {
                            var bestIndex = 0, bestDistance = Double.infinity
                            for j in 0..<k {
                                let distance = centreNorms[j] - 2 * Double(p[i * k + j])
                                if distance < bestDistance { bestDistance = distance; bestIndex = j }
                            }
                            labels[i] = bestIndex
                            distances[i] = Swift.max(bestDistance + rowSquaredNorms[i], 0)
                        }
                    }
                }
            }
        }
        return NearestCentres(indices: labels, squaredDistances: distances)
    }

    /// ``nearestCentres(_:rowSquaredNorms:settings:)`` and the rows' ``ClusterSums`` by their
    /// nearest centre, in one pass over the rows, chunk by chunk, so each row is read from memory
    /// once (instead of once for a GEMM's packing, once for its product and once for the sums):
    /// one Lloyd iteration's work. Rows go in eight (`clusterSumBlocks`) fixed blocks whose sums are
    /// added in block order, so the sums do not depend on the threads.
    public func nearestCentresWithSums(_ centres: Tensor, rowSquaredNorms: [Double],
                                       settings: ComputeSettings = .current) -> (nearest: NearestCentres, sums: ClusterSums) {
        let (n, d, k) = (rows, columns, centres.rows)
        let blocks = Swift.min(Self.clusterSumBlocks, n)
        var labels = [Int](repeating: 0, count: n), distances = [Double](repeating: 0, count: n)
        var partialSums = [Double](repeating: 0, count: blocks * k * d), partialCounts = [Int](repeating: 0, count: blocks * k)
        let centreNorms = centres.rowSquaredNorms()
        let single = ComputeSettings(backend: settings.backend, threads: 1, cpuLevel: settings.cpuLevel)
        let level = settings.cpuLevel
        let direct = k <= Self.directDistanceLimit
        let workers = Swift.max(1, Swift.min(settings.threads, blocks, n * d * k / (1 << 18) + 1))
        withUnsafeBufferPointer { x in
            centres.withUnsafeBufferPointer { c in
                labels.withUnsafeMutableBufferPointer { labels in
                    distances.withUnsafeMutableBufferPointer { distances in
                        partialSums.withUnsafeMutableBufferPointer { sums in
                            partialCounts.withUnsafeMutableBufferPointer { counts in
                                let addresses = [x.baseAddress, c.baseAddress].map { UInt(bitPattern: $0) }
                                let outputs = (UInt(bitPattern: labels.baseAddress), UInt(bitPattern: distances.baseAddress),
                                               UInt(bitPattern: sums.baseAddress), UInt(bitPattern: counts.baseAddress))
                                forEachPart(workers, settings: settings) { worker in
                                    let x = UnsafePointer<Float>(bitPattern: addresses[0])!, c = UnsafePointer<Float>(bitPattern: addresses[1])!
                                    let labels = UnsafeMutablePointer<Int>(bitPattern: outputs.0)!
                                    let distances = UnsafeMutablePointer<Double>(bitPattern: outputs.1)!
                                    var scores = [Float](repeating: 0, count: Self.nearestChunkRows * k)
                                    for block in stride(from: worker, to: blocks, by: workers) {
                                        let sums = UnsafeMutablePointer<Double>(bitPattern: outputs.2)! + block * k * d
                                        let counts = UnsafeMutablePointer<Int>(bitPattern: outputs.3)! + block * k
                                        for start in stride(from: n * block / blocks, to: n * (block + 1) / blocks, by: Self.nearestChunkRows) {
                                            let rows = Swift.min(Self.nearestChunkRows, n * (block + 1) / blocks - start)
                                            let chunk = x + start * d
                                            scores.withUnsafeMutableBufferPointer { scores in
                                                let s = scores.baseAddress!
                                                if direct {
                                                    Kernels.squaredDistances(level: level, samples: chunk, rows: rows, features: d, centres: c, centreCount: k, into: s)
                                                } else {
                                                    gemm(transposeA: false, transposeB: true, m: rows, n: k, k: d, alpha: 1, a: chunk, lda: d,
                                                         b: c, ldb: d, beta: 0, c: s, ldc: k, settings: single)
                                                }
                                                for r in 0..<rows {
                                                    var bestIndex = 0, bestDistance = Double.infinity
                                                    for j in 0..<k {
                                                        // Direct: ‖x − c‖²; through GEMM: ‖c‖² − 2x·c, ‖x‖² added after.
                                                        let distance = direct ? Double(s[r * k + j]) : centreNorms[j] - 2 * Double(s[r * k + j])
                                                        if distance < bestDistance { bestDistance = distance; bestIndex = j }
                                                    }
                                                    labels[start + r] = bestIndex
                                                    distances[start + r] = Swift.max(direct ? bestDistance : bestDistance + rowSquaredNorms[start + r], 0)
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
        var total = ClusterSums(clusters: k, features: d)
        for block in 0..<blocks {
            for i in 0..<(k * d) { total.sums[i] += partialSums[block * k * d + i] }
            for j in 0..<k { total.counts[j] += partialCounts[block * k + j] }
        }
        return (NearestCentres(indices: labels, squaredDistances: distances), total)
    }

    /// The nearest of `centres` (`k × D`) to each row by ‖c‖² − 2x·c from GEMM products, ranked
    /// in Float (`centreSquaredNorms` rounded to Float; the lowest index wins a tie) with the
    /// best's squared distance computed in Double; rows farther than `limit` (a squared
    /// distance) from every centre get −1. Rows go through in blocks of `nearestChunkRows`
    /// on one thread, each block's products ranked while they sit in cache: for callers that
    /// run many of these at once (a principal graph's candidate embeddings).
    public func nearestCentresRankedInFloat(_ centres: Tensor, centreSquaredNorms: [Double], rowSquaredNorms: [Double],
                                            beyond limit: Double = .infinity, settings: ComputeSettings = .current) -> NearestCentres {
        let (n, k, d) = (rows, centres.rows, columns)
        let norms = centreSquaredNorms.map { Float($0) }
        var labels = [Int](repeating: 0, count: n), distances = [Double](repeating: 0, count: n)
        if case .builtIn(let level) = settings.backend, d > 0, d <= latent_gemm_depth_block(), k > 0 {
            // One pass, the products in registers: the same products and choice as below.
            var tileRows = 0, tileColumns = 0
            latent_gemm_tile(level.kernelLevel, &tileRows, &tileColumns)
            let lanes = tileColumns / 2, padded = (k + lanes - 1) / lanes * lanes
            var transposed = [Float](repeating: 0, count: d * padded), paddedNorms = [Float](repeating: .infinity, count: padded)
            centres.withUnsafeBufferPointer { c in
                for j in 0..<k { for t in 0..<d { transposed[t * padded + j] = c[j * d + t] } }
            }
            for j in 0..<k { paddedNorms[j] = norms[j] }
            var scratch = [Float](repeating: 0, count: 2 * padded), products = [Float](repeating: 0, count: n)
            withUnsafeBufferPointer { x in
                latent_nearest_scores(level.kernelLevel, x.baseAddress, n, d, transposed, paddedNorms, padded, &scratch, &labels, &products)
            }
            for i in 0..<n {
                let best = labels[i]
                let squared = Swift.max(0, Double(norms[best]) - 2 * Double(products[i]) + rowSquaredNorms[i])
                (labels[i], distances[i]) = squared > limit ? (-1, squared) : (best, squared)
            }
            return NearestCentres(indices: labels, squaredDistances: distances)
        }
        var products = [Float](repeating: 0, count: Self.nearestChunkRows * k)
        let serial = ComputeSettings(backend: settings.backend, threads: 1, cpuLevel: settings.cpuLevel)
        withUnsafeBufferPointer { x in
            centres.withUnsafeBufferPointer { v in
                products.withUnsafeMutableBufferPointer { p in
                    for start in stride(from: 0, to: n, by: Self.nearestChunkRows) {
                        let rows = Swift.min(Self.nearestChunkRows, n - start)
                        gemm(transposeA: false, transposeB: true, m: rows, n: k, k: d, alpha: 1, a: x.baseAddress! + start * d, lda: d,
                             b: v.baseAddress!, ldb: d, beta: 0, c: p.baseAddress!, ldc: k, settings: serial)
                        for r in 0..<rows {
                            let (i, row) = (start + r, p.baseAddress! + r * k)
                            var best = 0, bestScore = Float.infinity
                            for j in 0..<k {
                                let score = norms[j] - 2 * row[j]
                                if score < bestScore { (best, bestScore) = (j, score) }
                            }
                            let squared = Swift.max(0, Double(norms[best]) - 2 * Double(row[best]) + rowSquaredNorms[i])
                            (labels[i], distances[i]) = squared > limit ? (-1, squared) : (best, squared)
                        }
                    }
                }
            }
        }
        return NearestCentres(indices: labels, squaredDistances: distances)
    }

    /// The rows (`n × D`) summed and counted by `labels` (one per row, −1: in no cluster) into
    /// `clusters` clusters, in row order.
    public func clusterSums(labels: [Int], clusters: Int, settings: ComputeSettings = .current) -> ClusterSums {
        precondition(rank == 2 && labels.count == rows, "clusterSums: \(labels.count) labels for rows \(shape)")
        precondition(labels.allSatisfy { $0 < clusters }, "clusterSums: a label is not below \(clusters)")
        var total = ClusterSums(clusters: clusters, features: columns)
        let d = columns
        withUnsafeBufferPointer { x in
            total.sums.withUnsafeMutableBufferPointer { sums in
                total.counts.withUnsafeMutableBufferPointer { counts in
                    labels.withUnsafeBufferPointer { labels in
                        // Runs of labelled rows at a time: rows in no cluster are skipped.
                        var start = 0
                        while start < rows {
                            guard labels[start] >= 0 else { start += 1; continue }
                            var end = start
                            while end < rows, labels[end] >= 0 { end += 1 }
                            Kernels.clusterSums(level: settings.cpuLevel, samples: x.baseAddress! + start * d, rows: end - start, features: d,
                                                labels: labels.baseAddress! + start, sums: sums.baseAddress!, counts: counts.baseAddress!)
                            start = end
                        }
                    }
                }
            }
        }
        return total
    }
}
