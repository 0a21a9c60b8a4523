import Tensors

/// Rows of small images with a label per row: originals above their reconstructions by each
/// method (Hinton & Salakhutdinov 2006, Fig. 2), samples, or interpolation strips.
///
/// Pixel values are read on [0, 1] (clamped; NaN draws mid-grey) and drawn as grey levels,
/// black = 0, so Fashion-MNIST looks as it does in the paper: light garments on black; images
/// of three channels (height × width × 3, as NumPy stores RGB) are drawn in colour.
public struct ImageGrid: Sendable {
    /// One row: a label and images `m × (height · width · channels)`.
    public struct Row: Sendable {
        public var label: String
        public var images: Tensor

        public init(label: String, images: Tensor) { (self.label, self.images) = (label, images) }
    }

    /// The narrowest an image is drawn, in screen pixels: smaller images are enlarged (nearest
    /// neighbour) until they are at least this wide, so 8 × 8 digits are seen, not guessed.
    public static let minimumDrawnWidth = 64

    public var title: String
    public let rows: [Row]
    public let imageHeight: Int, imageWidth: Int
    /// 1 (grey) or 3 (red, green, blue, interleaved per pixel).
    public let channels: Int
    /// Screen pixels per image pixel in the SVG and, by default, in the PNG.
    public var magnification: Int
    /// Image pixels between neighbouring images.
    public var gap: Int = 2

    /// A grid of `rows`, each image `imageShape` = [height, width] or [height, width, channels]
    /// (1 or 3) pixels. Throws when a row's images do not have that many values, or the rows
    /// are empty. `magnification` defaults to what draws each image ``minimumDrawnWidth`` wide.
    public init(title: String, rows: [Row], imageShape: [Int], magnification: Int? = nil) throws {
        guard imageShape.count == 2 || (imageShape.count == 3 && [1, 3].contains(imageShape[2])), imageShape.allSatisfy({ $0 > 0 }) else {
            throw FigureError("an image grid needs an image shape [height, width] or [height, width, 1 or 3 channels]; got \(imageShape)")
        }
        guard !rows.isEmpty else { throw FigureError("an image grid needs at least one row") }
        let channels = imageShape.count == 3 ? imageShape[2] : 1
        let size = imageShape[0] * imageShape[1] * channels
        for row in rows {
            guard row.images.rank == 2, row.images.shape[1] == size, row.images.shape[0] >= 1 else {
                throw FigureError("image-grid row \"\(row.label)\" has shape \(row.images.shape); images of \(imageShape.map(String.init).joined(separator: " × ")) need m × \(size)")
            }
        }
        let magnification = magnification ?? Self.magnification(forWidth: imageShape[1])
        guard magnification >= 1 else { throw FigureError("image-grid magnification must be ≥ 1; got \(magnification)") }
        (self.title, self.rows, self.imageHeight, self.imageWidth, self.magnification) = (title, rows, imageShape[0], imageShape[1], magnification)
        self.channels = channels
    }

    /// The shape an image grid draws samples of `shape` in ([height, width], or [height, width,
    /// 3] for colour), or nil when they are no images of `features` values.
    public static func drawableShape(_ shape: [Int], features: Int) -> [Int]? {
        let drawn = shape.count == 3 && shape[2] == 1 ? Array(shape.prefix(2)) : shape
        guard drawn.count == 2 || (drawn.count == 3 && drawn[2] == 3), drawn.allSatisfy({ $0 > 0 }), drawn.reduce(1, *) == features else { return nil }
        return drawn
    }

    /// The smallest whole enlargement that draws an image `width` pixels wide at least
    /// ``minimumDrawnWidth`` wide.
    public static func magnification(forWidth width: Int) -> Int {
        max(1, (minimumDrawnWidth + width - 1) / max(width, 1))
    }

    /// The images alone as a PNG (grey, or RGB for three channels), one grid row per row, each
    /// image pixel drawn as `scale` × `scale` screen pixels (nearest neighbour).
    public func png(scale: Int = 1) throws -> PNGImage {
        let scale = max(1, scale)
        let columns = rows.map { $0.images.shape[0] }.max()!
        // The gap grows more slowly than the images: a quarter as fast, so enlarged grids stay compact.
        let (cellWidth, cellHeight, gap) = (imageWidth * scale, imageHeight * scale, self.gap * max(1, scale / 4))
        let width = columns * cellWidth + (columns - 1) * gap
        let height = rows.count * cellHeight + (rows.count - 1) * gap
        let size = imageHeight * imageWidth * channels
        // The background between images is white, so the black image edges stay visible.
        var pixels = [UInt8](repeating: 255, count: width * height * channels)
        for (r, row) in rows.enumerated() {
            let values = row.images.scalars
            for image in 0..<row.images.shape[0] {
                let (top, left) = (r * (cellHeight + gap), image * (cellWidth + gap))
                for y in 0..<cellHeight {
                    for x in 0..<cellWidth {
                        let source = image * size + ((y / scale) * imageWidth + x / scale) * channels
                        let target = ((top + y) * width + left + x) * channels
                        for c in 0..<channels { pixels[target + c] = Self.grey(values[source + c]) }
                    }
                }
            }
        }
        return try PNGImage(width: width, height: height, channels: channels == 3 ? .rgb : .grey, pixels: pixels)
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
