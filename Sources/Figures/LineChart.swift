/// Curves of a quantity per epoch: training and held-out loss, one line per series.
public struct LineChart: Sendable {
    /// One curve: a value per step 1, 2, …; non-finite values leave gaps.
    public struct Series: Sendable {
        public var name: String
        public var values: [Double]
        public var dashed: Bool

        public init(name: String, values: [Double], dashed: Bool = false) {
            (self.name, self.values, self.dashed) = (name, values, dashed)
        }
    }

    public var title: String, xLabel: String, yLabel: String
    public var series: [Series]

    public init(title: String, xLabel: String = "epoch", yLabel: String = "loss", series: [Series]) throws {
        guard series.contains(where: { !$0.values.isEmpty }) else {
            throw FigureError("a line chart needs at least one series with values; got \(series.count) empty series")
        }
        (self.title, self.xLabel, self.yLabel, self.series) = (title, xLabel, yLabel, series)
    }

    /// A caption naming what is plotted, and the dashed lines when there are any.
    public var caption: String {
        "\(yLabel.prefix(1).uppercased() + yLabel.dropFirst()) per \(xLabel)" + (series.contains(where: \.dashed) ? "; dashed: held-out data." : ".")
    }

    /// The figure as SVG, `width × height` units; series take the palette's colours in order.
    public func svg(width: Double = 520, height: Double = 320) -> String {
        let longest = series.map(\.values.count).max() ?? 1
        let legend = Legend(entries: series.enumerated().map { index, line in
            (line.name, .line(Palette.lines[index % Palette.lines.count], dashed: line.dashed))
        })
        var svg = SVGDocument(width: width, height: height)
        // Integer steps from 1; a single step gets a domain around it.
        let xDomain = longest > 1 ? 1.0...Double(longest) : 0.5...1.5
        let axes = Axes(width: width, height: height, legendWidth: legend.width, xValues: [], yValues: series.flatMap(\.values),
                        xDomain: xDomain)
        let xTicks = axes.x.ticks().filter { $0 == $0.rounded() && $0 >= 1 }
        axes.draw(in: &svg, title: title, xLabel: xLabel, yLabel: yLabel, xTicks: xTicks)
        for (index, line) in series.enumerated() {
            let color = Palette.lines[index % Palette.lines.count]
            let points = line.values.enumerated().map { (axes.x(Double($0.offset + 1)), axes.y($0.element)) }
            // Gaps at non-finite values: each finite run drawn on its own, a lone point as a dot.
            var run: [(x: Double, y: Double)] = []
            func flush() {
                if run.count == 1 { svg.marker(.circle, x: run[0].x, y: run[0].y, size: 2.5, fill: color) } else { svg.polyline(run, stroke: color, dashed: line.dashed) }
                run = []
            }
            for (point, value) in zip(points, line.values) {
                if value.isFinite { run.append(point) } else { flush() }
            }
            flush()
        }
        legend.draw(in: &svg, x: axes.right + 12, y: axes.top + 10)
        return svg.text
    }
}
