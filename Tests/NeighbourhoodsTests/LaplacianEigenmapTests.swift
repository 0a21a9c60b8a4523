import Foundation
import Neighbourhoods
import Testing
import Tensors

/// The Laplacian eigenmap against known spectra and the dense solver, and graph components.
@Suite struct LaplacianEigenmapTests {
    /// The path of n vertices, each edge of weight w: its normalised Laplacian's eigenvalues are
    /// 1 − cos(πj/(n − 1)), all distinct (a cycle's are double, and a single-vector Krylov
    /// method, like ARPACK's, finds one vector of a multiple eigenvalue's space).
    static func path(_ n: Int, weight: Float = 1) -> WeightedGraph {
        var starts = [0], columns: [Int32] = [], weights: [Float] = []
        for i in 0..<n {
            for j in [i - 1, i + 1] where j >= 0 && j < n {
                columns.append(Int32(j))
                weights.append(weight)
            }
            starts.append(columns.count)
        }
        return WeightedGraph(rowStart: starts, columns: columns, weights: weights)
    }

    /// A random symmetric graph: a ring (so that it is connected) and chords of random weight.
    static func randomGraph(_ n: Int, chords: Int, seed: UInt64) -> WeightedGraph {
        var generator = RandomGenerator(seed: seed)
        var adjacency = [[Int32: Float]](repeating: [:], count: n)
        func add(_ i: Int, _ j: Int, _ w: Float) { guard i != j else { return }; adjacency[i][Int32(j)] = w; adjacency[j][Int32(i)] = w }
        for i in 0..<n { add(i, (i + 1) % n, 0.5 + generator.nextUniform()) }
        for _ in 0..<chords { add(generator.nextInt(below: n), generator.nextInt(below: n), generator.nextUniform()) }
        var starts = [0], columns: [Int32] = [], weights: [Float] = []
        for row in adjacency {
            for j in row.keys.sorted() { columns.append(j); weights.append(row[j]!) }
            starts.append(columns.count)
        }
        return WeightedGraph(rowStart: starts, columns: columns, weights: weights)
    }

    @Test(arguments: [50, 401, 1_500])
    func aPathHasItsKnownSpectrum(n: Int) throws {
        var generator = RandomGenerator(seed: 1)
        let map = try LaplacianEigenmap(graph: Self.path(n, weight: 0.3), dimensions: 3, tolerance: 1e-9, using: &generator)
        #expect(map.converged)
        for (index, value) in map.eigenvalues.enumerated() {
            let expected = 1 - cos(Double.pi * Double(index + 1) / Double(n - 1))
            #expect(abs(value - expected) < 1e-8, "\(map.eigenvalues): λ\(index + 2) should be \(expected)")
        }
    }

    /// On random graphs the eigenvalues equal the dense decomposition's of the normalised
    /// Laplacian, each eigenvector has a small residual ‖Lv − λv‖ and unit norm, and the result
    /// does not depend on the thread count.
    @Test(arguments: [(120, 200, UInt64(1)), (600, 2_000, UInt64(2))])
    func equalsTheDenseDecomposition(n: Int, chords: Int, seed: UInt64) throws {
        let graph = Self.randomGraph(n, chords: chords, seed: seed)
        var dense = Matrix(rows: n, columns: n, values: [Double](repeating: 0, count: n * n))
        var degree = [Double](repeating: 0, count: n)
        for i in 0..<n { for e in graph.rowStart[i]..<graph.rowStart[i + 1] { degree[i] += Double(graph.weights[e]) } }
        for i in 0..<n {
            dense.values[i * n + i] = 1
            for e in graph.rowStart[i]..<graph.rowStart[i + 1] {
                let j = Int(graph.columns[e])
                dense.values[i * n + j] -= Double(graph.weights[e]) / (degree[i] * degree[j]).squareRoot()
            }
        }
        let exact = try SymmetricEigendecomposition(dense).eigenvalues.reversed().map { $0 }
        var results: [LaplacianEigenmap] = []
        for threads in [1, 2] {
            var generator = RandomGenerator(seed: 7)
            results.append(try LaplacianEigenmap(graph: graph, dimensions: 3, tolerance: 1e-9, using: &generator, settings: ComputeSettings(threads: threads)))
        }
        let map = results[0]
        #expect(map.converged && map.coordinates == results[1].coordinates)
        #expect(abs(exact[0]) < 1e-10)
        for (c, value) in map.eigenvalues.enumerated() {
            #expect(abs(value - exact[c + 1]) < 1e-8, "λ\(c + 2): \(value) against \(exact[c + 1])")
            let v = (0..<n).map { map.coordinates[$0 * 3 + c] }
            var residual = 0.0, norm = 0.0
            for i in 0..<n {
                var lv = 0.0
                for j in 0..<n { lv += dense.values[i * n + j] * v[j] }
                residual += (lv - value * v[i]) * (lv - value * v[i])
                norm += v[i] * v[i]
            }
            #expect(residual.squareRoot() < 1e-8 && abs(norm - 1) < 1e-9)
        }
    }

    @Test func anIsolatedVertexOrTooFewVerticesAreErrors() throws {
        var generator = RandomGenerator(seed: 1)
        let lonely = WeightedGraph(rowStart: [0, 1, 2, 2], columns: [1, 0], weights: [1, 1])
        #expect { try LaplacianEigenmap(graph: lonely, dimensions: 1, tolerance: 1e-6, using: &generator) } throws: { "\($0)".contains("vertex 2 has no edge") }
        #expect { try LaplacianEigenmap(graph: Self.path(3), dimensions: 2, tolerance: 1e-6, using: &generator) } throws: { "\($0)".contains("at least 4") }
    }

    /// Components are found whole and numbered by their lowest vertex; subgraphs renumber.
    @Test func componentsAndSubgraphs() {
        // Two triangles {0, 2, 4} and {1, 3, 5}, and vertex 6 alone.
        let graph = WeightedGraph(rowStart: [0, 2, 4, 6, 8, 10, 12, 12], columns: [2, 4, 3, 5, 0, 4, 1, 5, 0, 2, 1, 3],
                                  weights: [1, 2, 1, 2, 1, 3, 1, 3, 2, 3, 2, 3])
        let (labels, count) = graph.components()
        #expect(count == 3 && labels == [0, 1, 0, 1, 0, 1, 2])
        let triangle = graph.subgraph([1, 3, 5])
        #expect(triangle.count == 3 && triangle.columns == [1, 2, 0, 2, 0, 1] && triangle.weights == [1, 2, 1, 3, 2, 3])
        #expect(graph.filter { $0 >= 2 }.edgeCount == 8)
    }
}
