import Foundation
import Latent

/// The folder a command's relative paths are in: the process's current directory, or the
/// folder given to ``LatentCLI/runInProcess(_:in:)``, so that commands side by side in one
/// process (tests) each read and write in their own without changing the process's.
///
/// Options that name files resolve them as they are parsed (`transform:`), so the rest of a
/// command sees paths it can open; defaults that are relative paths go through ``file(_:)``
/// where they are used. Resolving is idempotent: an absolute path stays as it is.
enum WorkingDirectory {
    /// The folder of the command running here; nil: the process's current directory.
    @TaskLocal static var scoped: String?

    /// `path` as the command opens it.
    @Sendable static func file(_ path: String) -> String {
        guard let scoped, !path.isEmpty, !path.hasPrefix("/") else { return path }
        return (scoped as NSString).appendingPathComponent(path)
    }

    /// A data SPEC whose files (if it names files) are the command's.
    @Sendable static func spec(_ text: String) -> String {
        DatasetSpec.namesFiles(text) ? file(text) : text
    }

    /// `NAME=SPEC` (a translator's domain) with its SPEC resolved; text without `=` stays for
    /// the option's own parsing to refuse.
    @Sendable static func namedSpec(_ text: String) -> String {
        named(text, spec)
    }

    /// `NAME=FILE` with its file resolved.
    @Sendable static func namedFile(_ text: String) -> String {
        named(text, file)
    }

    /// `--pairs rows|none|FILE`.
    @Sendable static func pairs(_ text: String) -> String {
        ["rows", "none"].contains(text) ? text : file(text)
    }

    /// `--test-split none|FRACTION|FILE`.
    @Sendable static func testSplit(_ text: String) -> String {
        text == "none" || Double(text) != nil ? text : file(text)
    }

    private static func named(_ text: String, _ resolve: (String) -> String) -> String {
        guard let equals = text.firstIndex(of: "=") else { return text }
        return String(text[...equals]) + resolve(String(text[text.index(after: equals)...]))
    }
}
