import Collectives
import DataFormats
import Foundation
import NeuralNetworks
import Tensors

/// k-means: the discrete autoencoder. ENCODE gives the index of the nearest centroid, DECODE
/// gives that centroid back; the distortion is the within-cluster sum of squares (inertia).
///
/// Lloyd's iterations (Lloyd 1982) from k-means++ seeds (Arthur & Vassilvitskii 2007) in the
/// greedy variant that tries 2 + ⌊ln k⌋ candidates per seed and keeps the one that lowers the
/// potential most; several initialisations, the best kept. Squared distances come from one
/// GEMM per pass: ‖x − c‖² = ‖x‖² − 2x·c + ‖c‖².
public struct KMeans: Autoencoder {
    /// Hyperparameters.
    public struct Configuration: Codable, Sendable, Equatable {
        /// How the first centroids are chosen.
        public enum Initialization: String, Codable, Sendable, Equatable, CaseIterable {
            /// Greedy k-means++.
            case kMeansPlusPlus = "k-means++"
            /// k distinct samples uniformly at random.
            case random
        }

        /// How the centroids are refined.
        public enum Algorithm: Codable, Sendable, Equatable {
            /// Lloyd's iterations over all the data.
            case lloyd
            /// Sculley (2010), "Web-scale k-means clustering", Algorithm 1: each step assigns
            /// one random mini-batch and moves each centroid towards its samples with a
            /// per-centroid rate 1/(samples seen), for large data; an iteration is one pass.
            case miniBatch(batchSize: Int)
        }

        /// k
        public var clusters: Int
        public var initialization: Initialization
        public var algorithm: Algorithm
        /// Independent runs; the one with the least inertia is kept.
        public var initializations: Int
        public var maximumIterations: Int
        /// Lloyd stops when the centroids move less than this, in squared distance summed over
        /// centroids, relative to the data's mean feature variance (scikit-learn's convention).
        public var tolerance: Double

        /// Defaults as scikit-learn's, except one initialisation fewer (3): k-means++ seeds make
        /// more rarely pay.
        public init(clusters: Int, initialization: Initialization = .kMeansPlusPlus, algorithm: Algorithm = .lloyd,
                    initializations: Int = 3, maximumIterations: Int = 300, tolerance: Double = 1e-4) {
            self.clusters = clusters
            self.initialization = initialization
            self.algorithm = algorithm
            self.initializations = initializations
            self.maximumIterations = maximumIterations
            self.tolerance = tolerance
        }
    }

    public static let methodName = "kmeans"
    public let configuration: Configuration
    /// `[k, D]`
    public let centroids: Tensor
    /// The inertia (distortion on the training data) after each Lloyd iteration of the kept run.
    public let inertiaHistory: [Double]

    public var inputSize: Int { centroids.shape[1] }
    public var codeSize: Int { 1 }
    /// Σᵢ minⱼ ‖xᵢ − cⱼ‖² on the training data.
    public var inertia: Double { inertiaHistory.last ?? 0 }

