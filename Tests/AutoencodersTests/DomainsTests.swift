import Autoencoders
import DataFormats
import Foundation
import Testing
import TestSupport
import Tensors

/// A translator's domains: pairs by rows or a file, a test split held out in every domain
/// through the pairs, and the training part's pairs renumbered.
@Suite struct DomainSets {
    static func set(_ n: Int, _ name: String) -> Dataset {
        try! Dataset(samples: Tensor(shape: [n, 2]) { Float($0) }, name: name)
    }

    @Test func rowsPairWhenTheCountsAgree() throws {
        let paired = try Domains(names: ["a", "b"], sets: [Self.set(5, "a"), Self.set(5, "b")], testSplit: .none)
        #expect(paired.partners == [[0, 1, 2, 3, 4]] && paired.testRows == [[], []])
        let unpaired = try Domains(names: ["a", "b"], sets: [Self.set(5, "a"), Self.set(4, "b")], testSplit: .none)
        #expect(unpaired.partners == nil && unpaired.pairs(1) == nil)
        #expect { try Domains(names: ["a", "b"], sets: [Self.set(5, "a"), Self.set(4, "b")], pairing: .rows) } throws: { "\($0)".contains("`pairing: .rows`") }
        #expect { try Domains(names: ["a", "a"], sets: [Self.set(5, "a"), Self.set(5, "b")]) } throws: { "\($0)".contains("must differ") }
    }

    /// A pairs file's rows, and the held-out rows followed into the other domain.
    @Test func aTestSplitFollowsThePairs() throws {
        let path = temporaryPath("pairs.csv")
        try "b,a\n3,0\n,1\n0,2\n1,4\n".write(toFile: path, atomically: true, encoding: .utf8)
        let domains = try Domains(names: ["a", "b"], sets: [Self.set(5, "a"), Self.set(4, "b")], pairing: .file(path), testSplit: .fraction(0.4), seed: 3)
        #expect(domains.partners == [[3, -1, 0, -1, 1]])
        let (first, other) = (domains.testRows[0], domains.testRows[1])
        #expect(first.count == 2 && other == first.map { domains.partners![0][$0] }.filter { $0 >= 0 })
        let (training, partners) = domains.training()
        #expect(training[0].count == 3 && training[1].count == 4 - other.count)
        // Renumbered pairs point at the same values.
        for (i, partner) in partners![0].enumerated() where partner >= 0 {
            #expect(training[1].samples[partner, 0] == Float(domains.partners![0][domains.trainingRows(0)[i]] * 2))
        }
    }

    @Test(arguments: [("b,a\n3,0\n9,1\n", "line 3, column 0"), ("c,a\n1,0\n", "line 1: names 'c'"), ("b,a\n1,0\n2,0\n", "line 3: row 0 of a is paired twice"),
                      ("b,a\n1\n", "line 2: has 1 fields")])
    func aBadPairsFileNamesItsLine(text: String, message: String) throws {
        let path = temporaryPath("bad-pairs.csv")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try Domains(names: ["a", "b"], sets: [Self.set(5, "a"), Self.set(4, "b")], pairing: .file(path)) } throws: {
            ($0 as? DataFormatError)?.file == path && "\($0)".contains(message)
        }
    }
}
