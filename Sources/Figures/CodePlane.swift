import Autoencoders
import Tensors

/// The plane in which to draw codes of any dimension.
public enum CodePlane {
    /// Codes `n × d` as points `n × 2` with axis names: 2-D codes as they are, 1-D codes
    /// against a zero second axis, and codes of d > 2 projected on their first two principal
    /// components (exact PCA, so the picture does not depend on a seed).
    public static func project(_ codes: Tensor) throws -> (points: Tensor, xLabel: String, yLabel: String) {
        guard codes.rank == 2, codes.shape[0] >= 1, codes.shape[1] >= 1 else {
            throw FigureError("codes to draw must be n × d with n, d ≥ 1; got shape \(codes.shape)")
        }
        switch codes.shape[1] {
        case 1: return (Tensor.concatenate([codes, Tensor.zeros([codes.shape[0], 1])], alongAxis: 1), "code 1", "")
        case 2: return (codes, "code 1", "code 2")
        default:
            guard codes.shape[0] >= 2 else { return (codes.columns(0..<2), "code 1", "code 2") }
            var generator = RandomGenerator(seed: 0)
            let pca = try PCA.fit(codes, configuration: .init(components: .count(2)), using: &generator)
            return (try pca.encode(codes), "principal component 1 of the codes", "principal component 2 of the codes")
        }
    }

    /// `codes` (`n × d`) and `others` (`m × d`, prior draws) in one plane: the plane of
    /// ``project(_:)`` for the codes, the others projected by the same map, so both are drawn
    /// on common axes.
    public static func project(_ codes: Tensor, with others: Tensor) throws -> (points: Tensor, others: Tensor, xLabel: String, yLabel: String) {
        guard others.rank == 2, others.shape[1] == codes.shape[1] else {
            throw FigureError("points drawn with codes of width \(codes.shape[1]) must have that width; got shape \(others.shape)")
        }
        switch codes.shape[1] {
        case 1, 2:
            let (points, x, y) = try project(codes)
            let otherPoints = codes.shape[1] == 2 ? others : Tensor.concatenate([others, Tensor.zeros([others.shape[0], 1])], alongAxis: 1)
            return (points, otherPoints, x, y)
        default:
            guard codes.shape[0] >= 2 else { return (codes.columns(0..<2), others.columns(0..<2), "code 1", "code 2") }
            var generator = RandomGenerator(seed: 0)
            let pca = try PCA.fit(codes, configuration: .init(components: .count(2)), using: &generator)
            return (try pca.encode(codes), try pca.encode(others), "principal component 1 of the codes", "principal component 2 of the codes")
        }
    }
}
