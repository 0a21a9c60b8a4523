import Foundation
import Neighbourhoods
import Tensors

extension TSNE {
    /// ENCODE of new samples against the fixed embedding (openTSNE's `transform`, Poličar et al.
    /// 2024): each new sample's conditional affinities to its 3·``Configuration/transformPerplexity``
    /// nearest training samples, its code started at the median of the codes of its 25 nearest,
    /// then ``Configuration/transformIterations`` steps of gradient descent on its own
    /// KL(p_{·|i} ‖ q_{·|i}) with the training codes fixed (q normalised over the training codes:
    /// each new sample is placed alone, so a batch encodes as its rows one by one), P exaggerated
    /// 1.5×, step size 0.1, momentum 0.8, gradients longer than 0.25 shortened. The repulsion is
    /// read off a grid of the training codes' potentials (padded by a quarter of their range,
    /// where the new codes are kept) or, for exact repulsion, summed.
    public func encodeUnchecked(_ samples: Tensor) -> Tensor {
        (try? place(samples)) ?? Tensor(repeating: .nan, shape: [samples.rows, codeSize])
    }

    /// ENCODE, with what can fail (a grid beyond the memory budget) thrown.
    public func place(_ samples: Tensor, settings: ComputeSettings = .current) throws -> Tensor {
        let (m, n, d, dof) = (samples.rows, reference.rows, codeSize, configuration.degreesOfFreedom)
        guard m > 0 else { return Tensor(repeating: 0, shape: [0, d]) }
        let affinityNeighbours = Swift.min(n, Swift.max(1, Configuration.neighbours(perplexity: configuration.transformPerplexity)))
        let k = Swift.min(n, Swift.max(affinityNeighbours, Configuration.transformStartNeighbours))
        let graph = try NearestNeighbours.exact(queries: samples, in: reference, k: k, settings: settings)
        // Distances summed directly, in one order: a sample's affinities do not depend on its batch.
        var squared = [Float](repeating: 0, count: m * affinityNeighbours)
        let width = samples.columns
        samples.withUnsafeBufferPointer { x in
            reference.withUnsafeBufferPointer { r in
                for i in 0..<m {
                    for (position, j) in graph.neighbours(of: i).prefix(affinityNeighbours).enumerated() {
                        var total: Float = 0
                        for c in 0..<width { let e = x[i * width + c] - r[Int(j) * width + c]; total += e * e }
                        squared[i * affinityNeighbours + position] = total
                    }
                }
            }
        }
        let conditional = Self.conditionalAffinities(squared: squared, k: affinityNeighbours, perplexity: configuration.transformPerplexity, settings: settings)
        var rowStart = [0], columns: [Int32] = [], values: [Float] = []
        for i in 0..<m {
            for (position, j) in graph.neighbours(of: i).prefix(affinityNeighbours).enumerated() {
                columns.append(j)
                values.append(conditional[i * affinityNeighbours + position])
            }
            rowStart.append(columns.count)
        }
        let affinities = SparseAffinities(rowStart: rowStart, columns: columns, values: values)
        let codes = embedding.scalars.map { Double($0) }
        // The median of the nearest training codes, per coordinate.
        var y = [Double](repeating: 0, count: m * d)
        for i in 0..<m {
            let near = Array(graph.neighbours(of: i))
            for c in 0..<d {
                let values = near.map { codes[Int($0) * d + c] }.sorted()
                let middle = values.count / 2
                y[i * d + c] = values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
            }
        }
        var grid: InterpolationGrid?
        if !configuration.exactRepulsion(points: n) {
            var built = try InterpolationGrid(around: codes, padding: 0.25)
            built.computePotentials(of: codes, dof: dof, settings: settings)
            grid = built
        }
        var gains = [Double](repeating: 1, count: m * d), velocity = [Double](repeating: 0, count: m * d)
        var attraction = [Double](repeating: 0, count: m * d)
        for _ in 0..<configuration.transformIterations {
            TSNEForces.attraction(affinities, y: y, reference: codes, d: d, dof: dof, scale: Configuration.transformExaggeration, into: &attraction,
                                  logKernel: false, settings: settings)
            var repulsion: [Double], sums: [Double]
            if let grid {
                let potentials = grid.gather(at: y, settings: settings)
                repulsion = [Double](repeating: 0, count: m * 2)
                sums = [Double](repeating: 0, count: m)
                for i in 0..<m {
                    sums[i] = potentials[4 * i]
                    repulsion[2 * i] = y[2 * i] * potentials[4 * i + 1] - potentials[4 * i + 2]
                    repulsion[2 * i + 1] = y[2 * i + 1] * potentials[4 * i + 1] - potentials[4 * i + 3]
                }
            } else {
                (repulsion, sums) = TSNEForces.exactRepulsion(y: y, reference: codes, d: d, dof: dof, skippingSelf: false, settings: settings)
            }
            for i in 0..<m {
                var gradient = (0..<d).map { attraction[i * d + $0] - repulsion[i * d + $0] / sums[i] }
                let norm = gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
                if norm > Configuration.transformGradientLimit { gradient = gradient.map { $0 * Configuration.transformGradientLimit / norm } }
                for c in 0..<d {
                    let index = i * d + c
                    Self.momentumStep(gradient: gradient[c], velocity: &velocity[index], gain: &gains[index], momentum: Configuration.transformMomentum,
                                      learningRate: Configuration.transformLearningRate)
                    y[index] += velocity[index]
                    if let grid { y[index] = Swift.min(Swift.max(y[index], grid.low), grid.high) }
                }
            }
        }
        return try Tensor(shape: [m, d], scalars: y.map { Float($0) })
    }
}
