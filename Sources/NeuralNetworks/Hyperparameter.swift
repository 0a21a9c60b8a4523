/// The values a numeric hyperparameter may take: an interval, closed or open at each end,
/// and for floating-point values always finite.
public struct ValidRange<Value: Comparable & Sendable>: Sendable {
    /// One end of the interval: its value, and whether the value itself is allowed.
    public struct End: Sendable {
        public let value: Value
        public let included: Bool
    }
    public let lower: End?
    public let upper: End?

    public init(lower: End?, upper: End?) {
        self.lower = lower
        self.upper = upper
    }

    /// v ≥ `value`.
    public static func atLeast(_ value: Value) -> Self { Self(lower: End(value: value, included: true), upper: nil) }
    /// v > `value`.
    public static func greaterThan(_ value: Value) -> Self { Self(lower: End(value: value, included: false), upper: nil) }
    /// a ≤ v ≤ b.
    public static func within(_ a: Value, _ b: Value) -> Self { Self(lower: End(value: a, included: true), upper: End(value: b, included: true)) }
    /// a ≤ v < b.
    public static func from(_ a: Value, below b: Value) -> Self { Self(lower: End(value: a, included: true), upper: End(value: b, included: false)) }
    /// a < v ≤ b.
    public static func above(_ a: Value, upTo b: Value) -> Self { Self(lower: End(value: a, included: false), upper: End(value: b, included: true)) }

    /// Whether `value` lies in the range (NaN and infinities never do).
    public func contains(_ value: Value) -> Bool {
        if let float = value as? any BinaryFloatingPoint, !float.isFinite { return false }
        if let lower, lower.included ? value < lower.value : value <= lower.value { return false }
        if let upper, upper.included ? value > upper.value : value >= upper.value { return false }
        return true
    }

    /// The range in words: "at least 1", "positive", "in [0, 1)".
    public var description: String {
        switch (lower, upper) {
        case (nil, nil): "a finite number"
        case (let lower?, nil):
            lower.included ? "at least \(Self.text(lower.value))" : Self.text(lower.value) == "0" ? "positive" : "greater than \(Self.text(lower.value))"
        case (nil, let upper?): upper.included ? "at most \(Self.text(upper.value))" : "less than \(Self.text(upper.value))"
        case (let lower?, let upper?):
            "in \(lower.included ? "[" : "(")\(Self.text(lower.value)), \(Self.text(upper.value))\(upper.included ? "]" : ")")"
        }
    }

    /// A value as a message writes it: whole floating-point numbers without ".0".
    static func text(_ value: Value) -> String {
        if let float = value as? any BinaryFloatingPoint, let whole = Int(exactly: Double(float)) { return "\(whole)" }
        return "\(value)"
    }
}

/// Where a hyperparameter's default comes from.
public enum HyperparameterDefault: Sendable, Equatable {
    /// The value in the configuration's ``HyperparameterDeclaring/defaults``.
    case declared
    /// None: the caller must choose (the number of clusters, the code size of a linear autoencoder).
    case required
    /// A rule, in words: the default follows the data or another setting.
    case rule(String)
}

/// One hyperparameter of a configuration, declared once: the field it is, what it means, the
/// values it may take and where its default comes from. A configuration's validation checks
/// every declared range; the command line's option help and its messages read the same
/// declaration.
public struct Hyperparameter<Root>: @unchecked Sendable {
    // @unchecked: key paths are immutable values, and the closure is built from Sendable parts.
    /// The field's name, as Swift spells it (`codeSize`).
    public let name: String
    /// What it means, in one sentence; other settings are named by their fields in backquotes.
    public let summary: String
    public let keyPath: PartialKeyPath<Root>
    /// The valid values in words ("at least 1", "in [0, 1)"); nil where every value of the type is.
    public let valid: String?
    public let defaultValue: HyperparameterDefault
    /// The message for a configuration whose value is out of range; nil when it is in range.
    let violation: @Sendable (Root) -> String?

    fileprivate init(_ keyPath: PartialKeyPath<Root>, _ name: String, _ summary: String, valid: String?, default defaultValue: HyperparameterDefault,
                 violation: @escaping @Sendable (Root) -> String?) {
        (self.keyPath, self.name, self.summary, self.valid, self.defaultValue, self.violation) = (keyPath, name, summary, valid, defaultValue, violation)
    }

