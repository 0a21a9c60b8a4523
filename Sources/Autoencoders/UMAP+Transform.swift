import Foundation
import Neighbourhoods
import Tensors

extension UMAP {
    /// ENCODE of new samples against the fixed embedding (umap-learn's `transform`): each new
    /// sample's k nearest training samples, its fuzzy membership to them μⱼ = exp(−dⱼ/σ) (no
    /// local connectivity: ρ = 0; σ by bisection so that the memberships after the nearest sum
    /// to log₂ k), its code started at the membership-weighted mean of their codes (at a
    /// training code when it equals a training sample), then ``Configuration/transformEpochs``
    /// epochs of the fit's descent with the training codes fixed, step ¼ of the learning rate.
    ///
    /// Each new sample is placed alone, so a batch encodes as its rows one by one: its edges
    /// are pruned and scheduled against its own strongest membership, σ's lower bound is 10⁻³
    /// of its own mean distance, its negative samples come from a stream seeded by its values,
    /// and the epochs are a fixed number (umap-learn takes the batch's largest membership and
    /// mean distance, and 100 or 30 epochs by the batch's size, so a sample's code depends on
    /// its batch-mates).
    public func encodeUnchecked(_ samples: Tensor) -> Tensor {
        (try? place(samples)) ?? Tensor(repeating: .nan, shape: [samples.rows, codeSize])
    }

    /// ENCODE, with what can fail thrown.
    public func place(_ samples: Tensor, settings: ComputeSettings = .current) throws -> Tensor {
        let (m, n, d) = (samples.rows, reference.rows, codeSize)
        guard m > 0 else { return Tensor(repeating: 0, shape: [0, d]) }
        let k = Swift.min(configuration.neighbours, n)
        let found = try NearestNeighbours.exact(queries: samples, in: reference, k: k, settings: settings)
        let codes = embedding.scalars
        let epochs = configuration.transformEpochs
        var y = [Float](repeating: 0, count: m * d)
        var rowStart = [0], columns: [Int32] = [], weights: [Float] = [], rowSeeds = [UInt64](repeating: 0, count: m)
        let width = samples.columns
        let target = Foundation.log2(Double(k))
        samples.withUnsafeBufferPointer { x in
            reference.withUnsafeBufferPointer { r in
                for i in 0..<m {
                    // Distances summed directly, in one order: a sample's code does not depend on its batch.
                    let near = Array(found.neighbours(of: i))
                    let distances = near.map { j -> Double in
                        var total: Float = 0
                        for c in 0..<width { let e = x[i * width + c] - r[Int(j) * width + c]; total += e * e }
                        return Double(total).squareRoot()
                    }
                    let scale = Swift.max(FuzzySimplicialSet.scale(of: distances.dropFirst()[...], nearest: 0, target: target),
                                          FuzzySimplicialSet.minimumScale * distances.reduce(0, +) / Double(k))
                    let memberships = distances.map { $0 > 0 ? Foundation.exp(-$0 / scale) : 1 }
                    if let twin = memberships.firstIndex(of: 1) {
                        for c in 0..<d { y[i * d + c] = codes[Int(near[twin]) * d + c] }
                    } else {
                        let total = memberships.reduce(0, +)
                        for (j, w) in zip(near, memberships) { for c in 0..<d { y[i * d + c] += Float(w / total) * codes[Int(j) * d + c] } }
                    }
                    let strongest = memberships.max() ?? 1
                    for (j, w) in zip(near, memberships) where epochs > 0 && w >= strongest / Double(epochs) {
                        columns.append(j)
                        weights.append(Float(w / strongest))
                    }
                    rowStart.append(columns.count)
                    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
                    for c in 0..<width { hash = (hash ^ UInt64(x[i * width + c].bitPattern)) &* 0x0000_0100_0000_01B3 }
                    rowSeeds[i] = hash
                }
            }
        }
        // Weights relative to each row's strongest: the schedule of a row is its own.
        var schedule = EdgeSchedule(graph: WeightedGraph(rowStart: rowStart, columns: columns, weights: weights),
                                    negativeRate: Double(configuration.negativeSampleRate))
        let curve = UMAPCurve(minimumDistance: configuration.minimumDistance, spread: configuration.spread)
        let initial = configuration.learningRate / 4
        for epoch in 0..<epochs {
            schedule.epoch(epoch, codes: &y, dimensions: d, curve: curve, repulsion: configuration.repulsionStrength,
                           learningRate: initial * (1 - Double(epoch) / Double(epochs)), seed: Self.transformSeed, otherCodes: codes, rowSeeds: rowSeeds,
                           settings: settings)
        }
        return try Tensor(shape: [m, d], scalars: y)
    }

    /// The seed of ENCODE's negative samples, beside each sample's own hash.
    static let transformSeed: UInt64 = 0x554D_4150_454E_434F
}
