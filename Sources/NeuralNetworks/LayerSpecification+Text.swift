import Foundation
import Tensors

extension LayerSpecification {
    /// A layer from its text (``description``'s form): `dense 400 relu`, `conv 32 k4 s2 p1 relu`,
    /// `convT 1 k4 s2 p1 op0`, `reshape 7x7x64`, `flatten`, `upsample 2`.
    /// - Throws: ``NetworkLayoutError`` saying what is wrong in the text.
    public init(parsing text: String) throws {
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let kind = words.first?.lowercased() else { throw NetworkLayoutError("an empty layer (two commas in a row?)") }
        var rest = Array(words.dropFirst())
        func count(_ what: String) throws -> Int {
            guard let word = rest.first, let value = Int(word), value >= 1 else {
                throw NetworkLayoutError("'\(text)': \(kind) needs \(what), a positive whole number, first")
            }
            rest.removeFirst()
            return value
        }
        func activation() throws -> Activation {
            guard let last = rest.last, Int(last) == nil else { return .linear }
            if let value = Activation(rawValue: last.lowercased()) {
                rest.removeLast()
                return value
            }
            // A letter-and-number word is an option (k4, s2), checked as one.
            if last.range(of: #"^[A-Za-z]+[0-9]+$"#, options: .regularExpression) != nil { return .linear }
            throw NetworkLayoutError("'\(text)': unknown activation '\(last)' (one of \(Activation.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        func options(_ allowed: [String: Int]) throws -> [String: Int] {
            var values = allowed
            for word in rest {
                guard let key = allowed.keys.sorted(by: { $0.count > $1.count }).first(where: { word.hasPrefix($0) }),
                      let value = Int(word.dropFirst(key.count)), value >= 0 else {
                    throw NetworkLayoutError("'\(text)': '\(word)' is not one of \(allowed.keys.sorted().map { "\($0)N" }.joined(separator: ", "))")
                }
                values[key] = value
            }
            return values
        }
        switch kind {
        case "dense", "linear":
            let outputs = try count("its number of outputs")
            let f = try activation()
            guard rest.isEmpty else { throw NetworkLayoutError("'\(text)': unexpected '\(rest.joined(separator: " "))'") }
            self = .dense(outputs: outputs, activation: f)
        case "conv", "convolution":
            let channels = try count("its output channels")
            let f = try activation()
            let o = try options(["k": 3, "s": 1, "p": 0])
            self = .convolution(channels: channels, kernel: o["k"]!, stride: o["s"]!, padding: o["p"]!, activation: f)
        case "convt", "deconv":
            let channels = try count("its output channels")
            let f = try activation()
            let o = try options(["k": 3, "s": 1, "p": 0, "op": 0])
            self = .transposedConvolution(channels: channels, kernel: o["k"]!, stride: o["s"]!, padding: o["p"]!, outputPadding: o["op"]!, activation: f)
        case "reshape":
            guard rest.count == 1 else { throw NetworkLayoutError("'\(text)': reshape needs one shape such as 7x7x64") }
            let sizes = rest[0].split(separator: "x").map { Int($0) }
            guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) >= 1 }) else { throw NetworkLayoutError("'\(text)': '\(rest[0])' is not a shape such as 7x7x64") }
            self = .reshape(sizes.map { $0! })
        case "flatten":
            guard rest.isEmpty else { throw NetworkLayoutError("'\(text)': flatten takes nothing after it") }
            self = .flatten
        case "upsample":
            let factor = try count("its factor")
            guard rest.isEmpty else { throw NetworkLayoutError("'\(text)': unexpected '\(rest.joined(separator: " "))'") }
            self = .upsample(factor: factor)
        default:
            throw NetworkLayoutError("'\(text)': unknown layer '\(kind)' (one of dense, conv, convT, reshape, flatten, upsample)")
        }
    }

    /// Layers separated by commas.
    public static func list(parsing text: String) throws -> [LayerSpecification] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map { try LayerSpecification(parsing: String($0)) }
    }
}
