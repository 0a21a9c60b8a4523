import Foundation
import Latent

/// Prints one JSON object on stdout (keys sorted, so output is stable).
func printJSON(_ object: [String: Any]) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    print(String(decoding: data, as: UTF8.self))
}

/// Prints a command's result: one JSON object with `--json`, aligned `key  value` lines
/// otherwise (numbers to 6 significant digits).
func printResult(_ result: [String: Any], json: Bool) throws {
    if json {
        try printJSON(result.mapValues { ($0 as? Double).map(jsonNumber) ?? $0 })
    } else {
        printTable(result.keys.sorted().map { key in
            let value = result[key]!
            if let names = value as? [String: String] {
                return (key, names.keys.sorted().map { "\($0): \(names[$0]!)" }.joined(separator: "; "))
            }
            return (key, (value as? Double).map { String(format: "%.6g", $0) } ?? "\(value)")
        })
    }
}

/// Prints `key  value` lines, aligned.
func printTable(_ rows: [(String, String)]) {
    let width = rows.map(\.0.count).max() ?? 0
    for (key, value) in rows { print(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value) }
}

/// Array files by extension: `.npy` or `.csv`.
enum ArrayFile {
    static func write(_ tensor: Tensor, to path: String, columnNames: [String]) throws {
        switch (path as NSString).pathExtension.lowercased() {
        case "npy": try NPY.write(tensor, to: path)
        case "csv": try CSV.write(tensor, to: path, columnNames: columnNames)
        default: throw ValidationErrorText("\(path): the output must end in .npy or .csv")
        }
    }

    /// Writes `rows × columns` values handed in block by block, never all in memory.
    static func write(rows: Int, columnNames: [String], to path: String, _ body: (_ append: (Tensor) throws -> Void) throws -> Void) throws {
        switch (path as NSString).pathExtension.lowercased() {
        case "npy": try NPY.write(rows: rows, columns: columnNames.count, to: path, body)
        case "csv": try CSV.write(to: path, columnNames: columnNames, body)
        default: throw ValidationErrorText("\(path): the output must end in .npy or .csv")
        }
    }

    static func read(_ path: String, allowNonFinite: Bool) throws -> Tensor {
        switch (path as NSString).pathExtension.lowercased() {
        case "npy": return try NPY.read(path, options: ReadOptions(allowNonFinite: allowNonFinite)).matrix(file: path)
        case "csv", "tsv": return try CSV.read(path, options: CSVOptions(allowNonFinite: allowNonFinite)).samples
        default: throw ValidationErrorText("\(path): codes must be a .npy or .csv file")
        }
    }
}

/// An error whose text is the whole message.
struct ValidationErrorText: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Double values for JSON: NaN and infinity have no JSON form.
func jsonNumber(_ x: Double) -> Any { x.isFinite ? x : NSNull() }

/// This process's command line as a shell would take it back: `latent` and its arguments,
/// each quoted when it holds anything but safe characters.
func invocation(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%")
    return (["latent"] + arguments.map { argument in
        !argument.isEmpty && argument.allSatisfy(safe.contains) ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }).joined(separator: " ")
}
