import ArgumentParser
import Foundation
import Latent

/// `NAME=VALUE` as several options give it (`--domain rna=sci-car:rna`, `--hidden atac=256`).
struct Named {
    let name: String, value: String

    init(_ text: String, option: String) throws {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ValidationErrorText("\(option) takes NAME=VALUE, got '\(text)'")
        }
        (name, value) = (parts[0], parts[1])
    }

    /// Per-domain values of a repeatable option: a bare value for every domain, or NAME=VALUE
    /// for one; each domain's value, nil where none was given.
    static func perDomain(_ texts: [String], domains: [String], option: String) throws -> [String?] {
        var values = [String?](repeating: nil, count: domains.count)
        for text in texts {
            if let equals = text.firstIndex(of: "="), domains.contains(String(text[..<equals])) {
                let named = try Named(text, option: option)
                values[domains.firstIndex(of: named.name)!] = named.value
            } else if text.contains("=") {
                throw ValidationErrorText("\(option) \(text): no domain '\(text.split(separator: "=")[0])' (domains: \(domains.joined(separator: ", ")))")
            } else {
                values = values.map { $0 ?? text }
            }
        }
        return values
    }
}

/// Several domains' data, loaded with one numbering of classes, with their pairs and split.
struct DomainData {
    let names: [String]
    let sets: [Dataset]
    /// `partners[k − 1][i]`: the row of domain k paired with row i of the first domain, or −1; nil without pairs.
    let partners: [[Int]]?
    /// The test rows of each domain (empty without a test split).
    let testRows: [[Int]]

    /// How samples of different domains pair up.
    enum Pairing {
        case rows, none, file(String)
        init(_ text: String?, counts: [Int]) {
            switch text {
            case nil: self = Set(counts).count == 1 ? .rows : .none
            case "rows": self = .rows
            case "none": self = .none
            case let path?: self = .file(path)
            }
        }
    }

    /// Loads `--domain NAME=SPEC` options (labels of domain NAME from `labels` NAME=FILE when
    /// given), pairs them (`pairs`: rows, none or a CSV file; default rows when every domain has
    /// as many samples) and splits them (`testSplit`: none, a fraction, a file of the first
    /// domain's test rows; default the data's own split).
    static func load(_ domainOptions: [String], labels labelOptions: [String], pairs: String?, testSplit: String?,
                     options: ReadingOptions, seed: UInt64, display: ProgressDisplay, modelFeatures: [String: [String]] = [:]) throws -> DomainData {
        let named = try domainOptions.map { try Named($0, option: "--domain") }
        guard named.count >= 2 else { throw ValidationErrorText("a translator needs at least two --domain NAME=SPEC options, got \(named.count)") }
        let names = named.map(\.name)
        guard Set(names).count == names.count else { throw ValidationErrorText("--domain: names must differ, got \(names.joined(separator: ", "))") }
        let labelFiles = try Named.perDomain(labelOptions, domains: names, option: "--domain-labels")
        if labelOptions.contains(where: { !$0.contains("=") }) { throw ValidationErrorText("--domain-labels takes NAME=FILE") }
        var sets: [Dataset] = []
        for (index, domain) in named.enumerated() {
            display.update("loading \(domain.name): \(domain.value)", force: true)
            // Every domain's class names are numbered as the first domain's.
            // A fitted translator's domains take their columns by name.
            let set = try options.load(domain.value, labels: labelFiles[index], knownClasses: sets.first?.classNames, modelFeatures: modelFeatures[domain.name])
            display.finish("loaded \(domain.name) (\(domain.value)): \(set.count) samples × \(set.features) features")
            sets.append(set)
        }
        let partners = try partners(pairs, names: names, counts: sets.map(\.count))
        let testRows = try split(testSplit, sets: sets, names: names, partners: partners, seed: seed)
        return DomainData(names: names, sets: sets, partners: partners, testRows: testRows)
    }

    /// The partners `--pairs` gives domains `names` of `counts` samples (``Pairing``): row i of
    /// each (`rows`), none, or a pairs file's; nil without pairs.
    static func partners(_ pairs: String?, names: [String], counts: [Int]) throws -> [[Int]]? {
        switch Pairing(pairs, counts: counts) {
        case .none: return nil
        case .rows:
            guard Set(counts).count == 1 else {
                throw ValidationErrorText("--pairs rows pairs row i of every domain, but the domains have \(zip(names, counts).map { "\($0): \($1)" }.joined(separator: ", ")) samples")
            }
            return Array(repeating: Array(0..<counts[0]), count: names.count - 1)
        case .file(let path):
            return try readPairs(path, names: names, counts: counts)
        }
    }

