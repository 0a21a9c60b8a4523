import Foundation

/// The limits on what a request may ask, each named in the error that enforces it.
public enum ExplorationLimits {
    /// The longest request target (path and query) in bytes: a code of 500 dimensions at 16
    /// characters a value fits.
    public static let requestLine = 8192
    /// The largest magnitude of a code's value: far beyond any code a model makes, and small
    /// enough that DECODE's products stay finite in Float.
    public static let codeMagnitude = 1e10
    /// The most neighbours one request may ask for.
    public static let neighbours = 100
    /// The neighbours a request gets when it does not say.
    public static let defaultNeighbours = 8
}

/// How an answer is written: an image (for samples that are images) or JSON.
public enum ExplorationFormat: String, Sendable, CaseIterable {
    case png, json
}

/// Reading the values of a request's query, each with an error that names the parameter, the
/// value and what was expected.
public enum ExplorationQuery {
    /// `text` as a code of `size` values: numbers separated by commas, each finite and within
    /// ±``ExplorationLimits/codeMagnitude``.
    public static func code(_ text: String?, size: Int, parameter: String = "z") throws -> [Float] {
        guard let text, !text.isEmpty else {
            throw ExplorationError(.badRequest, "\(parameter) is required: a code of \(size) numbers separated by commas")
        }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == size else {
            let expected = parameter == "z" ? "this model's codes have \(size)" : "it takes \(size)"
            throw ExplorationError(.badRequest, "\(parameter) has \(parts.count) value\(parts.count == 1 ? "" : "s"); \(expected)")
        }
        return try parts.enumerated().map { position, part in
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let value = Double(trimmed) else {
                throw ExplorationError(.badRequest, "value \(position + 1) of \(parameter), '\(trimmed.prefix(40))', is not a number")
            }
            guard value.isFinite else { throw ExplorationError(.badRequest, "value \(position + 1) of \(parameter) is \(value): codes must be finite") }
            guard abs(value) <= ExplorationLimits.codeMagnitude else {
                throw ExplorationError(.badRequest, "value \(position + 1) of \(parameter), \(trimmed), is beyond ±1e10")
            }
            return Float(value)
        }
    }

    /// The code a request names: `z` itself, or the code of the plane's point `plane=u,v`
    /// (``ExplorationSpace/code(u:v:)``), one of the two.
    static func code(z: String?, plane: String?, space: ExplorationSpace) throws -> [Float] {
        switch (z, plane) {
        case (.some, .some): throw ExplorationError(.badRequest, "give z (a code) or plane (a point u,v of the plane), not both")
        case (nil, .some(let plane)):
            let point = try code(plane, size: 2, parameter: "plane")
            return try space.code(u: Double(point[0]), v: Double(point[1]))
        default:
            guard z != nil || space.plane == .codes else {
                throw ExplorationError(.badRequest, "z or plane is required: a code of \(space.codeSize) numbers, or a point u,v of the plane")
            }
            return try code(z, size: space.codeSize)
        }
    }

    /// `text` as an item index of data of `count` samples.
    public static func index(_ text: String, count: Int) throws -> Int {
        guard let index = Int(text) else {
            throw ExplorationError(.badRequest, "item '\(text.prefix(40))' is not an index: samples are numbered 0 … \(count - 1)")
        }
        guard index >= 0, index < count else {
            throw ExplorationError(.notFound, "sample \(index) does not exist: samples are numbered 0 … \(count - 1)")
        }
        return index
    }

    /// `text` as a count of neighbours, 1 … ``ExplorationLimits/neighbours`` (default 8).
    public static func neighbourCount(_ text: String?) throws -> Int {
        guard let text else { return ExplorationLimits.defaultNeighbours }
        guard let k = Int(text), k >= 1, k <= ExplorationLimits.neighbours else {
            throw ExplorationError(.badRequest, "k must be a whole number from 1 to \(ExplorationLimits.neighbours); got '\(text.prefix(40))'")
        }
        return k
    }

    /// `text` as the index of one of `domains`; without one, `fallback` (the data's domain).
    public static func domain(_ text: String?, domains: [ExplorationDomain], fallback: Int) throws -> Int {
        guard let text else { return fallback }
        guard let index = domains.firstIndex(where: { $0.name == text }) else {
            throw ExplorationError(.badRequest, "no domain '\(text.prefix(40))' (domains: \(domains.map(\.name).joined(separator: ", ")))")
        }
        return index
    }

    /// `text` as a format; without one, PNG for images and JSON otherwise.
    public static func format(_ text: String?, images: Bool) throws -> ExplorationFormat {
        guard let text else { return images ? .png : .json }
        guard let format = ExplorationFormat(rawValue: text) else {
            throw ExplorationError(.badRequest, "format must be png or json; got '\(text.prefix(40))'")
        }
        guard format == .json || images else {
            throw ExplorationError(.badRequest, "samples of this model are not images: ask for format=json")
        }
        return format
    }
}
