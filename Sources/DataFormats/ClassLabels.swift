/// How label texts become the class indices of a ``Dataset``, the same way in every file.
///
/// The classes are the distinct values seen. Labels that are all whole numbers (`3`, `-1`,
/// `2.0`) and read 0, 1, …, k − 1 stay those integers, with no class names; other whole
/// numbers (10, 20, 30) are classes named by their values, numbered in increasing order, so
/// that no class is made up between them. Any other labels are class names: mapped through
/// `knownClasses` when given (the classes a model was fitted with; a name outside them is an
/// error that names it), else numbered by their sorted distinct values, as scikit-learn's
/// `LabelEncoder` numbers them.
public enum ClassLabels {
    /// The integer a label text stands for, when it is a whole number.
    static func integer(_ text: Substring) -> Int? {
        if let value = Int(text) { return value }
        guard let value = Double(text), value.isFinite, value == value.rounded(), abs(value) < 9.0e15 else { return nil }
        return Int(value)
    }

    /// Class indices for `texts`, and the class names when the labels are names.
    /// `where_` gives the position of the i-th label for errors (a line, an entry).
    public static func encode(_ texts: [Substring], knownClasses: [String]?, file: String,
                              where where_: (Int) -> FilePosition? = { _ in nil }) throws -> (labels: [Int], classNames: [String]?) {
        let integers = texts.map(integer)
        if !integers.contains(nil) {
            return try encode(integers: integers.map { $0! }, knownClasses: knownClasses, file: file, where: where_)
        }
        if let knownClasses {
            let index = Dictionary(knownClasses.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            let labels = try texts.enumerated().map { row, text in
                guard let label = index[String(text)] else {
                    throw DataFormatError(file, where_(row), "class '\(text)' was not among the classes the model was fitted with (\(listed(knownClasses)))")
                }
                return label
            }
            return (labels, knownClasses)
        }
        let names = Array(Set(texts.map(String.init))).sorted()
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        return (texts.map { index[String($0)]! }, names)
    }

    /// Class indices for whole-number labels: unchanged when their distinct values are 0, 1, …,
    /// k − 1, else the place of each value among them, the values becoming class names. With a
    /// model's `knownClasses` that are whole numbers, each label is the place of its value there.
    public static func encode(integers: [Int], knownClasses: [String]?, file: String,
                              where where_: (Int) -> FilePosition? = { _ in nil }) throws -> (labels: [Int], classNames: [String]?) {
        if let knownClasses {
            let known = knownClasses.map { integer(Substring($0)) }
            // Class names that are not numbers: these integers are already class indices.
            guard !known.contains(nil) else { return (integers, nil) }
            let index = Dictionary(known.enumerated().map { ($1!, $0) }, uniquingKeysWith: { first, _ in first })
            let labels = try integers.enumerated().map { row, value in
                guard let label = index[value] else {
                    throw DataFormatError(file, where_(row), "class \(value) was not among the classes the model was fitted with (\(listed(knownClasses)))")
                }
                return label
            }
            return (labels, knownClasses)
        }
        let values = Array(Set(integers)).sorted()
        if values.first == 0, values.last == values.count - 1 { return (integers, nil) }
        let index = Dictionary(uniqueKeysWithValues: values.enumerated().map { ($1, $0) })
        return (integers.map { index[$0]! }, values.map(String.init))
    }

    /// Up to ten names, quoted, for messages.
    static func listed(_ names: [String]) -> String {
        names.prefix(10).map { "'\($0)'" }.joined(separator: ", ") + (names.count > 10 ? ", … (\(names.count) in all)" : "")
    }
}

extension Dataset {
    /// The same data with labels numbered as `classNames` numbers them: labels that are names
    /// map through the list, and names it lacks are appended when `extendable`, else an error.
    /// Integer labels (no class names) stay as they are.
    public func aligningClasses(to classNames: [String], extendable: Bool) throws -> Dataset {
        guard let labels, let names = self.classNames, names != classNames else { return self }
        var target = classNames
        var index = Dictionary(target.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var mapping: [Int] = []
        let used = Set(labels)
        for (label, name) in names.enumerated() {
            if let position = index[name] { mapping.append(position); continue }
            guard extendable || !used.contains(label) else {
                throw DataFormatError(self.name, nil, "class '\(name)' was not among the classes the model was fitted with (\(ClassLabels.listed(classNames)))")
            }
            index[name] = target.count
            mapping.append(target.count)
            target.append(name)
        }
        var result = self
        result.labels = labels.map { mapping[$0] }
        result.classNames = target
        return result
    }
}
