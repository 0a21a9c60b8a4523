import Foundation

/// How well a clustering agrees with known classes: what a discrete code (k-means' cluster
/// index) is measured by, where a kNN accuracy of cluster indices would mean nothing.
///
/// All three compare the contingency table nᵢⱼ = |clusterᵢ ∩ classⱼ| (n samples, cluster sizes
/// aᵢ, class sizes bⱼ):
/// - adjusted Rand index (Hubert & Arabie 1985): (Σ C(nᵢⱼ, 2) − E) / (½(Σ C(aᵢ, 2) + Σ C(bⱼ, 2)) − E)
///   with E = Σ C(aᵢ, 2) Σ C(bⱼ, 2) / C(n, 2); 1 for the same partition, about 0 for chance;
/// - normalised mutual information: I(U; V) / ½(H(U) + H(V)) (scikit-learn's default,
///   the arithmetic mean of the entropies);
/// - purity: Σᵢ maxⱼ nᵢⱼ / n, the accuracy of labelling each cluster by its largest class.
public struct ClusteringMetrics: Sendable, Equatable, Codable {
    public let adjustedRandIndex: Double
    public let normalizedMutualInformation: Double
    public let purity: Double

    /// The scores of `clusters` against `classes` (one of each per sample; any integers).
    public init(clusters: [Int], classes: [Int]) throws {
        guard clusters.count == classes.count, !clusters.isEmpty else {
            throw AutoencoderError("clustering scores need one class per sample: \(clusters.count) clusters, \(classes.count) classes")
        }
        let n = Double(clusters.count)
        var table: [Int: [Int: Int]] = [:]
        var clusterSizes: [Int: Int] = [:], classSizes: [Int: Int] = [:]
        for (cluster, label) in zip(clusters, classes) {
            table[cluster, default: [:]][label, default: 0] += 1
            clusterSizes[cluster, default: 0] += 1
            classSizes[label, default: 0] += 1
        }
        func pairs(_ count: Int) -> Double { Double(count) * Double(count - 1) / 2 }
        let cells = table.values.flatMap(\.values)
        let index = cells.map(pairs).reduce(0, +)
        let clusterPairs = clusterSizes.values.map(pairs).reduce(0, +), classPairs = classSizes.values.map(pairs).reduce(0, +)
        let expected = n > 1 ? clusterPairs * classPairs / pairs(clusters.count) : 0
        let maximum = (clusterPairs + classPairs) / 2
        // Both partitions trivial (one cluster and one class, or all singletons): they agree.
        adjustedRandIndex = maximum == expected ? 1 : (index - expected) / (maximum - expected)

        func entropy(_ sizes: Dictionary<Int, Int>.Values) -> Double {
            sizes.reduce(0) { total, size in let p = Double(size) / n; return total - p * log(p) }
        }
        var information = 0.0
        for (cluster, row) in table {
            for (label, count) in row {
                let joint = Double(count) / n
                information += joint * log(joint * n * n / (Double(clusterSizes[cluster]!) * Double(classSizes[label]!)))
            }
        }
        let (hu, hv) = (entropy(clusterSizes.values), entropy(classSizes.values))
        // scikit-learn: 1 when both partitions have a single block, else I / mean(H).
        normalizedMutualInformation = hu == 0 && hv == 0 ? 1 : max(0, information) / ((hu + hv) / 2)
        purity = Double(table.values.map { $0.values.max()! }.reduce(0, +)) / n
    }
}
