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
        let metrics = try TranslationMetrics(codesA: codes, codesB: codes, neighbours: [k])
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
        let metrics = try TranslationMetrics(codesA: a, codesB: b, neighbours: [1, 2])
        #expect(metrics.partnerRecall == [1: 0, 2: 0.9])
    }

    /// The hub effect the centroid score measures: in 200 dimensions, random codes have hubs,
    /// so mapping every sample to the centroid scores far above k / n, while unpaired codes'
    /// recall of the true partner stays near chance.
    @Test func centroidScoreExposesHubs() throws {
        var generator = RandomGenerator(seed: 2)
        let (n, k) = (300, 10)
        let a = Tensor.randomNormal([n, 200], using: &generator), b = Tensor.randomNormal([n, 200], using: &generator)
        let metrics = try TranslationMetrics(codesA: a, codesB: b, neighbours: [k])
        let chance = Double(k) / Double(n)
        #expect(metrics.centroidPairingScores[k]! > 5 * chance, "\(metrics)")
        #expect(metrics.partnerRecall[k]! < 3 * chance, "\(metrics)")
    }
}
