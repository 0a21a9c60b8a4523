import DistributionMatching
import Foundation
import NeuralNetworks
import Tensors

extension MDS {
    /// Scales `samples` (`n × D`, 2 ≤ n ≤ ``Configuration/maximumSamples``): classical scaling of
    /// their squared Euclidean distances, then, for metric scaling, SMACOF from that solution
    /// and from ``Configuration/initialisations`` − 1 uniform random starts in [0, 1)ᵈ
    /// (scikit-learn's), keeping the lowest stress. `progress` hears each SMACOF iteration and may
    /// throw to stop. Then the decoder (``Configuration/decoder``) is trained on the pairs
    /// (code, sample); `decoderProgress` hears its batches and may throw to stop.
    public static func fit(_ samples: Tensor, configuration: Configuration, using generator: inout RandomGenerator,
                           settings: ComputeSettings = .current, progress: (Progress) throws -> Void = { _ in },
                           decoderProgress: @escaping (TrainingProgress) throws -> Void = { _ in }) throws -> MDS {
        try checkTrainingSamples(samples, method: "MDS", minimumCount: 2)
        try configuration.checkRanges(methodName)
        try configuration.decoder.check(samples, method: "MDS")
        let (n, d) = (samples.rows, configuration.components)
        guard n <= Configuration.maximumSamples else {
            throw AutoencoderError("MDS holds the n × n distances in memory: \(n) samples is beyond its \(Configuration.maximumSamples); "
                                   + "scale a sample of them, or use isomap's landmarks")
        }
        guard d < n else { throw AutoencoderError("MDS: \(d) components need more than \(d) samples; got \(n)") }
        let squared = try squaredDistances(samples)
        let classical = try ClassicalScaling(squared: squared, count: n, dimensions: d, using: &generator, settings: settings)
        var codes = classical.coordinates
        let distances = squared.map { $0.squareRoot() }
        var summary = Summary(stress: stress(codes, distances: distances, dimensions: d).stress1, eigenvalues: classical.eigenvalues,
                              iterations: 0, bestInitialisation: 0)
        if configuration.scaling == .metric {
            var best: (codes: [Double], stress: Double, iterations: Int, start: Int)?
            for start in 0..<configuration.initialisations {
                let initial = start == 0 ? codes : (0..<(n * d)).map { _ in generator.nextUniformDouble() }
                let (result, iterations) = try smacof(initial, distances: distances, dimensions: d, configuration: configuration, settings: settings) {
                    try progress(Progress(start: start, iteration: $0, rawStress: $1, stress: $2))
                }
                let value = stress(result, distances: distances, dimensions: d).stress1
                if best == nil || value < best!.stress { best = (result, value, iterations, start) }
            }
            codes = best!.codes
            (summary.stress, summary.iterations, summary.bestInitialisation) = (best!.stress, best!.iterations, best!.start)
        }
        let embedding = try Tensor(shape: [n, d], scalars: codes.map { Float($0) })
        return MDS(configuration: configuration, reference: samples, embedding: embedding,
                   columnMeans: try Tensor(shape: [n], scalars: classical.columnMeans.map { Float($0) }), summary: summary,
                   decoder: try learnDecoder(codes: embedding, samples: samples, configuration: configuration, seed: generator.next(), progress: decoderProgress))
    }

    /// ‖xᵢ − xⱼ‖² of every pair, `n × n`, symmetric with a zero diagonal (from the centred samples, in Double).
    static func squaredDistances(_ samples: Tensor) throws -> [Double] {
        let n = samples.rows
        // Centred first: the products' rounding then scales with the spread, not the offset.
        var mean = [Double](repeating: 0, count: samples.columns)
        samples.withUnsafeBufferPointer { x in for i in 0..<n { for c in 0..<samples.columns { mean[c] += Double(x[i * samples.columns + c]) } } }
        let centred = try Tensor(shape: samples.shape, scalars: samples.scalars.enumerated().map { Float(Double($1) - mean[$0 % samples.columns] / Double(n)) })
        var squared = [Double](repeating: 0, count: n * n)
        forEachSquaredDistance(centred, centred) { i, row in for j in 0..<n { squared[i * n + j] = row[j] } }
        for i in 0..<n {
            squared[i * n + i] = 0
            for j in (i + 1)..<n {
                let mean = (squared[i * n + j] + squared[j * n + i]) / 2
                (squared[i * n + j], squared[j * n + i]) = (mean, mean)
            }
        }
        return squared
    }

