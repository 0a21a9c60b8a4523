import Foundation
import Tensors

/// Walks through a model's latent space: between two codes, along one axis, and along an
/// attribute vector (the lecture's "smile vector": the mean code of samples with an attribute
/// minus the mean code of those without, added to a code with a strength). Codes are rows
/// `1 × d`; every function returns the codes to decode, one row per step.
public enum LatentSpace {
    /// How to move between two codes.
    public enum Path: String, Codable, Sendable, CaseIterable {
        /// (1 − t)·a + t·b.
        case linear
        /// sin((1 − t)θ)/sin θ · a + sin(tθ)/sin θ · b, θ the angle between a and b (White 2016,
        /// "Sampling generative networks", eq. 1): for Gaussian latents, where the straight
        /// line passes through a low-norm middle that the prior rarely draws in high dimension.
        case spherical
    }

    /// `steps` codes from `a` to `b` (both ends included), `steps × d`.
    public static func interpolate(from a: Tensor, to b: Tensor, steps: Int, path: Path) throws -> Tensor {
        guard a.count == b.count, a.count >= 1, steps >= 2 else {
            throw AutoencoderError("interpolation needs two codes of one width and at least 2 steps; got \(a.shape), \(b.shape), \(steps) steps")
        }
        let (x, y) = (a.scalars.map(Double.init), b.scalars.map(Double.init))
        let (nx, ny) = (norm(x), norm(y))
        let cosine = nx > 0 && ny > 0 ? zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } / (nx * ny) : 1
        let theta = acos(Swift.min(1, Swift.max(-1, cosine)))
        var scalars: [Float] = []
        for step in 0..<steps {
            let t = Double(step) / Double(steps - 1)
            // Nearly parallel (or a zero) code: the great circle is the line.
            if path == .linear || sin(theta) < 1e-6 {
                scalars += zip(x, y).map { Float((1 - t) * $0 + t * $1) }
            } else {
                let (wa, wb) = (sin((1 - t) * theta) / sin(theta), sin(t * theta) / sin(theta))
                scalars += zip(x, y).map { Float(wa * $0 + wb * $1) }
            }
        }
        return try Tensor(shape: [steps, a.count], scalars: scalars)
    }

    /// `code` (`1 × d`) with coordinate `dimension` set to code[dimension] + v for each v of
    /// `offsets`, `offsets.count × d`.
    public static func traverse(_ code: Tensor, dimension: Int, offsets: [Float]) throws -> Tensor {
        guard dimension >= 0, dimension < code.count else {
            throw AutoencoderError("code dimension \(dimension + 1) does not exist: codes have \(code.count)")
        }
        var scalars: [Float] = []
        for offset in offsets {
            var row = code.scalars
            row[dimension] += offset
            scalars += row
        }
        return try Tensor(shape: [offsets.count, code.count], scalars: scalars)
    }

    /// mean(codes of rows labelled `with`) − mean(codes of rows labelled `without`), `1 × d`.
    public static func attributeVector(codes: Tensor, labels: [Int], with: Int, without: Int) throws -> Tensor {
        guard codes.rank == 2, labels.count == codes.rows else {
            throw AutoencoderError("an attribute vector needs a label per code; got \(labels.count) labels for codes \(codes.shape)")
        }
        let (present, absent) = (labels.indices.filter { labels[$0] == with }, labels.indices.filter { labels[$0] == without })
        guard !present.isEmpty, !absent.isEmpty else {
            throw AutoencoderError("an attribute vector needs samples with and without the attribute; found \(present.count) and \(absent.count)")
        }
        return codes.gatherRows(present).mean(alongAxis: 0).reshaped([1, codes.columns])
            - codes.gatherRows(absent).mean(alongAxis: 0).reshaped([1, codes.columns])
    }

    /// code + s·vector for each strength s, `strengths.count × d`.
    public static func apply(_ vector: Tensor, to code: Tensor, strengths: [Float]) throws -> Tensor {
        guard vector.count == code.count else {
            throw AutoencoderError("an attribute vector of width \(vector.count) cannot move codes of width \(code.count)")
        }
        let (v, c) = (vector.scalars, code.scalars)
        return try Tensor(shape: [strengths.count, code.count], scalars: strengths.flatMap { s in zip(c, v).map { $0 + s * $1 } })
    }

    private static func norm(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 }.squareRoot() }
}
