import Foundation
import NeuralNetworks
import Tensors

extension GaussianMixture {
    /// How a mixture is fitted: its size (given, or chosen by BIC), the covariances' form and
    /// EM's stopping rule. Defaults are scikit-learn's `GaussianMixture` (tol 10⁻³ on the mean
    /// log-likelihood per sample, reg_covar 10⁻⁶, at most 100 iterations, k-means++ start).
    public struct Configuration: Codable, Sendable, Equatable {
        /// K; nil chooses K in 1 … `maximumComponents` by the lowest BIC.
        public var components: Int?
        /// The largest K that BIC tries.
        public var maximumComponents: Int
        public var covariance: Covariance
        /// EM stops after this many iterations, converged or not.
        public var maximumIterations: Int
        /// EM stops when the mean log-likelihood per sample changes by less than this.
        public var tolerance: Double
        /// Added to every covariance's diagonal: keeps Σₖ invertible when a component collapses
        /// onto fewer than d + 1 points.
        public var regularization: Double

        public init(components: Int? = nil, maximumComponents: Int = 10, covariance: Covariance = .full,
                    maximumIterations: Int = 100, tolerance: Double = 1e-3, regularization: Double = 1e-6) {
            self.components = components
            self.maximumComponents = maximumComponents
            self.covariance = covariance
            self.maximumIterations = maximumIterations
            self.tolerance = tolerance
            self.regularization = regularization
        }

        /// The sizes EM is run for.
        public var candidateSizes: ClosedRange<Int> { components.map { $0...$0 } ?? 1...maximumComponents }

        /// Throws a message naming the first setting out of range for `samples` points.
        public func validate(samples: Int) throws {
            try checkRanges("Gaussian mixture")
            let needed = components ?? 1
            guard samples >= needed else { throw AutoencoderError("a mixture of \(needed) components needs at least \(needed) samples, got \(samples)") }
        }
    }

    /// One EM run: the mixture and the mean log-likelihood per sample of each iterate (never
    /// decreasing, up to rounding and the regularisation).
    public struct Run: Sendable {
        public let mixture: GaussianMixture
        public let logLikelihoods: [Double]
        public let converged: Bool
        /// BIC of the mixture on the points it was fitted to.
        public let bayesianInformationCriterion: Double
    }

    /// Fits a mixture to `points` (`n × d`): EM for each candidate size (``Configuration/components``,
    /// or 1 … ``Configuration/maximumComponents``), keeping the lowest BIC. Returns the chosen
    /// run and every run's BIC by size.
    public static func fit(_ points: Tensor, configuration: Configuration = Configuration(),
                           using generator: inout RandomGenerator,
                           progress: (Int, Run) -> Void = { _, _ in }) throws -> (best: Run, criteria: [(components: Int, bic: Double)]) {
        guard points.rank == 2, points.rows >= 1, points.columns >= 1 else {
            throw AutoencoderError("a Gaussian mixture is fitted to points n × d; got shape \(points.shape)")
        }
        try points.checkFinite("Gaussian mixture points")
        try configuration.validate(samples: points.rows)
        var best: Run?
        var criteria: [(components: Int, bic: Double)] = []
        for k in configuration.candidateSizes where k <= points.rows {
            let run = try expectationMaximization(points, components: k, configuration: configuration, using: &generator)
            progress(k, run)
            criteria.append((k, run.bayesianInformationCriterion))
            if best.map({ run.bayesianInformationCriterion < $0.bayesianInformationCriterion }) ?? true { best = run }
        }
        return (best!, criteria)
    }

