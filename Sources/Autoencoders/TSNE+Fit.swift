import Foundation
import Neighbourhoods
import NeuralNetworks
import Tensors

extension TSNE {
    /// Embeds `samples` (`n × D`): the 3·perplexity nearest neighbours of each sample (exact
    /// below ``Configuration/exactNeighboursLimit`` samples, NN-descent above), their affinities
    /// calibrated to the perplexity and symmetrised, codes started at the samples' first principal
    /// components scaled to a standard deviation of 10⁻⁴, then gradient descent with momentum and
    /// gains (Jacobs 1988) in two phases: P exaggerated by ``Configuration/earlyExaggeration``,
    /// then plain (openTSNE's optimiser; steps longer than ``Configuration/maximumStep`` are
    /// shortened to it; the codes re-centred after each step). `progress` hears every iteration
    /// and may throw to stop. The generator seeds NN-descent (and the start when PCA has no spread).
    ///
    /// With `checkpoints`, the state is written every `every` iterations (at most once per
    /// `minimumInterval` seconds, and always when `progress` throws), and with `resume` the fit
    /// continues from it: the same samples, configuration and seed then give the model of an
    /// uninterrupted run, bit for bit.
    ///
    /// Then the decoder (``Configuration/decoder``) is trained on the pairs (code, sample);
    /// `decoderProgress` hears its batches and may throw to stop (after a checkpoint of the
    /// finished embedding, from which a resumed fit trains the decoder again).
    public static func fit(_ samples: Tensor, configuration: Configuration, using generator: inout RandomGenerator,
                           settings: ComputeSettings = .current, checkpoints: CheckpointPolicy? = nil,
                           progress: (Progress) throws -> Void = { _ in },
                           decoderProgress: @escaping (TrainingProgress) throws -> Void = { _ in }) throws -> TSNE {
        try checkTrainingSamples(samples, method: "t-SNE", minimumCount: 2)
        let n = samples.rows
        try configuration.validate(samples: n)
        try configuration.decoder.check(samples, method: "t-SNE")
        let k = Configuration.neighbours(perplexity: configuration.perplexity)
        let exactNeighbours = n < Configuration.exactNeighboursLimit
        let (seed, decoderSeed) = (generator.next(), generator.next())
        let graph = exactNeighbours ? try NearestNeighbours.exact(samples, k: k, settings: settings)
                                    : try NearestNeighbours.descent(samples, k: k, configuration: Configuration.neighbourSearch, seed: seed, settings: settings)
        let conditional = conditionalAffinities(squared: graph.distances, k: k, perplexity: configuration.perplexity, settings: settings)
        let affinities = jointAffinities(graph: graph, conditional: conditional)
        var y = try initialCodes(samples, components: configuration.components, using: &generator)
        let exact = configuration.exactRepulsion(points: n)
        var optimiser = Optimiser(affinities: affinities, configuration: configuration, exactRepulsion: exact, points: n, settings: settings)
        var course: [Double] = []
        var done = 0
        let total = configuration.earlyExaggerationIterations + configuration.iterations
        if let policy = checkpoints, policy.resume {
            let state = try EmbeddingCheckpoint.read(policy.path, method: methodName, configuration: configuration, samples: n, total: total)
            let count = n * configuration.components
            y = try state.array("codes", count: count, method: methodName, file: policy.path)
            optimiser.velocity = try state.array("velocity", count: count, method: methodName, file: policy.path)
            optimiser.gains = try state.array("gains", count: count, method: methodName, file: policy.path)
            (done, course) = (state.iteration, state.course)
        }
        var lastWrite = Date()
        func save() throws {
            guard let policy = checkpoints, policy.writes else { return }
            try EmbeddingCheckpoint(iteration: done, samples: n, course: course,
                                    arrays: ["codes": y, "velocity": optimiser.velocity, "gains": optimiser.gains])
                .write(to: policy.path, method: methodName, configuration: configuration)
            lastWrite = Date()
        }
        let phases = [(configuration.earlyExaggerationIterations, configuration.earlyExaggeration, configuration.initialMomentum),
                      (configuration.iterations, 1.0, configuration.finalMomentum)]
        var phaseStart = 0
        for (iterations, exaggeration, momentum) in phases {
            defer { phaseStart += iterations }
            guard done < phaseStart + iterations else { continue }
            let rate = configuration.learningRate ?? Swift.max(Double(n) / exaggeration, 200)
            // A phase starts from rest; one resumed inside keeps its velocity.
            if done == phaseStart { optimiser.resetVelocity() }
            while done < phaseStart + iterations {
                let measure = (done + 1) % klInterval == 0 || done + 1 == total
                let kl = try optimiser.step(&y, exaggeration: exaggeration, momentum: momentum, learningRate: rate, measure: measure)
                done += 1
                if let kl { course.append(kl) }
                do {
                    try progress(Progress(iteration: done, total: total, exaggerated: exaggeration != 1, klDivergence: kl))
                } catch {
                    try save()
                    throw error
                }
                if let every = checkpoints?.every, done % every == 0,
                   done == total || Date().timeIntervalSince(lastWrite) >= checkpoints!.minimumInterval {
                    try save()
                }
            }
        }
        let final = try course.last ?? optimiser.klDivergence(y)
        let summary = Summary(klDivergence: final, klCourse: course, exactRepulsion: exact, exactNeighbours: exactNeighbours)
        let codes = try Tensor(shape: [n, configuration.components], scalars: y.map { Float($0) })
        let decoder = try learnDecoder(codes: codes, samples: samples, configuration: configuration, seed: decoderSeed) { batch in
            do { try decoderProgress(batch) } catch { try save(); throw error }
        }
        return TSNE(configuration: configuration, reference: samples, embedding: codes, summary: summary, decoder: decoder)
    }

