import Autoencoders
import Foundation
import Testing
import Tensors

@Suite struct NeighbourMetrics {
    /// The inputs of the scikit-learn reference values below (computed with
    /// `sklearn.manifold.trustworthiness(X, Z, n_neighbors=5)`, scikit-learn 1.9.1).
    let n = 40
    var x: Tensor {
        Tensor((0..<n).map { i -> [Float] in
            let t = Float(i)
            let a: Float = Float(i * 7 % 13) / 13, b: Float = Float(i * 5 % 11) / 11
            return [sin(t * 0.7), cos(t * 1.3), a, b]
        })
    }
    var z: Tensor {
        Tensor((0..<n).map { i -> [Float] in
            let first: Float = sin(Float(i) * 0.7) + 0.3 * Float(i * 3 % 7) / 7
            let second: Float = Float(i * 7 % 13) / 13
            return [first, second]
        })
    }

    /// Continuity is trustworthiness with the spaces swapped; codes that keep every
    /// neighbourhood score 1 on both; the k-NN accuracy of codes equal to the samples is the
    /// samples' own; the fit's values do not depend on the thread count.
    @Test(arguments: [5, 10])
    func continuityIsTrustworthinessWithTheSpacesSwapped(k: Int) throws {
        var generator = RandomGenerator(seed: 1)
        let forward = try NeighbourhoodMetrics.measure(samples: x, codes: z, k: k, using: &generator)
        let swapped = try NeighbourhoodMetrics.measure(samples: z, codes: x, k: k, using: &generator)
        #expect(abs(forward.continuity - swapped.trustworthiness) < 1e-12 && abs(forward.trustworthiness - swapped.continuity) < 1e-12)
        #expect(forward.queries == n && forward.trustworthiness < 1 && forward.continuity < 1)
        if k == 5 { #expect(abs(forward.trustworthiness - 0.78625) < 1e-9) }
        let labels = (0..<n).map { $0 % 3 }
        let perfect = try NeighbourhoodMetrics.measure(samples: x, codes: x * 3, labels: labels, k: k, using: &generator)
        #expect(perfect.trustworthiness == 1 && perfect.continuity == 1)
        let own = try NeighbourhoodMetrics.measure(samples: x, codes: x, labels: labels, k: k, using: &generator)
        #expect(own.knnAccuracy == perfect.knnAccuracy)
        for threads in [1, 3] {
            let again = try NeighbourhoodMetrics.measure(samples: x, codes: z, k: k, using: &generator, settings: ComputeSettings(threads: threads))
            #expect(again == forward)
        }
    }

    /// Beyond the query limit a seeded sample of queries estimates the measures over all.
    @Test func sampledQueriesEstimateTheWholeSet() throws {
        var generator = RandomGenerator(seed: 2)
        let n = 2_000
        let samples = Tensor.randomNormal([n, 8], using: &generator)
        let codes = samples.columns(0..<2) + Tensor.randomNormal([n, 2], using: &generator) * 0.3
        let labels = (0..<n).map { (samples[$0, 0] > 0 ? 1 : 0) + (samples[$0, 1] > 0 ? 2 : 0) }
        let whole = try NeighbourhoodMetrics.measure(samples: samples, codes: codes, labels: labels, using: &generator)
        let sampled = try NeighbourhoodMetrics.measure(samples: samples, codes: codes, labels: labels, queryLimit: 500, using: &generator)
        #expect(whole.queries == n && sampled.queries == 500)
        #expect(abs(whole.trustworthiness - sampled.trustworthiness) < 0.02 && abs(whole.continuity - sampled.continuity) < 0.02)
        #expect(abs(whole.knnAccuracy! - sampled.knnAccuracy!) < 0.05)
        #expect(throws: AutoencoderError.self) { try NeighbourhoodMetrics.measure(samples: samples, codes: codes.rows(0..<10), using: &generator) }
    }

    @Test func trustworthinessMatchesScikitLearn() throws {
        var generator = RandomGenerator(seed: 1)
        #expect(abs(try ReconstructionMetrics.trustworthiness(samples: x, codes: z, using: &generator) - 0.78625) < 1e-9)
        #expect(abs(try ReconstructionMetrics.trustworthiness(samples: x, codes: x.columns(0..<2), using: &generator) - 0.95875) < 1e-9)
        // A code that keeps every neighbourhood is perfectly trustworthy.
        #expect(try ReconstructionMetrics.trustworthiness(samples: x, codes: x * 3, using: &generator) == 1)
    }

    @Test func knnAccuracyVotesAndBreaksTiesByTheNearest() throws {
        // Reference codes on a line; labels 0 0 1 1 1 2 2 2 2.
        let reference = Tensor((0..<9).map { [Float($0)] })
        let referenceLabels = [0, 0, 1, 1, 1, 2, 2, 2, 2]
        // Query at 0.1: neighbours 0,1,2,3,4 → labels 0,0,1,1,1 → class 1 by majority.
        // Query at 1.9: neighbours 2,1,3,0,4 → 1,0,1,0,1 → class 1.
        // Query at 8.4: neighbours 8,7,6,5,4 → 2,2,2,2,1 → class 2.
        let codes = Tensor([[0.1], [1.9], [8.4]])
        #expect(try ReconstructionMetrics.knnAccuracy(codes: codes, labels: [1, 1, 2], referenceCodes: reference, referenceLabels: referenceLabels) == 1)
        #expect(try ReconstructionMetrics.knnAccuracy(codes: codes, labels: [0, 1, 2], referenceCodes: reference, referenceLabels: referenceLabels) == 2.0 / 3)
        // A 2–2–1 tie goes to the smallest class, as scikit-learn's KNeighborsClassifier breaks
        // it, not to the class of the nearest neighbour.
        let tied = [9, 0, 1, 0, 1, 2, 2, 2, 2]
        // Neighbours of 2.4: 2 (1), 3 (0), 1 (0), 4 (1), 0 (9): classes 0 and 1 tie at 2; the nearest is 1; 0 wins.
        #expect(try ReconstructionMetrics.knnAccuracy(codes: Tensor([[2.4]]), labels: [0], referenceCodes: reference, referenceLabels: tied) == 1)
    }

    /// Leave-one-out accuracy on one set equals, point by point, the accuracy of each point
    /// against the set without it; without leaving out, every point votes for itself.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func leaveOneOutEqualsRemovingThePoint(seed: UInt64) throws {
        var generator = RandomGenerator(seed: seed)
        let n = 30
        let codes = Tensor.randomNormal([n, 2], using: &generator)
        let labels = (0..<n).map { _ in Int(generator.next() % 3) }
        var correct = 0
        for i in 0..<n {
            let others = (0..<n).filter { $0 != i }
            correct += Int(try ReconstructionMetrics.knnAccuracy(codes: codes.rows(i..<(i + 1)), labels: [labels[i]],
                                                                 referenceCodes: codes.gatherRows(others), referenceLabels: others.map { labels[$0] }))
        }
        let leaveOneOut = try ReconstructionMetrics.knnAccuracy(codes: codes, labels: labels, referenceCodes: codes, referenceLabels: labels, leaveOneOut: true)
        #expect(leaveOneOut == Double(correct) / Double(n))
        // Labels that are unique to each point: left out, no neighbour shares one.
        let unique = Array(0..<n)
        #expect(try ReconstructionMetrics.knnAccuracy(codes: codes, labels: unique, referenceCodes: codes, referenceLabels: unique, leaveOneOut: true) == 0)
    }