    /// SMACOF from `initial`: Y ← (1/n) B(Y) Y, (B(Y)Y)ᵢ = Σⱼ δᵢⱼ/dᵢⱼ (yᵢ − yⱼ) (pairs at distance 0
    /// counted at 10⁻⁵, as scikit-learn does), until an update lowers the raw stress by less than
    /// the tolerance times Σᵢ<ⱼ dᵢⱼ² or the iterations run out. One pass over the pairs gives both
    /// the stress of Y and its update; rows run in parallel and each row's sums in one order,
    /// added up in row order, so the result does not depend on the thread count.
    static func smacof(_ initial: [Double], distances: [Double], dimensions d: Int, configuration: Configuration, settings: ComputeSettings,
                       progress: (Int, Double, Double) throws -> Void) throws -> (codes: [Double], iterations: Int) {
        let n = initial.count / d
        var y = initial, next = initial
        var rowRaw = [Double](repeating: 0, count: n), rowSpread = [Double](repeating: 0, count: n)
        var previous: Double?
        var updates = 0
        while true {
            y.withUnsafeBufferPointer { current in
                distances.withUnsafeBufferPointer { delta in
                    next.withUnsafeMutableBufferPointer { out in
                        rowRaw.withUnsafeMutableBufferPointer { raw in
                            rowSpread.withUnsafeMutableBufferPointer { spread in
                                let a = (UInt(bitPattern: current.baseAddress), UInt(bitPattern: delta.baseAddress), UInt(bitPattern: out.baseAddress),
                                         UInt(bitPattern: raw.baseAddress), UInt(bitPattern: spread.baseAddress))
                                forEachChunk(of: n, minimumChunk: 32, settings: settings) { rows in
                                    let (y, delta, out) = (UnsafePointer<Double>(bitPattern: a.0)!, UnsafePointer<Double>(bitPattern: a.1)!,
                                                           UnsafeMutablePointer<Double>(bitPattern: a.2)!)
                                    let (raw, spread) = (UnsafeMutablePointer<Double>(bitPattern: a.3)!, UnsafeMutablePointer<Double>(bitPattern: a.4)!)
                                    var sum = [Double](repeating: 0, count: d)
                                    for i in rows {
                                        for c in 0..<d { sum[c] = 0 }
                                        var (errors, squares) = (0.0, 0.0)
                                        for j in 0..<n where j != i {
                                            var s = 0.0
                                            for c in 0..<d { let t = y[i * d + c] - y[j * d + c]; s += t * t }
                                            let distance = s.squareRoot(), target = delta[i * n + j]
                                            (errors, squares) = (errors + (distance - target) * (distance - target), squares + s)
                                            let ratio = target / (s > 0 ? distance : 1e-5)
                                            for c in 0..<d { sum[c] += ratio * (y[i * d + c] - y[j * d + c]) }
                                        }
                                        for c in 0..<d { out[i * d + c] = sum[c] / Double(n) }
                                        (raw[i], spread[i]) = (errors, squares)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            // Every pair counted from both of its rows.
            let raw = rowRaw.reduce(0, +) / 2, spread = rowSpread.reduce(0, +) / 2
            if updates > 0 { try progress(updates, raw, spread > 0 ? (raw / spread).squareRoot() : 0) }
            if let previous, spread > 0, (previous - raw) / spread < configuration.tolerance { break }
            previous = raw
            if updates == configuration.iterations { break }
            swap(&y, &next)
            updates += 1
        }
        return (y, updates)
    }

    /// The raw stress σ = Σᵢ<ⱼ (‖yᵢ − yⱼ‖ − δᵢⱼ)², the spread Σᵢ<ⱼ ‖yᵢ − yⱼ‖², and Kruskal's stress-1 √(σ / spread).
    static func stress(_ y: [Double], distances: [Double], dimensions d: Int) -> (raw: Double, spread: Double, stress1: Double) {
        let n = y.count / d
        var (raw, spread) = (0.0, 0.0)
        for i in 0..<n {
            for j in (i + 1)..<n {
                var s = 0.0
                for c in 0..<d { let t = y[i * d + c] - y[j * d + c]; s += t * t }
                let e = s.squareRoot() - distances[i * n + j]
                (raw, spread) = (raw + e * e, spread + s)
            }
        }
        return (raw, spread, spread > 0 ? (raw / spread).squareRoot() : 0)
    }
}