    /// The first principal components of `samples`, scaled so that the first has standard
    /// deviation 10⁻⁴ (openTSNE's `pca` initialisation); Gaussian of that spread when the samples
    /// have none along it.
    static func initialCodes(_ samples: Tensor, components: Int, using generator: inout RandomGenerator) throws -> [Double] {
        let n = samples.rows
        let usable = Swift.min(components, samples.columns, n)
        var codes = [Double](repeating: 0, count: n * components)
        if usable >= 1 {
            let pca = try PCA.fit(samples, configuration: PCA.Configuration(components: .count(usable)), using: &generator)
            let projected = pca.encodeUnchecked(samples)
            for i in 0..<n { for c in 0..<usable { codes[i * components + c] = Double(projected[i, c]) } }
        }
        var (mean, squares) = (0.0, 0.0)
        for i in 0..<n { mean += codes[i * components] }
        mean /= Double(n)
        for i in 0..<n { squares += (codes[i * components] - mean) * (codes[i * components] - mean) }
        let deviation = (squares / Double(n)).squareRoot()
        guard deviation > 0, deviation.isFinite else {
            return (0..<(n * components)).map { _ in generator.nextNormal() * Configuration.initialScale }
        }
        // Coordinates beyond the data's rank (fewer features than components) start at small noise.
        for i in 0..<n { for c in usable..<components { codes[i * components + c] = generator.nextNormal() * deviation } }
        return codes.map { $0 / deviation * Configuration.initialScale }
    }

    /// One coordinate's step of gradient descent with momentum and gains (Jacobs 1988, as
    /// openTSNE applies it): the gain grows by 0.2 while the velocity opposes the gradient (or at
    /// the first step), else shrinks to 0.8 of itself plus 0.01; then v ← μv − η·gain·g.
    @inline(__always)
    static func momentumStep(gradient: Double, velocity: inout Double, gain: inout Double, momentum: Double, learningRate: Double) {
        if (velocity > 0) != (gradient > 0) || velocity == 0 {
            gain += Configuration.gainIncrease
        } else {
            gain = gain * Configuration.gainDecay + Configuration.minimumGain
        }
        velocity = momentum * velocity - learningRate * gain * gradient
    }

    /// Gradient descent with momentum and per-coordinate gains on t-SNE's objective.
    struct Optimiser {
        let affinities: SparseAffinities
        let configuration: Configuration
        let exactRepulsion: Bool
        let settings: ComputeSettings
        let d: Int
        var gains: [Double], velocity: [Double]
        /// Σ pᵢⱼ log pᵢⱼ, the KL divergence's constant.
        let entropyTerm: Double