    /// EM for K components from a k-means++ start (Arthur & Vassilvitskii 2007: the first mean a
    /// uniform draw, each next one a point drawn with probability ∝ its squared distance to the
    /// nearest chosen mean; then each point assigned to its nearest and one M-step).
    ///
    /// E-step: rᵢₖ = πₖN(xᵢ; μₖ, Σₖ) / Σⱼ πⱼN(xᵢ; μⱼ, Σⱼ) (Bishop eq. 9.23). M-step (eq. 9.24–9.26):
    /// Nₖ = Σᵢ rᵢₖ, μₖ = Σᵢ rᵢₖxᵢ / Nₖ, Σₖ = Σᵢ rᵢₖ(xᵢ − μₖ)(xᵢ − μₖ)ᵀ / Nₖ + λI, πₖ = Nₖ / n.
    public static func expectationMaximization(_ points: Tensor, components k: Int, configuration: Configuration,
                                               using generator: inout RandomGenerator) throws -> Run {
        let n = points.rows
        let starts = kMeansPlusPlus(points, count: k, using: &generator)
        var responsibilities = [Double](repeating: 0, count: n * k)
        let nearest = nearestNeighbours(of: points, in: points.gatherRows(starts), k: 1)
        for i in 0..<n { responsibilities[i * k + nearest[i][0]] = 1 }
        var mixture = try maximisation(points, responsibilities, components: k, configuration: configuration)
        var logLikelihoods: [Double] = []
        var converged = false
        for _ in 0..<configuration.maximumIterations {
            let logLikelihood = expectation(mixture, points, into: &responsibilities)
            if let previous = logLikelihoods.last, Swift.abs(logLikelihood - previous) < configuration.tolerance {
                logLikelihoods.append(logLikelihood)
                converged = true
                break
            }
            logLikelihoods.append(logLikelihood)
            mixture = try maximisation(points, responsibilities, components: k, configuration: configuration)
        }
        if !converged { logLikelihoods.append(expectation(mixture, points, into: &responsibilities)) }
        let bic = -2 * Double(n) * logLikelihoods.last! + Double(mixture.parameterCount) * Foundation.log(Double(n))
        return Run(mixture: mixture, logLikelihoods: logLikelihoods, converged: converged, bayesianInformationCriterion: bic)
    }

    /// The E-step: fills `responsibilities` (`n × K`) and returns the mean log-likelihood.
    static func expectation(_ mixture: GaussianMixture, _ points: Tensor, into responsibilities: inout [Double]) -> Double {
        let k = mixture.components
        responsibilities = mixture.componentLogDensities(points)
        var total = 0.0
        for i in 0..<points.rows {
            let row = (i * k)..<((i + 1) * k)
            let logSum = logSumExp(responsibilities[row])
            total += logSum
            for index in row { responsibilities[index] = Foundation.exp(responsibilities[index] - logSum) }
        }
        return total / Double(points.rows)
    }

    /// Points per block of the M-step's sums: blocks are summed in parallel, then in order, so
    /// the result does not depend on the number of threads.
    static let blockSize = 4096

    /// The M-step from `responsibilities` (`n × K`); the means and covariances are accumulated
    /// in two passes (means first), so points far from the origin lose no precision.
    static func maximisation(_ points: Tensor, _ responsibilities: [Double], components k: Int,
                             configuration: Configuration) throws -> GaussianMixture {
        let (n, d) = (points.rows, points.columns)
        let full = configuration.covariance == .full
        let x = points.scalars.map(Double.init)
        // Sums per component of r, r·x: K + K·d values per block.
        let first = blockSums(n: n, width: k + k * d) { i, sums in
            for c in 0..<k {
                let r = responsibilities[i * k + c]
                guard r > 0 else { continue }
                sums[c] += r
                for a in 0..<d { sums[k + c * d + a] += r * x[i * d + a] }
            }
        }
        // Empty components keep a tiny mass (scikit-learn adds 10 ε) instead of dividing by zero.
        let masses = (0..<k).map { first[$0] + 10 * Double.ulpOfOne }
        let means = (0..<k).map { c in (0..<d).map { first[k + c * d + $0] / masses[c] } }
        let width = full ? d * d : d
        let second = blockSums(n: n, width: k * width) { i, sums in
            for c in 0..<k {
                let r = responsibilities[i * k + c]
                guard r > 0 else { continue }
                let base = c * width
                if full {
                    for a in 0..<d {
                        let ra = r * (x[i * d + a] - means[c][a])
                        for b in 0...a { sums[base + a * d + b] += ra * (x[i * d + b] - means[c][b]) }
                    }
                } else {
                    for a in 0..<d {
                        let e = x[i * d + a] - means[c][a]
                        sums[base + a] += r * e * e
                    }
                }
            }
        }
        let covariances = (0..<k).map { c in
            var matrix = Matrix(rows: d, columns: d, values: [Double](repeating: 0, count: d * d))
            for a in 0..<d {
                if full {
                    for b in 0...a {
                        let value = second[c * width + a * d + b] / masses[c]
                        (matrix[a, b], matrix[b, a]) = (value, value)
                    }
                } else {
                    matrix[a, a] = second[c * width + a] / masses[c]
                }
                matrix[a, a] += configuration.regularization
            }
            return matrix
        }
        let total = masses.reduce(0, +)
        return try GaussianMixture(covariance: configuration.covariance, weights: masses.map { $0 / total }, means: means, covariances: covariances)
    }

