import Tensors

/// A scatter plot of 2-D codes, coloured by class: the lecture's picture of what an encoder
/// learned (Hinton & Salakhutdinov 2006, Fig. 3: PCA's codes beside the autoencoder's).
///
/// Markers are opaque (a colour is a class, never a blend) with a darker edge, and shrink as the
/// sample count grows; classes beyond the palette's twelve colours change marker shape. The
/// legend lists the classes present. Beyond ``maximumLegendClasses`` classes, integer labels
/// (a year, a regression target) are drawn on a colour scale with a colour bar, and class names
/// are left uncoloured with a note saying why: nothing drawn grows with a label's value.
public struct ScatterPlot: Sendable {
    /// The most classes that get a marker and a legend entry each.
    public static let maximumLegendClasses = 20

    /// How the points are coloured.
    public enum Colouring: Sendable, Equatable {
        /// One colour: no labels.
        case single
        /// A marker per class, and a legend of the classes present.
        case classes
        /// Integer labels on a sequential colour scale from `low` to `high`, with a colour bar.
        case scale(low: Int, high: Int)
        /// Too many named classes to tell apart: one colour, and the reason.
        case omitted(reason: String)
    }

    public var title: String
    public var xLabel: String, yLabel: String
    /// The points, `n × 2`.
    public let points: Tensor
    /// A class index per point, or nil for one colour.
    public var labels: [Int]?
    /// A name per class index, shown in the legend (else "class 0", "class 1", …).
    public var classNames: [String]?
    /// Points drawn beneath the codes in grey (`m × 2`), named in the legend: draws of a prior
    /// that the codes were trained to match.
    public var background: (points: Tensor, name: String)?
    /// A graph drawn over the points (`nodes`: `k × 2`, edges between node indices), named in
    /// the legend: a principal graph over its data.
    public var graph: (nodes: Tensor, edges: [(Int, Int)], name: String)?

