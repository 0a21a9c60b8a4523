import Foundation
import Testing
import Figures

/// The categorical palette stays readable for readers with the common colour-vision
/// deficiencies: every pair of its colours is far apart in CIELAB as seen with normal vision and
/// as simulated for each deficiency.
@Suite struct PaletteTests {
    /// Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of
    /// color vision deficiency", Table 1 at severity 1.0, applied to linear RGB.
    static let simulations: [String: [[Double]]] = [
        "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
        "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
        "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
    ]
    /// ΔE*ab below which two small markers are hard to tell apart at a glance.
    static let minimumDifference = 15.0

    static func linear(_ color: Color) -> [Double] {
        [color.red, color.green, color.blue].map { value in
            let c = Double(value) / 255
            return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
    }

    /// CIELAB (D65) of linear sRGB.
    static func lab(_ rgb: [Double]) -> [Double] {
        let xyz = [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]].map { row in zip(row, rgb).reduce(0) { $0 + $1.0 * $1.1 } }
        let white = [0.95047, 1.0, 1.08883]
        let f = zip(xyz, white).map { value, reference in
            let t = value / reference
            return t > 0.008856 ? cbrt(t) : 7.787 * t + 16.0 / 116
        }
        return [116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])]
    }

    static func seen(_ color: Color, through matrix: [[Double]]?) -> [Double] {
        let rgb = linear(color)
        guard let matrix else { return lab(rgb) }
        return lab(matrix.map { row in min(max(zip(row, rgb).reduce(0) { $0 + $1.0 * $1.1 }, 0), 1) })
    }

    @Test(arguments: [nil] + simulations.keys.sorted())
    func everyPairStaysApart(vision: String?) {
        let matrix = vision.flatMap { Self.simulations[$0] }
        let colours = Palette.categorical
        #expect(colours.count >= 12)
        var closest = (difference: Double.infinity, pair: (Color.black, Color.black))
        for i in colours.indices {
            for j in colours.indices where j > i {
                let (a, b) = (Self.seen(colours[i], through: matrix), Self.seen(colours[j], through: matrix))
                let difference = zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
                if difference < closest.difference { closest = (difference, (colours[i], colours[j])) }
            }
        }
        #expect(closest.difference >= Self.minimumDifference, "\(vision ?? "normal vision"): \(closest.pair.0) and \(closest.pair.1) differ by ΔE \(closest.difference)")
    }

    /// Ten classes (Fashion-MNIST, digits) get ten different colours, one shape.
    @Test func tenClassesTenColours() {
        let markers = (0..<10).map { Palette.marker(forClass: $0) }
        #expect(Set(markers.map(\.color)).count == 10 && Set(markers.map(\.shape)).count == 1)
    }
}
