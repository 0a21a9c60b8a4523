import Foundation
import Tensors

/// The repulsive sums of 2-D t-SNE by FFT-accelerated interpolation (Linderman, Rachh, Hoskins,
/// Steinerberger & Kluger 2019, "Fast interpolation-based t-SNE for improved visualization of
/// single-cell RNA-seq data", Nature Methods 16; §"Interpolation-based approximation"):
///
/// the square around the points is cut into boxes × boxes boxes, each with p × p equispaced
/// Lagrange nodes; every source point spreads its charges (1, y₁, y₂) onto its box's nodes with
/// the Lagrange weights of its place; the node potentials φ(node) = Σ K(node − node′) charge(node′)
/// are one convolution on the regular grid of boxes·p nodes a side, done by FFT on the circulant
/// embedding; each target point reads the potentials back by the same weights. With two kernels,
/// K₁ = w and K₂ = w^(1+1/α), the four potentials Σⱼ wᵢⱼ, Σⱼ wᵢⱼ^(1+1/α), Σⱼ wᵢⱼ^(1+1/α) yⱼ give Z
/// and the repulsive forces. Both kernels go through one complex transform (K₁ + iK₂: real and
/// even, so their spectra are the real and imaginary parts), the charge 1 through another whose
/// product with that spectrum returns both potentials of charge 1, and (y₁ + iy₂) through a third.
///
/// Defaults are FIt-SNE's and openTSNE's: p = 3 nodes, at least 50 boxes, boxes at most one
/// unit wide.
struct InterpolationGrid {
    /// p, Lagrange nodes per box side.
    static let nodes = 3
    /// The fewest boxes a side.
    static let minimumBoxes = 50
    /// The widest box, in units of the codes.
    static let boxWidth = 1.0

    let low: Double, width: Double, boxes: Int
    /// The grid's nodes a side (boxes · p), and the transforms of the circulant embedding.
    let side: Int
    let transform: FourierTransform2D
    /// Σ w, Σ w^(1+1/α), Σ w^(1+1/α) y₁, Σ w^(1+1/α) y₂ at each node (rows of `transform.size`).
    private(set) var potentials: [[Float]] = []

    /// The grid over the square [low, high]² (widened to at least a unit when the points coincide).
    init(low: Double, high: Double) throws {
        var (low, high) = (low, high)
        if high - low < 1e-6 { (low, high) = (low - 0.5, high + 0.5) }
        let boxes = Swift.max(Self.minimumBoxes, Int((high - low) / Self.boxWidth).advanced(by: 1))
        self.low = low
        self.boxes = boxes
        // A hair wider than the range, so that the largest coordinate falls inside the last box.
        width = (high - low) / Double(boxes) * (1 + 1e-9)
        side = boxes * Self.nodes
        transform = FourierTransform2D(atLeast: 2 * side)
        let bytes = 8 * transform.size * transform.size * MemoryLayout<Float>.size
        guard !MemoryBudget.exceeds(bytes) else {
            throw AutoencoderError("t-SNE: " + MemoryBudget.refusal(bytes, for: "the interpolation grid of \(boxes) × \(boxes) boxes (codes spanning \(high - low))"))
        }
    }

    /// The grid around the 2-D points `y`, their coordinates' range (both axes) widened by
    /// `padding` of it on each side.
    init(around y: [Double], padding: Double = 0) throws {
        var (low, high) = (Double.infinity, -Double.infinity)
        for value in y { low = Swift.min(low, value); high = Swift.max(high, value) }
        let margin = (high - low) * padding
        try self.init(low: low - margin, high: high + margin)
    }

    /// The box row of coordinate `x`, as the kernels place it.
    private func boxRow(_ x: Double) -> Int {
        Swift.min(Swift.max(Int((x - low) / width), 0), boxes - 1)
    }

