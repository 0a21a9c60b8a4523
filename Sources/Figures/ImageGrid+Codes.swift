import Autoencoders
import Tensors

/// Grids drawn by decoding chosen codes: what a decoder makes of points between and around the
/// codes of real samples.
extension ImageGrid {
    /// Interpolation strips: for each pair (a, b) of samples, DECODE of `steps` codes from
    /// ENCODE(a) to ENCODE(b) along `path` (`LatentSpace.interpolate(from:to:steps:path:)`),
    /// one row per pair.
    ///
    /// `from` and `to` are samples `m × D`, row i of one paired with row i of the other.
    public static func interpolation(_ model: any Autoencoder, from: Tensor, to: Tensor, labels: [String], steps: Int = 10,
                                     path: LatentSpace.Path = .linear, imageShape: [Int]) throws -> ImageGrid {
        guard from.shape == to.shape, from.rank == 2, labels.count == from.shape[0], steps >= 2 else {
            throw FigureError("interpolation needs two sample sets of one shape, a label per pair and ≥ 2 steps; got \(from.shape), \(to.shape), \(labels.count) labels, \(steps) steps")
        }
        let (start, end) = (try model.encode(from), try model.encode(to))
        let rows = try (0..<from.shape[0]).map { pair in
            let codes = try LatentSpace.interpolate(from: start.rows(pair..<(pair + 1)), to: end.rows(pair..<(pair + 1)), steps: steps, path: path)
            return Row(label: labels[pair], images: try model.decode(codes))
        }
        return try ImageGrid(title: "Decoded codes between two samples (\(path.rawValue))", rows: rows, imageShape: imageShape)
    }

    /// Traversals: one row per code dimension (at most `dimensions`), that coordinate swept
    /// over its mean ± 2 standard deviations among `codes` (`n × d`) while the others stay at
    /// their means.
    public static func traversal(_ model: any Autoencoder, codes: Tensor, steps: Int = 10, dimensions: Int = 8,
                                 imageShape: [Int]) throws -> ImageGrid {
        guard codes.rank == 2, codes.shape[0] >= 2, codes.shape[1] == model.codeSize, steps >= 2 else {
            throw FigureError("a traversal needs codes n × \(model.codeSize) with n ≥ 2 and ≥ 2 steps; got \(codes.shape), \(steps) steps")
        }
        let mean = codes.mean(alongAxis: 0)
        let spread = ((codes - mean) * (codes - mean)).mean(alongAxis: 0).sqrt()
        let rows = try (0..<min(codes.shape[1], dimensions)).map { dimension in
            let centre = mean.scalars, width = spread.scalars[dimension]
            var scalars: [Float] = []
            for step in 0..<steps {
                var code = centre
                code[dimension] += width * (-2 + 4 * Float(step) / Float(steps - 1))
                scalars += code
            }
            return Row(label: "code \(dimension + 1): −2σ … +2σ", images: try model.decode(try Tensor(shape: [steps, codes.shape[1]], scalars: scalars)))
        }
        return try ImageGrid(title: "Decoded codes along each axis", rows: rows, imageShape: imageShape)
    }
}