    /// A plot of the first two columns of `codes` (`n × d`, d ≥ 2; see `principalPlane(_:)`
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
            if let classNames, let bad = labels.first(where: { $0 < 0 || $0 >= classNames.count }) {
                throw FigureError("label \(bad) has no class name (\(classNames.count) classes)")
            }
        }
        points = codes.shape[1] == 2 ? codes : codes.columns(0..<2)
        (self.labels, self.classNames, self.title, self.xLabel, self.yLabel) = (labels, classNames, title, xLabel, yLabel)
    }

    /// Marker radius and opacity for `count` points: opaque, so that a colour reads as its
    /// class and not as a blend of classes, and smaller as the points grow many.
    static func markerStyle(count: Int) -> (size: Double, opacity: Double) {
        switch count {
        case ..<300: (3.2, 1)
        case ..<3000: (2.2, 1)
        default: (1.4, 1)
        }
    }

    /// A darker edge for a marker of `color`, so that light colours stay visible on white.
    static func outline(of color: Color) -> Color {
        func darker(_ value: UInt8) -> UInt8 { UInt8(Double(value) * 0.55) }
        return Color(red: darker(color.red), green: darker(color.green), blue: darker(color.blue))
    }

    /// The value each label stands for when the labels are whole numbers: the label itself, or
    /// the number its class is named by (classes 10, 20, 30 are named so); nil for names.
    var labelValues: [Int]? {
        guard let labels else { return nil }
        guard let classNames else { return labels }
        let values = classNames.map { Int($0) }
        guard !values.contains(nil) else { return nil }
        return labels.map { values[$0]! }
    }

    /// The colouring the labels call for (see the type's summary).
    public var colouring: Colouring {
        guard let labels, !labels.isEmpty else { return .single }
        let present = Set(labels)
        if present.count <= Self.maximumLegendClasses { return .classes }
        if let values = labelValues { return .scale(low: values.min()!, high: values.max()!) }
        return .omitted(reason: "\(present.count) classes are too many to colour apart; points are drawn in one colour")
    }

    /// The marker of each class present: by class index when the classes have names (so a
    /// class keeps its colour in every plot of a data set), else by rank among the labels present.
    func classMarkers() -> [Int: (color: Color, shape: MarkerShape)] {
        let present = Set(labels ?? []).sorted()
        guard classNames == nil else { return Dictionary(uniqueKeysWithValues: present.map { ($0, Palette.marker(forClass: $0)) }) }
        return Dictionary(uniqueKeysWithValues: present.enumerated().map { ($1, Palette.marker(forClass: $0)) })
    }

    /// The figure as SVG, `width × height` units.
    public func svg(width: Double = 520, height: Double = 420) -> String {
        let count = points.shape[0]
        let values = points.scalars
        let xs = (0..<count).map { Double(values[2 * $0]) }, ys = (0..<count).map { Double(values[2 * $0 + 1]) }
        let under = background?.points.scalars ?? []
        let (underXs, underYs) = (stride(from: 0, to: under.count, by: 2).map { Double(under[$0]) }, stride(from: 1, to: under.count, by: 2).map { Double(under[$0]) })
        let colouring = self.colouring
        let markers = colouring == .classes ? classMarkers() : [:]
        let valueOfLabel = labelValues
        var legend = Legend(entries: [])
        switch colouring {
        case .classes:
            legend = Legend(entries: markers.keys.sorted().map { label in
                let name = classNames.map { $0[label] } ?? "\(label)"
                return (name, .marker(markers[label]!.shape, markers[label]!.color))
            })
        case .omitted:
            legend = Legend(entries: [("\(Set(labels ?? []).count) classes:", .none), ("too many to", .none), ("colour apart", .none)])
        case .single, .scale: break
        }
        if let background { legend = Legend(entries: legend.entries + [(background.name, .marker(.circle, Self.backgroundColor))]) }
        let graphNodes = graph?.nodes.scalars ?? []
        let (nodeXs, nodeYs) = (stride(from: 0, to: graphNodes.count, by: 2).map { Double(graphNodes[$0]) }, stride(from: 1, to: graphNodes.count, by: 2).map { Double(graphNodes[$0]) })
        if let graph { legend = Legend(entries: legend.entries + [(graph.name, .marker(.circle, Self.graphColor))]) }
        let colourBarWidth = 70.0
        var svg = SVGDocument(width: width, height: height)
        let axes = Axes(width: width, height: height, legendWidth: colouring.isScale ? colourBarWidth : legend.width,
                        xValues: xs + underXs + nodeXs, yValues: ys + underYs + nodeYs, padding: 0.03)
        axes.draw(in: &svg, title: title, xLabel: xLabel, yLabel: yLabel)
        let underStyle = Self.markerStyle(count: underXs.count)
        for index in underXs.indices where underXs[index].isFinite && underYs[index].isFinite {
            svg.marker(.circle, x: axes.x(underXs[index]), y: axes.y(underYs[index]), size: underStyle.size, fill: Self.backgroundColor, opacity: 0.5)
        }
        let style = Self.markerStyle(count: count)
        func marker(_ index: Int) -> (color: Color, shape: MarkerShape) {
            switch colouring {
            case .classes: markers[labels![index]]!
            case .scale(let low, let high):
                (Palette.sequential(high > low ? Double(valueOfLabel![index] - low) / Double(high - low) : 0.5), .circle)
            case .single, .omitted: (Palette.categorical[3], .circle)
            }
        }
        if count > Self.rasterThreshold {
            // Tens of thousands of vector markers make a file browsers crawl through: the points
            // become one image over the plot area, each a small opaque dot in its class colour.
            svg.image(png: raster(xs: xs, ys: ys, axes: axes, colour: { marker($0).color }),
                      x: axes.left, y: axes.top, width: axes.right - axes.left, height: axes.bottom - axes.top)
        } else {
            for index in 0..<count where xs[index].isFinite && ys[index].isFinite {
                let marker = marker(index)
                svg.marker(marker.shape, x: axes.x(xs[index]), y: axes.y(ys[index]), size: style.size, fill: marker.color, opacity: style.opacity,
                           outline: style.size >= 2 ? Self.outline(of: marker.color) : nil)
            }
        }
        if let graph {
            for (a, b) in graph.edges where [nodeXs[a], nodeYs[a], nodeXs[b], nodeYs[b]].allSatisfy(\.isFinite) {
                svg.line(x1: axes.x(nodeXs[a]), y1: axes.y(nodeYs[a]), x2: axes.x(nodeXs[b]), y2: axes.y(nodeYs[b]), stroke: Self.graphColor, width: 1.6)
            }
            for index in nodeXs.indices where nodeXs[index].isFinite && nodeYs[index].isFinite {
                svg.marker(.circle, x: axes.x(nodeXs[index]), y: axes.y(nodeYs[index]), size: 2.6, fill: Self.graphColor)
            }
        }
        if case .scale(let low, let high) = colouring {
            ColourBar(lowLabel: "\(low)", highLabel: "\(high)", title: "label").draw(in: &svg, x: axes.right + 14, top: axes.top + 6,
                                                                                height: min(180, axes.bottom - axes.top - 12))
        } else {
            legend.draw(in: &svg, x: axes.right + 12, y: axes.top + 10)
        }
        return svg.text
    }
}

