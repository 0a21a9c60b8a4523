import DataFormats
import DistributionMatching
import NeuralNetworks
import Tensors

extension Translator {
    /// The training samples of every domain, with what ties them together.
    public struct Samples {
        /// Each domain's samples (`n_k × D_k`), in the user's units: in memory (a `Tensor`) or
        /// in NPY shards (`NPYShards`), whose rows training reads as batches draw them.
        public var domains: [any IndexedRowSource]
        /// Each domain's labels (one per sample), needed when the configuration has classes.
        public var labels: [[Int]]?
        /// Known pairs: `partners[k − 1][i]` is the row of domain k paired with row i of the
        /// first domain, or −1. Nil when no pairs are known.
        public var partners: [[Int]]?

        public init(domains: [any IndexedRowSource], labels: [[Int]]? = nil, partners: [[Int]]? = nil) {
            (self.domains, self.labels, self.partners) = (domains, labels, partners)
        }

        /// Domains whose rows are pairs in order (row i of each is the same object).
        public static func paired(_ domains: [any IndexedRowSource], labels: [[Int]]? = nil) -> Samples {
            let n = domains.first?.rows ?? 0
            return Samples(domains: domains, labels: labels, partners: domains.dropFirst().map { _ in Array(0..<n) })
        }
    }

    /// One batch of translator training (Yang et al. 2021, the paper's code's 1:1 alternation):
    /// the critics step on the batch's codes (held fixed; the game's loss plus γ times the
    /// zero-centred gradient penalty at both sets), then every domain's autoencoder and
    /// the classifier step on
    ///
    ///     Σ_k rec_k / D_k + λ_m·matching + λ_c·cross-entropy + λ_a·anchor distance
    ///         + λ_t·Σ_k>0 (rec_k(DECODE_k(z⁰), xᵏ) / D_k + rec_0(DECODE_0(zᵏ), x⁰) / D_0) + λ_z·Σ_k mean ‖z‖²,
    ///
    /// the translation term over the batch's anchors (z⁰, zᵏ: an anchor's codes in the
    /// reference and in domain k; x⁰, xᵏ: its samples).
    ///
    /// The trainer's rows are row indices of the first domain (so epochs run over it); the
    /// other domains' batches are drawn from the run's generator, each domain shuffled on its
    /// own so that no pairing leaks into training beyond the anchors.
    struct Step: TrainingStep {
        let configuration: Configuration
        /// Each domain's scaled rows, in memory or read from shards as batches draw them.
        let data: [any IndexedRows]
        let oneHot: [Tensor]?
        let partners: [[Int]]
        let anchors: [Bool]
        /// The rows of each domain after the first that batches draw from: all but the held-out
        /// pairs' (their partners never train).
        let pools: [[Int]]
        let encoders: [Network], decoders: [Network]
        let classifier: Sequential<Dense>?
        let critics: [Critic]

        var groups: [ParameterGroup] {
            var groups = zip(configuration.domains, zip(encoders, decoders)).map { domain, pair in
                ParameterGroup(name: domain.name, parameters: pair.0.namedParameters(prefix: "encoder") + pair.1.namedParameters(prefix: "decoder"),
                               weightDecay: configuration.weightDecay)
            }
            if let classifier {
                groups.append(ParameterGroup(name: "classifier", parameters: classifier.namedParameters(prefix: "classifier"), weightDecay: configuration.weightDecay))
            }
            for (domain, critic) in zip(configuration.domains.dropFirst(), critics) {
                groups.append(ParameterGroup(name: "critic-\(domain.name)", parameters: critic.namedParameters, learningRateScale: configuration.criticLearningRateScale))
            }
            return groups
        }

        /// Whether anchors are decoded across domains (`Configuration.translationWeight`).
        var translates: Bool { anchors.contains(true) && configuration.translationWeight > 0 }

        var autoencoderGroupCount: Int { configuration.domains.count + (classifier == nil ? 0 : 1) }

        var lossTerms: [String] {
            ["loss", "reconstruction", "matching"] + (classifier == nil ? [] : ["classifier"]) + (anchors.contains(true) ? ["anchor"] : [])
                + (translates ? ["translation"] : [])
                + (configuration.codePenalty > 0 ? ["code_norm"] : [])
                + (critics.isEmpty ? [] : ["critic"])
        }

