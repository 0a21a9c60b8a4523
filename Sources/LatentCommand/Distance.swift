import ArgumentParser
import Foundation
import Latent

/// The distances `latent distance` measures.
enum DistanceMetric: String, ExpressibleByArgument, CaseIterable {
    /// MMD² (a kernel two-sample statistic).
    case mmd
    /// The sliced Wasserstein distance SW₂.
    case sliced
    /// Entropic OT by Sinkhorn in the log domain, debiased (the Sinkhorn divergence).
    case sinkhorn
    /// The exact earth mover's distance (any sizes and weights: the network simplex).
    case emd
}

/// The kernels of `--metric mmd`.
enum KernelChoice: String, ExpressibleByArgument, CaseIterable {
    case gaussian
    case multiscale
    case imq
}

extension MaximumMeanDiscrepancy.Estimator: ExpressibleByArgument {}

struct Distance: ComputingCommand {
    var computeOptions: ComputeOptions { compute }
    static let configuration = CommandConfiguration(
        abstract: "Measure how far apart two sets of samples (or their codes) are: MMD², sliced Wasserstein, Sinkhorn or the exact EMD.",
        discussion: """
            A and B are data SPECs of one width (or, with --encode MODEL, data the model encodes: the distance is \
            then between the two sets of codes). --metric mmd: MMD² (Gretton et al. 2012) with --kernel gaussian \
            (bandwidth --bandwidth, default the median pairwise distance of the pooled sets), multiscale (the \
            median times 0.5, 1 and 2) or imq (the WAE paper's inverse multiquadric, C = 2·d × {0.1 … 10}), \
            --estimator unbiased (can be slightly negative when the sets agree) or biased; --permutations B adds \
            a permutation test's p_value = (1 + count)/(1 + B). --metric sliced: SW₂ over --projections random \
            directions (ground cost |a − b|², squared Euclidean as POT's ot.dist). --metric sinkhorn: the Sinkhorn \
            divergence S_ε = OT_ε(A, B) − ½OT_ε(A, A) − ½OT_ε(B, B) (Feydy et al. 2019) at ε = --relative-epsilon \
            times the mean squared distance between A and B (default 0.05: the same blur whatever the data's scale), \
            or at --epsilon in the ground cost's units; OT_ε with its entropy term (the dual value, as geomloss; POT's \
            empirical_sinkhorn_divergence debiases ⟨P, C⟩ without it, 11 % apart at ε = 1), log-domain iterations \
            with ε-scaling until the marginal error is below --tolerance (at most --max-iterations, default 10 000, \
            per problem), weights as for emd; also transport_cost, the plan's ⟨P, C⟩ (POT's sinkhorn2), epsilon (the \
            ε used), iterations (of the three problems together), marginal_error (the largest) and converged (all \
            three). --metric emd: the \
            exact earth mover's distance between sets of any sizes (at most 10 000 a side) by the network simplex \
            (POT's ot.emd2), uniform weights or --weights-a/--weights-b FILE (one non-negative weight per row: NPY, or \
            text with one number per line; each set's normalised to sum to 1); --plan FILE writes the optimal plan \
            (a SciPy sparse .npz in COO layout, or a .csv of i,j,mass); --json adds nonzeros (at most n + m − 1) and \
            iterations (pivots, at most --max-iterations). --json prints distance, metric and the parameters used. At \
            most --max-samples rows of each set are used (a seeded subset; their weights with them).
            """)

