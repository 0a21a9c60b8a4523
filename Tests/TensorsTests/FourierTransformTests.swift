import Foundation
import Testing
import TestSupport
import Tensors

/// The 2-D transforms against the DFT summed directly in Double, on sizes that use every radix
/// (4, 2, 3 and their mixtures), supports that leave zero rows to skip, and block widths that
/// leave a partial block of columns.
@Suite struct FourierTransformTests {
    static let cases: [(minimum: Int, support: Int)] = [(2, 1), (10, 5), (16, 9), (27, 14), (50, 25), (96, 40), (100, 70)]

    static func grid(_ size: Int, support: Int, seed: UInt64) -> (real: [Float], imaginary: [Float]) {
        var generator = RandomGenerator(seed: seed)
        var real = [Float](repeating: 0, count: size * size), imaginary = real
        for r in 0..<support { for c in 0..<support { real[r * size + c] = generator.nextUniform() - 0.5; imaginary[r * size + c] = generator.nextUniform() - 0.5 } }
        return (real, imaginary)
    }

    @Test(arguments: cases)
    func forwardEqualsTheDirectSumTransposed(minimum: Int, support: Int) {
        let transform = FourierTransform2D(atLeast: minimum)
        let m = transform.size
        #expect(m >= minimum)
        var rest = m
        for factor in [2, 3] { while rest % factor == 0 { rest /= factor } }
        #expect(rest == 1, "size \(m) is not 2ᵃ3ᵇ")
        var (real, imaginary) = Self.grid(m, support: support, seed: UInt64(minimum))
        let (inputReal, inputImaginary) = (real, imaginary)
        var scratch = (real: [Float](repeating: 0, count: m * m), imaginary: [Float](repeating: 0, count: m * m))
        transform.forward(real: &real, imaginary: &imaginary, support: support, scratch: &scratch)
        var largest = 0.0, error = 0.0
        for k in 0..<m {
            for l in 0..<m {
                var (sr, si) = (0.0, 0.0)
                for r in 0..<support {
                    for c in 0..<support {
                        let angle = -2 * Double.pi * Double((k * r + l * c) % m) / Double(m)
                        let (xr, xi) = (Double(inputReal[r * m + c]), Double(inputImaginary[r * m + c]))
                        sr += xr * cos(angle) - xi * sin(angle)
                        si += xr * sin(angle) + xi * cos(angle)
                    }
                }
                // Stored transposed: X̂ₖₗ at row l, column k.
                error = max(error, abs(Double(real[l * m + k]) - sr), abs(Double(imaginary[l * m + k]) - si))
                largest = max(largest, abs(sr), abs(si))
            }
        }
        #expect(error <= 1e-5 * max(largest, 1), "size \(m): error \(error) of \(largest)")
    }

    @Test(arguments: cases)
    func inverseUndoesForward(minimum: Int, support: Int) {
        let transform = FourierTransform2D(atLeast: minimum)
        let m = transform.size
        var (real, imaginary) = Self.grid(m, support: support, seed: UInt64(minimum) + 7)
        let (inputReal, inputImaginary) = (real, imaginary)
        var scratch = (real: [Float](repeating: 0, count: m * m), imaginary: [Float](repeating: 0, count: m * m))
        transform.forward(real: &real, imaginary: &imaginary, support: support, scratch: &scratch)
        transform.inverse(real: &real, imaginary: &imaginary, keep: support, scratch: &scratch)
        let scale = Float(m * m)
        var error: Float = 0
        for r in 0..<support {
            for c in 0..<support {
                error = max(error, abs(real[r * m + c] / scale - inputReal[r * m + c]), abs(imaginary[r * m + c] / scale - inputImaginary[r * m + c]))
            }
        }
        #expect(error <= 2e-6 * Float(max(1, Int(log2(Double(m))))), "size \(m): error \(error)")
    }

    /// Results do not depend on the thread count (columns are transformed independently).
    @Test func threadCountDoesNotChangeTheTransform() {
        let transform = FourierTransform2D(atLeast: 200)
        let m = transform.size
        let (real, imaginary) = Self.grid(m, support: 100, seed: 3)
        var results: [[Float]] = []
        for threads in [1, 2, 3] {
            var (re, im) = (real, imaginary)
            var scratch = (real: [Float](repeating: 0, count: m * m), imaginary: [Float](repeating: 0, count: m * m))
            let settings = ComputeSettings(threads: threads)
            transform.forward(real: &re, imaginary: &im, support: 100, scratch: &scratch, settings: settings)
            results.append(re + im)
        }
        #expect(results[0] == results[1] && results[1] == results[2])
    }
}