        /// Rows of every domain for a batch of first-domain rows: the others drawn uniformly
        /// without replacement (all of a domain smaller than the batch).
        func batchRows(_ first: [Int], using generator: inout RandomGenerator) -> [[Int]] {
            [first] + pools.map { rows in
                var pool = rows
                let n = pool.count, size = min(first.count, n)
                for i in 0..<size { pool.swapAt(i, i + generator.nextInt(below: n - i)) }
                return Array(pool.prefix(size))
            }
        }

        /// What critic k sees of codes: the codes, with their classes beside them when conditional.
        func criticInput(_ codes: Variable, domain: Int, rows: [Int]) -> Variable {
            guard configuration.classConditionalCritic, let oneHot else { return codes }
            return Variable.concatenate([codes, Variable(oneHot[domain].gatherRows(rows))], alongAxis: 1)
        }

        /// Domain k's codes of `x` as training sees them: with ``Configuration/dropout`` p, each
        /// hidden unit of the encoder zeroed with probability p and the others scaled by
        /// 1/(1 − p), so that their expectation is the unit's (inverted dropout; Srivastava et
        /// al., JMLR 15, 2014); the code layer keeps every unit.
        func trainingCodes(_ k: Int, _ x: Tensor, using generator: inout RandomGenerator) -> Variable {
            let p = configuration.dropout
            guard p > 0 else { return encoders[k](Variable(x)) }
            let (layers, layout) = (encoders[k].layers, encoders[k].layout)
            var hidden = Variable(x).reshaped([x.shape[0]] + layout.inputShape)
            for (index, layer) in layers.enumerated() {
                hidden = layer(hidden)
                // After each weighted hidden layer (a reshape or flatten moves the same units).
                guard index < layers.count - 1 else { break }
                if !layer.namedParameters.isEmpty { hidden = hidden.dropout(p, using: &generator) }
            }
            return hidden.reshaped([x.shape[0], layout.outputWidth])
        }

