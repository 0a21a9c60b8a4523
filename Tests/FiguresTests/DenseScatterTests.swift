import Foundation
import Tensors
import Testing
import Figures

/// Codes beyond ``ScatterPlot/rasterThreshold`` points are drawn as one image of opaque dots in
/// their classes' colours (70 000 t-SNE codes as 70 000 vector circles make a file of megabytes
/// that browsers crawl through), with the axes and the legend still vector.
@Suite struct DenseScatterTests {
    @Test func manyCodesBecomeOneImageOfTheirClassColours() throws {
        var generator = RandomGenerator(seed: 4)
        let n = 12_000
        let labels = (0..<n).map { $0 % 3 }
        let codes = try Tensor(shape: [n, 2], scalars: (0..<n).flatMap { i -> [Float] in
            let centre = Float(labels[i]) * 6
            return [centre + Float(generator.nextNormal()), Float(generator.nextNormal())]
        })
        let svg = try ScatterPlot(codes: codes, labels: labels, classNames: ["a", "b", "c"], title: "dense").svg()
        #expect(svg.components(separatedBy: "<image").count == 2)
        #expect(svg.components(separatedBy: "<circle").count - 1 <= 3, "only the legend's markers are vector")
        #expect(svg.utf8.count < 400_000, "\(svg.utf8.count) bytes")
        let encoded = try #require(svg.components(separatedBy: "data:image/png;base64,").last?.components(separatedBy: "\"").first)
        let bytes = [UInt8](try #require(Data(base64Encoded: encoded)))
        let chunks = try parseChunks(bytes)
        let header = chunks[0].data
        let width = header[0..<4].reduce(0) { $0 << 8 | Int($1) }, height = header[4..<8].reduce(0) { $0 << 8 | Int($1) }
        let raw = try inflate(chunks.filter { $0.type == "IDAT" }.flatMap(\.data), capacity: (width * 3 + 1) * height)
        var counts = [Int](repeating: 0, count: 3)
        for row in 0..<height {
            let start = row * (width * 3 + 1)
            #expect(raw[start] == 0)
            for column in 0..<width {
                let pixel = Array(raw[(start + 1 + 3 * column)..<(start + 4 + 3 * column)])
                for label in 0..<3 {
                    let color = Palette.marker(forClass: label).color
                    if pixel == [color.red, color.green, color.blue] { counts[label] += 1 }
                }
            }
        }
        #expect(counts.allSatisfy { $0 > 1_000 }, "\(counts)")
        // Below the threshold the points stay vector markers.
        let few = try ScatterPlot(codes: codes.rows(0..<100), labels: Array(labels[0..<100]), title: "few").svg()
        #expect(!few.contains("<image") && few.components(separatedBy: "<circle").count > 90)
    }
}
