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

extension Domains {
    /// The names of `--domain NAME=SPEC` options: at least two, each once.
    static func names(_ named: [Named]) throws -> [String] {
        guard named.count >= 2 else { throw ValidationErrorText("a translator needs at least two --domain NAME=SPEC options, got \(named.count)") }
        let names = named.map(\.name)
        guard Set(names).count == names.count else { throw ValidationErrorText("--domain: names must differ, got \(names.joined(separator: ", "))") }
        return names
    }

    /// Loads `--domain NAME=SPEC` options (labels of domain NAME from `labels` NAME=FILE when
    /// given), every domain's class names numbered as the first domain's, then pairs and splits
    /// them (``Domains/init(names:sets:pairing:testSplit:seed:)``) as `--pairs` and
    /// `--test-split` ask.
    static func load(_ domainOptions: [String], labels labelOptions: [String], pairs: String?, testSplit: String?,
                     options: ReadingOptions, seed: UInt64, display: ProgressDisplay, modelFeatures: [String: [String]] = [:]) throws -> Domains {
        let named = try domainOptions.map { try Named($0, option: "--domain") }
        let names = try Self.names(named)
        let labelFiles = try Named.perDomain(labelOptions, domains: names, option: "--domain-labels")
        if labelOptions.contains(where: { !$0.contains("=") }) { throw ValidationErrorText("--domain-labels takes NAME=FILE") }
        var sets: [Dataset] = []
        for (index, domain) in named.enumerated() {
            display.update("loading \(domain.name): \(domain.value)", force: true)
            // A fitted translator's domains take their columns by name.
            let set = try options.load(domain.value, labels: labelFiles[index], knownClasses: sets.first?.classNames, modelFeatures: modelFeatures[domain.name])
            display.finish("loaded \(domain.name) (\(domain.value)): \(set.count) samples × \(set.features) features")
            sets.append(set)
        }
        return try Domains(names: names, sets: sets, pairing: pairing(pairs), testSplit: try split(testSplit), seed: seed)
    }

    /// `--pairs`: rows, none or a file; nil (not given): the default.
    static func pairing(_ text: String?) -> Pairing? {
        switch text {
        case nil: nil
        case "rows": .rows
        case "none": Pairing.none
        case let path?: .file(path)
        }
    }

    /// `--test-split`: none, a fraction or a file; nil (not given): the data's own split.
    static func split(_ text: String?) throws -> TestSplit {
        switch text {
        case nil: return .data
        case "none": return TestSplit.none
        case let text? where Double(text) != nil: return .fraction(Double(text)!)
        case let path?: return .file(path)
        }
    }
}