    @Argument(help: "The first set: a data SPEC.", transform: WorkingDirectory.spec) var first: String
    @Argument(help: "The second set: a data SPEC of the same width.", transform: WorkingDirectory.spec) var second: String
    @Option(help: "mmd, sliced, sinkhorn or emd.") var metric: DistanceMetric = .mmd
    @Option(help: "mmd: gaussian, multiscale or imq.") var kernel: KernelChoice = .gaussian
    @Option(help: .defaulted("mmd: the Gaussian bandwidth σ.", rule: "the median pairwise distance")) var bandwidth: Double?
    @Option(help: "mmd: unbiased or biased.") var estimator: MaximumMeanDiscrepancy.Estimator = .unbiased
    @Option(help: "mmd: permutations of a two-sample test (0: no test).") var permutations: Int = 0
    @Option(help: "sliced: random directions.") var projections: Int = Wasserstein.defaultProjections
    @Option(help: "sinkhorn: ε, the entropic regularisation, in the ground cost's units (instead of --relative-epsilon).") var epsilon: Double?
    @Option(help: "sinkhorn: ε as a fraction of the mean squared distance between the sets (default \(Sinkhorn.Regularisation.default.number)).") var relativeEpsilon: Double?
    @Option(help: "sinkhorn: stop when the plan's marginal error (L1) falls below this (0: run --max-iterations).") var tolerance: Double = Sinkhorn.Configuration().tolerance
    @Option(help: "emd, sinkhorn: the first set's weights, one per row (NPY, or text with one number per line).", transform: WorkingDirectory.file) var weightsA: String?
    @Option(help: "emd, sinkhorn: the second set's weights, one per row.", transform: WorkingDirectory.file) var weightsB: String?
    @Option(help: "emd: write the optimal plan here (.npz: SciPy sparse COO; .csv: i,j,mass).", transform: WorkingDirectory.file) var plan: String?
    @Option(help: "emd: pivots of the network simplex at most (default \(EarthMovers.defaultMaximumIterations)); sinkhorn: iterations per problem (default \(Sinkhorn.Configuration().maximumIterations)).") var maxIterations: Int?
    @Option(help: "Measure between the codes of this model instead of the samples.", transform: WorkingDirectory.file) var encode: String?
    @Option(help: "Rows of each set used at most (a seeded subset beyond).") var maxSamples: Int = 10_000
    @Option(help: "Seed of the subsets, the bandwidth's subset, the directions and the permutations.") var seed: UInt64 = 0
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if let bandwidth, !(bandwidth > 0 && bandwidth.isFinite) { throw ValidationError("--bandwidth must be positive, got \(bandwidth)") }
        if permutations < 0 { throw ValidationError("--permutations must not be negative, got \(permutations)") }
        if projections < 1 { throw ValidationError("--projections must be at least 1, got \(projections)") }
        if maxSamples < 2 { throw ValidationError("--max-samples must be at least 2, got \(maxSamples)") }
        if metric != .mmd, bandwidth != nil || permutations > 0 { throw ValidationError("--bandwidth and --permutations apply to --metric mmd") }
        if let epsilon, !(epsilon > 0 && epsilon.isFinite) { throw ValidationError("--epsilon must be positive, got \(epsilon)") }
        if let relativeEpsilon, !(relativeEpsilon > 0 && relativeEpsilon.isFinite) { throw ValidationError("--relative-epsilon must be positive, got \(relativeEpsilon)") }
        if epsilon != nil, relativeEpsilon != nil { throw ValidationError("give --epsilon (absolute) or --relative-epsilon, not both") }
        if !(tolerance >= 0) { throw ValidationError("--tolerance must not be negative, got \(tolerance)") }
        if metric != .sinkhorn, epsilon != nil || relativeEpsilon != nil { throw ValidationError("--epsilon and --relative-epsilon apply to --metric sinkhorn") }
        if metric != .emd, metric != .sinkhorn, weightsA != nil || weightsB != nil || maxIterations != nil {
            throw ValidationError("--weights-a, --weights-b and --max-iterations apply to --metric emd and sinkhorn")
        }
        if metric != .emd, plan != nil { throw ValidationError("--plan applies to --metric emd") }
        if let plan, !plan.lowercased().hasSuffix(".npz") && !plan.lowercased().hasSuffix(".csv") {
            throw ValidationError("--plan must end in .npz (SciPy sparse COO) or .csv (i,j,mass), got \(plan)")
        }
        if let maxIterations, maxIterations < 1 { throw ValidationError("--max-iterations must be at least 1, got \(maxIterations)") }
    }

    func run() throws {
        let display = ProgressDisplay(quiet: outputOptions.quiet)
        var generator = RandomGenerator(seed: seed)
        let model = try encode.map { try readModel($0) }
        var weights: [[Double]?] = []
        func points(_ spec: String, weightsFile: String?, option: String) throws -> Tensor {
            var dataset = try model.map { try dataOptions.load(spec, labels: nil, for: $0.model, in: $0.file, path: encode!) } ?? dataOptions.load(spec, labels: nil)
            var given = try weightsFile.map { try readWeights($0, rows: dataset.count, of: spec, option: option) }
            if dataset.count > maxSamples {
                let kept = Array(generator.permutation(dataset.count).prefix(maxSamples)).sorted()
                dataset = dataset.subset(kept)
                given = given.map { all in kept.map { all[$0] } }
            }
            weights.append(given)
            return try model.map { try $0.model.encode(try modelInput(dataset, for: $0.model)) } ?? dataset.samples
        }
        let (a, b) = (try points(first, weightsFile: weightsA, option: "--weights-a"), try points(second, weightsFile: weightsB, option: "--weights-b"))
        guard a.columns == b.columns else {
            throw ValidationErrorText("\(first) has \(a.columns) features per sample but \(second) has \(b.columns): a distance compares sets of one width")
        }
        display.update("\(metric.rawValue) between \(a.rows) and \(b.rows) \(encode == nil ? "samples" : "codes") of width \(a.columns)", force: true)
        var result = DistanceResult(metric: metric.rawValue, samples: [a.rows, b.rows], width: a.columns, space: encode.map { "codes of \($0)" } ?? "samples")
        switch metric {
        case .mmd:
            let sigma = bandwidth ?? medianPairwiseDistance(Tensor.concatenate([a, b]), using: &generator)
            let chosen: MaximumMeanDiscrepancy.Kernel = switch kernel {
            case .gaussian: .gaussian(bandwidth: sigma)
            case .multiscale: .multiScaleGaussian(bandwidths: [0.5, 1, 2].map { $0 * sigma })
            case .imq: .waeInverseMultiquadric(dimension: a.columns)
            }
            result.distance = try MaximumMeanDiscrepancy.squared(a, b, kernel: chosen, estimator: estimator)
            (result.kernel, result.estimator) = (kernel.rawValue, estimator.rawValue)
            if kernel != .imq { result.bandwidth = sigma }
            if permutations > 0 {
                display.update("permutation test, \(permutations) permutations", force: true)
                result.pValue = try MaximumMeanDiscrepancy.permutationTest(a, b, kernel: chosen, estimator: estimator, permutations: permutations, using: &generator).pValue
                result.permutations = permutations
            }
        case .sliced:
            result.distance = try Wasserstein.sliced(a, b, projections: projections, using: &generator)
            (result.projections, result.groundCost) = (projections, DistanceResult.squaredEuclidean)
        case .sinkhorn:
            let regularisation: Sinkhorn.Regularisation = epsilon.map { .absolute($0) } ?? relativeEpsilon.map { .fractionOfMeanCost($0) } ?? .default
            let configuration = Sinkhorn.Configuration(epsilon: regularisation, tolerance: tolerance,
                                                       maximumIterations: maxIterations ?? Sinkhorn.Configuration().maximumIterations)
            let solved = try Sinkhorn.divergence(a, b, weightsA: weights[0], weightsB: weights[1], configuration: configuration)
            (result.distance, result.epsilon, result.transportCost) = (solved.value, solved.crossed.epsilon, solved.crossed.transportCost)
            (result.iterations, result.marginalError, result.converged) = (solved.iterations, solved.marginalError, solved.converged)
            if case .fractionOfMeanCost(let fraction) = regularisation { result.relativeEpsilon = fraction }
            result.groundCost = DistanceResult.squaredEuclidean
            if !solved.converged {
                let unconverged = [("OT_ε(A, B)", solved.crossed), ("OT_ε(A, A)", solved.selfX), ("OT_ε(B, B)", solved.selfY)].filter { !$0.1.converged }
                let which = unconverged.map { "\($0.0) after \($0.1.iterations) iterations with marginal error \($0.1.marginalError)" }.joined(separator: "; ")
                Console.error("warning: Sinkhorn stopped unconverged (tolerance \(tolerance), ε = \(solved.crossed.epsilon)): \(which); a larger ε or --max-iterations converges\n")
            }
        case .emd:
            let solved = try EarthMovers.exact(a: a, weightsA: weights[0], b: b, weightsB: weights[1],
                                               maximumIterations: maxIterations ?? EarthMovers.defaultMaximumIterations)
            (result.distance, result.groundCost) = (solved.cost, DistanceResult.squaredEuclidean)
            (result.nonzeros, result.iterations) = (solved.mass.count, solved.iterations)
            if let plan { try write(solved, to: plan) }
        }
        display.finish()
        try printResult(result, json: outputOptions.json)
    }
}

