/// Horizontal bars, one per item, with the value written at the bar's end: reconstruction error
/// per method.
public struct BarChart: Sendable {
    public var title: String, valueLabel: String
    public var bars: [(name: String, value: Double)]

    public init(title: String, valueLabel: String, bars: [(name: String, value: Double)]) throws {
        guard !bars.isEmpty else { throw FigureError("a bar chart needs at least one bar") }
        guard bars.allSatisfy({ $0.value.isFinite && $0.value >= 0 }) else {
            throw FigureError("bar-chart values must be finite and ≥ 0; got \(bars.map(\.value))")
        }
        (self.title, self.valueLabel, self.bars) = (title, valueLabel, bars)
    }

    /// The figure as SVG; its height grows with the number of bars.
    public func svg(width: Double = 560) -> String {
        let rowHeight = 24.0, labelWidth = 8 + 6.4 * Double(bars.map(\.name.count).max() ?? 0)
        let top = 36.0, height = top + rowHeight * Double(bars.count) + 44
        var svg = SVGDocument(width: width, height: height)
        let left = labelWidth + 8, right = width - 56
        let scale = LinearScale(covering: [0] + bars.map(\.value), range: (left, right))
        svg.text(title, x: width / 2, y: 20, size: 14, anchor: .middle, bold: true)
        let bottom = top + rowHeight * Double(bars.count)
        let ticks = scale.ticks()
        for (tick, label) in zip(ticks, LinearScale.labels(ticks)) {
            svg.line(x1: scale(tick), y1: top, x2: scale(tick), y2: bottom, stroke: .grid)
            svg.text(label, x: scale(tick), y: bottom + 15, size: 11, anchor: .middle, color: .axis)
        }
        for (index, bar) in bars.enumerated() {
            let y = top + rowHeight * Double(index)
            svg.rect(x: left, y: y + 4, width: max(scale(bar.value) - left, 0.5), height: rowHeight - 8, fill: Palette.categorical[3])
            svg.text(bar.name, x: left - 8, y: y + rowHeight / 2 + 4, size: 11, anchor: .end)
            svg.text(n(bar.value), x: scale(bar.value) + 4, y: y + rowHeight / 2 + 4, size: 11, color: .axis)
        }
        svg.line(x1: left, y1: top, x2: left, y2: bottom, stroke: .axis)
        svg.text(valueLabel, x: (left + right) / 2, y: bottom + 34, size: 12, anchor: .middle)
        return svg.text
    }
}
