import Autoencoders
import Testing
import TestSupport
import Tensors

/// The translation measures on codes whose answers are known by hand or by construction.
@Suite struct TranslationMeasures {
    /// Identical codes in both domains: every object is its own nearest partner.
    @Test(arguments: [1, 3])
    func identicalCodesScorePerfectly(_ k: Int) throws {
        var generator = RandomGenerator(seed: 1)
        let codes = Tensor.randomNormal([40, 3], using: &generator)
        let metrics = try TranslationMetrics(codesA: codes, codesB: codes, neighbours: [k], recallNeighbours: [k])
        #expect(metrics.pairingScores[k] == 1 && metrics.reversePairingScores[k] == 1 && metrics.partnerRecall[k] == 1)
        #expect(metrics.foscttm == 0)
    }

    /// B's codes 0, 1, …, 9 on a line: the centroid 4.5 is nearest to 4 (the first of a tie),
    /// and 4 is among the k = 3 nearest of 3, 4 and 5 only (from 2 and 6, three codes are
    /// strictly closer): 3 of 10. At k = 1 only 4 itself.
    @Test func centroidScoreByHand() throws {
        let line = Tensor(shape: [10, 1]) { Float($0) }
        let metrics = try TranslationMetrics(codesA: line * 0 + 100, codesB: line, neighbours: [1, 3])
        #expect(metrics.centroidPairingScores == [1: 0.1, 3: 0.3])
    }

    /// Codes of A are B's codes shifted by one row (object i of A sits where object i + 1 of B
    /// does, 0 … 9 on a line): B(i) is 1 from A(i), and only B(i + 1) lies closer; recall at
    /// k = 1 is 0 and at k = 2 is 1 (the last row's shifted code wraps to 0, which is 9 away
    /// from B(9) with 9 codes closer: a miss at both).
    @Test func partnerRecallByHand() throws {
        let b = Tensor(shape: [10, 1]) { Float($0) }
        let a = Tensor(shape: [10, 1]) { Float(($0 + 1) % 10) }
        let metrics = try TranslationMetrics(codesA: a, codesB: b, recallNeighbours: [1, 2])
        #expect(metrics.partnerRecall == [1: 0, 2: 0.9])
    }

    /// The hub effect the centroid score measures: in 200 dimensions, random codes have hubs,
    /// so mapping every sample to the centroid scores far above k / n, while unpaired codes'
    /// recall of the true partner stays near chance.
    @Test func centroidScoreExposesHubs() throws {
        var generator = RandomGenerator(seed: 2)
        let (n, k) = (300, 10)
        let a = Tensor.randomNormal([n, 200], using: &generator), b = Tensor.randomNormal([n, 200], using: &generator)
        let metrics = try TranslationMetrics(codesA: a, codesB: b, neighbours: [k], recallNeighbours: [k])
        let chance = Double(k) / Double(n)
        #expect(metrics.centroidPairingScores[k]! > 5 * chance, "\(metrics)")
        #expect(metrics.partnerRecall[k]! < 3 * chance, "\(metrics)")
    }

    /// Candidates decide the figures. B's codes 0 … 9 on a line, A(i) = i + 1.2: among every
    /// code, B(i + 1) and B(i + 2) lie nearer A(i) than B(i) does (recall at 1 is 0, at 3 is 1
    /// but for A(9), nearest its own); among the even rows only, B(i + 2) is 0.8 away and
    /// B(i) 1.2 (recall at 1 is 1/5: the last, A(8), has no B(10) beyond it).
    @Test func candidatesAreWhatQueriesAreScoredAmong() throws {
        let b = Tensor(shape: [10, 1]) { Float($0) }
        let a = b + 1.2
        let even = [0, 2, 4, 6, 8]
        let amongEven = try TranslationMetrics(codesA: a, codesB: b, queries: even, candidates: even, recallNeighbours: [1, 3])
        let amongAll = try TranslationMetrics(codesA: a, codesB: b, queries: even, recallNeighbours: [1, 3])
        #expect(amongEven.partnerRecall == [1: 0.2, 3: 1] && amongEven.candidates == 5 && amongEven.pairs == 5)
        #expect(amongAll.partnerRecall == [1: 0, 3: 1] && amongAll.candidates == 10)
        #expect(amongEven.recallChance(1) == 0.2 && amongAll.recallChance(3) == 0.3)
        #expect(throws: AutoencoderError.self) { try TranslationMetrics(codesA: a, codesB: b, queries: [1], candidates: even) }
    }

    /// Held-out codes that sit nearer the centre than training codes (as a translator's do) are
    /// told apart from the training candidates by their norm alone: scored among all pairs
    /// they look better aligned than among themselves, which is the honest figure.
    @Test func heldOutCodesNearTheCentreLookBetterAmongAll() throws {
        var generator = RandomGenerator(seed: 3)
        let (n, held) = (400, 80)
        let raw = Tensor.randomNormal([n, 4], using: &generator).scalars
        let a = Tensor(shape: [n, 4]) { raw[$0] * ($0 / 4 < held ? 0.3 : 1) }
        let b = a + Tensor.randomNormal([n, 4], standardDeviation: 0.15, using: &generator)
        let test = Array(0..<held)
        let amongTest = try TranslationMetrics(codesA: a, codesB: b, queries: test, candidates: test)
        let amongAll = try TranslationMetrics(codesA: a, codesB: b, queries: test)
        #expect(amongAll.foscttm < 0.6 * amongTest.foscttm, "among all \(amongAll.foscttm), among the held-out \(amongTest.foscttm)")
        #expect(amongTest.foscttm < TranslationMetrics.foscttmChance)
        // Both directions are measured, and FOSCTTM is their mean.
        #expect(amongTest.foscttm == (amongTest.foscttmAToB + amongTest.foscttmBToA) / 2 && amongTest.foscttmAToB != amongTest.foscttmBToA)
    }

    /// Codes collapsed onto one point tie with every candidate: they score chance, not a
    /// perfect match (every tie counts half a closer candidate).
    @Test func collapsedCodesScoreChance() throws {
        var generator = RandomGenerator(seed: 4)
        let b = Tensor.randomNormal([50, 3], using: &generator)
        let collapsed = Tensor.zeros([50, 3])
        let metrics = try TranslationMetrics(codesA: collapsed, codesB: b, recallNeighbours: [1, 10])
        #expect(metrics.foscttmBToA == 0.5, "from B, every A code is as close as the partner")
        #expect(metrics.reversePartnerRecall == [1: 0, 10: 0], "a partner tied with 49 others ranks 24.5th")
    }
}
