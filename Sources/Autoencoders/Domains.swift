import DataFormats
import Foundation
import Tensors

/// Several domains' samples for a translator: their names, the pairs between them, and the
/// rows each holds out for testing.
///
/// Pairs are `partners[k − 1][i]`: the row of domain k paired with row i of the first domain,
/// or −1 (``Translator/Samples/partners``). The test rows of the other domains follow the
/// first domain's through the pairs, so that a held-out object is held out in every domain.
public struct Domains: Sendable {
    /// How samples of different domains pair up.
    public enum Pairing: Sendable, Equatable {
        /// Row i of every domain is one object (the domains have as many samples).
        case rows
        /// No pairs are known.
        case none
        /// A CSV file whose header names domains (the first domain and at least one other),
        /// each line the 0-based rows of one object in those domains (empty: not measured).
        case file(String)

        /// Rows when every domain has as many samples, else none.
        public static func automatic(counts: [Int]) -> Pairing { Set(counts).count == 1 ? .rows : .none }
    }

    /// Which rows are held out for testing.
    public enum TestSplit: Sendable, Equatable {
        /// The data's own split (sci-car's 340 test cells), or none when a domain has none.
        case data
        /// No rows.
        case none
        /// This fraction of the first domain's rows, drawn from the seed (each domain's own
        /// draw without pairs).
        case fraction(Double)
        /// A file of the first domain's test rows: one 0-based row per line, or a CSV with a
        /// `split` column (`test` or `train`).
        case file(String)
    }

    public let names: [String]
    public let sets: [Dataset]
    /// `partners[k − 1][i]`: the row of domain k paired with row i of the first domain, or −1;
    /// nil without pairs.
    public let partners: [[Int]]?
    /// The test rows of each domain (empty without a test split).
    public let testRows: [[Int]]

    /// The domains `sets` named `names` (at least two, different), paired by `pairing` (nil:
    /// ``Pairing/automatic(counts:)``) and split by `testSplit` (fractions drawn from `seed`).
    /// - Throws: for names that repeat, pairs that do not fit the domains, or a split that
    ///   cannot be made; files that cannot be read or parsed name their line.
    public init(names: [String], sets: [Dataset], pairing: Pairing? = nil, testSplit: TestSplit = .data, seed: UInt64 = 0) throws {
        guard names.count >= 2, names.count == sets.count else {
            throw AutoencoderError("a translator needs at least two domains, one name for each; got \(names.count) names for \(sets.count) sets")
        }
        guard Set(names).count == names.count else { throw AutoencoderError("domain names must differ, got \(names.joined(separator: ", "))") }
        let partners = try Self.partners(pairing, names: names, counts: sets.map(\.count))
        (self.names, self.sets, self.partners) = (names, sets, partners)
        testRows = try Self.split(testSplit, sets: sets, names: names, partners: partners, seed: seed)
    }

    /// The partners `pairing` gives domains `names` of `counts` samples; nil without pairs.
    /// - Throws: when rows are to pair but the counts differ, or the pairs file is bad.
    public static func partners(_ pairing: Pairing?, names: [String], counts: [Int]) throws -> [[Int]]? {
        switch pairing ?? .automatic(counts: counts) {
        case .none: return nil
        case .rows:
            guard Set(counts).count == 1 else {
                throw AutoencoderError("`pairing: .rows` pairs row i of every domain, but the domains have \(zip(names, counts).map { "\($0): \($1)" }.joined(separator: ", ")) samples")
            }
            return Array(repeating: Array(0..<counts[0]), count: names.count - 1)
        case .file(let path):
            return try readPairs(path, names: names, counts: counts)
        }
    }

    /// A pairs file (``Pairing/file(_:)``) for domains `names` of `counts` samples.
    /// - Throws: `DataFormatError` naming the line and column of what is wrong.
    public static func readPairs(_ path: String, names: [String], counts: [Int]) throws -> [[Int]] {
        let lines = try textLines(path).map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
        guard let header = lines.first, header.contains(names[0]), header.count >= 2 else {
            throw DataFormatError(path, .line(1), "must name the domains of each column, the first domain (\(names[0])) among them")
        }
        for column in header where !names.contains(column) {
            throw DataFormatError(path, .line(1), "names '\(column)', which is no domain (domains: \(names.joined(separator: ", ")))")
        }
        var partners = [[Int]](repeating: Array(repeating: -1, count: counts[0]), count: names.count - 1)
        let first = header.firstIndex(of: names[0])!
        for (number, fields) in lines.enumerated().dropFirst() {
            guard fields.count == header.count else { throw DataFormatError(path, .line(number + 1), "has \(fields.count) fields, line 1 has \(header.count)") }
            func row(_ column: Int) throws -> Int? {
                let domain = names.firstIndex(of: header[column])!
                if fields[column].isEmpty { return nil }
                guard let value = Int(fields[column]), value >= 0, value < counts[domain] else {
                    throw DataFormatError(path, .field(line: number + 1, column: column), "'\(fields[column])' is no row of \(names[domain]) (0 … \(counts[domain] - 1))")
                }
                return value
            }
            guard let anchor = try row(first) else { continue }
            for column in header.indices where column != first {
                let domain = names.firstIndex(of: header[column])!
                if let partner = try row(column) {
                    guard partners[domain - 1][anchor] == -1 else {
                        throw DataFormatError(path, .line(number + 1), "row \(anchor) of \(names[0]) is paired twice with \(names[domain])")
                    }
                    partners[domain - 1][anchor] = partner
                }
            }
        }
        return partners
    }

