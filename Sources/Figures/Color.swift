/// An sRGB colour with 8-bit channels.
public struct Color: Sendable, Hashable, CustomStringConvertible {
    public var red: UInt8, green: UInt8, blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        (self.red, self.green, self.blue) = (red, green, blue)
    }

    /// A colour from its `0xRRGGBB` form.
    public init(hex: UInt32) {
        self.init(red: UInt8(hex >> 16 & 0xFF), green: UInt8(hex >> 8 & 0xFF), blue: UInt8(hex & 0xFF))
    }

    /// The CSS form, `#rrggbb`.
    public var description: String {
        "#" + [red, green, blue].map { value in
            let digits = String(value, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }

    public static let black = Color(hex: 0x000000)
    public static let white = Color(hex: 0xFFFFFF)
    /// Axis lines, ticks and secondary text.
    public static let axis = Color(hex: 0x444444)
    /// Grid lines behind the data.
    public static let grid = Color(hex: 0xE5E5E5)
}

/// Colours for categories and values that readers with the common colour-vision deficiencies
/// can tell apart.
public enum Palette {
    /// Twelve categorical colours: Okabe & Ito's ("Color Universal Design", 2002) without black
    /// (which reads as "no class"), then Paul Tol's indigo, wine and pale blue, a leaf green and
    /// a pink, yellow placed late because it is light on white. Every pair differs by ΔE*ab ≥ 15
    /// as seen with normal vision and as simulated for protanopia, deuteranopia and tritanopia
    /// (Machado, Oliveira & Fernandes 2009, severity 1): the test `everyPairStaysApart`.
    public static let categorical: [Color] = [
        Color(hex: 0xE69F00), Color(hex: 0x56B4E9), Color(hex: 0x009E73), Color(hex: 0x0072B2),
        Color(hex: 0xD55E00), Color(hex: 0xCC79A7), Color(hex: 0x332288), Color(hex: 0x882255),
        Color(hex: 0x80BA5A), Color(hex: 0xF0E442), Color(hex: 0xFFAABB), Color(hex: 0x99DDFF),
    ]

    /// Colours for lines on white: ``categorical`` without its lightest (yellow, pink, pale
    /// blue), too light for a thin line.
    public static let lines: [Color] = categorical.filter { ![0xF0E442, 0xFFAABB, 0x99DDFF].map(Color.init(hex:)).contains($0) }

    /// The marker of class `index`: the colour cycles through ``categorical`` and the shape
    /// changes after every twelve classes.
    public static func marker(forClass index: Int) -> (color: Color, shape: MarkerShape) {
        let count = categorical.count
        let shapes = MarkerShape.allCases
        return (categorical[index % count], shapes[(index / count) % shapes.count])
    }

    /// Anchor colours of viridis (van der Walt & Smith, 2015) at 0, 1/8, …, 1: perceptually
    /// uniform, monotone in lightness, readable in grey and under colour-vision deficiencies.
    static let viridisAnchors: [Color] = [
        Color(hex: 0x440154), Color(hex: 0x46327E), Color(hex: 0x365C8D), Color(hex: 0x277F8E),
        Color(hex: 0x1FA187), Color(hex: 0x4AC16D), Color(hex: 0x9FDA3A), Color(hex: 0xFDE725),
    ]

    /// The sequential colour of `value` in [0, 1] (clamped), interpolated between viridis anchors.
    public static func sequential(_ value: Double) -> Color {
        let t = value.isFinite ? min(max(value, 0), 1) : 0
        let position = t * Double(viridisAnchors.count - 1)
        let index = min(Int(position), viridisAnchors.count - 2)
        let fraction = position - Double(index)
        let (a, b) = (viridisAnchors[index], viridisAnchors[index + 1])
        func mix(_ x: UInt8, _ y: UInt8) -> UInt8 { UInt8((Double(x) + (Double(y) - Double(x)) * fraction).rounded()) }
        return Color(red: mix(a.red, b.red), green: mix(a.green, b.green), blue: mix(a.blue, b.blue))
    }
}

/// The shape of a scatter-plot marker.
public enum MarkerShape: String, Sendable, CaseIterable {
    case circle, square, triangle, diamond
}
