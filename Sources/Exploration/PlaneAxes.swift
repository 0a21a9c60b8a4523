import Latent

/// The plane of the code space a page draws: a point (u, v) of it is the code
/// z = o + u·a₁ + v·a₂, and a code c is drawn at (c·a₁, c·a₂). (For a principal graph, the
/// plane of the data space instead: the same formulas with samples for codes.)
///
/// a₁ and a₂ are orthonormal (`d` values each): the code's own two dimensions when d ≤ 2, else
/// the codes' first two principal components (exact PCA, so the plane does not depend on a
/// seed). The rest point o (`d` values) holds the other dimensions: by default the codes' mean
/// with its in-plane part taken out, o = m − (m·a₁)a₁ − (m·a₂)a₂, so that clicking the mean's
/// place decodes the mean. A page may put the rest elsewhere (at a hovered sample's code) by the
/// same formula with that code for m.
public struct PlaneAxes: Sendable, Codable, Equatable {
    /// a₁ (`d` values).
    public let first: [Float]
    /// a₂ (`d` values; zero when d = 1).
    public let second: [Float]
    /// o (`d` values).
    public let origin: [Float]
    /// m, the codes' mean (`d` values).
    public let mean: [Float]
    /// What each axis is, for the page's labels: "code 1", "principal component 1 of the codes".
    public let firstLabel: String, secondLabel: String

    /// The plane of `codes` (`n × d`, n ≥ 1); `what` names them in the axes' labels ("codes",
    /// or "data" for a principal graph's plane).
    public init(codes: Tensor, of what: String = "codes") throws {
        let (n, d) = (codes.rows, codes.columns)
        let mean = (0..<d).map { j in Float((0..<n).reduce(0.0) { $0 + Double(codes.scalars[$1 * d + j]) } / Double(n)) }
        var first = [Float](repeating: 0, count: d), second = [Float](repeating: 0, count: d)
        if d > 2, n >= 2 {
            var generator = RandomGenerator(seed: 0)
            let pca = try PCA.fit(codes, configuration: .init(components: .count(2)), using: &generator)
            first = Array(pca.components.scalars[0..<d])
            second = Array(pca.components.scalars[d..<(2 * d)])
            (firstLabel, secondLabel) = ("principal component 1 of the \(what)", "principal component 2 of the \(what)")
        } else {
            first[0] = 1
            if d >= 2 { second[1] = 1 }
            let unit = what == "codes" ? "code" : "feature"
            (firstLabel, secondLabel) = ("\(unit) 1", d >= 2 ? "\(unit) 2" : "")
        }
        self.first = first
        self.second = second
        self.mean = mean
        self.origin = Self.rest(at: mean, first: first, second: second)
    }

    /// o = c − (c·a₁)a₁ − (c·a₂)a₂: the code `c` without its part in the plane.
    public static func rest(at c: [Float], first: [Float], second: [Float]) -> [Float] {
        let (u, v) = (dot(c, first), dot(c, second))
        return c.indices.map { c[$0] - Float(u) * first[$0] - Float(v) * second[$0] }
    }

    /// (c·a₁, c·a₂): where code `c` is drawn.
    public func point(of c: [Float]) -> (u: Double, v: Double) { (Self.dot(c, first), Self.dot(c, second)) }

    /// z = o + u·a₁ + v·a₂: the code drawn at (u, v), in Double before the one rounding to Float.
    public func code(u: Double, v: Double, rest: [Float]? = nil) -> [Float] {
        let o = rest ?? origin
        return o.indices.map { Float(Double(o[$0]) + u * Double(first[$0]) + v * Double(second[$0])) }
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
}
