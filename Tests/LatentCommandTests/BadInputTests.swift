import Foundation
import Latent
import Testing
import TestSupport

/// The inputs users get wrong, each through `latent fit`: a one-line error that says what and
/// where with exit status 1, or a model whose every reported figure is finite and that loads
/// and evaluates (never a crash, a NaN figure, or an unloadable model).
@Suite struct BadInputs {
    enum Outcome: Sendable {
        /// Exit status 1 and one line on stderr containing the text.
        case error(String)
        /// Exit status 0; `latent evaluate` on the same data works; all figures finite.
        case fits
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        /// Writes the case's input into the folder; returns the --data argument.
        let write: @Sendable (_ folder: String) throws -> String
        let arguments: [String]
        let outcome: Outcome
        var testDescription: String { name }
    }

    /// 50 rows × 4 columns of a seeded normal table, with `edit` applied, as CSV with a header.
    static func table(_ name: String, columns: Int = 4, rows: Int = 50, edit: @escaping @Sendable (inout [[Double]]) -> Void = { _ in }) -> @Sendable (String) throws -> String {
        { folder in
            var generator = RandomGenerator(seed: 3)
            var values = (0..<rows).map { _ in (0..<columns).map { _ in Double(generator.nextNormal()) } }
            edit(&values)
            let header = (0..<columns).map { "x\($0)" }.joined(separator: ",")
            let text = ([header] + values.map { $0.map { "\($0)" }.joined(separator: ",") }).joined(separator: "\n") + "\n"
            try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
            return name
        }
    }

    static let pca = ["fit", "pca", "--code-size", "1"]
    static let vae = ["fit", "vae", "--code-size", "1", "--hidden", "8", "--epochs", "2"]
    static let kmeans = ["fit", "kmeans", "--clusters", "3"]

