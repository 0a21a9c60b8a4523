import DistributionMatching
import Foundation
import Tensors

/// How close generated samples come to real ones, without a neural reference network: the
/// maximum mean discrepancy and improved precision and recall in a fixed feature space (the real
/// test set's first principal components), and the distance to the nearest training sample, which
/// falls toward 0 when a generator copies its training data.
public struct GenerationMetrics: Codable, Sendable, Equatable {
    /// Principal components of the real test set that features keep (say so: scores depend on it).
    public static let defaultFeatureCount = 50
    /// k of the k-nearest-neighbour balls of precision and recall (Kynkäänniemi et al. 2019).
    public static let neighbours = 3
    /// Points at most whose pairwise distances give the median bandwidth (a seeded subset beyond).
    public static let bandwidthSampleLimit = 1000
    /// Points of each set at most between which the exact EMD is computed (seeded subsets
    /// beyond: 2 000 × 2 000 takes about half a second).
    public static let earthMoversSampleLimit = 2000

    /// Unbiased MMD² between generated and real features, RBF kernel.
    public let maximumMeanDiscrepancy: Double
    /// σ of the RBF kernel exp(−‖a − b‖²/(2σ²)): the median pairwise distance of the real (test)
    /// features alone, so that every sampler compared against one test set is measured with one
    /// kernel and their MMD² values compare (a pooled median would move with each sampler).
    public let bandwidth: Double
    /// The fraction of generated samples inside some real sample's k-NN ball.
    public let precision: Double
    /// The fraction of real samples inside some generated sample's k-NN ball.
    public let recall: Double
    /// Mean Euclidean distance (data space) of each generated sample to its nearest training sample.
    public let nearestTrainingDistance: Double?
    /// The same for the real test samples: what a generator that does not copy should come near.
    public let testNearestTrainingDistance: Double?
    /// The exact earth mover's distance (squared-Euclidean cost, uniform weights) between
    /// generated and real features, on at most ``earthMoversSampleLimit`` of each (seeded
    /// subsets): the cost of the optimal transport of one onto the other, which no kernel's
    /// bandwidth tunes.
    public let earthMovers: Double
    /// The feature space's width: principal components of the test set.
    public let featureCount: Int

    enum CodingKeys: String, CodingKey {
        case maximumMeanDiscrepancy = "mmd2", bandwidth = "mmd_bandwidth", precision, recall
        case nearestTrainingDistance = "nearest_training_distance", testNearestTrainingDistance = "test_nearest_training_distance"
        case earthMovers = "emd", featureCount = "features"
    }

    /// The metrics of `generated` (`m × D`) against the real `test` set (`n × D`); with
    /// `training`, the memorisation distances. Features: the projections on the test set's first
    /// `featureCount` principal components (fewer when the test set has fewer).
    public init(generated: Tensor, test: Tensor, training: Tensor? = nil, featureCount: Int = defaultFeatureCount,
                using generator: inout RandomGenerator) throws {
        guard generated.rank == 2, test.rank == 2, generated.columns == test.columns, generated.rows >= Self.neighbours + 1,
              test.rows >= Self.neighbours + 1 else {
            throw AutoencoderError("generation metrics need generated and test samples of one width, at least \(Self.neighbours + 1) of each; got \(generated.shape) and \(test.shape)")
        }
        if let training, training.rank != 2 || training.columns != test.columns || training.rows < 1 {
            throw AutoencoderError("the training samples must have the test samples' \(test.columns) features; got shape \(training.shape)")
        }
        guard featureCount >= 1 else { throw AutoencoderError("the feature space needs at least 1 principal component, got \(featureCount)") }
        try generated.checkFinite("generated samples")
        let k = min(featureCount, test.rows - 1, test.columns)
        let pca = try PCA.fit(test, configuration: .init(components: .count(k)), using: &generator)
        let (real, fake) = (pca.encodeUnchecked(test), pca.encodeUnchecked(generated))
        self.featureCount = k
        bandwidth = medianPairwiseDistance(real, limit: Self.bandwidthSampleLimit, using: &generator)
        maximumMeanDiscrepancy = try MaximumMeanDiscrepancy.squared(fake, real, kernel: .gaussian(bandwidth: bandwidth))
        (precision, recall) = Self.precisionAndRecall(real: real, generated: fake, k: Self.neighbours)
        func subset(_ x: Tensor) -> Tensor {
            x.rows <= Self.earthMoversSampleLimit ? x : x.gatherRows(Array(generator.permutation(x.rows).prefix(Self.earthMoversSampleLimit)).sorted())
        }
        earthMovers = try EarthMovers.exact(a: subset(fake), b: subset(real)).cost
        if let training {
            nearestTrainingDistance = Self.nearestDistances(of: generated, in: training).reduce(0, +) / Double(generated.rows)
            testNearestTrainingDistance = Self.nearestDistances(of: test, in: training).reduce(0, +) / Double(test.rows)
        } else {
            (nearestTrainingDistance, testNearestTrainingDistance) = (nil, nil)
        }
    }

    /// Improved precision and recall (Kynkäänniemi et al. 2019, eq. 1–3): each sample's ball
    /// reaches its k-th nearest neighbour within its own set; precision is the fraction of
    /// generated samples inside some real ball, recall the fraction of real samples inside some
    /// generated ball.
    public static func precisionAndRecall(real: Tensor, generated: Tensor, k: Int) -> (precision: Double, recall: Double) {
        (coverage(of: generated, byBallsOf: real, k: k), coverage(of: real, byBallsOf: generated, k: k))
    }

    /// The fraction of `queries` inside the union of the k-NN balls of `points`.
    static func coverage(of queries: Tensor, byBallsOf points: Tensor, k: Int) -> Double {
        var radii = [Double](repeating: 0, count: points.rows)
        forEachSquaredDistance(points, points) { i, row in
            var nearest = [Double](repeating: .infinity, count: k)  // ascending
            for (j, squared) in row.enumerated() where j != i && squared < nearest[k - 1] {
                var position = k - 1
                while position > 0 && nearest[position - 1] > squared { nearest[position] = nearest[position - 1]; position -= 1 }
                nearest[position] = squared
            }
            radii[i] = nearest[k - 1]
        }
        var inside = 0
        forEachSquaredDistance(queries, points) { _, row in
            if row.indices.contains(where: { row[$0] <= radii[$0] }) { inside += 1 }
        }
        return Double(inside) / Double(queries.rows)
    }

    /// ‖qᵢ − nearest row of `reference`‖ for each row of `queries`.
    static func nearestDistances(of queries: Tensor, in reference: Tensor) -> [Double] {
        var result: [Double] = []
        result.reserveCapacity(queries.rows)
        forEachSquaredDistance(queries, reference) { _, row in result.append(row.min()!.squareRoot()) }
        return result
    }
}
