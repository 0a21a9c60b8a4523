import Autoencoders
import Foundation
import Testing
import Tensors

@Suite struct LatentSpaceWalks {
    /// Both paths start and end at the codes; the linear one is evenly spaced on the segment;
    /// the spherical one keeps the norm of codes of equal norm and sweeps equal angles.
    @Test(arguments: LatentSpace.Path.allCases)
    func interpolationsJoinTheCodes(_ path: LatentSpace.Path) throws {
        let (a, b) = (Tensor([[3, 0, 0]]), Tensor([[0, 3, 0]]))
        let codes = try LatentSpace.interpolate(from: a, to: b, steps: 5, path: path)
        #expect(codes.shape == [5, 3])
        #expect(codes.rows(0..<1).isApproximatelyEqual(to: a, relativeTolerance: 1e-6, absoluteTolerance: 1e-6))
        #expect(codes.rows(4..<5).isApproximatelyEqual(to: b, relativeTolerance: 1e-6, absoluteTolerance: 1e-6))
        let norms = (0..<5).map { i in (0..<3).reduce(0.0) { $0 + Double(codes[i, $1] * codes[i, $1]) }.squareRoot() }
        switch path {
        case .linear:
            #expect(abs(norms[2] - 3 / 2.0.squareRoot()) < 1e-5)  // the middle of the segment
            #expect(codes.rows(1..<2).isApproximatelyEqual(to: Tensor([[2.25, 0.75, 0]]), relativeTolerance: 1e-6, absoluteTolerance: 1e-6))
        case .spherical:
            #expect(norms.allSatisfy { abs($0 - 3) < 1e-5 }, "\(norms)")
            let angles = (0..<5).map { atan2(Double(codes[$0, 1]), Double(codes[$0, 0])) }
            for (x, y) in zip(angles, angles.dropFirst()) { #expect(abs((y - x) - Double.pi / 8) < 1e-5) }
        }
        // Parallel codes: the spherical path is the line.
        let parallel = try LatentSpace.interpolate(from: a, to: a * 2, steps: 3, path: path)
        #expect(parallel.rows(1..<2).isApproximatelyEqual(to: a * 1.5, relativeTolerance: 1e-6, absoluteTolerance: 1e-6))
    }

    /// The attribute vector is the difference of the two classes' mean codes; applying it with
    /// strength s moves a code by s times it; a traversal moves one coordinate only.
    @Test func attributeVectorsAndTraversals() throws {
        let codes = Tensor([[1, 0], [3, 0], [0, 2], [0, 4], [9, 9]])
        let vector = try LatentSpace.attributeVector(codes: codes, labels: [0, 0, 1, 1, 2], with: 0, without: 1)
        #expect(vector == Tensor([[2, -3]]))
        let moved = try LatentSpace.apply(vector, to: Tensor([[1, 1]]), strengths: [0, 1, -0.5])
        #expect(moved == Tensor([[1, 1], [3, -2], [0, 2.5]]))
        let walk = try LatentSpace.traverse(Tensor([[1, 1]]), dimension: 1, offsets: [-1, 0, 2])
        #expect(walk == Tensor([[1, 0], [1, 1], [1, 3]]))
        #expect { _ = try LatentSpace.attributeVector(codes: codes, labels: [0, 0, 1, 1, 2], with: 0, without: 7) } throws: { "\($0)".contains("found 2 and 0") }
        #expect { _ = try LatentSpace.traverse(Tensor([[1, 1]]), dimension: 2, offsets: [0]) } throws: { "\($0)".contains("does not exist") }
        #expect { _ = try LatentSpace.interpolate(from: Tensor([[1]]), to: Tensor([[1, 2]]), steps: 3, path: .linear) } throws: { "\($0)".contains("one width") }
    }
}