    /// A pairs file: a CSV whose header names domains (the first domain and at least one
    /// other), each row the 0-based rows of one object in those domains (empty: not measured).
    static func readPairs(_ path: String, names: [String], counts: [Int]) throws -> [[Int]] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw ValidationErrorText("--pairs \(path): cannot be read (\(error.localizedDescription))") }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
        guard let header = lines.first, header.contains(names[0]), header.count >= 2 else {
            throw ValidationErrorText("--pairs \(path): line 1 must name the domains of each column, the first domain (\(names[0])) among them")
        }
        for column in header where !names.contains(column) {
            throw ValidationErrorText("--pairs \(path): line 1 names '\(column)', which is no domain (domains: \(names.joined(separator: ", ")))")
        }
        var partners = [[Int]](repeating: Array(repeating: -1, count: counts[0]), count: names.count - 1)
        let first = header.firstIndex(of: names[0])!
        for (number, fields) in lines.enumerated().dropFirst() {
            guard fields.count == header.count else { throw ValidationErrorText("--pairs \(path): line \(number + 1) has \(fields.count) fields, line 1 has \(header.count)") }
            func row(_ column: Int) throws -> Int? {
                let domain = names.firstIndex(of: header[column])!
                if fields[column].isEmpty { return nil }
                guard let value = Int(fields[column]), value >= 0, value < counts[domain] else {
                    throw ValidationErrorText("--pairs \(path): line \(number + 1), column \(column): '\(fields[column])' is no row of \(names[domain]) (0 … \(counts[domain] - 1))")
                }
                return value
            }
            guard let anchor = try row(first) else { continue }
            for column in header.indices where column != first {
                let domain = names.firstIndex(of: header[column])!
                if let partner = try row(column) {
                    guard partners[domain - 1][anchor] == -1 else {
                        throw ValidationErrorText("--pairs \(path): line \(number + 1): row \(anchor) of \(names[0]) is paired twice with \(names[domain])")
                    }
                    partners[domain - 1][anchor] = partner
                }
            }
        }
        return partners
    }

    /// Each domain's test rows (see ``load``).
    static func split(_ option: String?, sets: [Dataset], names: [String], partners: [[Int]]?, seed: UInt64) throws -> [[Int]] {
        var generator = RandomGenerator(seed: seed)
        func follow(_ first: [Int]) -> [[Int]]? {
            partners.map { lists in [first] + lists.map { list in first.map { list[$0] }.filter { $0 >= 0 } } }
        }
        switch option {
        case nil:
            guard sets.allSatisfy({ $0.split != nil }) else { return sets.map { _ in [] } }
            return sets.map { set in set.split!.indices.filter { set.split![$0] == .test } }
        case "none":
            return sets.map { _ in [] }
        case let text? where Double(text) != nil:
            let fraction = Double(text)!
            guard fraction > 0, fraction < 1 else { throw ValidationErrorText("--test-split \(text): a fraction must lie strictly between 0 and 1") }
            let drawn = sets.map { set in Array(generator.permutation(set.count).prefix(Int((fraction * Double(set.count)).rounded()))).sorted() }
            return follow(drawn[0]) ?? drawn
        case let path?:
            let rows = try readTestRows(path, count: sets[0].count, name: names[0])
            guard let followed = follow(rows) else {
                throw ValidationErrorText("--test-split \(path) names rows of \(names[0]); without pairs the other domains cannot follow it: use a fraction or the data's own split")
            }
            return followed
        }
    }

    /// A file of test rows: one 0-based row per line, or a CSV with a `split` column (`test` or `train`).
    static func readTestRows(_ path: String, count: Int, name: String) throws -> [Int] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw ValidationErrorText("--test-split \(path): cannot be read (\(error.localizedDescription))") }
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        if let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }),
           let column = header.firstIndex(of: "split") {
            guard lines.count - 1 == count else { throw ValidationErrorText("--test-split \(path): \(lines.count - 1) rows for the \(count) samples of \(name)") }
            return try lines.dropFirst().enumerated().compactMap { index, line in
                let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                guard fields.count == header.count, fields[column] == "test" || fields[column] == "train" else {
                    throw ValidationErrorText("--test-split \(path): line \(index + 2): the split column must read test or train")
                }
                return fields[column] == "test" ? index : nil
            }
        }
        return try lines.enumerated().map { index, line in
            guard let row = Int(line.trimmingCharacters(in: .whitespaces)), row >= 0, row < count else {
                throw ValidationErrorText("--test-split \(path): line \(index + 1): '\(line)' is no row of \(name) (0 … \(count - 1))")
            }
            return row
        }
    }

    /// The training rows of domain `k`: all but its test rows.
    func trainingRows(_ k: Int) -> [Int] {
        let test = Set(testRows[k])
        return (0..<sets[k].count).filter { !test.contains($0) }
    }

    /// The training part: each domain's training rows, pairs among them renumbered.
    func training() -> (sets: [Dataset], partners: [[Int]]?) {
        let rows = names.indices.map(trainingRows)
        let sets = zip(self.sets, rows).map { $0.subset($1) }
        guard let partners else { return (sets, nil) }
        let position = rows.map { list in Dictionary(uniqueKeysWithValues: list.enumerated().map { ($1, $0) }) }
        let renumbered = partners.enumerated().map { k, list in rows[0].map { i in list[i] >= 0 ? position[k + 1][list[i]] ?? -1 : -1 } }
        return (sets, renumbered)
    }

    /// Which pairs are scored: the held-out ones, or all.
    enum Queries { case test, all }

    /// Every pair between the first domain and domain `k` (rows of each, aligned), and the
    /// positions among them of the pairs to score; nil without pairs or with nothing to score.
    func allPairs(_ k: Int, queries: Queries) -> PairedRows? {
        guard let partners else { return nil }
        let pairs = partners[k - 1].enumerated().filter { $0.element >= 0 }
        let test = (Set(testRows[0]), Set(testRows[k]))
        let scored = pairs.indices.filter { queries == .all || (test.0.contains(pairs[$0].offset) && test.1.contains(pairs[$0].element)) }
        return scored.isEmpty ? nil : PairedRows(first: pairs.map(\.offset), other: pairs.map(\.element), queries: scored)
    }
}
