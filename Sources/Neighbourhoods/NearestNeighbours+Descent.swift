import Foundation
import Tensors

extension NearestNeighbours {
    /// NN-descent's settings; the defaults (nil) are pynndescent 0.7's for a set of n points.
    public struct Descent: Sendable, Equatable, Codable {
        /// Random-projection trees whose leaves seed the graph (pynndescent: max(3, min(12, round(2·log₁₀ n)))).
        public var trees: Int?
        /// Points a leaf holds at most (pynndescent: max(60, min(256, 5k))).
        public var leafSize: Int?
        /// Local-join rounds at most (pynndescent: max(5, round(log₂ n))).
        public var iterations: Int?
        /// Candidates per point and round, new and old each (pynndescent: min(60, k)).
        public var candidates: Int?
        /// A round that improves fewer than δ·n·k entries ends the search (pynndescent's 0.001).
        public var delta: Double

        public init(trees: Int? = nil, leafSize: Int? = nil, iterations: Int? = nil, candidates: Int? = nil, delta: Double = 0.001) {
            (self.trees, self.leafSize, self.iterations, self.candidates, self.delta) = (trees, leafSize, iterations, candidates, delta)
        }

        func resolved(n: Int, k: Int) -> (trees: Int, leafSize: Int, iterations: Int, candidates: Int) {
            (trees ?? Swift.max(3, Swift.min(12, Int((2 * Foundation.log10(Double(n))).rounded()))),
             leafSize ?? Swift.max(60, Swift.min(256, 5 * k)),
             iterations ?? Swift.max(5, Int(Foundation.log2(Double(n)).rounded())),
             candidates ?? Swift.min(60, k))
        }

        func validate() throws {
            for (name, value) in [("trees", trees), ("leaf size", leafSize), ("iterations", iterations), ("candidates", candidates)] {
                if let value, value < 1 { throw NeighbourError("NN-descent's \(name) must be at least 1, got \(value)") }
            }
            guard delta >= 0, delta.isFinite else { throw NeighbourError("NN-descent's δ must be a non-negative number, got \(delta)") }
        }
    }

    /// The approximate k-nearest-neighbour graph of the rows of `points` (`n × d`) by NN-descent
    /// (Dong, Moses & Li, "Efficient k-nearest neighbor graph construction for generic similarity
    /// measures", WWW 2011), seeded by the leaves of random-projection trees as pynndescent does:
    /// each round, every point's new and old neighbours (and the points that list it), sampled up
    /// to `candidates`, are joined pairwise, and each pair's distance offered to both heaps; the
    /// search stops when a round improves fewer than δ·n·k entries. Distances are computed
    /// directly (‖xᵢ − xⱼ‖², Float32, in the pair kernel). Work is split in fixed parts and every
    /// heap takes its updates in one fixed order, so the graph depends on the seed alone, not
    /// on the thread count.
    public static func descent(_ points: Tensor, k: Int, configuration: Descent = Descent(), seed: UInt64,
                               settings: ComputeSettings = .current) throws -> NeighbourGraph {
        try check(points, "points")
        try configuration.validate()
        let n = points.rows
        guard k >= 1, k <= n - 1 else {
            throw NeighbourError("k = \(k) neighbours asked of \(n) point\(n == 1 ? "" : "s") (each excluded from its own): k must lie in 1…\(n - 1)")
        }
        var search = DescentSearch(points: points, k: k, settings: settings, seed: seed, configuration: configuration.resolved(n: n, k: k))
        search.plantForest()
        search.fillFromRandomPoints()
        search.descend(delta: configuration.delta)
        return search.graph()
    }
}
