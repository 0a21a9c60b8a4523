import Neighbourhoods
import Tensors

/// DECODE read off an embedding: a code decodes to the mean of the training samples whose codes
/// lie nearest it, Σⱼ wⱼ xⱼ / Σⱼ wⱼ over its k nearest training codes yⱼ, each weighted by the
/// embedding's own similarity of codes wⱼ = s(‖z − yⱼ‖²) (t-SNE's Student-t kernel, UMAP's
/// curve). A code among training codes decodes to their samples; until a learned decoder
/// replaces it (the projective family's decoder), this is what the neighbour embeddings decode by.
/// Shapes: `codes: m × d`, `embedding: n × d`, `reference: n × D`, result `m × D`.
func neighbourAverage(of codes: Tensor, embedding: Tensor, reference: Tensor, neighbours: Int,
                      similarity: (_ squaredDistance: Double) -> Double) throws -> Tensor {
    let k = Swift.min(neighbours, embedding.rows)
    let graph = try NearestNeighbours.exact(queries: codes, in: embedding, k: k)
    let (m, d) = (codes.rows, reference.columns)
    var out = [Float](repeating: 0, count: m * d)
    reference.withUnsafeBufferPointer { x in
        var row = [Double](repeating: 0, count: d)
        for i in 0..<m {
            var total = 0.0
            for c in 0..<d { row[c] = 0 }
            // An infinite weight (a code on a training code, for inverse-distance weights) takes
            // the samples at that code alone, equally.
            let weights = graph.squaredDistances(of: i).map { similarity(Double($0)) }
            let exact = weights.contains(.infinity)
            for (j, weight) in zip(graph.neighbours(of: i), weights) {
                let w = exact ? (weight == .infinity ? 1 : 0) : weight
                total += w
                let base = Int(j) * d
                for c in 0..<d { row[c] += w * Double(x[base + c]) }
            }
            for c in 0..<d { out[i * d + c] = Float(row[c] / total) }
        }
    }
    return try Tensor(shape: [m, d], scalars: out)
}