    static let cases: [Case] = [
        Case(name: "NaN", write: table("nan.csv") { $0[3][2] = .nan }, arguments: pca, outcome: .error("nan.csv: line 5, column 2 ('x2'): non-finite value nan")),
        Case(name: "NaN allowed by --allow-non-finite", write: table("nan.csv") { $0[3][2] = .nan }, arguments: pca + ["--allow-non-finite"],
             outcome: .error("PCA input: non-finite value nan at row 3, column 2")),
        Case(name: "+Inf", write: table("inf.csv") { $0[7][1] = .infinity }, arguments: vae, outcome: .error("inf.csv: line 9, column 1 ('x1'): non-finite value inf")),
        Case(name: "−Inf", write: table("inf.csv") { $0[7][1] = -.infinity }, arguments: kmeans, outcome: .error("inf.csv: line 9, column 1 ('x1'): non-finite value -inf")),
        Case(name: "10³⁰, unscaled", write: table("huge.csv") { $0[7][1] = 1e30 }, arguments: pca,
             outcome: .error("PCA input of shape [50, 4]: 1e+30 at row 7, column 1 is too large to train on")),
        Case(name: "10³⁰ everywhere, k-means", write: table("huge.csv") { $0 = $0.map { $0.map { $0 * 1e30 } } }, arguments: kmeans,
             outcome: .error("is too large to train on")),
        Case(name: "10³⁰, standardized", write: table("huge.csv") { $0[7][1] = 1e30 }, arguments: pca + ["--scale", "standardize"], outcome: .fits),
        Case(name: "10³⁰, deep autoencoder (standardizes by default)", write: table("huge.csv") { $0[7][1] = 1e30 },
             arguments: ["fit", "deep-autoencoder", "--code-size", "1", "--hidden", "8", "--pretrain", "none", "--epochs", "2"], outcome: .fits),
        Case(name: "one sample", write: table("one.csv", rows: 1), arguments: vae, outcome: .error("vae needs at least 2 samples n × D; got shape [1, 4]")),
        Case(name: "one sample, PCA", write: table("one.csv", rows: 1), arguments: pca, outcome: .error("PCA needs at least 2 samples")),
        Case(name: "one feature", write: table("narrow.csv", columns: 1), arguments: vae, outcome: .fits),
        Case(name: "one feature, PCA", write: table("narrow.csv", columns: 1), arguments: pca, outcome: .fits),
        Case(name: "a constant column", write: table("constant.csv") { for i in $0.indices { $0[i][2] = 5 } }, arguments: pca + ["--scale", "standardize"], outcome: .fits),
        Case(name: "all columns constant, PCA", write: table("flat.csv") { $0 = $0.map { $0.map { _ in 1 } } }, arguments: pca, outcome: .fits),
        Case(name: "all columns constant, VAE", write: table("flat.csv") { $0 = $0.map { $0.map { _ in 1 } } }, arguments: vae, outcome: .fits),
        Case(name: "every row the same, k-means", write: table("same.csv") { $0 = Array(repeating: $0[0], count: $0.count) }, arguments: kmeans, outcome: .fits),
        Case(name: "duplicated rows", write: table("twice.csv") { $0 += $0 }, arguments: pca, outcome: .fits),
        // Classes are the distinct values seen: a label of 10⁹ is a fourth class, never 10⁹ one-hot columns.
        Case(name: "a label of 10⁹", write: { folder in
                 let data = try table("x.csv")(folder)
                 try ((0..<49).map { "\($0 % 3)" } + ["1000000000"]).joined(separator: "\n").write(toFile: folder + "/labels.txt", atomically: true, encoding: .utf8)
                 return data
             }, arguments: ["fit", "adversarial-autoencoder", "--code-size", "2", "--epochs", "1", "--labels", "labels.txt", "--labelled-components"],
             outcome: .fits),
        Case(name: "a label of −1", write: { folder in
                 let data = try table("x.csv")(folder)
                 try ((0..<49).map { "\($0 % 3)" } + ["-1"]).joined(separator: "\n").write(toFile: folder + "/labels.txt", atomically: true, encoding: .utf8)
                 return data
             }, arguments: ["fit", "adversarial-autoencoder", "--code-size", "2", "--epochs", "1", "--labels", "labels.txt", "--labelled-components"],
             outcome: .fits),
        Case(name: "fewer labels than samples", write: { folder in
                 let data = try table("x.csv")(folder)
                 try (0..<40).map { "\($0 % 3)" }.joined(separator: "\n").write(toFile: folder + "/labels.txt", atomically: true, encoding: .utf8)
                 return data
             }, arguments: pca + ["--labels", "labels.txt"], outcome: .error("labels.txt")),
        Case(name: "an empty CSV file", write: { folder in _ = FileManager.default.createFile(atPath: folder + "/empty.csv", contents: Data()); return "empty.csv" },
             arguments: pca, outcome: .error("empty.csv: no data rows")),
        Case(name: "an empty NPY file", write: { folder in _ = FileManager.default.createFile(atPath: folder + "/empty.npy", contents: Data()); return "empty.npy" },
             arguments: pca, outcome: .error("empty.npy: byte 0: file ends early: the magic string needs 6 bytes, 0 remain")),
        Case(name: "a folder", write: { folder in try FileManager.default.createDirectory(atPath: folder + "/tables", withIntermediateDirectories: false); return "tables" },
             arguments: pca, outcome: .error("tables: is a folder, not a file")),
        Case(name: "a folder named like a table", write: { folder in
                 try FileManager.default.createDirectory(atPath: folder + "/data.csv", withIntermediateDirectories: false); return "data.csv" },
             arguments: pca, outcome: .error("data.csv: is a folder, not a file")),
        Case(name: "a FIFO", write: { folder in _ = mkfifo(folder + "/stream.csv", 0o600); return "stream.csv" },
             arguments: pca, outcome: .error("stream.csv: is not a regular file (a pipe, socket or device)")),
    ]

    /// Every number in a JSON value is finite (JSON has no NaN: Latent would write null).
    static func allFinite(_ value: Any) -> Bool {
        switch value {
        case is NSNull: return false
        case let number as NSNumber: return number.doubleValue.isFinite
        case let array as [Any]: return array.allSatisfy(allFinite)
        case let object as [String: Any]: return object.values.allSatisfy(allFinite)
        default: return true
        }
    }

    @Test(arguments: cases)
    func isHandledAsDocumented(_ input: Case) throws {
        let folder = scratchFolder()
        let data = try input.write(folder)
        let fit = try runLatent(input.arguments + ["--data", data, "--output", "m.safetensors", "--json", "--quiet"], in: folder)
        switch input.outcome {
        case let .error(message):
            #expect(fit.status == 1 && fit.errors.contains(message), "status \(fit.status): \(fit.errors)")
            // One line of error (a hint about the data may come before it).
            #expect(fit.errors.split(separator: "\n").filter { !$0.hasPrefix("hint: ") }.count == 1, "not one line: \(fit.errors)")
            #expect(fit.output.isEmpty && !FileManager.default.fileExists(atPath: folder + "/m.safetensors"))
        case .fits:
            #expect(fit.status == 0, "\(fit.errors)")
            let fitted = try JSONSerialization.jsonObject(with: Data(fit.output.utf8))
            #expect(Self.allFinite(fitted), "\(fit.output)")
            let evaluation = try runLatent(["evaluate", "m.safetensors", "--data", data, "--json", "--quiet"], in: folder)
            #expect(evaluation.status == 0, "\(evaluation.errors)")
            #expect(Self.allFinite(try JSONSerialization.jsonObject(with: Data(evaluation.output.utf8))), "\(evaluation.output)")
        }
    }
}
