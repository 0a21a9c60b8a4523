import CLatentText

/// The C kernels of delimited text (CSV/TSV), for DataFormats' readers.
public enum TextKernels {
    /// What a column holds, for ``scanLines(_:_:delimiter:roles:origin:allowNonFinite:missingAsNaN:into:labelSpans:idSpans:)``.
    public enum Role: UInt8, Sendable {
        case feature = 0, label = 1, skip = 2, id = 3
    }

    /// What a scan found: where it stopped and why.
    public struct Scan: Sendable {
        public enum Status: Sendable { case ok, notANumber, ragged, nonFinite, missingLabel }
        public let status: Status
        /// Rows parsed (all of them when the status is `.ok`).
        public let rows: Int
        /// The 0-based line of the problem within the range, its 0-based column, the fields on a
        /// ragged line, and the byte range of the offending field.
        public let line: Int, column: Int, fields: Int, fieldStart: Int, fieldEnd: Int
    }

    /// The decimal number in `count` bytes at `text` as the Double it reads (optional sign,
    /// digits with an optional point, optional exponent; nan, inf, infinity in any case).
    public static func parseDouble(_ text: UnsafePointer<UInt8>, count: Int) -> Double? {
        var value = 0.0
        return latent_parse_double(text, count, &value) ? value : nil
    }

    /// Whether `count` bytes at `text` mark a missing value: empty, NA, N/A, null (any case) or ?.
    public static func isMissingMarker(_ text: UnsafePointer<UInt8>, count: Int) -> Bool {
        latent_csv_is_missing_marker(text, count)
    }

    /// The lines (newlines) in `range` of `text`, and the non-blank ones among them.
    public static func countLines(_ text: UnsafePointer<UInt8>, _ range: Range<Int>) -> (lines: Int, rows: Int) {
        var lines = 0, rows = 0
        latent_count_lines(text, range.lowerBound, range.upperBound, &lines, &rows)
        return (lines, rows)
    }

    /// Parses lines of delimited fields without quotes in `range` of `text`: the features'
    /// values (minus `origin[feature]` in Double when given) to `out`, the label and id fields'
    /// byte ranges to `labelSpans` and `idSpans` (two per row). Stops at the first problem.
    public static func scanLines(_ text: UnsafePointer<UInt8>, _ range: Range<Int>, delimiter: UInt8, roles: [Role], origin: [Double]?,
                                 allowNonFinite: Bool, missingAsNaN: Bool, into out: UnsafeMutablePointer<Float>,
                                 labelSpans: UnsafeMutablePointer<Int>?, idSpans: UnsafeMutablePointer<Int>?) -> Scan {
        let codes = roles.map(\.rawValue)
        let result = withOptionalBuffer(origin) { origin in
            latent_parse_csv_lines(text, range.lowerBound, range.upperBound, delimiter, codes.count, codes, origin,
                                   allowNonFinite, missingAsNaN, out, labelSpans, idSpans)
        }
        let status: Scan.Status = switch result.status {
        case LATENT_CSV_OK: .ok
        case LATENT_CSV_RAGGED: .ragged
        case LATENT_CSV_MISSING_LABEL: .missingLabel
        case LATENT_CSV_NOT_A_NUMBER: .notANumber
        default: .nonFinite
        }
        return Scan(status: status, rows: result.rows, line: result.line, column: result.column, fields: result.fields,
                    fieldStart: result.field_start, fieldEnd: result.field_end)
    }

    /// Calls `body` with the address of `values`' storage, or nil.
    private static func withOptionalBuffer<R>(_ values: [Double]?, _ body: (UnsafePointer<Double>?) -> R) -> R {
        guard let values else { return body(nil) }
        return values.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