        func train(_ batch: Tensor, optimizers: [any Optimizer], using generator: inout RandomGenerator) throws -> [Double] {
            let rows = batchRows(batch.scalars.map { Int($0) }, using: &generator)
            let inputs = try zip(data, rows).map { try $0.gatherRows($1) }
            var criticValue = 0.0
            if !critics.isEmpty {
                let codes = zip(encoders, inputs).map { Variable($0(Variable($1)).value) }
                for k in 1..<data.count {
                    let count = min(rows[0].count, rows[k].count)
                    let optimizer = optimizers[autoencoderGroupCount + k - 1]
                    optimizer.zeroGradients()
                    let real = criticInput(codes[0].rows(0..<count), domain: 0, rows: Array(rows[0].prefix(count)))
                    let fake = criticInput(codes[k].rows(0..<count), domain: k, rows: Array(rows[k].prefix(count)))
                    var loss = configuration.adversarialLoss.criticLoss(critics[k - 1], real: real, fake: fake, using: &generator)
                    if configuration.criticGradientPenalty > 0 {
                        loss = loss + (critics[k - 1].gradientPenalty(at: real) + critics[k - 1].gradientPenalty(at: fake)) * configuration.criticGradientPenalty
                    }
                    criticValue += descend(on: [loss], with: optimizer)[0] / Double(data.count - 1)
                }
            }
            for optimizer in optimizers.prefix(autoencoderGroupCount) { optimizer.zeroGradients() }
            let noisy = configuration.inputNoise > 0
                ? inputs.map { $0 + Tensor.randomNormal($0.shape, standardDeviation: configuration.inputNoise, using: &generator) } : inputs
            let codes = noisy.indices.map { trainingCodes($0, noisy[$0], using: &generator) }
            var reconstruction = Variable(Tensor(0))
            for k in data.indices {
                reconstruction = reconstruction + configuration.domains[k].loss(decoders[k](codes[k]), inputs[k]) / Float(data[k].columns)
            }
            var matching = Variable(Tensor(0))
            for k in 1..<data.count {
                switch configuration.matcher {
                case .critic:
                    let count = min(rows[0].count, rows[k].count)
                    let critic = critics[k - 1], game = configuration.adversarialLoss
                    matching = matching + game.generatorLoss(critic, fake: criticInput(codes[k].rows(0..<count), domain: k, rows: Array(rows[k].prefix(count))))
                        + game.reversedGeneratorLoss(critic, real: criticInput(codes[0].rows(0..<count), domain: 0, rows: Array(rows[0].prefix(count))))
                case .mmd:
                    // Multi-scale RBF around the batch's median distance: the codes' scale is
                    // free here (no prior fixes it), so the bandwidths follow it.
                    var pooled = generator
                    let median = medianPairwiseDistance(Tensor.concatenate([codes[0].value, codes[k].value]), limit: 256, using: &pooled)
                    let sigma = median > 0 && median.isFinite ? median : 1
                    // The unbiased estimate divides by n(n − 1): a batch of one sample takes the biased one.
                    let estimator: MaximumMeanDiscrepancy.Estimator = min(codes[0].shape[0], codes[k].shape[0]) < 2 ? .biased : .unbiased
                    matching = matching + (try MaximumMeanDiscrepancy.loss(codes[0], codes[k], kernel: .multiScaleGaussian(bandwidths: [sigma / 2, sigma, sigma * 2]),
                                                                       estimator: estimator))
                case .sinkhorn:
                    guard let divergence = try? Sinkhorn.loss(codes[0], codes[k], configuration: .init(epsilon: .absolute(configuration.epsilon), tolerance: 1e-4, maximumIterations: 1000)).value else {
                        return [Double](repeating: .nan, count: lossTerms.count)
                    }
                    matching = matching + divergence
                }
            }
            var total = reconstruction + matching * configuration.matchWeight
            var terms = [reconstruction, matching]
            if let classifier, let oneHot {
                let logits = classifier(Variable.concatenate(codes, alongAxis: 0))
                let targets = Tensor.concatenate(zip(oneHot, rows).map { $0.gatherRows($1) }, alongAxis: 0)
                let crossEntropy = softmaxCrossEntropy(logits: logits, targets: targets)
                total = total + crossEntropy * configuration.classifierWeight
                terms.append(crossEntropy)
            }
            if anchors.contains(true) {
                let anchored = rows[0].enumerated().filter { anchors[$0.element] }
                var anchor = Variable(Tensor(0)), translation = Variable(Tensor(0))
                if !anchored.isEmpty {
                    let mine = codes[0].gatherRows(anchored.map(\.offset))
                    let reference = inputs[0].gatherRows(anchored.map(\.offset))
                    for k in 1..<data.count {
                        let partner = try data[k].gatherRows(anchored.map { partners[k - 1][$0.element] })
                        let theirs = trainingCodes(k, partner, using: &generator)
                        let difference = mine - theirs
                        let distance = configuration.anchorDistance == .l1 ? difference.abs() : difference.squared()
                        // A mean over the pairs' code coordinates, as the paper's L1Loss takes
                        // it: a sum over d coordinates would outweigh the per-feature
                        // reconstruction d-fold and pull anchored codes together into a collapse.
                        anchor = anchor + distance.mean()
                        if translates {
                            translation = translation + configuration.domains[k].loss(decoders[k](mine), partner) / Float(data[k].columns)
                                + configuration.domains[0].loss(decoders[0](theirs), reference) / Float(data[0].columns)
                        }
                    }
                }
                total = total + anchor * configuration.anchorWeight
                terms.append(anchor)
                if translates {
                    total = total + translation * configuration.translationWeight
                    terms.append(translation)
                }
            }
            if configuration.codePenalty > 0 {
                let norm = codes.map { $0.squared().sum() / Float($0.shape[0]) }.reduce(Variable(Tensor(0)), +)
                total = total + norm * configuration.codePenalty
                terms.append(norm)
            }
            var values = terms.map { Double($0.value.scalar) }
            let loss = Double(total.value.scalar)
            if loss.isFinite {
                total.backward()
                for optimizer in optimizers.prefix(autoencoderGroupCount) { optimizer.step() }
            }
            values.insert(loss, at: 0)
            if !critics.isEmpty { values.append(criticValue) }
            return values
        }