    /// Fits k-means to `samples` (`n × D`) in memory, in one process (rows from shards, in parts
    /// or across processes: ``fit(_:configuration:using:context:progress:)``).
    /// - Parameter progress: called after each iteration (``Iteration``).
    public static func fit(_ samples: Tensor, configuration: Configuration, using generator: inout RandomGenerator,
                           progress: (Iteration) throws -> Void = { _ in }) throws -> KMeans {
        try checkTrainingSamples(samples, method: "k-means")
        let (n, k) = (samples.shape[0], configuration.clusters)
        try check(configuration, samples: n)
        let squaredNorms = samples.rowSquaredNorms()
        let variance = samples.squared().mean(alongAxis: 0) - samples.mean(alongAxis: 0).squared()
        let threshold = configuration.tolerance * Double(variance.mean())
        var best: (centroids: Tensor, history: [Double])? = nil
        for run in 1...configuration.initializations {
            var centroids = configuration.initialization == .kMeansPlusPlus
                ? seedPlusPlus(samples, k: k, using: &generator)
                : samples.gatherRows(generator.sample(k, from: n))
            var history: [Double] = []
            var seen = [Int](repeating: 0, count: k)
            for iteration in 1...configuration.maximumIterations {
                let updated: Tensor
                switch configuration.algorithm {
                case .lloyd:
                    let pass = lloydPass(samples, squaredNorms, centroids)
                    history.append(pass.nearest.squaredDistances.reduce(0, +))
                    updated = means(pass, samples)
                case .miniBatch(let size):
                    updated = miniBatchPass(samples, squaredNorms, centroids, batchSize: size, seen: &seen, using: &generator)
                    history.append(assign(samples, squaredNorms, updated).squaredDistances.reduce(0, +))
                }
                let shift = (updated - centroids).squared().sumInDouble()
                let inertia: Double? = if case .lloyd = configuration.algorithm { history.last } else { nil }
                try progress(Iteration(run: run, iteration: iteration, inertia: inertia, shift: shift))
                centroids = updated
                if shift <= threshold { break }
            }
            // The kept inertia is that of the final centroids.
            let final = assign(samples, squaredNorms, centroids).squaredDistances.reduce(0, +)
            if final <= history.last! { history.append(final) }
            if best == nil || history.last! < best!.history.last! { best = (centroids, history) }
        }
        return KMeans(configuration: configuration, centroids: best!.centroids, inertiaHistory: best!.history)
    }

    init(configuration: Configuration, centroids: Tensor, inertiaHistory: [Double]) {
        self.configuration = configuration
        self.centroids = centroids
        self.inertiaHistory = inertiaHistory
    }

    /// The nearest centroid of each sample and the squared distance to it (clamped at 0:
    /// the expanded form can go slightly negative in Float32).
    static func assign(_ samples: Tensor, _ squaredNorms: [Double], _ centroids: Tensor) -> NearestCentres {
        samples.nearestCentres(centroids, rowSquaredNorms: squaredNorms)
    }

    /// One pass of mini-batch k-means over the samples in a random order: for each batch, every
    /// sample moves its nearest centroid c towards it by 1/(samples c has seen).
    static func miniBatchPass(_ samples: Tensor, _ squaredNorms: [Double], _ previous: Tensor, batchSize: Int,
                              seen: inout [Int], using generator: inout RandomGenerator) -> Tensor {
        var centroids = previous
        for batch in generator.batches(count: samples.shape[0], size: batchSize) {
            miniBatchUpdate(&centroids, samples.gatherRows(batch), batch.map { squaredNorms[$0] }, seen: &seen)
        }
        return centroids
    }

    /// One mini-batch's update (Sculley 2010, Algorithm 1): each row moves its nearest centroid
    /// towards it by 1 / (the rows that centroid has seen).
    static func miniBatchUpdate(_ centroids: inout Tensor, _ rows: Tensor, _ squaredNorms: [Double], seen: inout [Int]) {
        let d = rows.shape[1]
        let labels = assign(rows, squaredNorms, centroids).indices
        // Sequential by nature: each row moves its centroid from where the previous one left it.
        let x = rows.scalars
        var c = centroids.scalars
        for (i, label) in labels.enumerated() {
            seen[label] += 1
            let rate = 1 / Float(seen[label])
            for j in 0..<d { c[label * d + j] += rate * (x[i * d + j] - c[label * d + j]) }
        }
        centroids = try! Tensor(shape: centroids.shape, scalars: c)
    }

    /// Greedy k-means++ seeding: each new centroid is the best of 2 + ⌊ln k⌋ candidates drawn
    /// with probability proportional to the squared distance to the nearest centroid so far.
    static func seedPlusPlus(_ samples: Tensor, k: Int, using generator: inout RandomGenerator) -> Tensor {
        let n = samples.shape[0]
        let trials = min(2 + Int(Foundation.log(Double(k))), 16)
        var chosen = [generator.nextInt(below: n)]
        var closest = distancesTo(samples, [chosen[0]])[0]
        for _ in 1..<k {
            let potential = closest.reduce(0, +)
            var candidates: [Int] = []
            for _ in 0..<trials {
                // Inverse-CDF sampling on the running sum of squared distances.
                var target = generator.nextUniformDouble() * potential, index = 0
                while index < n - 1 && target >= closest[index] { target -= closest[index]; index += 1 }
                candidates.append(potential > 0 ? index : generator.nextInt(below: n))
            }
            let distances = distancesTo(samples, candidates)
            var bestCandidate = 0, bestPotential = Double.infinity
            for (c, candidateDistances) in distances.enumerated() {
                var total = 0.0
                for i in 0..<n { total += min(closest[i], candidateDistances[i]) }
                if total < bestPotential { bestPotential = total; bestCandidate = c }
            }
            chosen.append(candidates[bestCandidate])
            for i in 0..<n { closest[i] = min(closest[i], distances[bestCandidate][i]) }
        }
        return samples.gatherRows(chosen)
    }

