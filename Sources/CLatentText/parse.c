// Decimal text to float, for CSV: the hot loop of reading tables.
#include "CLatentText.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

// 10^0 … 10^22 are exact doubles.
static const double powers_of_ten[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static bool parse_special(const unsigned char *text, long length, double *value) {
    double sign = 1;
    if (length > 0 && (text[0] == '-' || text[0] == '+')) {
        sign = text[0] == '-' ? -1 : 1;
        text++;
        length--;
    }
    if (length == 3 && strncasecmp((const char *)text, "nan", 3) == 0) { *value = NAN; return true; }
    if ((length == 3 && strncasecmp((const char *)text, "inf", 3) == 0) ||
        (length == 8 && strncasecmp((const char *)text, "infinity", 8) == 0)) {
        *value = sign * INFINITY;
        return true;
    }
    return false;
}

// Fast path (Clinger, "How to read floating point numbers accurately", PLDI 1990): a mantissa
// below 2^53 scaled by 10^±e, e ≤ 22, is one correctly rounded double operation on exact
// operands. Everything else goes to strtod.
bool latent_parse_float(const unsigned char *text, long length, float *value) {
    double x;
    if (!latent_parse_double(text, length, &x)) return false;
    *value = (float)x;
    return true;
}

bool latent_parse_double(const unsigned char *text, long length, double *value) {
    if (length <= 0) return false;
    long i = 0;
    bool negative = false;
    if (text[0] == '-' || text[0] == '+') { negative = text[0] == '-'; i = 1; }
    uint64_t mantissa = 0;
    int digits = 0, exponent = 0;
    bool saw_digit = false;
    for (; i < length && (unsigned)(text[i] - '0') < 10; i++) {
        if (digits < 19) { mantissa = mantissa * 10 + (text[i] - '0'); if (mantissa) digits++; } else exponent++;
        saw_digit = true;
    }
    if (i < length && text[i] == '.') {
        for (i++; i < length && (unsigned)(text[i] - '0') < 10; i++) {
            if (digits < 19) { mantissa = mantissa * 10 + (text[i] - '0'); exponent--; if (mantissa) digits++; }
            saw_digit = true;
        }
    }
    if (!saw_digit) return parse_special(text, length, value);
    if (i < length && (text[i] | 0x20) == 'e') {
        i++;
        bool exponent_negative = false;
        if (i < length && (text[i] == '-' || text[i] == '+')) { exponent_negative = text[i] == '-'; i++; }
        int e = 0, exponent_digits = 0;
        for (; i < length && (unsigned)(text[i] - '0') < 10; i++, exponent_digits++)
            if (e < 100000) e = e * 10 + (text[i] - '0');
        if (exponent_digits == 0) return false;
        exponent += exponent_negative ? -e : e;
    }
    if (i != length) return false;
    if (mantissa < (1ULL << 53) && exponent >= -22 && exponent <= 22) {
        double x = (double)mantissa;
        x = exponent < 0 ? x / powers_of_ten[-exponent] : x * powers_of_ten[exponent];
        *value = negative ? -x : x;
        return true;
    }
    char buffer[512];
    if (length >= (long)sizeof buffer) return false;
    memcpy(buffer, text, length);
    buffer[length] = 0;
    char *end = NULL;
    double x = strtod(buffer, &end);
    if (end != buffer + length) return false;
    *value = x;
    return true;
}

static inline bool is_blank(unsigned char c) { return c == ' ' || c == '\t'; }

/// A problem in a field, unless the line has the wrong number of fields, which is reported
/// first (as the general scanner does).
static latent_csv_result field_problem(latent_csv_status status, long rows, long line, long column, long a, long b,
                                       const unsigned char *text, long line_start, long content_end,
                                       unsigned char delimiter, long columns) {
    long fields = 1;
    for (long i = line_start; i < content_end; i++) fields += text[i] == delimiter;
    if (fields != columns) return (latent_csv_result){LATENT_CSV_RAGGED, rows, line, column, fields, line_start, content_end};
    return (latent_csv_result){status, rows, line, column, 0, a, b};
}

/// The leading decimal digits (at most 8) of the 8 bytes at `q`, and their value: SWAR
/// ("SIMD within a register", Lemire's eight-digit conversion) instead of a loop whose exit
/// the branch predictor misses on every field of varying length.
static inline int eight_digits(const unsigned char *q, uint64_t *value) {
    uint64_t v;
    memcpy(&v, q, 8);  // the first character is the lowest byte (little-endian)
    uint64_t t = v - 0x3030303030303030ULL;
    // A byte is not a digit when t ≥ 10 (then t + 0x76 ≥ 0x80) or it borrowed (t ≥ 0xD0).
    uint64_t not_digit = (t | (t + 0x7676767676767676ULL)) & 0x8080808080808080ULL;
    int n = not_digit ? __builtin_ctzll(not_digit) >> 3 : 8;
    if (n == 0) { *value = 0; return 0; }
    t <<= 8 * (8 - n);  // the n digits to the top; zeros below act as leading zeros
    t = t * 10 + (t >> 8);
    t = (((t & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
         (((t >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >> 32;
    *value = t;
    return n;
}

static const uint64_t small_powers[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

/// Parses `[sign]digits[.digits]` at `q` with the fast path; returns false (caller falls back
/// to the general parser) for anything else, for more than 19 digits, or near `limit`.
static inline bool fast_number(const unsigned char *q, const unsigned char *limit, const unsigned char **after, double *value) {
    bool negative = false;
    if (q < limit && (*q == '-' || *q == '+')) { negative = *q == '-'; q++; }
    uint64_t mantissa = 0, chunk;
    int digits = 0, exponent = 0, n;
    bool any = false;
    do {
        if (q + 8 > limit) return false;
        n = eight_digits(q, &chunk);
        if (digits + n > 19) return false;
        mantissa = mantissa * small_powers[n] + chunk;
        digits += n;
        q += n;
        any |= n > 0;
    } while (n == 8);
    if (q < limit && *q == '.') {
        q++;
        do {
            if (q + 8 > limit) return false;
            n = eight_digits(q, &chunk);
            if (digits + n > 19) return false;
            mantissa = mantissa * small_powers[n] + chunk;
            digits += n;
            exponent -= n;
            q += n;
            any |= n > 0;
        } while (n == 8);
    }
    if (!any || (q < limit && (*q | 0x20) == 'e') || mantissa >= (1ULL << 53) || exponent < -22) return false;
    double x = (double)mantissa;
    if (exponent < 0) x /= powers_of_ten[-exponent];
    *value = negative ? -x : x;
    *after = q;
    return true;
}

/// Whether a field's text marks a missing value: empty, NA, N/A, null, NULL or ? (as pandas
/// and the UCI repository write them; nan parses as a number and is NaN already).
static bool is_missing_marker(const unsigned char *text, long length) {
    if (length == 0) return true;
    if (length == 1) return text[0] == '?';
    if (length == 2) return strncasecmp((const char *)text, "na", 2) == 0;
    if (length == 3) return strncasecmp((const char *)text, "n/a", 3) == 0;
    if (length == 4) return strncasecmp((const char *)text, "null", 4) == 0;
    return false;
}

latent_csv_result latent_parse_csv_lines(const unsigned char *text, long begin, long end, unsigned char delimiter,
                                         long columns, const unsigned char *roles, const double *origin,
                                         bool allow_non_finite, bool missing_as_nan, float *out, long *label_spans,
                                         long *id_spans) {
    latent_csv_result result = {LATENT_CSV_OK, 0, 0, 0, 0, 0, 0};
    const unsigned char *limit = text + end;
    long written = 0, line = 0, position = begin;
    while (position < end) {
        const unsigned char *newline = memchr(text + position, '\n', (size_t)(end - position));
        long line_end = newline ? (long)(newline - text) : end;
        long content_end = line_end;
        if (content_end > position && text[content_end - 1] == '\r') content_end--;
        if (content_end > position) {
            long column = 0, start = position, feature = 0;
            for (;;) {
                if (column >= columns) {
                    long fields = column + 1;
                    for (long i = start; i < content_end; i++) fields += text[i] == delimiter;
                    return (latent_csv_result){LATENT_CSV_RAGGED, result.rows, line, column, fields, start, content_end};
                }
                unsigned char role = roles[column];
                long a = start;
                while (a < content_end && is_blank(text[a])) a++;
                long field_end;
                const unsigned char *after;
                double value;
                if (role == LATENT_CSV_FEATURE && fast_number(text + a, limit, &after, &value)) {
                    // The number must fill the field, up to blanks.
                    long b = (long)(after - text);
                    long c = b;
                    while (c < content_end && is_blank(text[c])) c++;
                    if (c == content_end || text[c] == delimiter) {
                        // Measured from the origin in double, so a large offset keeps the digits after it.
                        out[written++] = (float)(origin ? value - origin[feature] : value);
                        feature++;
                        column++;
                        if (c >= content_end) break;
                        start = c + 1;
                        continue;
                    }
                }
                field_end = a;
                while (field_end < content_end && text[field_end] != delimiter) field_end++;
                long b = field_end;
                while (b > a && is_blank(text[b - 1])) b--;
                if (role == LATENT_CSV_LABEL || role == LATENT_CSV_ID) {
                    if (a == b)
                        return field_problem(LATENT_CSV_MISSING_LABEL, result.rows, line, column, a, b, text, position,
                                             content_end, delimiter, columns);
                    long *spans = role == LATENT_CSV_LABEL ? label_spans : id_spans;
                    spans[2 * result.rows] = a;
                    spans[2 * result.rows + 1] = b;
                } else if (role == LATENT_CSV_FEATURE) {
                    if (!latent_parse_double(text + a, b - a, &value)) {
                        if (!missing_as_nan || !is_missing_marker(text + a, b - a))
                            return field_problem(LATENT_CSV_NOT_A_NUMBER, result.rows, line, column, a, b, text, position,
                                                 content_end, delimiter, columns);
                        value = NAN;
                    }
                    float stored = (float)(origin ? value - origin[feature] : value);
                    // A value beyond float's range is infinite once stored: refused like inf itself.
                    if (!allow_non_finite && !isfinite(stored) && !(missing_as_nan && isnan(value)))
                        return field_problem(LATENT_CSV_NON_FINITE, result.rows, line, column, a, b, text, position,
                                             content_end, delimiter, columns);
                    out[written++] = stored;
                    feature++;
                }
                column++;
                if (field_end >= content_end) break;
                start = field_end + 1;
            }
            if (column != columns)
                return (latent_csv_result){LATENT_CSV_RAGGED, result.rows, line, column, column, position, content_end};
            result.rows++;
        }
        position = line_end + 1;
        line++;
    }
    return result;
}

bool latent_csv_is_missing_marker(const unsigned char *text, long length) { return is_missing_marker(text, length); }

void latent_count_lines(const unsigned char *text, long begin, long end, long *lines, long *rows) {
    long newlines = 0, content = 0, line_start = begin;
    while (line_start < end) {
        const unsigned char *newline = memchr(text + line_start, '\n', (size_t)(end - line_start));
        long line_end = newline ? (long)(newline - text) : end;
        long length = line_end - line_start;
        if (length > 0 && !(length == 1 && text[line_start] == '\r')) content++;
        if (newline) newlines++;
        line_start = line_end + 1;
    }
    *lines = newlines;
    *rows = content;
}