        /// What the divergence guard watches on the probe (the first domain's `rows`, indices,
        /// and as many of every other domain's training rows): the first domain's reconstruction
        /// per feature plus each domain's mean squared code norm. The codes count because the
        /// matching game can blow them up while every domain still reconstructs its samples
        /// (the critic and the encoders chasing each other outward: code norms of 10⁴–10⁵ at a
        /// reconstruction of 1), which the reconstruction alone never shows.
        /// FOSCTTM of the held-out pairs (`heldOut`: their first-domain rows) among themselves,
        /// averaged over both directions and every other domain: what a translator is for,
        /// which its loss, mostly reconstruction, does not follow. Selecting the epoch by it
        /// is model selection on pairs the model never trained on.
        func selectionLoss(_ heldOut: Tensor) throws -> Double {
            let rows = heldOut.scalars.map { Int($0) }
            let reference = encoders[0](Variable(try data[0].gatherRows(rows))).value
            var total = 0.0
            for k in 1..<data.count {
                let codes = encoders[k](Variable(try data[k].gatherRows(rows.map { partners[k - 1][$0] }))).value
                let all = Array(0..<rows.count)
                total += (TranslationMetrics.foscttm(reference, codes, queries: all) + TranslationMetrics.foscttm(codes, reference, queries: all)) / 2
            }
            return total / Double(data.count - 1)
        }

        var selectionName: String { "held-out FOSCTTM" }

        func heldOutLoss(_ samples: Tensor) throws -> Double {
            let indices = samples.scalars.map { Int($0) }
            let x = try data[0].gatherRows(indices)
            let reconstruction = Double((configuration.domains[0].loss(decoders[0](encoders[0](Variable(x))), x) / Float(data[0].columns)).value.scalar)
            var norms = 0.0
            for k in data.indices {
                let rows = k == 0 ? x : try data[k].gatherRows(Array(pools[k - 1].prefix(indices.count)))
                let codes = encoders[k](Variable(rows)).value
                norms += codes.squared().sumInDouble() / Double(rows.rows)
            }
            return reconstruction + norms / Double(data.count)
        }
    }

    /// Trains one autoencoder per domain in one shared latent space (see ``Translator``), with
    /// the configured optimizer, schedule and checkpoints (which resume bit for bit). Each
    /// domain's scaling is fitted to its samples and stored (`scaling(of:for:)`).
    ///
    /// Domains in memory or in NPY shards train alike: training reads each batch's rows of
    /// every domain by index as it draws them (``IndexedRowSource``), so the batches from
    /// shards are those of the same data in memory, value for value (the same model, bit for
    /// bit, with scaling none).
    public static func fit(_ samples: Samples, configuration: Configuration, using generator: inout RandomGenerator,
                           context: FitContext = FitContext()) throws -> Translator {
        try configuration.validate()
        let count = configuration.domains.count
        guard samples.domains.count == count else {
            throw AutoencoderError("translator: the configuration has \(count) domains, the data \(samples.domains.count)")
        }
        let scalings = try zip(configuration.domains, samples.domains).map { try scaling(of: $1, for: $0) }
        var oneHot: [Tensor]? = nil
        if configuration.classes > 0 {
            guard let labels = samples.labels, labels.count == count else {
                throw AutoencoderError("translator: a latent classifier of \(configuration.classes) classes needs the labels of every domain")
            }
            oneHot = try zip(configuration.domains, zip(labels, samples.domains)).map { domain, pair in
                guard pair.0.count == pair.1.rows else {
                    throw AutoencoderError("translator: domain \(domain.name) has \(pair.1.rows) samples but \(pair.0.count) labels")
                }
                if let bad = pair.0.firstIndex(where: { $0 < 0 || $0 >= configuration.classes }) {
                    throw AutoencoderError("translator: domain \(domain.name): label \(pair.0[bad]) of sample \(bad) is outside 0 … \(configuration.classes - 1)")
                }
                return try VariationalAutoencoder.oneHot(pair.0, classes: configuration.classes)
            }
        }
        try checkPartners(samples.partners ?? [], counts: samples.domains.map(\.rows), configuration: configuration)
        let data = try zip(scalings, samples.domains).map { scaling, rows in try rows.indexed(scaling.isIdentity ? nil : { try scaling.apply($0) }) }
        return try train(data, scalings: scalings, oneHot: oneHot, partners: samples.partners ?? [], configuration: configuration, using: &generator,
                         context: context)
    }

