import Tensors

/// Rows of small images with a label per row: originals above their reconstructions by each
/// method (Hinton & Salakhutdinov 2006, Fig. 2), samples, or interpolation strips.
///
/// Pixel values are read on [0, 1] (clamped; NaN draws mid-grey) and drawn as grey levels,
/// black = 0, so Fashion-MNIST looks as it does in the paper: light garments on black.
public struct ImageGrid: Sendable {
    /// One row: a label and images `m × (height · width)`.
    public struct Row: Sendable {
        public var label: String
        public var images: Tensor

        public init(label: String, images: Tensor) { (self.label, self.images) = (label, images) }
    }

    public var title: String
    public let rows: [Row]
    public let imageHeight: Int, imageWidth: Int
    /// Screen pixels per image pixel.
    public var magnification: Int
    /// Image pixels between neighbouring images.
    public var gap: Int = 2

    /// A grid of `rows`, each image `imageShape` = [height, width] pixels. Throws when a row's
    /// images do not have that many pixels, or the rows are empty.
    public init(title: String, rows: [Row], imageShape: [Int], magnification: Int = 2) throws {
        guard imageShape.count == 2, imageShape.allSatisfy({ $0 > 0 }) else {
            throw FigureError("an image grid needs an image shape [height, width]; got \(imageShape)")
        }
        guard !rows.isEmpty else { throw FigureError("an image grid needs at least one row") }
        for row in rows {
            guard row.images.rank == 2, row.images.shape[1] == imageShape[0] * imageShape[1], row.images.shape[0] >= 1 else {
                throw FigureError("image-grid row \"\(row.label)\" has shape \(row.images.shape); images of \(imageShape[0]) × \(imageShape[1]) need m × \(imageShape[0] * imageShape[1])")
            }
        }
        guard magnification >= 1 else { throw FigureError("image-grid magnification must be ≥ 1; got \(magnification)") }
        (self.title, self.rows, self.imageHeight, self.imageWidth, self.magnification) = (title, rows, imageShape[0], imageShape[1], magnification)
    }

    /// The images alone as a grey PNG, one grid row per row, at magnification 1.
    public func png() throws -> PNGImage {
        let columns = rows.map { $0.images.shape[0] }.max()!
        let width = columns * imageWidth + (columns - 1) * gap
        let height = rows.count * imageHeight + (rows.count - 1) * gap
        // The background between images is white, so the black image edges stay visible.
        var pixels = [UInt8](repeating: 255, count: width * height)
        for (r, row) in rows.enumerated() {
            let values = row.images.scalars
            for image in 0..<row.images.shape[0] {
                let (top, left) = (r * (imageHeight + gap), image * (imageWidth + gap))
                for y in 0..<imageHeight {
                    for x in 0..<imageWidth {
                        let value = values[image * imageHeight * imageWidth + y * imageWidth + x]
                        pixels[(top + y) * width + left + x] = Self.grey(value)
                    }
                }
            }
        }
        return try PNGImage(width: width, height: height, channels: .grey, pixels: pixels)
    }

    /// The grey level of `value` on [0, 1].
    static func grey(_ value: Float) -> UInt8 {
        guard value.isFinite else { return value.isNaN ? 128 : (value > 0 ? 255 : 0) }
        return UInt8((min(max(value, 0), 1) * 255).rounded())
    }

    /// The figure as SVG: the title, a label left of each row and the PNG embedded beside them.
    public func svg() throws -> String {
        let image = try png()
        let labelWidth = 12 + 6.4 * Double(rows.map(\.label.count).max() ?? 0)
        let scale = Double(magnification)
        let (top, width, height) = (30.0, labelWidth + scale * Double(image.width) + 8, 30 + scale * Double(image.height) + 8)
        var svg = SVGDocument(width: width, height: height)
        svg.text(title, x: width / 2, y: 18, size: 14, anchor: .middle, bold: true)
        for (index, row) in rows.enumerated() {
            let middle = top + scale * (Double(index * (imageHeight + gap)) + Double(imageHeight) / 2)
            svg.text(row.label, x: labelWidth - 8, y: middle + 4, size: 11, anchor: .end)
        }
        svg.image(png: image.encoded(), x: labelWidth, y: top, width: scale * Double(image.width), height: scale * Double(image.height))
        return svg.text
    }
}
