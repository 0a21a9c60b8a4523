import DataFormats
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Tensors
import Testing
import Figures

/// Small figures whose SVG is compared byte for byte with a committed golden file. After an
/// intended change of the drawing, look at the new figures, then rewrite the golden files with
/// `LATENT_RECORD_GOLDEN=1 swift test -c release --filter SVGGoldenTests` and commit them.
@Suite struct SVGGoldenTests {
    static let figures: [(name: String, svg: @Sendable () throws -> String)] = [
        ("scatter.svg", {
            try ScatterPlot(codes: try Tensor(shape: [4, 2], scalars: [0, 0, 1, 2, -1.5, 0.5, 2, -1]), labels: [0, 1, 2, 9],
                            classNames: ["zero", "one", "two <&>", "three", "four", "five", "six", "seven", "eight", "nine"],
                            title: "Codes").svg(width: 400, height: 300)
        }),
        ("line.svg", {
            try LineChart(title: "Loss", series: [.init(name: "training", values: [3, 2, 1.5, 1.2]),
                                                  .init(name: "held out", values: [3.2, 2.4, .nan, 1.6], dashed: true)]).svg(width: 400, height: 260)
        }),
        ("bars.svg", {
            try BarChart(title: "Error", valueLabel: "squared error per image", bars: [("PCA-30", 12.51), ("deep autoencoder", 9.59)]).svg(width: 420)
        }),
    ]

    @Test(arguments: figures.indices)
    func figureMatchesGolden(index: Int) throws {
        let (name, draw) = Self.figures[index]
        let svg = try draw()
        if ProcessInfo.processInfo.environment["LATENT_RECORD_GOLDEN"] == "1" {
            let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").appendingPathComponent(name)
            try FileIO.writeAtomically(Array(svg.utf8), to: source.path)
        }
        #expect(svg == (try String(contentsOfFile: golden(name), encoding: .utf8)), "\(name) differs from its golden file")
    }

    @Test(arguments: figures.indices)
    func figureIsWellFormedXML(index: Int) throws {
        let parser = XMLParser(data: Data(try Self.figures[index].svg().utf8))
        #expect(parser.parse(), "\(Self.figures[index].name): \(parser.parserError.map { "\($0)" } ?? "")")
    }
}

@Suite struct FigurePropertyTests {
    /// Labels that are large integers (a year, an id, a regression target) or many classes:
    /// the legend lists the classes present, many integers become a colour bar, and nothing
    /// drawn grows with a label's value.
    @Test func legendsListTheClassesPresentAndNeverGrowWithALabel() throws {
        let codes = try Tensor(shape: [4, 2], scalars: [0, 0, 1, 1, 2, 0, 3, 1])
        let few = try ScatterPlot(codes: codes, labels: [3_000_000_000, 7, 3_000_000_000, -4], title: "few")
        #expect(few.colouring == .classes)
        let svg = few.svg()
        #expect(svg.contains(">3000000000</text>") && svg.contains(">-4</text>") && svg.contains(">7</text>"))
        #expect(svg.utf8.count < 10_000)
        var generator = RandomGenerator(seed: 1)
        let points = Tensor.randomNormal([347, 2], using: &generator)
        let targets = (0..<347).map { 25 + $0 }
        let many = try ScatterPlot(codes: points, labels: targets, title: "diabetes")
        #expect(many.colouring == .scale(low: 25, high: 371))
        let scaled = many.svg()
        #expect(scaled.contains(">371</text>") && scaled.contains(">25</text>") && !scaled.contains(">26</text>"))
        let named = try ScatterPlot(codes: points, labels: (0..<347).map { $0 % 30 }, classNames: (0..<30).map { "c\($0)" }, title: "named")
        guard case .omitted(let reason) = named.colouring else { Issue.record("30 named classes were coloured: \(named.colouring)"); return }
        #expect(reason.contains("30 classes") && named.colouringCaption.contains("30 classes are too many"))
        #expect(!named.svg().contains(">c29</text>"))
    }

    @Test func textIsEscaped() {
        var svg = SVGDocument(width: 10, height: 10)
        svg.text("a < b & \"c\"", x: 0, y: 0)
        #expect(svg.text.contains(">a &lt; b &amp; &quot;c&quot;</text>"))
    }

    @Test(arguments: [(0.0, 1.0), (-3.7, 12.2), (1e-4, 3e-4), (1000, 1000), (-1e6, 2e6)])
    func ticksAreRoundAndCoverTheData(low: Double, high: Double) {
        let scale = LinearScale(covering: [low, high], range: (0, 100))
        #expect(scale.domain.lowerBound <= low && scale.domain.upperBound >= high)
        let ticks = scale.ticks()
        #expect(ticks.count >= 2 && ticks.count <= 11)
        let step = ticks[1] - ticks[0]
        let mantissa = step / pow(10, floor(log10(step)))
        #expect([1.0, 2.0, 5.0, 10.0].contains { abs($0 - mantissa) < 1e-6 }, "step \(step)")
        #expect(ticks.allSatisfy { scale.domain.contains($0) })
    }

    @Test func numbersHaveAtMostTwoDecimals() {
        let n = SVGDocument.number
        #expect(n(1) == "1" && n(2.5) == "2.5" && n(-0.001) == "0" && n(3.14159) == "3.14" && n(.nan) == "0")
    }

    @Test func markersStayDistinctForTenClasses() {
        let markers = (0..<10).map { Palette.marker(forClass: $0) }
        #expect(Set(markers.map { "\($0.color)\($0.shape)" }).count == 10)
    }

    @Test func sequentialColoursRunFromDarkToLight() {
        let lightness = stride(from: 0.0, through: 1.0, by: 0.1).map { value -> Double in
            let c = Palette.sequential(value)
            return 0.2126 * Double(c.red) + 0.7152 * Double(c.green) + 0.0722 * Double(c.blue)
        }
        #expect(zip(lightness, lightness.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func imageGridPlacesEachImageWithGapsAndClamps() throws {
        let images = try Tensor(shape: [2, 4], scalars: [0, 0.5, 1, 2, -1, .nan, 0.25, 0.75])
        let grid = try ImageGrid(title: "t", rows: [.init(label: "a", images: images)], imageShape: [2, 2])
        let png = try grid.png()
        #expect(png.width == 2 + 2 + 2 && png.height == 2)
        #expect(png.pixels == [0, 128, 255, 255, 0, 128,
                               255, 255, 255, 255, 64, 191])
    }

    @Test func badFiguresSayWhatIsWrong() {
        #expect(throws: FigureError("a scatter plot needs codes n × d with d ≥ 2; got shape [3, 1]")) {
            try ScatterPlot(codes: Tensor.zeros([3, 1]), title: "x")
        }
        #expect(throws: FigureError("a scatter plot needs one label per code: 3 codes, 2 labels")) {
            try ScatterPlot(codes: Tensor.zeros([3, 2]), labels: [0, 1], title: "x")
        }
        #expect(throws: FigureError("image-grid row \"r\" has shape [2, 5]; images of 2 × 2 need m × 4")) {
            try ImageGrid(title: "t", rows: [.init(label: "r", images: Tensor.zeros([2, 5]))], imageShape: [2, 2])
        }
        #expect(throws: FigureError("bar-chart values must be finite and ≥ 0; got [1.0, nan]")) {
            try BarChart(title: "t", valueLabel: "v", bars: [("a", 1), ("b", .nan)])
        }
    }
}