    /// A number in `range`.
    public init<Value: Comparable & Sendable>(_ keyPath: KeyPath<Root, Value> & Sendable, _ name: String, _ summary: String,
                                               _ range: ValidRange<Value>, default defaultValue: HyperparameterDefault = .declared) {
        self.init(keyPath, name, summary, valid: range.description, default: defaultValue) { root in
            let value = root[keyPath: keyPath]
            return range.contains(value) ? nil : "`\(name)` must be \(range.description), got \(ValidRange.text(value))"
        }
    }

    /// A number in `range` when set; nil means not at all (no early stopping, the mapping width).
    public init<Value: Comparable & Sendable>(_ keyPath: KeyPath<Root, Value?> & Sendable, _ name: String, _ summary: String,
                                               _ range: ValidRange<Value>, default defaultValue: HyperparameterDefault = .declared) {
        self.init(keyPath, name, summary, valid: range.description, default: defaultValue) { root in
            guard let value = root[keyPath: keyPath], !range.contains(value) else { return nil }
            return "`\(name)` must be \(range.description), got \(ValidRange.text(value))"
        }
    }

    /// A list of numbers (layer widths), each in `range`; `nonEmpty` when at least one is needed.
    public init<Value: Comparable & Sendable>(_ keyPath: KeyPath<Root, [Value]> & Sendable, _ name: String, _ summary: String,
                                               each range: ValidRange<Value>, nonEmpty: Bool = false,
                                               default defaultValue: HyperparameterDefault = .declared) {
        let valid = (nonEmpty ? "at least one value, " : "") + "each \(range.description)"
        self.init(keyPath, name, summary, valid: valid, default: defaultValue) { root in
            let values = root[keyPath: keyPath]
            guard (nonEmpty && values.isEmpty) || !values.allSatisfy(range.contains) else { return nil }
            return "`\(name)` must hold \(nonEmpty ? "at least one value, " : "")values each \(range.description), got \(values)"
        }
    }

    /// A choice among named values (an enumeration) or a switch: every value is valid.
    public init<Value>(_ keyPath: KeyPath<Root, Value> & Sendable, _ name: String, _ summary: String,
                       default defaultValue: HyperparameterDefault = .declared) {
        self.init(keyPath, name, summary, valid: nil, default: defaultValue) { _ in nil }
    }
}

extension Hyperparameter {
    /// This hyperparameter of a configuration held by an `Outer` one at `path` (a method's
    /// decoder), declared there as `name`: its range checked and its message given in `Outer`'s terms.
    public func nested<Outer>(at path: WritableKeyPath<Outer, Root> & Sendable, as name: String) -> Hyperparameter<Outer> {
        guard let outerPath = (path as PartialKeyPath<Outer>).appending(path: keyPath as AnyKeyPath) else {
            preconditionFailure("\(keyPath) does not continue \(path)")
        }
        let (inner, violation) = (self.name, self.violation)
        return Hyperparameter<Outer>(outerPath, name, summary, valid: valid, default: defaultValue) { outer in
            violation(outer[keyPath: path]).map { $0.replacingOccurrences(of: "`\(inner)`", with: "`\(name)`") }
        }
    }
}

/// A configuration that declares its hyperparameters (``Hyperparameter``): their ranges are
/// checked in one place, and what a user reads of them (help, messages) comes from there.
public protocol HyperparameterDeclaring {
    /// Every hyperparameter a user sets, in the order a help text lists them.
    static var hyperparameters: [Hyperparameter<Self>] { get }
    /// The configuration of the declared defaults (a `.required` hyperparameter's value in it
    /// is a placeholder).
    static var defaults: Self { get }
}

extension HyperparameterDeclaring {
    /// The message for the first declared hyperparameter out of its range (it names the field
    /// in backquotes: "`codeSize` must be at least 1, got 0"); nil when all are in range.
    public var firstViolation: String? {
        for parameter in Self.hyperparameters {
            if let message = parameter.violation(self) { return message }
        }
        return nil
    }

    /// The names of every declared hyperparameter.
    public static var hyperparameterNames: [String] { hyperparameters.map(\.name) }

    /// The declaration of the hyperparameter at `keyPath`, nil when it declares none there.
    public static func hyperparameter(_ keyPath: PartialKeyPath<Self>) -> Hyperparameter<Self>? {
        hyperparameters.first { $0.keyPath == keyPath }
    }
}