    /// A domain's scaling fitted to its rows, after checking every value (finite, small enough
    /// to train on) and the range its loss needs: in memory by ``FeatureScaling/init(fitting:kind:)``;
    /// otherwise from one pass (``RowSource/summary(method:moments:parts:)``: means and deviations
    /// in Double, or each column's range). Robust scaling needs each column's quartiles, in memory.
    static func scaling(of rows: any IndexedRowSource, for domain: Domain) throws -> FeatureScaling {
        let method = "translator (domain \(domain.name))"
        func checkRange(_ low: Double, _ high: Double) throws {
            guard domain.loss == .binaryCrossEntropy, domain.scaling == .none, low < 0 || high > 1 else { return }
            throw AutoencoderError("translator: domain \(domain.name): the bce loss needs data in [0, 1] (found \(low)…\(high)); scale it (min-max) or use mse")
        }
        if let x = rows as? Tensor {
            try checkTrainingSamples(x, method: method, minimumCount: 2)
            try checkRange(Double(x.min()), Double(x.max()))
            return try FeatureScaling(fitting: x, kind: domain.scaling)
        }
        guard rows.rows >= 2 else { throw AutoencoderError("\(method): needs at least 2 samples, \(rows.sourceName) hold \(rows.rows)") }
        guard domain.scaling != .robust else {
            throw AutoencoderError("translator: domain \(domain.name): robust scaling needs each column's quartiles, which \(rows.sourceName) are not sorted for; use standardize or min-max")
        }
        let summary = try rows.summary(method: method)
        try checkRange(Double(summary.low), Double(summary.high))
        let (means, lows, highs) = (summary.means!, summary.columnLows!, summary.columnHighs!)
        switch domain.scaling {
        case .standardize: return FeatureScaling(kind: .standardize, offset: means, spread: summary.variances!.map { $0.squareRoot() })
        case .minMax: return FeatureScaling(kind: .minMax, offset: lows, spread: zip(lows, highs).map { $1 - $0 })
        case .none, .robust: return FeatureScaling(kind: .none, offset: means.map { _ in 0 }, spread: means.map { _ in 1 })
        }
    }

    /// How many of `paired` pairs a fit holds out (`heldOutFraction` of them, at least 2 when
    /// any) and how many anchors it draws from the rest.
    public static func heldOutPairCount(paired: Int, configuration: Configuration) -> Int {
        let fraction = configuration.training.heldOutFraction
        return fraction > 0 ? max(2, Int((fraction * Double(paired)).rounded())) : 0
    }

    /// The anchors a fit draws from `paired` pairs: `anchorFraction` of those not held out.
    public static func anchorCount(paired: Int, configuration: Configuration) -> Int {
        Int((configuration.anchorFraction * Double(max(0, paired - heldOutPairCount(paired: paired, configuration: configuration)))).rounded())
    }

    /// The first-domain rows of the pairs held out for model selection: a seeded
    /// `heldOutFraction` of the rows paired in every domain (at least 2, at most all but 2 of
    /// them), sorted; none when the fraction is 0. ``fit(_:configuration:using:context:)``
    /// draws them first from the generator it is given, so the same call on a generator of the
    /// same seed names the pairs a fit held out.
    public static func heldOutPairs(of paired: [Int], configuration: Configuration, using generator: inout RandomGenerator) throws -> [Int] {
        let fraction = configuration.training.heldOutFraction
        guard fraction > 0 else { return [] }
        let count = heldOutPairCount(paired: paired.count, configuration: configuration)
        guard paired.count - count >= 2 else {
            throw AutoencoderError("translator: holding out \(count) pairs (held-out fraction \(fraction)) needs at least \(count + 2) samples paired in every domain; "
                                   + "there are \(paired.count)\(paired.isEmpty ? " (no pairs are known: held-out pairs are scored by how near their codes lie)" : "")")
        }
        var order = paired
        generator.shuffle(&order)
        return Array(order.prefix(count)).sorted()
    }

    /// Checks known pairs (`partners[k − 1][i]`: domain k's row paired with row i of the first
    /// domain, or −1) against the domains' sample counts; anchors need pairs.
    static func checkPartners(_ partners: [[Int]], counts: [Int], configuration: Configuration) throws {
        let count = configuration.domains.count, n = counts[0]
        if !partners.isEmpty {
            guard partners.count == count - 1 else { throw AutoencoderError("translator: pairs must name a partner in each of the \(count - 1) other domains") }
            for (k, list) in partners.enumerated() {
                guard list.count == n else {
                    throw AutoencoderError("translator: pairs: \(list.count) partners in domain \(configuration.domains[k + 1].name) for the \(n) samples of \(configuration.domains[0].name)")
                }
                if let bad = list.firstIndex(where: { $0 < -1 || $0 >= counts[k + 1] }) {
                    throw AutoencoderError("translator: pairs: sample \(bad) of \(configuration.domains[0].name) pairs with row \(list[bad]) of \(configuration.domains[k + 1].name), which has \(counts[k + 1]) samples")
                }
            }
        } else if configuration.anchorFraction > 0 {
            throw AutoencoderError("translator: an anchor fraction of \(configuration.anchorFraction) needs known pairs")
        }
    }