    /// Squared distances from every sample to each of the samples `indices` (at most
    /// `Tensor.directDistanceLimit`), computed directly, one array per index.
    private static func distancesTo(_ samples: Tensor, _ indices: [Int]) -> [[Double]] {
        let distances = samples.squaredDistances(to: samples.gatherRows(indices))
        let (n, t) = (samples.rows, indices.count)
        let out = distances.scalars
        return (0..<t).map { j in (0..<n).map { Double(out[$0 * t + j]) } }
    }

    public func encodeUnchecked(_ samples: Tensor) -> Tensor {
        let labels = Self.assign(samples, samples.rowSquaredNorms(), centroids).indices
        return try! Tensor(shape: [labels.count, 1], scalars: labels.map(Float.init))
    }

    /// Each code must be a cluster index 0…k − 1.
    public func decodeUnchecked(_ codes: Tensor) throws -> Tensor {
        let k = centroids.shape[0]
        let indices = try codes.scalars.enumerated().map { row, value in
            guard value == value.rounded(), value >= 0, value < Float(k) else {
                throw AutoencoderError("k-means codes are cluster indices 0…\(k - 1); row \(row) holds \(value)")
            }
            return Int(value)
        }
        return centroids.gatherRows(indices)
    }

    public var stateTensors: [(name: String, tensor: Tensor)] {
        [("centroids", centroids), ("inertia_history", Tensor(inertiaHistory.map(Float.init)))]
    }

    public init(configuration: Configuration, state: SafeTensorsFile, file: String) throws {
        let centroids = try state.tensor("centroids", file: file)
        guard centroids.rank == 2, centroids.shape[0] == configuration.clusters else {
            throw DataFormatError(file, .entry("tensor 'centroids'"), "shape \(centroids.shape) does not hold \(configuration.clusters) centroids")
        }
        self.init(configuration: configuration, centroids: centroids,
                  inertiaHistory: (state["inertia_history"]?.scalars ?? []).map(Double.init))
    }
}

extension KMeans: DiscreteCodes {
    /// k: the code is the index of the nearest centroid.
    public var codeCount: Int { centroids.shape[0] }
}

extension KMeans.Configuration {
    /// The batch size of mini-batch k-means; nil for Lloyd's iterations.
    public var miniBatchSize: Int? { if case .miniBatch(let size) = algorithm { size } else { nil } }
}

extension KMeans.Configuration: HyperparameterDeclaring {
    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.clusters, "clusters", "The number of clusters k.", .atLeast(1), default: .required),
        .init(\.initialization, "initialization", "How the first centroids are chosen: k-means++ (greedy) or random."),
        .init(\.miniBatchSize, "miniBatchSize", "Mini-batch k-means (Sculley 2010) with batches of this size, for large data.", .atLeast(1),
              default: .rule("none: Lloyd's iterations")),
        .init(\.initializations, "initializations", "Independent runs, the best kept.", .atLeast(1)),
        .init(\.maximumIterations, "maximumIterations", "The most iterations per run (each a pass over the data).", .atLeast(1)),
        .init(\.tolerance, "tolerance", "Lloyd stops when the centroids move less than this (squared distance summed over centroids, "
              + "relative to the data's mean feature variance, as scikit-learn's).", .atLeast(0)),
    ]

    /// scikit-learn's defaults but one initialisation fewer, for one cluster (`clusters` has no default).
    public static var defaults: Self { Self(clusters: 1) }
}
