import DataFormats
import Figures
import Foundation
import Testing
import TestSupport
import Tensors

/// Samples as a PNG grid in one call: laid out in rows, values mapped from the data's range.
@Suite struct ImageGridOfSamples {
    static func samples(_ n: Int, low: Float, high: Float) -> Tensor {
        var generator = RandomGenerator(seed: 5)
        return Tensor.randomUniform([n, 12], lower: low, upper: high, using: &generator)
    }

    @Test(arguments: [(5, nil, 2), (5, 2, 3), (9, nil, 3), (1, nil, 1)] as [(Int, Int?, Int)])
    func rowsHoldTheAskedColumns(samples n: Int, columns: Int?, rows: Int) throws {
        let grid = try ImageGrid(samples: Self.samples(n, low: 0, high: 1), imageShape: [3, 4], columns: columns)
        #expect(grid.rows.count == rows && grid.rows.map(\.images.rows).reduce(0, +) == n)
    }

    /// Data outside [0, 1] drawn on their range are the same picture as the data mapped to [0, 1].
    @Test func dataAreDrawnOnTheirRange() throws {
        let x = Self.samples(6, low: -2, high: 6)
        let onRange = try ImageGrid(samples: x, imageShape: [3, 4], range: (-2, 6)).png().encoded()
        let mapped = try ImageGrid(samples: (x + 2) / 8, imageShape: [3, 4], range: (0, 1)).png().encoded()
        #expect(onRange == mapped)
    }

    /// Data inside [0, 1] are drawn as they are, whatever narrower range they span.
    @Test func unitIntervalDataAreDrawnAsTheyAre() throws {
        let x = Self.samples(4, low: 0.2, high: 0.7)
        #expect(try ImageGrid(samples: x, imageShape: [3, 4], range: (0.2, 0.7)).png().encoded()
                == ImageGrid(samples: x, imageShape: [3, 4]).png().encoded())
    }

    @Test func writePNGWritesTheGridsImage() throws {
        let grid = try ImageGrid(samples: Self.samples(4, low: 0, high: 1), imageShape: [3, 4])
        let path = temporaryPath("grid.png")
        try grid.writePNG(to: path, scale: 2)
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == grid.png(scale: 2).encoded())
    }

    @Test func samplesThatAreNoImagesOfTheShapeAreAnError() {
        #expect(throws: FigureError.self) { try ImageGrid(samples: Self.samples(4, low: 0, high: 1), imageShape: [5, 5]) }
        #expect(throws: FigureError.self) { try ImageGrid(samples: Tensor.zeros([0, 12]), imageShape: [3, 4]) }
    }
}
