import Foundation
import Neighbourhoods
import NeuralNetworks
import Tensors

extension Isomap {
    /// Embeds `samples` (`n × D`): the k nearest neighbours of each (exact below
    /// ``Configuration/exactNeighboursLimit`` samples, NN-descent above) joined into an
    /// undirected graph weighted by Euclidean distance (step 1), which must be connected; the
    /// shortest paths from the sources by Dijkstra's algorithm (step 2: every sample, or L
    /// landmarks drawn at random, which de Silva & Tenenbaum found as good as chosen ones);
    /// classical scaling of the sources' squared geodesic distances (step 3); for landmarks,
    /// every sample placed by the landmark formula from its geodesics to them. Then the decoder
    /// (``Configuration/decoder``) is trained on the pairs (code, sample); `decoderProgress`
    /// hears its batches and may throw to stop.
    public static func fit(_ samples: Tensor, configuration: Configuration, using generator: inout RandomGenerator,
                           settings: ComputeSettings = .current, decoderProgress: @escaping (TrainingProgress) throws -> Void = { _ in }) throws -> Isomap {
        try checkTrainingSamples(samples, method: "Isomap", minimumCount: 2)
        try configuration.checkRanges(methodName)
        try configuration.decoder.check(samples, method: "Isomap")
        let (n, d, k) = (samples.rows, configuration.components, configuration.neighbours)
        guard k <= n - 1 || configuration.radius != nil else {
            throw AutoencoderError("Isomap: `neighbours` = \(k) needs at least \(k + 1) samples; got \(n): lower `neighbours` below \(n)")
        }
        let s = configuration.sources(samples: n)
        guard d < s else { throw AutoencoderError("Isomap: \(d) components need more than \(d) sources (samples or landmarks); got \(s)") }
        let exact = n < Configuration.exactNeighboursLimit || configuration.radius != nil
        let seed = generator.next()
        let graph: WeightedGraph
        if let radius = configuration.radius {
            graph = try WeightedGraph(radius: radius, samples: samples, settings: settings)
        } else {
            graph = WeightedGraph(neighbours: exact ? try NearestNeighbours.exact(samples, k: k, settings: settings)
                                                    : try NearestNeighbours.descent(samples, k: k, seed: seed, settings: settings))
        }
        let (labels, count) = graph.components()
        if count > 1 {
            var sizes = [Int](repeating: 0, count: count), first = [Int](repeating: -1, count: count)
            for (i, label) in labels.enumerated() {
                sizes[label] += 1
                if first[label] < 0 { first[label] = i }
            }
            let listed = (0..<Swift.min(count, 5)).map { "\(sizes[$0]) samples from row \(first[$0])" }.joined(separator: "; ")
            let (name, advice) = configuration.radius.map { ("ε-graph of radius \($0)", "raise `radius` (now \($0))") }
                ?? ("\(k)-nearest-neighbour graph", "raise `neighbours` (now \(k))")
            throw AutoencoderError("Isomap: the \(name) falls into \(count) connected components (\(listed)\(count > 5 ? "; …" : "")), "
                                   + "and no path joins them: \(advice) until it is connected")
        }
        var sources = Array(0..<n)
        if s < n {
            sources.shuffle(using: &generator)
            sources = Array(sources.prefix(s)).sorted()
        }
        let geodesics = graph.shortestPaths(from: sources, settings: settings)
        // Among the sources, each distance from both ends (sums along a path in another order may differ in the last bit).
        var squared = [Double](repeating: 0, count: s * s)
        for a in 0..<s {
            for b in 0..<s where a != b {
                let mean = (geodesics[a * n + sources[b]] + geodesics[b * n + sources[a]]) / 2
                squared[a * s + b] = mean * mean
            }
        }
        let scaling = try ClassicalScaling(squared: squared, count: s, dimensions: d, using: &generator, settings: settings)
        var codes = scaling.coordinates
        if s < n {
            codes = [Double](repeating: 0, count: n * d)
            for j in 0..<n {
                let placed = scaling.place(squared: (0..<s).map { geodesics[$0 * n + j] * geodesics[$0 * n + j] })
                for c in 0..<d { codes[j * d + c] = placed[c] }
            }
        }
        var vectors = [Float](repeating: 0, count: s * d)
        for c in 0..<d { for a in 0..<s { vectors[a * d + c] = Float(scaling.eigenvectors[c][a]) } }
        let summary = Summary(sources: s, edges: graph.edgeCount / 2, eigenvalues: scaling.eigenvalues, exactNeighbours: exact)
        let embedding = try Tensor(shape: [n, d], scalars: codes.map { Float($0) })
        return Isomap(configuration: configuration, reference: samples, embedding: embedding,
                      geodesics: try Tensor(shape: [s, n], scalars: geodesics.map { Float($0) }), eigenvectors: try Tensor(shape: [s, d], scalars: vectors),
                      columnMeans: try Tensor(shape: [s], scalars: scaling.columnMeans.map { Float($0) }), summary: summary,
                      decoder: try learnDecoder(codes: embedding, samples: samples, configuration: configuration, seed: generator.next(), progress: decoderProgress))
    }

    /// ENCODE: a new sample's geodesic distance to each source is the shortest way through one of
    /// its k nearest training samples (for an ε-graph: those within ε, or its nearest), min over them of ‖x − xⱼ‖ + g(source, j); its code is the
    /// landmark formula y = −½ Λ^(−1/2) Vᵀ (δ² − μ) (de Silva & Tenenbaum 2004; for a training
    /// sample its own code). Each sample alone: a batch encodes as its rows one by one.
    public func encodeUnchecked(_ samples: Tensor) -> Tensor {
        (try? place(samples)) ?? Tensor(repeating: .nan, shape: [samples.rows, codeSize])
    }

    /// ENCODE, with what can fail thrown.
    public func place(_ samples: Tensor, settings: ComputeSettings = .current) throws -> Tensor {
        let (m, n, d, s) = (samples.rows, reference.rows, codeSize, geodesics.rows)
        // An ε-graph's new sample joins the training samples within ε (its nearest when none is).
        let k = configuration.radius == nil ? Swift.min(configuration.neighbours, n) : n
        let found = try NearestNeighbours.exact(queries: samples, in: reference, k: k, settings: settings)
        let (x, r, g) = (samples.scalars, reference.scalars, geodesics.scalars)
        let (vectors, means) = (eigenvectors.scalars, columnMeans.scalars)
        let width = samples.columns
        var out = [Float](repeating: 0, count: m * d)
        for i in 0..<m {
            // Distances summed directly, in one order: a sample's code does not depend on its batch.
            let near = found.neighbours(of: i).map { j -> (Int, Double) in
                var total = 0.0
                for c in 0..<width { let e = Double(x[i * width + c]) - Double(r[Int(j) * width + c]); total += e * e }
                return (Int(j), total.squareRoot())
            }.enumerated().filter { slot, pair in configuration.radius.map { slot == 0 || pair.1 <= $0 } ?? true }.map(\.element)
            for c in 0..<d {
                var sum = 0.0
                for a in 0..<s {
                    let geodesic = near.reduce(Double.infinity) { Swift.min($0, $1.1 + Double(g[a * n + $1.0])) }
                    sum += Double(vectors[a * d + c]) * (geodesic * geodesic - Double(means[a]))
                }
                out[i * d + c] = Float(-0.5 * sum / summary.eigenvalues[c].squareRoot())
            }
        }
        return try Tensor(shape: [m, d], scalars: out)
    }
}