    /// Each domain's test rows for `split`: the first domain's rows followed through the pairs.
    static func split(_ split: TestSplit, sets: [Dataset], names: [String], partners: [[Int]]?, seed: UInt64) throws -> [[Int]] {
        var generator = RandomGenerator(seed: seed)
        func follow(_ first: [Int]) -> [[Int]]? {
            partners.map { lists in [first] + lists.map { list in first.map { list[$0] }.filter { $0 >= 0 } } }
        }
        switch split {
        case .data:
            guard sets.allSatisfy({ $0.split != nil }) else { return sets.map { _ in [] } }
            return sets.map { set in set.split!.indices.filter { set.split![$0] == .test } }
        case .none:
            return sets.map { _ in [] }
        case .fraction(let fraction):
            guard fraction > 0, fraction < 1 else { throw AutoencoderError("`testSplit: \(fraction)`: a fraction must lie strictly between 0 and 1") }
            let drawn = sets.map { set in Array(generator.permutation(set.count).prefix(Int((fraction * Double(set.count)).rounded()))).sorted() }
            return follow(drawn[0]) ?? drawn
        case .file(let path):
            let rows = try readTestRows(path, count: sets[0].count, name: names[0])
            guard let followed = follow(rows) else {
                throw AutoencoderError("`testSplit: \(path)` names rows of \(names[0]); without pairs the other domains cannot follow it: use a fraction or the data's own split")
            }
            return followed
        }
    }

    /// A file of test rows (``TestSplit/file(_:)``) of a domain `name` of `count` samples.
    /// - Throws: `DataFormatError` naming the line of what is wrong.
    public static func readTestRows(_ path: String, count: Int, name: String) throws -> [Int] {
        let lines = try textLines(path)
        if let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }),
           let column = header.firstIndex(of: "split") {
            guard lines.count - 1 == count else { throw DataFormatError(path, .line(lines.count), "\(lines.count - 1) rows for the \(count) samples of \(name)") }
            return try lines.dropFirst().enumerated().compactMap { index, line in
                let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                guard fields.count == header.count, fields[column] == "test" || fields[column] == "train" else {
                    throw DataFormatError(path, .line(index + 2), "the split column must read test or train")
                }
                return fields[column] == "test" ? index : nil
            }
        }
        return try lines.enumerated().map { index, line in
            guard let row = Int(line.trimmingCharacters(in: .whitespaces)), row >= 0, row < count else {
                throw DataFormatError(path, .line(index + 1), "'\(line)' is no row of \(name) (0 … \(count - 1))")
            }
            return row
        }
    }

    /// The lines of a small text file (pairs, test rows).
    private static func textLines(_ path: String) throws -> [String] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw DataFormatError(path, nil, "cannot be read (\(error.localizedDescription))") }
        return text.split(whereSeparator: \.isNewline).map(String.init)
    }

    /// The training rows of domain `k`: all but its test rows.
    public func trainingRows(_ k: Int) -> [Int] {
        let test = Set(testRows[k])
        return (0..<sets[k].count).filter { !test.contains($0) }
    }

    /// The training part: each domain's training rows, pairs among them renumbered.
    public func training() -> (sets: [Dataset], partners: [[Int]]?) {
        let rows = names.indices.map(trainingRows)
        let sets = zip(self.sets, rows).map { $0.subset($1) }
        guard let partners else { return (sets, nil) }
        let position = rows.map { list in Dictionary(uniqueKeysWithValues: list.enumerated().map { ($1, $0) }) }
        let renumbered = partners.enumerated().map { k, list in rows[0].map { i in list[i] >= 0 ? position[k + 1][list[i]] ?? -1 : -1 } }
        return (sets, renumbered)
    }

    /// Every pair between the first domain and domain `k`, with the positions among them of
    /// the pairs held out (both rows test rows); nil without pairs.
    public func pairs(_ k: Int) -> PairedRows? {
        guard let partners else { return nil }
        let pairs = partners[k - 1].enumerated().filter { $0.element >= 0 }
        guard !pairs.isEmpty else { return nil }
        let test = (Set(testRows[0]), Set(testRows[k]))
        let held = pairs.indices.filter { test.0.contains(pairs[$0].offset) && test.1.contains(pairs[$0].element) }
        return PairedRows(first: pairs.map(\.offset), other: pairs.map(\.element), heldOut: held)
    }
}
