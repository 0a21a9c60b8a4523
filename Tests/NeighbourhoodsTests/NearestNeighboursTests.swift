import DataFormats
import Foundation
import Neighbourhoods
import Testing
import TestSupport
import Tensors

/// Nearest-neighbour graphs: the exact search against a brute-force loop, NN-descent's recall
/// against the exact graph (the bar: recall@15 ≥ 0.95 on Fashion-MNIST), determinism,
/// and the errors.
@Suite struct NearestNeighboursTests {
    static func points(_ n: Int, _ d: Int, seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor.randomNormal([n, d], using: &generator)
    }

    /// Each point's k nearest others by a Double loop, ties to the lower index.
    static func bruteForce(_ x: Tensor, k: Int) -> [[Int32]] {
        (0..<x.rows).map { i in
            let distances = (0..<x.rows).map { j in (0..<x.columns).reduce(0.0) { $0 + pow(Double(x[i, $1]) - Double(x[j, $1]), 2) } }
            return (0..<x.rows).filter { $0 != i }.sorted { (distances[$0], $0) < (distances[$1], $1) }.prefix(k).map { Int32($0) }
        }
    }

    @Test(arguments: [(2, 1, 1), (5, 3, 4), (97, 7, 10), (300, 20, 15)])
    func exactSearchIsTheBruteForce(_ shape: (n: Int, d: Int, k: Int)) throws {
        let (n, d, k) = shape
        let x = Self.points(n, d, seed: UInt64(n))
        let graph = try NearestNeighbours.exact(x, k: k)
        #expect(graph.count == n && graph.k == k)
        let expected = Self.bruteForce(x, k: k)
        for i in 0..<n {
            #expect(Array(graph.neighbours(of: i)) == expected[i], "point \(i) of \(n)")
            let distances = Array(graph.squaredDistances(of: i))
            #expect(distances == distances.sorted() && distances.allSatisfy { $0 >= 0 })
        }
        #expect(graph.recall(against: graph) == 1)
    }

    /// Queries against another set, and a set's duplicates: neighbours at distance 0.
    @Test func queriesAndDuplicates() throws {
        let reference = Self.points(50, 4, seed: 1), queries = Self.points(8, 4, seed: 2)
        let graph = try NearestNeighbours.exact(queries: queries, in: reference, k: 3)
        for i in 0..<8 {
            let distances = (0..<50).map { j in (0..<4).reduce(0.0) { $0 + pow(Double(queries[i, $1]) - Double(reference[j, $1]), 2) } }
            let expected = (0..<50).sorted { (distances[$0], $0) < (distances[$1], $1) }.prefix(3).map { Int32($0) }
            #expect(Array(graph.neighbours(of: i)) == expected)
        }
        let doubled = Tensor.concatenate([reference, reference])
        let twins = try NearestNeighbours.descent(doubled, k: 1, seed: 3)
        for i in 0..<100 { #expect(twins.neighbours(of: i).first == Int32((i + 50) % 100) && twins.squaredDistances(of: i).first == 0) }
    }

    /// NN-descent on 5 000 Fashion-MNIST images (784-D): recall@15 ≥ 0.95 against the exact
    /// graph; the same graph for a seed on 1 thread and on 2; another seed, another graph.
    @Test func descentFindsTheNeighboursOfImages() throws {
        let images = try DatasetLoader().load("fashion-mnist-mini:train").samples
        let exact = try NearestNeighbours.exact(images, k: 15)
        func run(_ threads: Int, seed: UInt64) throws -> NeighbourGraph {
            try NearestNeighbours.descent(images, k: 15, seed: seed, settings: ComputeSettings(threads: threads))
        }
        let (one, two) = (try run(1, seed: 7), try run(2, seed: 7))
        let recall = two.recall(against: exact)
        #expect(recall >= 0.95, "recall@15 \(recall)")
        #expect(one == two, "a seed gives one graph whatever the thread count")
        #expect(try run(2, seed: 8) != two)
        for i in stride(from: 0, to: images.rows, by: 97) {
            let distances = Array(two.squaredDistances(of: i))
            #expect(distances == distances.sorted() && !two.neighbours(of: i).contains(Int32(i)) && Set(two.neighbours(of: i)).count == 15)
        }
    }

    /// Degenerate sets: two points, fewer points than a leaf, every point the same (every split
    /// falls on one side: random halves), and k = n − 1 (every other point).
    @Test func degenerateSetsStillGiveGraphs() throws {
        let pair = try NearestNeighbours.descent(Self.points(2, 3, seed: 9), k: 1, seed: 0)
        #expect(Array(pair.neighbours(of: 0)) == [1] && Array(pair.neighbours(of: 1)) == [0])
        let same = try NearestNeighbours.descent(Tensor.zeros([300, 4]), k: 5, seed: 1)
        #expect((0..<300).allSatisfy { i in same.squaredDistances(of: i).allSatisfy { $0 == 0 } && !same.neighbours(of: i).contains(Int32(i)) })
        let small = Self.points(12, 2, seed: 10)
        let everyOther = try NearestNeighbours.descent(small, k: 11, seed: 2)
        #expect(everyOther.recall(against: try NearestNeighbours.exact(small, k: 11)) == 1)
    }

    @Test func badRequestsAreErrors() throws {
        let x = Self.points(10, 3, seed: 4)
        let cases: [(() throws -> Void, String)] = [
            ({ _ = try NearestNeighbours.exact(x, k: 10) }, "k must lie in 1…9"),
            ({ _ = try NearestNeighbours.exact(x, k: 0) }, "k must lie in 1…9"),
            ({ _ = try NearestNeighbours.descent(x, k: 10, seed: 0) }, "k must lie in 1…9"),
            ({ _ = try NearestNeighbours.exact(Self.points(1, 3, seed: 5), k: 1) }, "k must lie in 1…0"),
            ({ _ = try NearestNeighbours.exact(queries: x, in: Self.points(5, 2, seed: 6), k: 1) }, "of one width"),
            ({ _ = try NearestNeighbours.descent(x, k: 2, configuration: .init(trees: 0), seed: 0) }, "trees must be at least 1"),
            ({ _ = try NearestNeighbours.exact(try Tensor(shape: [2, 2], scalars: [1, .nan, 0, 0]), k: 1) }, "points: non-finite value nan at row 0, column 1"),
        ]
        for (body, message) in cases {
            #expect { try body() } throws: { "\($0)".contains(message) }
        }
    }
}