    /// Σ over points of `add(i, &sums)`, `width` sums, by fixed blocks of ``blockSize`` points.
    private static func blockSums(n: Int, width: Int, _ add: @escaping @Sendable (Int, inout [Double]) -> Void) -> [Double] {
        let blocks = (n + blockSize - 1) / blockSize
        var partial = [Double](repeating: 0, count: blocks * width)
        partial.withUnsafeMutableBufferPointer { out in
            let address = UInt(bitPattern: out.baseAddress)
            forEachChunk(of: blocks, minimumChunk: 1) { range in
                let out = UnsafeMutablePointer<Double>(bitPattern: address)!
                for block in range {
                    var sums = [Double](repeating: 0, count: width)
                    for i in (block * blockSize)..<Swift.min((block + 1) * blockSize, n) { add(i, &sums) }
                    for j in 0..<width { out[block * width + j] = sums[j] }
                }
            }
        }
        var total = [Double](repeating: 0, count: width)
        for block in 0..<blocks { for j in 0..<width { total[j] += partial[block * width + j] } }
        return total
    }

    /// k-means++ seeding: indices of `count` distinct-by-distance starting points.
    static func kMeansPlusPlus(_ points: Tensor, count: Int, using generator: inout RandomGenerator) -> [Int] {
        let n = points.rows
        var chosen = [generator.nextInt(below: n)]
        let norms = points.rowSquaredNorms()
        func squaredDistances(to index: Int) -> [Double] {
            let products = matmul(points, points.rows(index..<(index + 1)), transposeB: true).scalars
            return (0..<n).map { Swift.max(norms[$0] + norms[index] - 2 * Double(products[$0]), 0) }
        }
        var nearest = squaredDistances(to: chosen[0])
        while chosen.count < count {
            let total = nearest.reduce(0, +)
            let next: Int
            if total > 0 {
                var u = generator.nextUniformDouble() * total
                next = nearest.firstIndex(where: { u -= $0; return u < 0 }) ?? nearest.lastIndex(where: { $0 > 0 })!
            } else {
                next = generator.nextInt(below: n)  // every point coincides with a chosen one
            }
            chosen.append(next)
            let distances = squaredDistances(to: next)
            for i in 0..<n { nearest[i] = Swift.min(nearest[i], distances[i]) }
        }
        return chosen
    }
}

extension GaussianMixture.Configuration: HyperparameterDeclaring {
    public static let hyperparameters: [Hyperparameter<Self>] = [
        .init(\.components, "components", "The number of mixture components K.", .atLeast(1), default: .rule("chosen by BIC")),
        .init(\.maximumComponents, "maximumComponents", "The largest number of components BIC tries.", .atLeast(1)),
        .init(\.covariance, "covariance", "Covariance matrices: full or diagonal."),
        .init(\.maximumIterations, "maximumIterations", "EM's iterations at most, per size.", .atLeast(1)),
        .init(\.tolerance, "tolerance", "EM stops when the mean log-likelihood per sample changes by less.", .atLeast(0)),
        .init(\.regularization, "regularization", "Added to every covariance's diagonal, so that a component collapsing onto few points stays invertible.",
              .atLeast(0)),
    ]

    /// scikit-learn's defaults.
    public static var defaults: Self { Self() }
}
