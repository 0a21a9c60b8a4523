import Foundation
import Tensors

/// The two halves of t-SNE's gradient (van der Maaten & Hinton 2008, eq. 5, with Kobak et al.'s
/// kernel of α degrees of freedom, wᵢⱼ = (1 + ‖yᵢ − yⱼ‖²/α)^(−α)):
///
///     ∂KL/∂yᵢ = 4 [ Σⱼ pᵢⱼ wᵢⱼ^(1/α) (yᵢ − yⱼ)  −  Σⱼ wᵢⱼ^(1+1/α) (yᵢ − yⱼ) / Z ],   Z = Σₖ≠ₗ wₖₗ,
///
/// attraction over the sparse P, repulsion over every pair. Forces are returned without the 4,
/// as openTSNE's are, so its learning rates mean the same here. Points are `n × d` Doubles.
enum TSNEForces {
    /// scale · Σⱼ pᵢⱼ wᵢⱼ^(1/α) (yᵢ − rⱼ) for every row i of `affinities` into `forces` (rows of
    /// `d`), the points r of `reference` (y itself for the fit); also Σ pᵢⱼ log wᵢⱼ when asked.
    /// Rows in fixed chunks: thread-count independent.
    @discardableResult
    static func attraction(_ affinities: SparseAffinities, y: [Double], reference: [Double], d: Int, dof: Double, scale: Double,
                           into forces: inout [Double], logKernel: Bool, settings: ComputeSettings = .current) -> Double {
        let n = affinities.rows, chunk = 2048, parts = (n + chunk - 1) / chunk
        var partial = [Double](repeating: 0, count: parts)
        affinities.rowStart.withUnsafeBufferPointer { starts in
            affinities.columns.withUnsafeBufferPointer { columns in
                affinities.values.withUnsafeBufferPointer { values in
                    y.withUnsafeBufferPointer { points in
                        reference.withUnsafeBufferPointer { others in
                            forces.withUnsafeMutableBufferPointer { out in
                                partial.withUnsafeMutableBufferPointer { sums in
                                    let a = (UInt(bitPattern: starts.baseAddress), UInt(bitPattern: columns.baseAddress), UInt(bitPattern: values.baseAddress),
                                             UInt(bitPattern: points.baseAddress), UInt(bitPattern: others.baseAddress), UInt(bitPattern: out.baseAddress),
                                             UInt(bitPattern: sums.baseAddress))
                                    forEachPart(parts, settings: settings) { part in
                                        let rows = (part * chunk)..<Swift.min(n, (part + 1) * chunk)
                                        let sum = Kernels.tsneAttraction(
                                            rowStart: UnsafePointer(bitPattern: a.0)!, columns: UnsafePointer(bitPattern: a.1)!, values: UnsafePointer(bitPattern: a.2)!,
                                            rows: rows, y: UnsafePointer(bitPattern: a.3)!, reference: UnsafePointer(bitPattern: a.4)!, dimensions: d, dof: dof,
                                            scale: scale, forces: UnsafeMutablePointer(bitPattern: a.5)!, logKernelSum: logKernel)
                                        UnsafeMutablePointer<Double>(bitPattern: a.6)![part] = sum
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return partial.reduce(0, +)
    }

    /// The repulsion of every point of `y` (n × d) from the `reference` points (m × d), summed
    /// exactly: forces Σⱼ wᵢⱼ^(1+1/α) (yᵢ − rⱼ) and each point's Σⱼ wᵢⱼ (j ≠ i when `skippingSelf`).
    static func exactRepulsion(y: [Double], reference: [Double], d: Int, dof: Double, skippingSelf: Bool,
                               settings: ComputeSettings = .current) -> (forces: [Double], kernelSums: [Double]) {
        let (n, m) = (y.count / d, reference.count / d)
        var forces = [Double](repeating: 0, count: n * d), sums = [Double](repeating: 0, count: n)
        y.withUnsafeBufferPointer { points in
            reference.withUnsafeBufferPointer { others in
                forces.withUnsafeMutableBufferPointer { out in
                    sums.withUnsafeMutableBufferPointer { kernelSums in
                        let a = (UInt(bitPattern: points.baseAddress), UInt(bitPattern: others.baseAddress), UInt(bitPattern: out.baseAddress),
                                 UInt(bitPattern: kernelSums.baseAddress))
                        forEachChunk(of: n, minimumChunk: Swift.max(1, 4096 / Swift.max(m / 64, 1)), settings: settings) { rows in
                            Kernels.tsneExactRepulsion(y: UnsafePointer(bitPattern: a.0)!, count: n, reference: UnsafePointer(bitPattern: a.1)!, referenceCount: m,
                                                       dimensions: d, dof: dof, skippingSelf: skippingSelf, points: rows,
                                                       forces: UnsafeMutablePointer(bitPattern: a.2)!, kernelSums: UnsafeMutablePointer(bitPattern: a.3)!)
                        }
                    }
                }
            }
        }
        return (forces, sums)
    }
}

extension TSNE {
    /// The repulsion of t-SNE at codes `y` (`n × d` Doubles, row-major): Σⱼ wᵢⱼ^(1+1/α) (yᵢ − yⱼ)
    /// for each point and Z = Σᵢ≠ⱼ wᵢⱼ, summed exactly or interpolated on FIt-SNE's grid
    /// (2-D only; `.automatic` as a fit of n points chooses). The fit's own computation, public
    /// so that its accuracy can be checked.
    public static func repulsion(_ y: [Double], dimensions d: Int, degreesOfFreedom dof: Double, method: Configuration.Repulsion,
                                 settings: ComputeSettings = .current) throws -> (forces: [Double], normaliser: Double) {
        let n = y.count / d
        var configuration = Configuration(components: d, degreesOfFreedom: dof, repulsion: method)
        configuration.perplexity = 1
        if method == .interpolation, d != 2 { throw AutoencoderError("t-SNE: the interpolated repulsion needs 2-D codes; got \(d)") }
        let optimiser = Optimiser(affinities: SparseAffinities(rowStart: [Int](repeating: 0, count: n + 1), columns: [], values: []),
                                  configuration: configuration, exactRepulsion: configuration.exactRepulsion(points: n), points: n, settings: settings)
        let (forces, z) = try optimiser.repulsion(y)
        return (forces, z)
    }
}
