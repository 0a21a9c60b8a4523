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
        // A 2–2–1 tie goes to the class of the nearest neighbour: at 2.6 the neighbours are
        // 3 (1), 2 (1), 4 (1), 1 (0), 5 (2) → no tie; with labels 0 1 1 0 2 … it is.
        let tied = [9, 1, 0, 1, 0, 2, 2, 2, 2]
        // Neighbours of 2.4: 2 (0), 3 (1), 1 (1), 4 (0), 0 (9): classes 0 and 1 tie at 2; 2 is nearest → 0.
        #expect(try ReconstructionMetrics.knnAccuracy(codes: Tensor([[2.4]]), labels: [0], referenceCodes: reference, referenceLabels: tied) == 1)
    }

    @Test func badShapesAreErrors() {
        var generator = RandomGenerator(seed: 1)
        #expect(throws: AutoencoderError.self) { try ReconstructionMetrics.knnAccuracy(codes: Tensor([[1, 2]]), labels: [0], referenceCodes: Tensor([[1]]), referenceLabels: [0]) }
        #expect(throws: AutoencoderError.self) { try ReconstructionMetrics.trustworthiness(samples: Tensor([[1]]), codes: Tensor([[1]]), using: &generator) }
    }
}