extension ScatterPlot {
    /// Above this many points the points are drawn as one raster image of opaque dots.
    public static let rasterThreshold = 5_000
    /// Pixels of the raster per unit of the figure: sharp on high-density screens.
    static let rasterScale = 3.0

    /// The points as a PNG over the plot area, ``rasterScale`` pixels a unit, on white: each a
    /// dot of 5 pixels (a plus, one unit across) in `colour(index)`, later points over earlier.
    func raster(xs: [Double], ys: [Double], axes: Axes, colour: (Int) -> Color) -> [UInt8] {
        let scale = Self.rasterScale
        let width = Int(((axes.right - axes.left) * scale).rounded(.up)), height = Int(((axes.bottom - axes.top) * scale).rounded(.up))
        var image = try! PNGImage(width: max(width, 1), height: max(height, 1), filledWith: Color(red: 255, green: 255, blue: 255))
        for index in xs.indices where xs[index].isFinite && ys[index].isFinite {
            let column = Int(((axes.x(xs[index]) - axes.left) * scale).rounded()), row = Int(((axes.y(ys[index]) - axes.top) * scale).rounded())
            let color = colour(index)
            for (dr, dc) in [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)] {
                let (r, c) = (row + dr, column + dc)
                if r >= 0, r < image.height, c >= 0, c < image.width { image.set(row: r, column: c, color) }
            }
        }
        return image.encoded()
    }

    /// The grey of background points: visible under the codes, never mistaken for a class.
    static let backgroundColor = Color(hex: 0xBBBBBB)
    /// The near-black of a graph drawn over the points.
    static let graphColor = Color(hex: 0x222222)

    /// How the points are coloured, as the end of a figure's caption.
    public var colouringCaption: String {
        switch colouring {
        case .single: "."
        case .classes: ", coloured by class."
        case .scale(let low, let high): ", coloured by label value from \(low) to \(high) (\(Set(labels ?? []).count) distinct values; colour bar at the right)."
        case .omitted(let reason): ". " + reason.prefix(1).uppercased() + reason.dropFirst() + "."
        }
    }
}

extension ScatterPlot.Colouring {
    var isScale: Bool { if case .scale = self { true } else { false } }
}

/// A vertical bar of the sequential palette from `low` (bottom) to `high` (top), labelled at
/// both ends: the key of a colour scale.
struct ColourBar {
    let lowLabel: String, highLabel: String, title: String
    static let steps = 32

    func draw(in svg: inout SVGDocument, x: Double, top: Double, height: Double) {
        svg.text(title, x: x, y: top - 2, size: 11)
        let step = height / Double(Self.steps)
        for index in 0..<Self.steps {
            // The top step is the high end.
            let value = 1 - (Double(index) + 0.5) / Double(Self.steps)
            svg.rect(x: x, y: top + 6 + Double(index) * step, width: 14, height: step + 0.5, fill: Palette.sequential(value))
        }
        svg.text(highLabel, x: x + 19, y: top + 6 + 4, size: 11)
        svg.text(lowLabel, x: x + 19, y: top + 6 + height + 4, size: 11)
    }
}
