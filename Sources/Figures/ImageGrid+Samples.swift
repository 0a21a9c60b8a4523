import DataFormats
import Foundation
import Tensors

extension ImageGrid {
    /// A grid of `rows` whose values are mapped from the data's range to black … white and
    /// clipped: data that live in [0, 1] (pixels, probabilities) are drawn on [0, 1] itself, so
    /// a decoder's overshoot saturates instead of greying the grid; other data on their
    /// `range` (the training data's, as a model file stores it); without one, on [0, 1] widened
    /// to the rows' own range.
    /// - Throws: as ``init(title:rows:imageShape:magnification:)``.
    public init(title: String, rows: [Row], imageShape: [Int], range: (low: Double, high: Double)?) throws {
        let (low, high): (Float, Float)
        if let range {
            (low, high) = range.low >= 0 && range.high <= 1 ? (0, 1) : (Float(range.low), Float(range.high))
        } else {
            (low, high) = (Swift.min(0, rows.map { $0.images.min() }.min() ?? 0), Swift.max(1, rows.map { $0.images.max() }.max() ?? 1))
        }
        var rows = rows
        if low != 0 || high != 1 {
            let width = high > low ? high - low : 1
            for index in rows.indices { rows[index].images = (rows[index].images - low) / width }
        }
        try self.init(title: title, rows: rows, imageShape: imageShape)
    }

    /// Samples (`n × D`, each an image of `imageShape`) as a grid of `columns` images per row
    /// (default: as many as make the grid square), their values mapped from `range` as
    /// ``init(title:rows:imageShape:range:)`` maps them.
    ///
    ///     try ImageGrid(samples: model.sample(64, using: &generator), imageShape: [28, 28]).writePNG(to: "samples.png")
    ///
    /// - Throws: when `samples` hold no rows or are not images of `imageShape`.
    public init(samples: Tensor, imageShape: [Int], columns: Int? = nil, range: (low: Double, high: Double)? = nil, title: String = "") throws {
        guard samples.rank == 2, samples.rows >= 1 else { throw FigureError("an image grid of samples needs n × D samples with n ≥ 1; got shape \(samples.shape)") }
        let perRow = Swift.max(1, columns ?? Int(Double(samples.rows).squareRoot().rounded(.up)))
        let rows = stride(from: 0, to: samples.rows, by: perRow).map { start in
            Row(label: "", images: samples.rows(start..<Swift.min(start + perRow, samples.rows)))
        }
        try self.init(title: title, rows: rows, imageShape: imageShape, range: range)
    }

    /// Writes the grid's images as a PNG file (atomically), each image pixel drawn as `scale` ×
    /// `scale` screen pixels (default: the grid's magnification).
    /// - Throws: when the file cannot be written.
    public func writePNG(to path: String, scale: Int? = nil) throws {
        try FileIO.writeAtomically(try png(scale: scale ?? magnification).encoded(), to: path)
    }
}