        init(affinities: SparseAffinities, configuration: Configuration, exactRepulsion: Bool, points n: Int, settings: ComputeSettings) {
            (self.affinities, self.configuration, self.exactRepulsion, self.settings) = (affinities, configuration, exactRepulsion, settings)
            d = configuration.components
            gains = [Double](repeating: 1, count: n * d)
            velocity = gains.map { _ in 0 }
            entropyTerm = affinities.values.reduce(0.0) { $0 + ($1 > 0 ? Double($1) * Foundation.log(Double($1)) : 0) }
        }

        mutating func resetVelocity() { velocity = velocity.map { _ in 0 } }

        /// The repulsive forces Σⱼ wᵢⱼ^(1+1/α)(yᵢ − yⱼ) and Z at `y`.
        func repulsion(_ y: [Double]) throws -> (forces: [Double], z: Double) {
            let n = y.count / d
            if exactRepulsion {
                let (forces, sums) = TSNEForces.exactRepulsion(y: y, reference: y, d: d, dof: configuration.degreesOfFreedom, skippingSelf: true, settings: settings)
                return (forces, sums.reduce(0, +))
            }
            var grid = try InterpolationGrid(around: y)
            grid.computePotentials(of: y, dof: configuration.degreesOfFreedom, settings: settings)
            let potentials = grid.gather(at: y, settings: settings)
            var forces = [Double](repeating: 0, count: n * 2), z = 0.0
            for i in 0..<n {
                // Each point's own kernel, w(0) = 1, is in its potential: taken out of Z.
                z += potentials[4 * i] - 1
                forces[2 * i] = y[2 * i] * potentials[4 * i + 1] - potentials[4 * i + 2]
                forces[2 * i + 1] = y[2 * i + 1] * potentials[4 * i + 1] - potentials[4 * i + 3]
            }
            return (forces, z)
        }

        /// KL(P‖Q) = Σ p log p − Σ p log w + log Z at `y`.
        func klDivergence(_ y: [Double]) throws -> Double {
            var scratch = [Double](repeating: 0, count: y.count)
            let logKernel = TSNEForces.attraction(affinities, y: y, reference: y, d: d, dof: configuration.degreesOfFreedom, scale: 1, into: &scratch,
                                                  logKernel: true, settings: settings)
            return entropyTerm - logKernel + Foundation.log(try repulsion(y).z)
        }

        /// One step: the gradient at `y`, the gains, the velocity, the step (shortened to
        /// ``Configuration/maximumStep``), the codes moved and re-centred. Returns the KL
        /// divergence before the step when `measure`.
        mutating func step(_ y: inout [Double], exaggeration: Double, momentum: Double, learningRate: Double, measure: Bool) throws -> Double? {
            let n = y.count / d
            var attraction = [Double](repeating: 0, count: n * d)
            let logKernel = TSNEForces.attraction(affinities, y: y, reference: y, d: d, dof: configuration.degreesOfFreedom, scale: exaggeration,
                                                  into: &attraction, logKernel: measure, settings: settings)
            let (repulsive, z) = try repulsion(y)
            let kl = measure ? entropyTerm - logKernel + Foundation.log(z) : nil
            let maximumStep = configuration.maximumStep
            var mean = [Double](repeating: 0, count: d)
            for i in 0..<n {
                var norm = 0.0
                for c in 0..<d {
                    let index = i * d + c
                    TSNE.momentumStep(gradient: attraction[index] - repulsive[index] / z, velocity: &velocity[index], gain: &gains[index],
                                      momentum: momentum, learningRate: learningRate)
                    norm += velocity[index] * velocity[index]
                }
                norm = norm.squareRoot()
                if norm > maximumStep { for c in 0..<d { velocity[i * d + c] *= maximumStep / norm } }
                for c in 0..<d { y[i * d + c] += velocity[i * d + c]; mean[c] += y[i * d + c] }
            }
            for c in 0..<d { mean[c] /= Double(n) }
            for i in 0..<n { for c in 0..<d { y[i * d + c] -= mean[c] } }
            return kl
        }
    }
}
