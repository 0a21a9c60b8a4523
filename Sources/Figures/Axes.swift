/// The frame of a chart: the plotting area inside margins, its two scales, and the title,
/// grid, ticks and axis labels around it.
struct Axes {
    let x: LinearScale, y: LinearScale
    let left: Double, top: Double, right: Double, bottom: Double

    /// Margins leave room for tick labels (left, bottom), axis titles and the chart title.
    static let margins = (left: 58.0, top: 34.0, right: 16.0, bottom: 46.0)

    /// Axes filling `width × height` minus the margins and `legendWidth` on the right, with
    /// domains widened to round ticks around `xValues` and `yValues`.
    init(width: Double, height: Double, legendWidth: Double = 0, xValues: [Double], yValues: [Double],
         xDomain: ClosedRange<Double>? = nil, padding: Double = 0) {
        let (left, top) = (Self.margins.left, Self.margins.top)
        let (right, bottom) = (width - Self.margins.right - legendWidth, height - Self.margins.bottom)
        (self.left, self.top, self.right, self.bottom) = (left, top, right, bottom)
        if let xDomain { x = LinearScale(domain: xDomain, range: (left, right)) } else { x = LinearScale(covering: xValues, range: (left, right), padding: padding) }
        y = LinearScale(covering: yValues, range: (bottom, top), padding: padding)
    }

    /// Draws the background grid, the axes with their ticks and labels, and the titles.
    func draw(in svg: inout SVGDocument, title: String, xLabel: String, yLabel: String, xTicks: [Double]? = nil) {
        svg.text(title, x: (left + right) / 2, y: 20, size: 14, anchor: .middle, bold: true)
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
        svg.text(xLabel, x: (left + right) / 2, y: bottom + 36, size: 12, anchor: .middle)
        svg.text(yLabel, x: 15, y: (top + bottom) / 2, size: 12, anchor: .middle, rotation: -90)
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
