import Tensors

/// A scatter plot of 2-D codes, coloured by class: the lecture's picture of what an encoder
/// learned (Hinton & Salakhutdinov 2006, Fig. 3: PCA's codes beside the autoencoder's).
///
/// Markers shrink and fade as the sample count grows, so dense classes stay visible and no
/// class hides another; classes beyond the palette's eight colours change marker shape.
public struct ScatterPlot: Sendable {
    public var title: String
    public var xLabel: String, yLabel: String
    /// The points, `n × 2`.
    public let points: Tensor
    /// A class index per point, or nil for one colour.
    public var labels: [Int]?
    /// A name per class index, shown in the legend (else "class 0", "class 1", …).
    public var classNames: [String]?

    /// A plot of the first two columns of `codes` (`n × d`, d ≥ 2; see ``principalPlane(_:)``
    /// for codes of more dimensions). Throws when the shapes or labels do not fit.
    public init(codes: Tensor, labels: [Int]? = nil, classNames: [String]? = nil, title: String,
                xLabel: String = "code 1", yLabel: String = "code 2") throws {
        guard codes.rank == 2, codes.shape[1] >= 2, codes.shape[0] >= 1 else {
            throw FigureError("a scatter plot needs codes n × d with d ≥ 2; got shape \(codes.shape)")
        }
        if let labels {
            guard labels.count == codes.shape[0] else {
                throw FigureError("a scatter plot needs one label per code: \(codes.shape[0]) codes, \(labels.count) labels")
            }
            guard labels.allSatisfy({ $0 >= 0 }) else { throw FigureError("scatter-plot labels must be class indices ≥ 0") }
        }
        points = codes.shape[1] == 2 ? codes : codes.columns(0..<2)
        (self.labels, self.classNames, self.title, self.xLabel, self.yLabel) = (labels, classNames, title, xLabel, yLabel)
    }

    /// Marker radius and opacity for `count` points: about the same total ink at any n.
    static func markerStyle(count: Int) -> (size: Double, opacity: Double) {
        switch count {
        case ..<300: (3.2, 0.9)
        case ..<3000: (2.2, 0.65)
        default: (1.4, 0.4)
        }
    }

    /// The figure as SVG, `width × height` units.
    public func svg(width: Double = 520, height: Double = 420) -> String {
        let count = points.shape[0]
        let values = points.scalars
        let xs = (0..<count).map { Double(values[2 * $0]) }, ys = (0..<count).map { Double(values[2 * $0 + 1]) }
        let classes = labels.map { ($0.max() ?? -1) + 1 } ?? 0
        let legend = Legend(entries: (0..<classes).map { index in
            let marker = Palette.marker(forClass: index)
            let name = classNames.flatMap { index < $0.count ? $0[index] : nil } ?? "class \(index)"
            return (name, .marker(marker.shape, marker.color))
        })
        var svg = SVGDocument(width: width, height: height)
        let axes = Axes(width: width, height: height, legendWidth: legend.width, xValues: xs, yValues: ys, padding: 0.03)
        axes.draw(in: &svg, title: title, xLabel: xLabel, yLabel: yLabel)
        let style = Self.markerStyle(count: count)
        for index in 0..<count where xs[index].isFinite && ys[index].isFinite {
            let marker = labels.map { Palette.marker(forClass: $0[index]) } ?? (Palette.categorical[4], .circle)
            svg.marker(marker.shape, x: axes.x(xs[index]), y: axes.y(ys[index]), size: style.size, fill: marker.color, opacity: style.opacity)
        }
        legend.draw(in: &svg, x: axes.right + 12, y: axes.top + 10)
        return svg.text
    }
}
