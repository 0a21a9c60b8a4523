/// Options for reading delimited text: which row names the columns, which columns are
/// features, labels, ids or dropped, and what a missing value means.
public struct CSVOptions: Sendable, Equatable {
    /// Whether the first row names the columns.
    public enum Header: String, Sendable, Equatable, CaseIterable {
        /// A header when some field of the first row is not a number, or when the first row
        /// reads 0, 1, …, D − 1 (the column names pandas writes for an unnamed frame).
        case automatic = "auto"
        case present = "yes"
        case absent = "no"
    }

    /// A column, by header name or by 0-based position.
    public enum Column: Sendable, Equatable, CustomStringConvertible {
        case name(String)
        case index(Int)
        /// By name when the header has a column of that name, else as a 0-based position when
        /// the text is a number (what the command line's `--label-column 4` means).
        case nameOrIndex(String)

        public var description: String {
            switch self {
            case .name(let name), .nameOrIndex(let name): "'\(name)'"
            case .index(let index): "\(index)"
            }
        }
    }

    /// The column holding labels (removed from the features).
    public typealias LabelColumn = Column

    /// The field separator; nil chooses a tab for `.tsv` files, else a comma, or the semicolon
    /// or tab when the first line holds one of them and no comma.
    public var delimiter: UInt8?
    public var header: Header
    public var labelColumn: Column?
    /// A column of sample ids (pandas' index): not a feature; kept as ``Dataset/ids``. With
    /// `.automatic` headers, a first column with an empty name whose values are 0, 1, …, n − 1
    /// is taken as pandas' index and dropped even when this is nil.
    public var indexColumn: Column?
    /// Columns to leave out of the features (read no further: they may hold text).
    public var dropColumns: [Column]
    /// The only columns to keep as features (in file order), when given.
    public var columns: [Column]?
    /// Names the labels may take, from a fitted model: text labels map to their position here,
    /// and a name not in the list is an error. Integer labels stay integers.
    public var knownClasses: [String]?
    /// Read missing values (empty, NA, N/A, null, ?, nan) as NaN instead of refusing them;
    /// ``MissingValues`` then decides what becomes of them.
    public var missingAsNaN: Bool
    /// Where feature values are measured from (subtracted in Double before they become Float32;
    /// nil: zero). The table's ``Dataset/origin`` says which was used.
    public var origin: Origin?
    /// Accept NaN and infinite values (rejected by default, with their line and column).
    public var allowNonFinite: Bool
    /// The features a model was fitted on, by name (its `SafeTensorsFile.featureNames`): a
    /// table with a header is matched to them by name, in any order, as scikit-learn checks
    /// `feature_names_in_`; its other columns are skipped (noted), and a feature it lacks is an
    /// error that lists every one missing. The features come out in this order. A table
    /// without a header is read by position.
    public var modelFeatures: [String]?
    /// Threads for large tables (nil: `ComputeSettings.current`'s); results do not depend on it.
    public var threads: Int?

    public init(delimiter: UInt8? = nil, header: Header = .automatic, labelColumn: Column? = nil, indexColumn: Column? = nil,
                dropColumns: [Column] = [], columns: [Column]? = nil, knownClasses: [String]? = nil, missingAsNaN: Bool = false,
                origin: Origin? = nil, allowNonFinite: Bool = false, modelFeatures: [String]? = nil, threads: Int? = nil) {
        self.delimiter = delimiter
        self.header = header
        self.labelColumn = labelColumn
        self.indexColumn = indexColumn
        self.dropColumns = dropColumns
        self.columns = columns
        self.knownClasses = knownClasses
        self.missingAsNaN = missingAsNaN
        self.origin = origin
        self.allowNonFinite = allowNonFinite
        self.modelFeatures = modelFeatures
        self.threads = threads
    }

    /// Whether any option chooses columns (so the table is read with its columns' roles).
    var selectsColumns: Bool { labelColumn != nil || indexColumn != nil || !dropColumns.isEmpty || columns != nil }
}
