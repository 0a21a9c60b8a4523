import Autoencoders
import DataFormats
import DistributionMatching
import Foundation
import NeuralNetworks
import Testing
import TestSupport
import Tensors

/// Two views of one latent cause: z ∈ ℝ² in three classes (blobs), domain A = z·W_A (10
/// features) and B = tanh(z·W_B) (8 features), plus noise: row i of A and of B are one object.
struct TwoViews {
    let a: Tensor, b: Tensor, labels: [Int]

    init(count: Int, seed: UInt64) {
        var generator = RandomGenerator(seed: seed)
        let labels = (0..<count).map { $0 % 3 }
        let centres: [[Float]] = [[2, 0], [-1, 1.7], [-1, -1.7]]
        let z = try! Tensor(shape: [count, 2], scalars: labels.flatMap { centres[$0] }) + Tensor.randomNormal([count, 2], standardDeviation: 0.6, using: &generator)
        let wa = Tensor.randomNormal([2, 10], using: &generator), wb = Tensor.randomNormal([2, 8], using: &generator)
        a = matmul(z, wa) + Tensor.randomNormal([count, 10], standardDeviation: 0.05, using: &generator)
        b = matmul(z, wb).tanh() + Tensor.randomNormal([count, 8], standardDeviation: 0.05, using: &generator)
        self.labels = labels
    }
}

@Suite struct Translators {
    let data = TwoViews(count: 800, seed: 1)
    var trainA: Tensor { data.a.rows(0..<600) }
    var trainB: Tensor { data.b.rows(0..<600) }
    var testA: Tensor { data.a.rows(600..<800) }
    var testB: Tensor { data.b.rows(600..<800) }

    static func configuration(_ anchors: Double, matcher: Translator.Matcher = .critic, classes: Int = 0, epochs: Int = 60) -> Translator.Configuration {
        Translator.Configuration(domains: [.init(name: "a", hidden: [32]), .init(name: "b", hidden: [32])], codeSize: 2, activation: .tanh,
                                 matcher: matcher, criticHidden: [32], classes: classes, anchorFraction: anchors,
                                 training: .init(epochs: epochs, batchSize: 50, learningRate: 3e-3, heldOutFraction: 0))
    }

