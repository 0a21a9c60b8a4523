// CLatentText: the parsing of delimited text (decimal numbers, CSV/TSV lines) for DataFormats.
#ifndef CLATENTTEXT_H
#define CLATENTTEXT_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// MARK: - Text

/// Parses the decimal number in `text[0..<length]` (optional sign, digits with an optional
/// point, optional exponent; or nan, inf, infinity in any case) into `*value`, rounded as
/// reading a double and casting to float does. Returns false when the text is not a number.
bool latent_parse_float(const unsigned char *text, long length, float *value);

/// `latent_parse_float`'s number as the double it reads, before any rounding to float.
bool latent_parse_double(const unsigned char *text, long length, double *value);

/// Counts the lines (newlines) in `text[begin..<end]`, and the non-blank ones among the lines
/// that the range holds (a final line without a newline counts as a line of content).
void latent_count_lines(const unsigned char *text, long begin, long end, long *lines, long *rows);

/// What `latent_parse_csv_lines` found.
typedef enum {
    LATENT_CSV_OK = 0,
    LATENT_CSV_NOT_A_NUMBER = 1,   ///< The field at `column` is not a number (empty: missing).
    LATENT_CSV_RAGGED = 2,         ///< The line has `fields` fields instead of the expected count.
    LATENT_CSV_NON_FINITE = 3,     ///< NaN or infinity where they are not allowed.
    LATENT_CSV_MISSING_LABEL = 4   ///< The label field is empty.
} latent_csv_status;

typedef struct {
    latent_csv_status status;
    long rows;          ///< Rows parsed (all of them when status is OK).
    long line;          ///< 0-based line of the problem within the range.
    long column;        ///< 0-based column of the problem.
    long fields;        ///< Fields on the ragged line.
    long field_start;   ///< Byte range of the offending field.
    long field_end;
} latent_csv_result;

/// What a column of a table holds, for `latent_parse_csv_lines`.
enum {
    LATENT_CSV_FEATURE = 0,   ///< A number, written to `out`.
    LATENT_CSV_LABEL = 1,     ///< A label: its byte range goes to `label_spans`; empty is an error.
    LATENT_CSV_SKIP = 2,      ///< Dropped unread.
    LATENT_CSV_ID = 3         ///< A sample id: its byte range goes to `id_spans`; empty is an error.
};

/// Parses lines of delimited numbers without quotes in `text[begin..<end]`: fields end at
/// `delimiter` or the line's end, spaces and tabs around a field are ignored, blank lines are
/// skipped. `roles` says what each of the `columns` fields is (LATENT_CSV_FEATURE, …): each
/// row's feature values go to `out` (minus `origin[feature]`, in double, unless `origin` is
/// NULL), the label field's byte range to `label_spans` and the id
/// field's to `id_spans` (two per row). With `missing_as_nan`, a feature field that marks a
/// missing value (see `latent_csv_is_missing_marker`) or reads nan becomes NaN. Stops at the
/// first problem.
latent_csv_result latent_parse_csv_lines(const unsigned char *text, long begin, long end, unsigned char delimiter,
                                         long columns, const unsigned char *roles, const double *origin,
                                         bool allow_non_finite, bool missing_as_nan, float *out, long *label_spans,
                                         long *id_spans);

/// Whether `text[0..<length]` marks a missing value: empty, NA, N/A, null (any case) or ?.
bool latent_csv_is_missing_marker(const unsigned char *text, long length);

#ifdef __cplusplus
}
#endif
#endif
