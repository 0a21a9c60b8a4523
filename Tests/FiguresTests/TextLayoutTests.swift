import Foundation
import Tensors
import Testing
import Figures

/// Chart text is measured before it is placed: titles, tick labels and axis titles of any
/// length stay inside the figure (by the average advance of the figures' font, 0.56 em a
/// character and 0.62 em bold), where fixed margins used to cut them at both ends.
@Suite struct TextLayoutTests {
    /// Each `<text>` element's horizontal extent (vertical for the rotated y title).
    static func extents(_ svg: String) throws -> [(text: String, low: Double, high: Double, vertical: Bool)] {
        let pattern = try NSRegularExpression(pattern: #"<text x="([-0-9.]+)" y="([-0-9.]+)" font-size="([0-9.]+)"[^>]*?( text-anchor="(\w+)")?( font-weight="bold")?( transform="rotate[^"]*")?>([^<]*)</text>"#)
        return pattern.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map { match in
            func group(_ index: Int) -> String? { Range(match.range(at: index), in: svg).map { String(svg[$0]) } }
            let (x, y, size) = (Double(group(1)!)!, Double(group(2)!)!, Double(group(3)!)!)
            let text = group(8)!.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
            let width = Double(text.count) * size * (group(6) == nil ? 0.56 : 0.62)
            let vertical = group(7) != nil
            let centre = vertical ? y : x
            switch group(5) {
            case "middle": return (text, centre - width / 2, centre + width / 2, vertical)
            case "end": return (text, centre - width, centre, vertical)
            default: return (text, centre, centre + width, vertical)
            }
        }
    }

    @Test(arguments: [false, true])
    func chartTextStaysInside(scatter: Bool) throws {
        let (width, height) = (520.0, 320.0)
        let svg: String
        if scatter {
            let codes = try Tensor(shape: [3, 2], scalars: [0, 123_456_789, 1, 987_654_321, 2, 555_555_555])
            svg = try ScatterPlot(codes: codes, title: "Codes of a model with a very long name fitted on a table with a long name too, drawn",
                                  xLabel: "principal component 1 of the codes", yLabel: "principal component 2 of the codes, in very large units")
                .svg(width: width, height: height)
        } else {
            svg = try LineChart(title: "deep autoencoder 784-1000-500-250-30 of a long run: RBM pretraining, every stage",
                                yLabel: "squared reconstruction error per sample, mean over the held-out rows of each epoch",
                                series: [.init(name: "RBM 1", values: [40_000.5, 27_000.25, 12_000.125])]).svg(width: width, height: height)
        }
        let texts = try Self.extents(svg)
        #expect(texts.count >= 6)
        for text in texts {
            let limit = text.vertical ? height : width
            #expect(text.low >= 0 && text.high <= limit, "'\(text.text)' spans \(text.low) … \(text.high) of \(limit)")
        }
    }
}
