import Foundation
import Neighbourhoods
import Tensors

extension UMAP {
    /// The starting codes (`n × d`, row-major), as umap-learn 0.5 makes them: the layout of the
    /// configured initialisation scaled so that its largest coordinate is 10, jittered by
    /// Gaussian noise of standard deviation 10⁻⁴, then each coordinate mapped onto [0, 10]. Returns whether every spectral
    /// layout converged (nil when not spectral).
    static func initialCodes(_ samples: Tensor, graph: WeightedGraph, configuration: Configuration, using generator: inout RandomGenerator,
                             settings: ComputeSettings) throws -> (codes: [Float], converged: Bool?, components: Int) {
        let (n, d) = (samples.rows, configuration.components)
        let components = graph.components()
        var layout: [Double], converged: Bool?
        switch configuration.initialisation {
        case .random:
            layout = (0..<(n * d)).map { _ in (2 * generator.nextUniformDouble() - 1) * Configuration.initialRange }
        case .pca:
            layout = try TSNE.initialCodes(samples, components: d, using: &generator)
        case .spectral:
            (layout, converged) = try spectralLayout(samples, graph: graph, components: components, dimensions: d, using: &generator, settings: settings)
        }
        // noisy_scale_coords, then the per-coordinate map onto [0, 10].
        let largest = layout.reduce(0.0) { Swift.max($0, abs($1)) }
        let expansion = largest > 0 ? Configuration.initialRange / largest : 1
        var codes = layout.map { Float($0 * expansion) }
        for index in codes.indices { codes[index] += Float(generator.nextNormal() * Configuration.initialNoise) }
        for c in 0..<d {
            var (low, high) = (Float.infinity, -Float.infinity)
            for i in 0..<n { (low, high) = (Swift.min(low, codes[i * d + c]), Swift.max(high, codes[i * d + c])) }
            let range = high - low
            for i in 0..<n { codes[i * d + c] = range > 0 ? Float(Configuration.initialRange) * (codes[i * d + c] - low) / range : 0 }
        }
        return (codes, converged, components.count)
    }

    /// The Laplacian eigenmap of each connected component, placed apart (umap-learn's
    /// `multi_component_layout`): components sit at ±eᵢ when there are at most 2d of them, else
    /// at their centroids' first d principal components scaled to at most 1 (umap-learn embeds
    /// the centroids spectrally by the affinities exp(−‖cᵢ − cⱼ‖²), which vanish at the
    /// distances of raw features; the principal components keep their geometry). Each
    /// component's eigenmap is scaled to half the distance to the nearest other component; a
    /// component too small for one (fewer than 2d points, or at most d + 1) is spread uniformly
    /// within that radius.
    static func spectralLayout(_ samples: Tensor, graph: WeightedGraph, components: (labels: [Int], count: Int), dimensions d: Int,
                               using generator: inout RandomGenerator, settings: ComputeSettings) throws -> ([Double], Bool) {
        let n = graph.count
        if components.count == 1, n >= d + 2 {
            let map = try LaplacianEigenmap(graph: graph, dimensions: d, tolerance: Configuration.spectralTolerance, using: &generator, settings: settings)
            return (map.coordinates, map.converged)
        }
        let count = components.count
        var centres = [Double](repeating: 0, count: count * d)
        if count <= 2 * d {
            for component in 0..<count { centres[component * d + (component / 2) % d] = component % 2 == 0 ? 1 : -1 }
        } else {
            var sums = [Double](repeating: 0, count: count * samples.columns), sizes = [Double](repeating: 0, count: count)
            samples.withUnsafeBufferPointer { x in
                for i in 0..<n {
                    let component = components.labels[i]
                    sizes[component] += 1
                    for c in 0..<samples.columns { sums[component * samples.columns + c] += Double(x[i * samples.columns + c]) }
                }
            }
            for component in 0..<count { for c in 0..<samples.columns { sums[component * samples.columns + c] /= sizes[component] } }
            let centroids = try Tensor(shape: [count, samples.columns], scalars: sums.map { Float($0) })
            let usable = Swift.min(d, samples.columns, count)
            let pca = try PCA.fit(centroids, configuration: PCA.Configuration(components: .count(usable)), using: &generator)
            let projected = pca.encodeUnchecked(centroids)
            for component in 0..<count { for c in 0..<usable { centres[component * d + c] = Double(projected[component, c]) } }
            let largest = centres.reduce(0.0) { Swift.max($0, abs($1)) }
            if largest > 0 { centres = centres.map { $0 / largest } }
        }
        var layout = [Double](repeating: 0, count: n * d), converged = true
        var members = [[Int]](repeating: [], count: count)
        for i in 0..<n { members[components.labels[i]].append(i) }
        for component in 0..<count {
            var nearest = Double.infinity
            for other in 0..<count where other != component {
                var squared = 0.0
                for c in 0..<d { let t = centres[component * d + c] - centres[other * d + c]; squared += t * t }
                if squared > 0 { nearest = Swift.min(nearest, squared.squareRoot()) }
            }
            let radius = nearest.isFinite ? nearest / 2 : 1
            let vertices = members[component]
            var local: [Double]
            if vertices.count < 2 * d || vertices.count <= d + 1 {
                local = (0..<(vertices.count * d)).map { _ in (2 * generator.nextUniformDouble() - 1) * radius }
            } else {
                let map = try LaplacianEigenmap(graph: graph.subgraph(vertices), dimensions: d, tolerance: Configuration.spectralTolerance,
                                                using: &generator, settings: settings)
                converged = converged && map.converged
                let largest = map.coordinates.reduce(0.0) { Swift.max($0, abs($1)) }
                local = map.coordinates.map { largest > 0 ? $0 * radius / largest : 0 }
            }
            for (position, i) in vertices.enumerated() {
                for c in 0..<d { layout[i * d + c] = local[position * d + c] + centres[component * d + c] }
            }
        }
        return (layout, converged)
    }
}
