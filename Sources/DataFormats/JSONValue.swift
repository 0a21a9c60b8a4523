import Foundation

/// A JSON document as a value: what a header of unknown keys (safetensors) parses into, and
/// what typed results are printed from.
///
/// Numbers are Double (every integer up to 2⁵³ exactly); ``text`` writes objects with their
/// keys sorted, so the same value always gives the same bytes.
public enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Parses JSON text.
    /// - Throws: `DecodingError` when `data` is not one JSON value.
    public init(parsing data: Data) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// The members of an object, nil for any other value.
    public var objectValue: [String: JSONValue]? { if case .object(let members) = self { members } else { nil } }
    /// The items of an array, nil for any other value.
    public var arrayValue: [JSONValue]? { if case .array(let items) = self { items } else { nil } }
    /// The text of a string, nil for any other value.
    public var stringValue: String? { if case .string(let text) = self { text } else { nil } }
    /// A number that is a whole number an `Int` holds exactly, nil for any other value.
    public var intValue: Int? {
        guard case .number(let x) = self, x == x.rounded(), abs(x) <= Self.exactIntegers else { return nil }
        return Int(x)
    }

    /// Integers up to this magnitude are exact in a Double (2⁵³).
    static let exactIntegers = 9_007_199_254_740_992.0

    /// Compact JSON text: keys sorted, whole numbers without a fraction, no escaped slashes.
    public var text: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .number(let x): Self.numberText(x)
        case .string(let text): Self.quoted(text)
        case .array(let items): "[" + items.map(\.text).joined(separator: ",") + "]"
        case .object(let members): "{" + members.keys.sorted().map { Self.quoted($0) + ":" + members[$0]!.text }.joined(separator: ",") + "}"
        }
    }

    /// A finite number as JSON writes it (non-finite numbers have no JSON form: `null`).
    static func numberText(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        if x == x.rounded(), abs(x) <= exactIntegers { return String(Int64(x)) }
        return "\(x)"
    }

    /// `text` as a JSON string: quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension JSONValue {
    /// The value `encodable` encodes to, non-finite numbers as `null` (JSON has no NaN).
    /// - Throws: the encoder's error when `encodable` cannot be encoded.
    public init(encoding encodable: some Encodable) throws {
        let encoder = JSONEncoder()
        // JSONEncoder refuses NaN unless told a spelling; these are mapped back to null below.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: Self.nonFinite, negativeInfinity: Self.nonFinite, nan: Self.nonFinite)
        self = try JSONValue(parsing: try encoder.encode(encodable)).replacingNonFinite()
    }

    /// The spelling non-finite numbers take on their way through `JSONEncoder`.
    private static let nonFinite = "\u{1}non-finite\u{1}"

    private func replacingNonFinite() -> JSONValue {
        switch self {
        case .string(let text) where text == Self.nonFinite: .null
        case .array(let items): .array(items.map { $0.replacingNonFinite() })
        case .object(let members): .object(members.mapValues { $0.replacingNonFinite() })
        default: self
        }
    }
}
