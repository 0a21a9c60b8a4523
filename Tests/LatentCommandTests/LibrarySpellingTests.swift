import Foundation
import Latent
import Testing
import TestSupport

/// The library names its settings as Swift spells them (`` `loss: .squaredError` ``), never a
/// command-line flag; the command line says its flags instead (`--loss mse`).
@Suite struct LibrarySpellings {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    /// The string literals of the library's modules (everything but the command line).
    static func libraryLiterals() throws -> [(file: String, literal: String)] {
        let files = FileManager.default.enumerator(atPath: sources.path)!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") && !$0.hasPrefix("LatentCommand/") && !$0.hasPrefix("MethodConformance/") && !$0.hasPrefix("TestSupport/") }
        let literal = try NSRegularExpression(pattern: #""[^"\n]*""#)
        return try files.flatMap { file -> [(file: String, literal: String)] in
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            return literal.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { (file, String(text[Range($0.range, in: text)!])) }
        }
    }

    @Test func noLibraryMessageNamesAFlag() throws {
        let flag = try NSRegularExpression(pattern: #"(^|[\s(])--[a-z]"#)
        let literals = try Self.libraryLiterals()
        #expect(literals.count > 1_000)
        let offending = literals.filter { flag.firstMatch(in: $0.literal, range: NSRange($0.literal.startIndex..., in: $0.literal)) != nil }
        #expect(offending.isEmpty, "\(offending.map { "\($0.file): \($0.literal)" })")
    }

    /// Every setting a library message names is one the command line spells as its flag.
    @Test func everySettingTheLibraryNamesHasAFlag() throws {
        let table = try String(contentsOf: Self.sources.appendingPathComponent("LatentCommand/LibrarySpellings.swift"), encoding: .utf8)
        let known = Set(try NSRegularExpression(pattern: #"^\s*"([A-Za-z.]+)": Flag\("#, options: .anchorsMatchLines)
            .matches(in: table, range: NSRange(table.startIndex..., in: table)).map { String(table[Range($0.range(at: 1), in: table)!]) })
        #expect(known.count >= 15)
        let setting = try NSRegularExpression(pattern: "`([A-Za-z.]+)(?:: [^`]+)?`")
        let named = Set(try Self.libraryLiterals().flatMap { entry in
            setting.matches(in: entry.literal, range: NSRange(entry.literal.startIndex..., in: entry.literal)).map { String(entry.literal[Range($0.range(at: 1), in: entry.literal)!]) }
        })
        #expect(named.count >= 15)
        // A declared hyperparameter is its flag in kebab-case unless the table says otherwise.
        let declared = Set(Self.declaredHyperparameters)
        #expect(declared.count >= 60)
        let unknown = named.subtracting(known).subtracting(declared)
        #expect(unknown.isEmpty, "named by the library, unknown to the command line: \(unknown.sorted())")
    }

    /// The names of every hyperparameter the built-in methods and the training declare.
    static var declaredHyperparameters: [String] {
        func names<M: Autoencoder>(_ method: M.Type) -> [String] {
            (M.Configuration.self as? any HyperparameterDeclaring.Type)?.hyperparameterNames ?? []
        }
        return Methods.builtIn.flatMap { names($0) } + TrainingConfiguration.hyperparameterNames
    }

    /// Messages from the library reach the user with flags: an error, and a note.
    @Test func theCommandLineSaysItsFlags() throws {
        let folder = temporaryFolder()
        try "a,b,c\n1,x,3\n4,y,6\n7,z,9\n".write(toFile: folder + "/text.csv", atomically: true, encoding: .utf8)
        let text = try latent("fit", "pca", "--data", "text.csv", "--code-size", "1", "--output", "m.safetensors", in: folder)
        #expect(text.status == 1 && text.errors.contains("--label-column b reads them as labels") && text.errors.contains("--drop-columns b leaves it out"),
                "\(text.errors)")
        #expect(!text.errors.contains("`"), "\(text.errors)")
        let bce = try latent("fit", "wasserstein-autoencoder", "--data", "circle", "--loss", "bce", "--epochs", "1", "--output", "w.safetensors", in: folder)
        #expect(bce.status == 1 && bce.errors.contains("(--scale min-max) or use --loss mse"), "\(bce.errors)")
        try "0,1,2\n1,2,3\n2,3,4\n3,4,6\n".write(toFile: folder + "/numbered.csv", atomically: true, encoding: .utf8)
        let numbered = try latent("fit", "pca", "--data", "numbered.csv", "--code-size", "1", "--output", "n.safetensors", in: folder)
        #expect(numbered.errors.contains("(--header no keeps it as data)") && !numbered.errors.contains("`"), "\(numbered.errors)")
    }
}