    /// With every pair an anchor the translator recovers the relation between the views:
    /// translations of held-out A samples land near their true B partners (far nearer than B's
    /// mean), FOSCTTM is small and the pairing score far above chance.
    @Test func recoversAKnownRelationFromAnchors() throws {
        var generator = RandomGenerator(seed: 2)
        let model = try Translator.fit(.paired([trainA, trainB]), configuration: Self.configuration(1), using: &generator)
        let translated = try model.translate(testA, from: 0, to: 1)
        let error = (translated - testB).squared().sum() / 200
        let baseline = (testB - testB.mean(alongAxis: 0)).squared().sum() / 200
        #expect(error < 0.25 * baseline, "translation error \(error) against predicting B's mean \(baseline)")
        let metrics = try TranslationMetrics(codesA: model.encode(testA, domain: 0), codesB: model.encode(testB, domain: 1))
        #expect(metrics.foscttm < 0.1, "\(metrics)")
        #expect(metrics.pairingScores[50]! > 0.6, "\(metrics)")
        // The alignment of every pair with the last 200 held out: three scorings, the training
        // one on as many pairs as are held out; in JSON each figure names its scoring.
        let rows = Array(0..<800)
        let alignment = try #require(try model.alignment(samples: [data.a, data.b], labels: [nil, nil],
                                                         pairs: { _ in PairedRows(first: rows, other: rows, heldOut: Array(600..<800)) })["b"])
        #expect(Set(alignment.scores.keys) == [.test, .testAmongAll, .training])
        #expect(alignment.scores[.test]?.candidates == 200 && alignment.scores[.testAmongAll]?.candidates == 800)
        #expect(alignment.scores[.training]?.queries == 200 && alignment.primary == alignment.scores[.test])
        #expect(alignment.scores[.test]!.foscttm == metrics.foscttm, "held-out among held-out is the test set scored alone")
        let json = try JSONEncoder().encode(alignment)
        let keys = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any]).keys
        #expect(["foscttm_test", "recall_at_50_test", "recall_chance_at_50_test", "foscttm_training", "pairing_score_test_among_all", "codes_emd"].allSatisfy(keys.contains))
        // The codes' EMD is the exact one between the held-out codes, and aligned codes sit far
        // nearer each other than the codes of the other domain shuffled against a shift.
        let codesA = try model.encode(testA, domain: 0), codesB = try model.encode(testB, domain: 1)
        #expect(alignment.codesEarthMovers == (try EarthMovers.exact(a: codesA, b: codesB).cost))
        #expect(try #require(alignment.codesEarthMovers) < 0.1 * (try EarthMovers.exact(a: codesA, b: codesB + 1).cost))
        #expect(try JSONDecoder().decode(Translator.Alignment.self, from: json) == alignment)
    }

    /// Without any anchor, distribution matching and the latent classifier alone line the
    /// domains up: held-out pairs score far above chance (k = 50 of 200: 0.25), for every matcher,
    /// and the codes' classes agree across domains (kNN from A's codes to B's).
    @Test(arguments: Translator.Matcher.allCases)
    func alignsWithoutAnchorsByMatchingAndClasses(_ matcher: Translator.Matcher) throws {
        var generator = RandomGenerator(seed: 3)
        let labels = Array(data.labels.prefix(600))
        let model = try Translator.fit(.init(domains: [trainA, trainB], labels: [labels, labels]),
                                       configuration: Self.configuration(0, matcher: matcher, classes: 3, epochs: 150), using: &generator)
        let (codesA, codesB) = (try model.encode(testA, domain: 0), try model.encode(testB, domain: 1))
        let metrics = try TranslationMetrics(codesA: codesA, codesB: codesB)
        #expect(metrics.pairingScores[50]! > 0.6 && metrics.foscttm < 0.2, "\(matcher): \(metrics)")
        let testLabels = Array(data.labels.suffix(200))
        let transfer = try ReconstructionMetrics.knnAccuracy(codes: codesB, labels: testLabels, referenceCodes: codesA, referenceLabels: testLabels)
        #expect(transfer > 0.8, "\(matcher): kNN accuracy from A's codes to B's \(transfer)")
        // The latent classifier reads each domain's classes off the shared codes.
        let probabilities = try model.classProbabilities(codesB)
        let predicted = (0..<200).map { r in (0..<3).max { probabilities[r, $0] < probabilities[r, $1] }! }
        #expect(Double(zip(predicted, testLabels).filter { $0 == $1 }.count) / 200 > 0.8)
    }

    /// Interrupted inside an epoch and resumed, a run with four parameter groups (two domains,
    /// the classifier, the critic), anchors and input noise ends with the uninterrupted model,
    /// bit for bit.
    @Test func resumedRunEqualsTheUninterruptedRun() throws {
        var configuration = Self.configuration(0.5, classes: 3, epochs: 3)
        configuration.inputNoise = 0.1  // noise and dropout masks drawn from the run's generator resume too
        configuration.dropout = 0.2
        let labels = Array(data.labels.prefix(300))
        let samples = Translator.Samples(domains: [trainA.rows(0..<300), trainB.rows(0..<300)], labels: [labels, labels],
                                         partners: [Array(0..<300)])
        let (uninterrupted, _) = try expectResumedRunEqualsUninterrupted("translator", interruptAt: (2, 3)) { generator, checkpoints, progress in
            try Translator.fit(samples, configuration: configuration, using: &generator, context: FitContext(checkpoints: checkpoints, progress: progress))
        }
        #expect(Set(uninterrupted.record?.terms?.keys.map { $0 } ?? []) == ["loss", "reconstruction", "matching", "classifier", "anchor", "translation", "code_norm", "critic"])
    }

    /// Held-out pairs never train: set to 10⁴ in both domains, they leave every epoch's
    /// training loss near the clean run's (one such row in a batch would add ~10⁷ per feature
    /// to its reconstruction), and no anchor is among them. After each epoch they are scored,
    /// and with early stopping the model returned is the kept epoch's: its FOSCTTM on the
    /// held-out pairs is the record's figure for that epoch.
    @Test func heldOutPairsSelectTheModelAndNeverTrain() throws {
        var configuration = Self.configuration(1, epochs: 12)
        configuration.training.heldOutFraction = 0.25
        configuration.training.earlyStoppingPatience = 4
        var draw = RandomGenerator(seed: 5)
        let held = try Translator.heldOutPairs(of: Array(0..<600), configuration: configuration, using: &draw)
        #expect(held.count == 150 && held == held.sorted() && Set(held).count == 150)
        func corrupted(_ x: Tensor) throws -> Tensor {
            var scalars = x.scalars
            for row in held { for column in 0..<x.columns { scalars[row * x.columns + column] = 1e4 } }
            return try Tensor(shape: x.shape, scalars: scalars)
        }
        func fit(_ a: Tensor, _ b: Tensor) throws -> Translator {
            var generator = RandomGenerator(seed: 5)
            return try Translator.fit(.paired([a, b]), configuration: configuration, using: &generator)
        }
        let (clean, dirty) = (try fit(trainA, trainB), try fit(try corrupted(trainA), try corrupted(trainB)))
        let (cleanLoss, dirtyLoss) = (try #require(clean.record?.trainLoss), try #require(dirty.record?.trainLoss))
        #expect(dirtyLoss.count >= 5 && dirtyLoss.allSatisfy { $0.isFinite && $0 < 100 }, "training losses \(dirtyLoss) (clean \(cleanLoss))")
        // The model returned is the kept epoch's: scored on the held-out pairs, it gives the record's figure.
        let record = try #require(clean.record)
        #expect(record.heldOutLoss.count == record.trainLoss.count && record.keptEpoch >= 1)
        #expect(record.heldOutLoss[record.keptEpoch - 1] == record.heldOutLoss.min())
        let metrics = try TranslationMetrics(codesA: clean.encode(trainA.gatherRows(held), domain: 0), codesB: clean.encode(trainB.gatherRows(held), domain: 1))
        #expect(abs(Float(metrics.foscttm) - record.heldOutLoss[record.keptEpoch - 1]) < 1e-6, "\(metrics.foscttm) against \(record.heldOutLoss)")
        #expect(metrics.foscttm < 0.1, "every training pair an anchor: the held-out pairs line up, \(metrics)")
    }

    /// Decoding the anchors across domains is what translation does: with few anchors, the
    /// translation term (λ_t > 0) translates held-out samples with a smaller error than the
    /// same run without it, both ways, for every matcher.
    @Test(arguments: Translator.Matcher.allCases)
    func translatingAnchorsImprovesTranslation(_ matcher: Translator.Matcher) throws {
        func error(_ weight: Float) throws -> (Float, Float) {
            var configuration = Self.configuration(0.1, matcher: matcher)
            configuration.translationWeight = weight
            var generator = RandomGenerator(seed: 4)
            let model = try Translator.fit(.paired([trainA, trainB]), configuration: configuration, using: &generator)
            return ((try model.translate(testA, from: 0, to: 1) - testB).squared().sum() / 200,
                    (try model.translate(testB, from: 1, to: 0) - testA).squared().sum() / 200)
        }
        let (without, with) = (try error(0), try error(Translator.Configuration.defaults.translationWeight))
        #expect(with.0 < without.0 && with.1 < without.1, "\(matcher): A → B \(with.0) with the term against \(without.0) without; B → A \(with.1) against \(without.1)")
    }

    /// A saved translator loads with every domain's networks and scaling.
    /// Domains in NPY shards: batches read by index as they are drawn are the batches of the
    /// data in memory, so the model is the same, bit for bit (scaling none; anchors from pairs
    /// by row), for every matcher; a standardizing scaling from the shards' moments pass is the
    /// in-memory one to float precision. Only the drawn rows are read.
    @Test(arguments: Translator.Matcher.allCases)
    func domainsInShardsTrainTheModelOfDomainsInMemory(matcher: Translator.Matcher) throws {
        let folders = [temporaryFolder(), temporaryFolder()]
        for (folder, x) in zip(folders, [trainA, trainB]) {
            for part in 0..<3 { try NPY.write(x.rows((part * 200)..<((part + 1) * 200)), to: "\(folder)/p\(part).npy") }
        }
        let configuration = Self.configuration(0.5, matcher: matcher, epochs: 2)
        var generator = RandomGenerator(seed: 4)
        let inMemory = try Translator.fit(.paired([trainA, trainB]), configuration: configuration, using: &generator)
        let shards = try folders.map { try NPYShards(folder: $0) }
        generator = RandomGenerator(seed: 4)
        let streamed = try Translator.fit(.init(domains: shards, partners: [Array(0..<600)]), configuration: configuration, using: &generator)
        #expect(streamed.stateTensors.map(\.tensor.scalars) == inMemory.stateTensors.map(\.tensor.scalars))
        // The moments pass, two epochs of 12 batches of 50 drawn rows, the divergence probe (the
        // first batch's rows); the other domain's anchors' partners besides.
        #expect(shards[0].rowsRead == 600 + 2 * 600 + 50 && shards[1].rowsRead > 600 + 2 * 600)

        var scaled = configuration
        scaled.domains[1].scaling = .standardize
        generator = RandomGenerator(seed: 4)
        let a = try Translator.fit(.paired([trainA, trainB]), configuration: scaled, using: &generator)
        generator = RandomGenerator(seed: 4)
        let b = try Translator.fit(.init(domains: try folders.map { try NPYShards(folder: $0) }, partners: [Array(0..<600)]), configuration: scaled, using: &generator)
        let (x, y) = (try a.encode(testB, domain: 1).scalars, try b.encode(testB, domain: 1).scalars)
        #expect(zip(x, y).allSatisfy { abs($0 - $1) <= 1e-3 * max(1, abs($0)) })
    }

    @Test func saveAndLoadKeepEveryDomain() throws {
        var generator = RandomGenerator(seed: 5)
        var configuration = Self.configuration(1, epochs: 2)
        configuration.domains[1].scaling = .standardize
        let model = try Translator.fit(.paired([trainA, trainB * 10 + 3]), configuration: configuration, using: &generator)
        let path = temporaryPath("translator.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let loaded = try #require(try Methods.load(from: path) as? Translator)
        #expect(loaded.domainNames == ["a", "b"] && loaded.scalings == model.scalings)
        #expect(try loaded.translate(testA, from: 0, to: 1) == model.translate(testA, from: 0, to: 1))
        #expect(try loaded.encode(testB * 10 + 3, domain: 1) == model.encode(testB * 10 + 3, domain: 1))
        #expect { _ = try loaded.encode(testA, domain: 1) } throws: { "\($0)".contains("domain b takes samples of 8 features; got shape [200, 10]") }
        #expect { _ = try loaded.domainIndex(named: "c") } throws: { "\($0)".contains("no domain 'c' in this model (domains: a, b)") }
    }

    @Test func badRequestsAreClearErrors() throws {
        var generator = RandomGenerator(seed: 0)
        let labels = Array(data.labels.prefix(600))
        let cases: [(Translator.Configuration, Translator.Samples, String)] = [
            (.init(domains: [.init(name: "a")]), .paired([trainA]), "at least 2 domains"),
            (.init(domains: [.init(name: "a"), .init(name: "a")]), .paired([trainA, trainB]), "domain names must differ"),
            (.init(domains: [.init(name: "a"), .init(name: "b c")]), .paired([trainA, trainB]), "must be letters, digits"),
            (Self.configuration(0.5), .init(domains: [trainA, trainB]), "needs known pairs"),
            (Self.configuration(0.5), .init(domains: [trainA, trainB.rows(0..<500)], partners: [Array(0..<600)]), "sample 500 of a pairs with row 500 of b, which has 500 samples"),
            (Self.configuration(0.5), .init(domains: [trainA, trainB], partners: [Array(0..<500)]), "500 partners in domain b for the 600 samples of a"),
            (Self.configuration(0, classes: 3), .init(domains: [trainA, trainB]), "needs the labels of every domain"),
            (Self.configuration(0, classes: 3), .init(domains: [trainA, trainB], labels: [labels, Array(labels.prefix(10))]), "domain b has 600 samples but 10 labels"),
            (Self.configuration(0, classes: 2), .init(domains: [trainA, trainB], labels: [labels, labels]), "label 2 of sample 2 is outside 0 … 1"),
            (Self.configuration(1.5), .paired([trainA, trainB]), "`anchorFraction` must be in [0, 1], got 1.5"),
            ({ var c = Self.configuration(0); c.dropout = 1; return c }(), .paired([trainA, trainB]), "`dropout` must be in [0, 1), got 1"),
        ]
        for (configuration, samples, message) in cases {
            #expect { _ = try Translator.fit(samples, configuration: configuration, using: &generator) } throws: { "\($0)".contains(message) }
        }
        // Holding out pairs needs pairs, and enough of them.
        var heldOut = Self.configuration(0)
        heldOut.training.heldOutFraction = 0.5
        #expect { _ = try Translator.fit(.init(domains: [trainA, trainB]), configuration: heldOut, using: &generator) } throws: {
            "\($0)".contains("there are 0 (no pairs are known")
        }
        #expect { _ = try Translator.fit(.paired([trainA.rows(0..<3), trainB.rows(0..<3)]), configuration: heldOut, using: &generator) } throws: {
            "\($0)".contains("holding out 2 pairs (held-out fraction 0.5) needs at least 4 samples paired in every domain; there are 3")
        }
    }

    /// A configuration written before a hyperparameter existed reads with its default, so
    /// older model files stay readable (here the translator's code penalty and weight decay, the
    /// AAE's critic steps).
    @Test func configurationsWithoutNewerKeysReadAsDefaults() throws {
        func dropping<C: Codable>(_ keys: [String], from configuration: C) throws -> C {
            var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(configuration)) as! [String: Any]
            for key in keys { #expect(object.removeValue(forKey: key) != nil, "\(key)") }
            return try JSONDecoder().decode(C.self, from: JSONSerialization.data(withJSONObject: object))
        }
        var translator = Self.configuration(0.5, classes: 3)
        translator.anchorWeight = 2
        let read = try dropping(["codePenalty", "weightDecay"], from: translator)
        #expect(read == translator && read.codePenalty == 0.01 && read.weightDecay == 0)
        // Terms added to training later read as absent (0), as the file was trained.
        let older = try dropping(["translationWeight", "criticGradientPenalty"], from: translator)
        #expect(older.translationWeight == 0 && older.criticGradientPenalty == 0 && older.anchorWeight == 2)
        let adversarial = AdversarialAutoencoder.Configuration(codeSize: 7, criticSteps: 1)
        #expect(try dropping(["criticSteps"], from: adversarial) == adversarial)
        #expect(throws: DecodingError.self) { _ = try dropping(["domains"], from: translator) }
    }
}