    /// Computes the potentials of the 2-D source points `sources` with the kernels of `dof` α.
    mutating func computePotentials(of sources: [Double], dof: Double, settings: ComputeSettings = .current) {
        let m = transform.size, cells = m * m, n = sources.count / 2, side = side
        // Sources ordered by box row (stably): each part of rows spreads onto its own nodes.
        var counts = [Int](repeating: 0, count: boxes + 1)
        let rows = (0..<n).map { boxRow(sources[2 * $0 + 1]) }
        for row in rows { counts[row + 1] += 1 }
        for b in 0..<boxes { counts[b + 1] += counts[b] }
        var order = [Int32](repeating: 0, count: n), next = counts
        for i in 0..<n { order[next[rows[i]]] = Int32(i); next[rows[i]] += 1 }
        let starts = counts

        var ones = [Float](repeating: 0, count: cells), zero = ones, first = ones, second = ones
        let parts = Swift.min(boxes, 4 * Swift.max(settings.threads, 1) * 4), boxesPerPart = (boxes + parts - 1) / parts
        let (low, width, boxes, p) = (low, width, boxes, Self.nodes)
        sources.withUnsafeBufferPointer { y in
            order.withUnsafeBufferPointer { sorted in
                ones.withUnsafeMutableBufferPointer { o in
                    first.withUnsafeMutableBufferPointer { f in
                        second.withUnsafeMutableBufferPointer { s in
                            let a = (UInt(bitPattern: y.baseAddress), UInt(bitPattern: sorted.baseAddress), UInt(bitPattern: o.baseAddress),
                                     UInt(bitPattern: f.baseAddress), UInt(bitPattern: s.baseAddress))
                            forEachPart(parts, settings: settings) { part in
                                let (b0, b1) = (Swift.min(boxes, part * boxesPerPart), Swift.min(boxes, (part + 1) * boxesPerPart))
                                guard b0 < b1 else { return }
                                Kernels.interpolationSpread(y: UnsafePointer(bitPattern: a.0)!, order: UnsafePointer(bitPattern: a.1)!, positions: starts[b0]..<starts[b1],
                                                            low: low, width: width, boxes: boxes, nodes: p, ones: UnsafeMutablePointer(bitPattern: a.2)!,
                                                            first: UnsafeMutablePointer(bitPattern: a.3), second: UnsafeMutablePointer(bitPattern: a.4),
                                                            leadingDimension: m)
                            }
                        }
                    }
                }
            }
        }

        // The kernels at every node offset of the circulant embedding: offsets 0 … side − 1 and
        // their negatives (wrapped to the end); between them nothing a product reaches.
        var kernelReal = [Float](repeating: 0, count: cells), kernelImaginary = kernelReal
        let spacing = width / Double(p)
        let offsets: [Int] = (0..<m).map { $0 < side ? $0 : ($0 > m - side ? $0 - m : Int.max) }
        for r in 0..<m where offsets[r] != .max {
            for c in 0..<m where offsets[c] != .max {
                let squared = Double(offsets[r] * offsets[r] + offsets[c] * offsets[c]) * spacing * spacing
                let root = 1 / (1 + squared / dof)
                let w = dof == 1 ? root : Foundation.pow(root, dof)
                kernelReal[r * m + c] = Float(w)
                kernelImaginary[r * m + c] = Float(w * root)
            }
        }
        var scratch = (real: zero, imaginary: [Float](repeating: 0, count: cells))
        transform.forward(real: &kernelReal, imaginary: &kernelImaginary, support: m, scratch: &scratch, settings: settings)
        transform.forward(real: &ones, imaginary: &zero, support: side, scratch: &scratch, settings: settings)
        transform.forward(real: &first, imaginary: &second, support: side, scratch: &scratch, settings: settings)
        // (charge 1)·(K̂₁ + iK̂₂), and (y₁ + iy₂)·K̂₂, scaled by the inverse's 1/M².
        let scale = 1 / Float(cells)
        for index in 0..<cells {
            let (kr, ki) = (kernelReal[index] * scale, kernelImaginary[index] * scale)
            let (ar, ai) = (ones[index], zero[index])
            ones[index] = ar * kr - ai * ki
            zero[index] = ar * ki + ai * kr
            first[index] *= ki
            second[index] *= ki
        }
        transform.inverse(real: &ones, imaginary: &zero, keep: side, scratch: &scratch, settings: settings)
        transform.inverse(real: &first, imaginary: &second, keep: side, scratch: &scratch, settings: settings)
        potentials = [ones, zero, first, second]
    }

    /// The four potentials at each 2-D point of `y`, clamped into the grid (rows of 4).
    func gather(at y: [Double], settings: ComputeSettings = .current) -> [Double] {
        let n = y.count / 2
        var out = [Double](repeating: 0, count: n * 4)
        let (low, width, boxes, p, m) = (low, width, boxes, Self.nodes, transform.size)
        potentials[0].withUnsafeBufferPointer { f0 in
            potentials[1].withUnsafeBufferPointer { f1 in
                potentials[2].withUnsafeBufferPointer { f2 in
                    potentials[3].withUnsafeBufferPointer { f3 in
                        y.withUnsafeBufferPointer { points in
                            out.withUnsafeMutableBufferPointer { result in
                                let fields = [f0, f1, f2, f3].map { UInt(bitPattern: $0.baseAddress) }
                                let (from, to) = (UInt(bitPattern: points.baseAddress), UInt(bitPattern: result.baseAddress))
                                forEachChunk(of: n, minimumChunk: 4096, settings: settings) { rows in
                                    Kernels.interpolationGather(y: UnsafePointer(bitPattern: from)!, points: rows, low: low, width: width, boxes: boxes, nodes: p,
                                                                fields: fields.map { UnsafePointer<Float>(bitPattern: $0)! }, leadingDimension: m,
                                                                into: UnsafeMutablePointer(bitPattern: to)!)
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// The square the grid covers: [low, high] on both axes.
    var high: Double { low + Double(boxes) * width }
}
