/// Where in a file a problem sits.
public enum FilePosition: Sendable, Equatable, CustomStringConvertible {
    /// A byte offset (binary formats).
    case byte(Int)
    /// A 1-based line (text formats).
    case line(Int)
    /// A field of a table: its 1-based line, its column by the 0-based position that options
    /// such as `--columns` take, and the column's header name when it has one.
    case field(line: Int, column: Int, name: String? = nil)
    /// A named part of a container: an NPZ entry, a safetensors tensor, a header field.
    case entry(String)

    public var description: String {
        switch self {
        case .byte(let offset): "byte \(offset)"
        case .line(let line): "line \(line)"
        case .field(let line, let column, let name?) where !name.isEmpty: "line \(line), column \(column) ('\(name)')"
        case .field(let line, let column, _): "line \(line), column \(column)"
        case .entry(let name): name
        }
    }
}

/// A file that cannot be read or written as asked: the message names the file, the position
/// and the problem, e.g. `data.csv: line 7, column 3: missing value`.
public struct DataFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (path or dataset name).
    public let file: String
    /// Where in it, when known.
    public let position: FilePosition?
    /// What is wrong.
    public let reason: String

    public init(_ file: String, _ position: FilePosition? = nil, _ reason: String) {
        self.file = file
        self.position = position
        self.reason = reason
    }

    public var description: String {
        if let position { "\(file): \(position): \(reason)" } else { "\(file): \(reason)" }
    }
}