/// What `latent distance` prints: the metric, the two sets' sizes and width, the distance, and
/// the settings and diagnostics of the metric used.
struct DistanceResult: Encodable {
    var metric: String
    var samples: [Int]
    var width: Int
    /// "samples", or "codes of MODEL".
    var space: String
    var distance: Double = .nan
    var groundCost: String?
    var kernel: String?
    var estimator: String?
    var bandwidth: Double?
    var pValue: Double?
    var permutations: Int?
    var projections: Int?
    var epsilon: Double?
    /// sinkhorn: ε as a fraction of the mean cost, when given so.
    var relativeEpsilon: Double?
    var transportCost: Double?
    var iterations: Int?
    var marginalError: Double?
    var converged: Bool?
    /// emd: the plan's non-zeros.
    var nonzeros: Int?

    /// The ground cost of the transport metrics.
    static let squaredEuclidean = "squared Euclidean"

    enum CodingKeys: String, CodingKey {
        case metric, samples, width, space, distance, groundCost = "ground_cost", kernel, estimator, bandwidth, pValue = "p_value"
        case permutations, projections, epsilon, relativeEpsilon = "relative_epsilon", transportCost = "transport_cost", iterations, marginalError = "marginal_error", converged, nonzeros
    }
}

extension Distance {
    /// One non-negative weight per row of the set `spec` (`rows` of them, after any subset is
    /// taken they are subset with it): an NPY vector (or one column), or text with one number
    /// per line. Weights that do not sum to 1 are normalised, with a note.
    func readWeights(_ path: String, rows: Int, of spec: String, option: String) throws -> [Double] {
        var weights: [Double] = []
        if path.lowercased().hasSuffix(".npy") {
            let array = try NPY.read(path)
            guard array.shape.count == 1 || (array.shape.count == 2 && array.shape[1] == 1) else {
                throw ValidationErrorText("\(option) \(path): weights are a vector (one per row), got shape \(array.shape)")
            }
            weights = array.scalars.map(Double.init)
        } else {
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw ValidationErrorText("\(option) \(path): cannot read (\(error.localizedDescription))") }
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let field = line.trimmingCharacters(in: .whitespacesAndNewlines)
                if field.isEmpty { continue }
                guard let value = Double(field) else { throw ValidationErrorText("\(path):\(index + 1): '\(field)' is not a number (\(option): one weight per line)") }
                weights.append(value)
            }
        }
        guard weights.count == rows else { throw ValidationErrorText("\(option) \(path) holds \(weights.count) weights for the \(rows) rows of \(spec)") }
        if let bad = weights.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw ValidationErrorText("\(option) \(path): weight \(bad + 1) is \(weights[bad]); weights must be finite and non-negative")
        }
        let total = weights.reduce(0, +)
        guard total > 0 else { throw ValidationErrorText("\(option) \(path): the weights sum to 0; at least one must be positive") }
        if abs(total - 1) > 1e-9 { Console.error("note: \(option) \(path) sums to \(total); normalised to 1\n") }
        return weights
    }

    /// Writes the plan's non-zeros: a SciPy sparse COO `.npz`, or a CSV of i,j,mass (0-based rows).
    func write(_ plan: TransportPlan, to path: String) throws {
        if path.lowercased().hasSuffix(".npz") {
            try SparseNPZ.writeCOO(rows: plan.rows, columns: plan.columns, row: plan.from, column: plan.to, data: plan.mass, to: path)
        } else {
            var text = "i,j,mass\n"
            for k in plan.mass.indices { text += "\(plan.from[k]),\(plan.to[k]),\(plan.mass[k])\n" }
            try FileIO.writeAtomically(Array(text.utf8), to: path)
        }
    }
}
