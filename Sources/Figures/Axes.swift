/// The frame of a chart: the plotting area inside margins, its two scales, and the title,
/// grid, ticks and axis labels around it. Text is measured (``TextMetrics``) so that tick
/// labels, axis titles and the chart title stay inside the figure whatever their length.
struct Axes {
    let x: LinearScale, y: LinearScale
    let left: Double, top: Double, right: Double, bottom: Double
    /// The whole figure's size.
    let width: Double, height: Double

    /// The least margins: room for tick labels (left, bottom), axis titles and the chart title.
    static let margins = (left: 58.0, top: 34.0, right: 16.0, bottom: 46.0)
    /// The band left of the y tick labels that the rotated y-axis title takes.
    static let yTitleBand = 22.0

    /// Axes filling `width × height` minus the margins and `legendWidth` on the right, with
    /// domains widened to round ticks around `xValues` and `yValues`. The left margin grows
    /// with the widest y tick label, the right one with half the last x tick label.
    init(width: Double, height: Double, legendWidth: Double = 0, xValues: [Double], yValues: [Double],
         xDomain: ClosedRange<Double>? = nil, padding: Double = 0) {
        let (top, bottom) = (Self.margins.top, height - Self.margins.bottom)
        let y = LinearScale(covering: yValues, range: (bottom, top), padding: padding)
        let widestTick = LinearScale.labels(y.ticks()).map { TextMetrics.width($0, size: 11) }.max() ?? 0
        let left = max(Self.margins.left, Self.yTitleBand + 7 + widestTick)
        func xScale(_ right: Double) -> LinearScale {
            if let xDomain { return LinearScale(domain: xDomain, range: (left, right)) }
            return LinearScale(covering: xValues, range: (left, right), padding: padding)
        }
        var right = width - Self.margins.right - legendWidth
        let lastTick = LinearScale.labels(xScale(right).ticks()).last.map { TextMetrics.width($0, size: 11) / 2 } ?? 0
        right = min(right, width - legendWidth - lastTick - 2)
        (self.left, self.top, self.right, self.bottom, self.width, self.height) = (left, top, right, bottom, width, height)
        (self.x, self.y) = (xScale(right), y)
    }

    /// Draws the background grid, the axes with their ticks and labels, and the titles.
    func draw(in svg: inout SVGDocument, title: String, xLabel: String, yLabel: String, xTicks: [Double]? = nil) {
        // The title is centred over the plot, moved (and if need be made smaller) to stay inside the figure.
        let (title, titleSize) = TextMetrics.fitted(title, preferred: 14, available: width - 8, bold: true)
        let half = TextMetrics.width(title, size: titleSize, bold: true) / 2
        svg.text(title, x: min(max((left + right) / 2, 4 + half), width - 4 - half), y: 20, size: titleSize, anchor: .middle, bold: true)
        let xs = xTicks ?? x.ticks(), ys = y.ticks()
        for (tick, label) in zip(xs, LinearScale.labels(xs)) {
            let position = x(tick)
            svg.line(x1: position, y1: top, x2: position, y2: bottom, stroke: .grid)
            svg.line(x1: position, y1: bottom, x2: position, y2: bottom + 4, stroke: .axis)
            svg.text(label, x: position, y: bottom + 16, size: 11, anchor: .middle, color: .axis)
        }
        for (tick, label) in zip(ys, LinearScale.labels(ys)) {
            let position = y(tick)
            svg.line(x1: left, y1: position, x2: right, y2: position, stroke: .grid)
            svg.line(x1: left - 4, y1: position, x2: left, y2: position, stroke: .axis)
            svg.text(label, x: left - 7, y: position + 4, size: 11, anchor: .end, color: .axis)
        }
        svg.line(x1: left, y1: bottom, x2: right, y2: bottom, stroke: .axis)
        svg.line(x1: left, y1: top, x2: left, y2: bottom, stroke: .axis)
        let (xLabel, xSize) = TextMetrics.fitted(xLabel, preferred: 12, available: width - 8)
        let xHalf = TextMetrics.width(xLabel, size: xSize) / 2
        svg.text(xLabel, x: min(max((left + right) / 2, 4 + xHalf), width - 4 - xHalf), y: bottom + 36, size: xSize, anchor: .middle)
        // The rotated title runs along the plot's height and the margins above and below it.
        let (yLabel, ySize) = TextMetrics.fitted(yLabel, preferred: 12, available: height - 8)
        let yHalf = TextMetrics.width(yLabel, size: ySize) / 2
        svg.text(yLabel, x: 15, y: min(max((top + bottom) / 2, 4 + yHalf), height - 4 - yHalf), size: ySize, anchor: .middle, rotation: -90)
    }
}

/// Widths of text in the figures' sans-serif font, estimated from its average advance (about
/// 0.56 em a character, 0.62 em bold; digits 0.556 em in Helvetica and Arial), so that layouts
/// make room for what they draw without a font file.
enum TextMetrics {
    static func width(_ text: String, size: Double, bold: Bool = false) -> Double {
        Double(text.count) * size * (bold ? 0.62 : 0.56)
    }

    /// The smallest size text is drawn at.
    static let smallest = 8.0

    /// `preferred`, or the size that fits `text` into `available` units, but never below ``smallest``.
    static func fittingSize(_ text: String, preferred: Double, available: Double, bold: Bool = false) -> Double {
        let needed = width(text, size: preferred, bold: bold)
        return needed <= available ? preferred : max(smallest, preferred * available / needed)
    }

    /// `text` at the size that fits it into `available` units, shortened with an ellipsis when
    /// even the smallest size is too wide.
    static func fitted(_ text: String, preferred: Double, available: Double, bold: Bool = false) -> (text: String, size: Double) {
        let size = fittingSize(text, preferred: preferred, available: available, bold: bold)
        // Shrunk to fit, the text fits but for rounding.
        guard width(text, size: size, bold: bold) > available * (1 + 1e-9) else { return (text, size) }
        let fits = Int(available / (size * (bold ? 0.62 : 0.56)))
        return (String(text.prefix(max(fits - 1, 1))) + "…", size)
    }
}

/// A legend: one marker or line sample and a name per entry, stacked from (x, y).
struct Legend {
    /// A marker, a line sample, or nothing (a line of text).
    enum Key { case marker(MarkerShape, Color), line(Color, dashed: Bool), none }

    let entries: [(name: String, key: Key)]

    /// The width a legend needs for its longest name at 11-pt text (about 6.2 units a character).
    var width: Double { entries.isEmpty ? 0 : 34 + 6.2 * Double(entries.map(\.name.count).max() ?? 0) }

    func draw(in svg: inout SVGDocument, x: Double, y: Double) {
        for (index, entry) in entries.enumerated() {
            let row = y + 18 * Double(index)
            switch entry.key {
            case .marker(let shape, let color): svg.marker(shape, x: x + 8, y: row - 4, size: 4.5, fill: color)
            case .line(let color, let dashed): svg.polyline([(x, row - 4), (x + 18, row - 4)], stroke: color, width: 2, dashed: dashed)
            case .none: break
            }
            svg.text(entry.name, x: x + 24, y: row, size: 11)
        }
    }
}