    /// The networks trained on each domain's scaled rows (in memory or read from shards by
    /// index), `partners` (empty: no pairs) giving the anchors.
    static func train(_ data: [any IndexedRows], scalings: [FeatureScaling], oneHot: [Tensor]?, partners known: [[Int]],
                      configuration: Configuration, using generator: inout RandomGenerator, context: FitContext) throws -> Translator {
        let count = configuration.domains.count, n = data[0].rows
        var partners = known
        var pairedRows = (0..<n).filter { i in partners.allSatisfy { $0[i] >= 0 } && !partners.isEmpty }
        // Held-out pairs first (drawn only when asked for, so that runs without them draw as
        // before): never trained on in any domain, never anchors.
        let heldOutRows = try heldOutPairs(of: pairedRows, configuration: configuration, using: &generator)
        if !heldOutRows.isEmpty {
            let held = Set(heldOutRows)
            pairedRows.removeAll(where: held.contains)
        }
        // The anchors: a seeded share of the first domain's (remaining) samples paired in every domain.
        var anchors = [Bool](repeating: false, count: n)
        var order = pairedRows
        generator.shuffle(&order)
        for i in order.prefix(Int((configuration.anchorFraction * Double(pairedRows.count)).rounded())) { anchors[i] = true }
        if partners.isEmpty { partners = Array(repeating: [], count: count - 1) }
        let heldOutSet = Set(heldOutRows)
        let pools = (1..<count).map { k in
            let taken = Set(heldOutRows.map { partners[k - 1][$0] })
            return (0..<data[k].rows).filter { !taken.contains($0) }
        }
        let trainingRows = (0..<n).filter { !heldOutSet.contains($0) }

        let run = try TrainingRun(context, method: methodName, configuration: configuration)
        var encoders: [Network] = [], decoders: [Network] = []
        for k in 0..<count {
            let (encoder, decoder): (Network, Network)
            do {
                (encoder, decoder) = try configuration.network(k).trainable(features: data[k].columns, initializer: configuration.initializer,
                                                                            method: "\(methodName) domain \(configuration.domains[k].name)", using: &generator)
            } catch let error as NetworkLayoutError { throw AutoencoderError(error.description) }
            encoders.append(encoder)
            decoders.append(decoder)
        }
        let classifier = configuration.classes > 0
            ? LayerStack.trainable(widths: [configuration.codeSize, configuration.classes], activations: [.linear], initializer: configuration.initializer, using: &generator)
            : nil
        let criticInputs = configuration.codeSize + (configuration.classConditionalCritic ? configuration.classes : 0)
        let critics = configuration.matcher == .critic
            ? (1..<count).map { _ in Critic(inputs: criticInputs, hidden: configuration.criticHidden, initializer: configuration.initializer, using: &generator) }
            : []
        let step = Step(configuration: configuration, data: data, oneHot: oneHot, partners: partners, anchors: anchors, pools: pools,
                        encoders: encoders, decoders: decoders, classifier: classifier, critics: critics)
        let hooks = run.hooks()
        let indices = try Tensor(shape: [trainingRows.count, 1], scalars: trainingRows.map(Float.init))
        let heldOut = heldOutRows.isEmpty ? nil : try Tensor(shape: [heldOutRows.count, 1], scalars: heldOutRows.map(Float.init))
        let record = try Trainer(configuration.training).run(step, samples: indices, heldOut: heldOut, using: &generator, hooks: hooks)
        var fittedEncoders: [TrainedNetwork] = [], fittedDecoders: [TrainedNetwork] = []
        for k in 0..<count {
            let fitted = try configuration.network(k).fitted(encoder: encoders[k], decoder: decoders[k])
            fittedEncoders.append(fitted.encoder)
            fittedDecoders.append(fitted.decoder)
        }
        return Translator(configuration: configuration, encoders: fittedEncoders, decoders: fittedDecoders,
                          classifier: classifier.map { LayerStack($0) }, scalings: scalings, record: record)
    }
}
