import Foundation

/// An SVG 1.1 document built element by element; its ``text`` is the file.
///
/// Coordinates are user units with the origin at the top left. Numbers are written with at most
/// two decimals, so the same figure always gives the same bytes (golden tests rely on it).
public struct SVGDocument: Sendable {
    /// Horizontal placement of text relative to its anchor point.
    public enum TextAnchor: String, Sendable { case start, middle, end }

    public let width: Double, height: Double
    private var elements: [String] = []

    /// The font of every label: generic families only, so the figure renders offline everywhere.
    public static let fontFamily = "Helvetica, Arial, sans-serif"

    public init(width: Double, height: Double) {
        (self.width, self.height) = (width, height)
    }

    public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: Color?,
                              stroke: Color? = nil, opacity: Double = 1) {
        elements.append("<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"\(fill?.description ?? "none")\""
                        + (stroke.map { " stroke=\"\($0)\"" } ?? "") + opacityAttribute(opacity) + "/>")
    }

    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: Color, width: Double = 1) {
        elements.append("<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"/>")
    }

    /// A line through `points`; non-finite points are skipped.
    public mutating func polyline(_ points: [(x: Double, y: Double)], stroke: Color, width: Double = 1.5, dashed: Bool = false) {
        let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
        guard !finite.isEmpty else { return }
        let list = finite.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " ")
        elements.append("<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\""
                        + (dashed ? " stroke-dasharray=\"5 3\"" : "") + " stroke-linejoin=\"round\"/>")
    }

    /// A marker of `shape` centred on (x, y) whose area matches a circle of radius `size`.
    public mutating func marker(_ shape: MarkerShape, x: Double, y: Double, size: Double, fill: Color, opacity: Double = 1, outline: Color? = nil) {
        let style = " fill=\"\(fill)\"" + opacityAttribute(opacity) + (outline.map { " stroke=\"\($0)\" stroke-width=\"0.5\"" } ?? "")
        switch shape {
        case .circle:
            elements.append("<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(size))\"\(style)/>")
        case .square:
            let half = size * 0.886  // √π / 2: the circle's area
            elements.append("<rect x=\"\(n(x - half))\" y=\"\(n(y - half))\" width=\"\(n(2 * half))\" height=\"\(n(2 * half))\"\(style)/>")
        case .triangle:
            let r = size * 1.555  // an equilateral triangle with the circle's area
            let points = [(0.0, -r), (r * 0.866, r * 0.5), (-r * 0.866, r * 0.5)]
            elements.append("<polygon points=\"\(points.map { "\(n(x + $0.0)),\(n(y + $0.1))" }.joined(separator: " "))\"\(style)/>")
        case .diamond:
            let r = size * 1.253  // a square of the circle's area, turned 45°
            let points = [(0.0, -r), (r, 0.0), (0.0, r), (-r, 0.0)]
            elements.append("<polygon points=\"\(points.map { "\(n(x + $0.0)),\(n(y + $0.1))" }.joined(separator: " "))\"\(style)/>")
        }
    }

    /// Text with its baseline at `y`; `rotation` in degrees turns it about its anchor point.
    public mutating func text(_ string: String, x: Double, y: Double, size: Double = 12, anchor: TextAnchor = .start,
                              color: Color = .black, bold: Bool = false, rotation: Double = 0) {
        var attributes = "x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" fill=\"\(color)\""
        if anchor != .start { attributes += " text-anchor=\"\(anchor.rawValue)\"" }
        if bold { attributes += " font-weight=\"bold\"" }
        if rotation != 0 { attributes += " transform=\"rotate(\(n(rotation)) \(n(x)) \(n(y)))\"" }
        elements.append("<text \(attributes)>\(Self.escape(string))</text>")
    }

    /// A raster image embedded as a data URI, drawn with hard pixel edges when enlarged.
    public mutating func image(png: [UInt8], x: Double, y: Double, width: Double, height: Double) {
        let data = Data(png).base64EncodedString()
        elements.append("<image x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\" preserveAspectRatio=\"none\""
                        + " style=\"image-rendering:pixelated\" href=\"data:image/png;base64,\(data)\"/>")
    }

    /// The whole document.
    public var text: String {
        var lines = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\""
                     + " font-family=\"\(Self.fontFamily)\">"]
        lines += elements.map { "  " + $0 }
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `string` with XML's five special characters escaped.
    public static func escape(_ string: String) -> String {
        var result = ""
        for character in string {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }

    private func opacityAttribute(_ opacity: Double) -> String { opacity < 1 ? " fill-opacity=\"\(n(opacity))\"" : "" }
}

extension SVGDocument {
    /// `value` as the document writes it: at most two decimals, no trailing zeros ("12", "3.5",
    /// "-0.25"), and "0" for non-finite values.
    public static func number(_ value: Double) -> String { n(value) }
}

/// `value` with at most two decimals and no trailing zeros: "12", "3.5", "-0.25".
func n(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    var text = String(format: "%.2f", value)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text == "-0" ? "0" : text
}