    /// Scores against scikit-learn 1.9.1 (`adjusted_rand_score`, `normalized_mutual_info_score`)
    /// on a hand-made contingency, and the exact cases.
    @Test func clusteringScoresMatchScikitLearn() throws {
        let clusters = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2], classes = [0, 0, 1, 1, 1, 2, 2, 2, 0, 0]
        let scores = try ClusteringMetrics(clusters: clusters, classes: classes)
        #expect(abs(scores.adjustedRandIndex - 0.09090909090909091) < 1e-12)
        #expect(abs(scores.normalizedMutualInformation - 0.3946483716358942) < 1e-12)
        #expect(scores.purity == 0.6)
        // Relabelled clusters are the same partition: every score is perfect.
        let same = try ClusteringMetrics(clusters: classes.map { ($0 + 5) * 3 }, classes: classes)
        #expect(abs(same.adjustedRandIndex - 1) < 1e-12 && abs(same.normalizedMutualInformation - 1) < 1e-12 && same.purity == 1)
        // One cluster says nothing of three classes.
        let lumped = try ClusteringMetrics(clusters: [Int](repeating: 7, count: 10), classes: classes)
        #expect(lumped.adjustedRandIndex == 0 && lumped.normalizedMutualInformation == 0 && lumped.purity == 0.4)
        #expect(throws: AutoencoderError.self) { try ClusteringMetrics(clusters: [0, 1], classes: [0]) }
    }

    @Test func badShapesAreErrors() {
        var generator = RandomGenerator(seed: 1)
        #expect(throws: AutoencoderError.self) { try ReconstructionMetrics.knnAccuracy(codes: Tensor([[1, 2]]), labels: [0], referenceCodes: Tensor([[1]]), referenceLabels: [0]) }
        #expect(throws: AutoencoderError.self) { try ReconstructionMetrics.trustworthiness(samples: Tensor([[1]]), codes: Tensor([[1]]), using: &generator) }
    }
}
