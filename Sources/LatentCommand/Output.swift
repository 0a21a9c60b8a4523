import Foundation
import Latent

/// Prints a result as one JSON object on stdout (keys sorted, so output is stable; NaN and
/// infinity, which JSON lacks, as `null`).
func printJSON(_ result: some Encodable) throws {
    Console.line(try JSONValue(encoding: result).text)
}

/// Prints a command's result: one JSON object with `--json`, aligned `key  value` lines
/// otherwise (numbers to 6 significant digits).
func printResult(_ result: some Encodable, json: Bool) throws {
    if json { return try printJSON(result) }
    let members = try JSONValue(encoding: result).objectValue ?? [:]
    printTable(members.keys.sorted().map { ($0, tableText(members[$0]!)) })
}

/// A value as one cell of a `key  value` table: numbers to 6 significant digits, an object's
/// members as `key: value; …`.
func tableText(_ value: JSONValue) -> String {
    switch value {
    case .null: "none"
    case .bool(let flag): "\(flag)"
    case .number(let x): x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(format: "%.6g", x)
    case .string(let text): text
    case .array(let items): "[" + items.map(tableText).joined(separator: ", ") + "]"
    case .object(let members): members.keys.sorted().map { "\($0): \(tableText(members[$0]!))" }.joined(separator: "; ")
    }
}

/// Prints `key  value` lines, aligned.
func printTable(_ rows: [(String, String)]) {
    let width = rows.map(\.0.count).max() ?? 0
    for (key, value) in rows { Console.line(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value) }
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

/// This process's command line as a shell would take it back: `latent` and its arguments,
/// each quoted when it holds anything but safe characters.
func invocation(_ arguments: [String] = LatentCLI.arguments ?? Array(CommandLine.arguments.dropFirst())) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%")
    return (["latent"] + arguments.map { argument in
        !argument.isEmpty && argument.allSatisfy(safe.contains) ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }).joined(separator: " ")
}
