import Tensors

extension KMeans {
    /// One Lloyd iteration over samples in memory: each sample's nearest centroid, and the
    /// sums and counts of each cluster, in one pass (`Tensor.nearestCentresWithSums`).
    static func lloydPass(_ samples: Tensor, _ squaredNorms: [Double], _ centroids: Tensor) -> (nearest: NearestCentres, sums: ClusterSums) {
        samples.nearestCentresWithSums(centroids, rowSquaredNorms: squaredNorms)
    }

    /// The mean of each cluster (in Double). An empty cluster takes the sample farthest from
    /// its own centroid, which lowers the inertia, so it never rises from one iteration to the
    /// next.
    static func means(_ pass: (nearest: NearestCentres, sums: ClusterSums), _ samples: Tensor) -> Tensor {
        let (k, d) = (pass.sums.clusters, samples.columns)
        var result = [Float](repeating: 0, count: k * d)
        for c in 0..<k where pass.sums.counts[c] > 0 {
            for j in 0..<d { result[c * d + j] = Float(pass.sums.sums[c * d + j] / Double(pass.sums.counts[c])) }
        }
        let empty = (0..<k).filter { pass.sums.counts[$0] == 0 }
        if !empty.isEmpty {
            let distances = pass.nearest.squaredDistances
            let farthest = distances.indices.sorted { distances[$0] > distances[$1] }
            for (c, donor) in zip(empty, farthest) {
                for j in 0..<d { result[c * d + j] = samples[donor, j] }
            }
        }
        return try! Tensor(shape: [k, d], scalars: result)
    }
}
