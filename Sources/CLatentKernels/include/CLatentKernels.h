// CLatentKernels: the hot loops of Latent, written once in C vector extensions and
// compiled per instruction set with function target attributes (no global CPU flags).
#ifndef CLATENTKERNELS_H
#define CLATENTKERNELS_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set levels of the built-in kernels, from the most portable to the fastest.
typedef enum {
    LATENT_CPU_BASELINE = 0, ///< SSE2 on x86-64, NEON on arm64, scalar code elsewhere.
    LATENT_CPU_AVX2 = 1,     ///< AVX2 with FMA3.
    LATENT_CPU_AVX512 = 2    ///< AVX-512 Foundation.
} latent_cpu_level;

/// The fastest level this CPU and operating system support.
latent_cpu_level latent_cpu_detect(void);

/// Whether this build holds kernels for `level` (false for x86 levels on other architectures).
bool latent_cpu_level_compiled(latent_cpu_level level);

/// Micro-tile of the GEMM kernel at `level`: rows (MR) and columns (NR).
void latent_gemm_tile(latent_cpu_level level, long *rows, long *columns);

/// C = alpha·op(A)·op(B) + beta·C on row-major matrices, single-threaded.
/// op(A) is M×K (A is K×M when transA), op(B) is K×N (B is N×K when transB), C is M×N.
/// When beta == 0, C is not read (it may hold NaN). The caller must pass a level for which
/// `latent_cpu_level_compiled` is true and that the CPU supports.
/// Results do not depend on how a caller splits C into row or column blocks: every element's
/// sum runs over k in the same order.
void latent_sgemm(latent_cpu_level level, bool transA, bool transB,
                  long M, long N, long K, float alpha,
                  const float *A, long lda, const float *B, long ldb,
                  float beta, float *C, long ldc);

/// The upper triangle of C = alpha·AᵀA + beta·C for A: K×N (row-major, leading dimension lda)
/// and C: N×N, single-threaded: the micro-tiles on and above the diagonal of the same blocked
/// product as `latent_sgemm`, so each computed element equals sgemm's bit for bit. Entries below
/// the diagonal are unspecified.
void latent_ssyrk_upper(latent_cpu_level level, long N, long K, float alpha, const float *A, long lda,
                        float beta, float *C, long ldc);

// MARK: - System BLAS, loaded at run time

/// CBLAS's sgemm signature (row-major = 101, no-trans = 111, trans = 112).
typedef void (*latent_cblas_sgemm_fn)(int order, int transA, int transB, int M, int N, int K,
                                      float alpha, const float *A, int lda, const float *B, int ldb,
                                      float beta, float *C, int ldc);

/// CBLAS's ssyrk signature (upper = 121, trans = 112: C = alpha·AᵀA + beta·C).
typedef void (*latent_cblas_ssyrk_fn)(int order, int uplo, int trans, int N, int K, float alpha,
                                      const float *A, int lda, float beta, float *C, int ldc);

/// A system BLAS opened with dlopen.
typedef struct {
    void *handle;
    latent_cblas_sgemm_fn sgemm;
    latent_cblas_ssyrk_fn ssyrk;  ///< NULL when the library lacks it.
    bool threads_set_to_one;
} latent_blas;

/// Opens `path` (a file path or a soname such as "libopenblas.so.0"), finds cblas_sgemm and
/// sets the library's own threading to one thread. Returns false and writes a message into
/// `error` (at most `error_size` bytes) when the library does not load or lacks cblas_sgemm.
bool latent_blas_open(const char *path, latent_blas *blas, char *error, size_t error_size);

// MARK: - Allocator

/// Makes glibc's malloc keep freed blocks of up to 32 MiB for reuse instead of unmapping them (a
/// no-op elsewhere). Process-wide: for executables to call at start-up, never the library.
void latent_keep_freed_memory(void);

/// A part of a parallel region: `fn(context, part)`.
typedef void (*latent_task_fn)(void *context, long part);

/// Runs fn(context, 0) … fn(context, parts − 1), spread over a pool of worker threads and the
/// caller, and returns when all have finished. Workers spin for a moment before sleeping, so
/// back-to-back regions start without a wake-up. A region started while another runs (from a
/// worker, or another thread) runs on its caller, part by part.
void latent_parallel_run(long parts, latent_task_fn fn, void *context);

// MARK: - Elementwise kernels

/// y = 1 / (1 + exp(-x)), n elements; x and y may alias.
void latent_sigmoid(latent_cpu_level level, const float *x, float *y, long n);

/// Σ max(z, 0) − z·t + ln(1 + e^{−|z|}) over n logits z and targets t (binary cross-entropy,
/// never overflowing), with residual[i] = σ(zᵢ) − tᵢ written in the same pass.
double latent_bce_logits(latent_cpu_level level, const float *logits, const float *targets, float *residual, long n);

/// One Adam step on n parameters (Kingma & Ba 2015, Algorithm 1, with bias corrections
/// folded into `step_size` = lr·√(1−β₂ᵗ)/(1−β₁ᵗ) and `epsilon_hat` = ε·√(1−β₂ᵗ)), and
/// decoupled weight decay θ ← θ − decay·θ applied first (AdamW; pass 0 for Adam).
void latent_adam_update(latent_cpu_level level, float *parameters, const float *gradient,
                        float *first_moment, float *second_moment, long n,
                        float beta1, float beta2, float step_size, float epsilon_hat, float decay);

// MARK: - Double-precision vector kernels (factorisations)

/// Σ xᵢ·yᵢ (summed in vector lanes, so the order differs from a plain loop; it is fixed for a
/// given level and n).
double latent_ddot(latent_cpu_level level, const double *x, const double *y, long n);

/// z ← z + a·x + b·y
void latent_daxpy2(latent_cpu_level level, double a, const double *x, double b, const double *y, double *z, long n);

/// One row of a fused Householder tridiagonalisation step on a row's upper part x[0..n):
/// x ← x + a·w + b·v, then p[0] += x·u and p[j] += x[j]·u[0] for j ≥ 1.
void latent_dsyr2_symv(latent_cpu_level level, double *x, long n, double a, const double *w, double b,
                       const double *v, const double *u, double *p);

/// The plane rotation (x, y) ← (c·x − s·y, s·x + c·y).
void latent_drot(latent_cpu_level level, double *x, double *y, long n, double c, double s);

/// For each of the n rows of x (n × d floats): sums[labels[i]] += x[i] in double (k × d,
/// zeroed by the caller) and counts[labels[i]] += 1. The update step of k-means.
void latent_cluster_sums(latent_cpu_level level, const float *x, long n, long d, const long *labels,
                         double *sums, long *counts);

/// out[i·t + j] = ‖x_i − c_j‖² for the n rows of x (n × d) and t ≤ 16 centres (t × d), in one
/// pass over x.
void latent_squared_distances(latent_cpu_level level, const float *x, long n, long d, const float *centres, long t, float *out);

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

// MARK: - MPI, loaded at run time

/// The two ABIs of MPI libraries: Open MPI's handles are addresses of its objects; MPICH's
/// (and those of its ABI: Intel MPI, Cray MPICH, MVAPICH) are integer constants.
typedef enum { LATENT_MPI_OPEN_MPI = 0, LATENT_MPI_MPICH = 1 } latent_mpi_abi;

/// An MPI library opened with dlopen: its entry points and handles, untyped here because MPI
/// fixes no ABI (see mpi.c).
typedef struct {
    void *handle;
    latent_mpi_abi abi;
    void *init, *initialized, *finalized, *finalize, *comm_rank, *comm_size, *sendrecv, *abort_run;
    void *library_version, *set_errhandler, *error_string;
    /// Open MPI's handles (addresses).
    void *comm_world, *byte_type, *errors_return;
} latent_mpi;

/// Opens `path` (a file path or a soname such as "libmpi.so.40" or "libmpich.so.12") and
/// binds what Latent uses; false with a message in `error` when it does not load or is neither
/// Open MPI nor of MPICH's ABI. `global` makes its symbols global, as Open MPI's components
/// need when MPI is initialized; a library only asked its version is opened local, so that two
/// MPI libraries probed by one process do not bind each other's symbols.
bool latent_mpi_open(const char *path, bool global, latent_mpi *mpi, char *error, size_t error_size);
/// The library's own version text (MPI_Get_library_version; callable before initialization).
bool latent_mpi_library_version(const latent_mpi *mpi, char *text, size_t size);
/// MPI_Init (unless done), errors returned as codes on MPI_COMM_WORLD, this process's rank
/// and the world's size; 0 on success, else an MPI error code.
int latent_mpi_init(const latent_mpi *mpi, int *rank, int *size);
/// Sends `send_bytes` to `destination` while receiving `receive_bytes` from `source`
/// (MPI_Sendrecv on bytes, in pieces under 2³¹); 0 on success, else an MPI error code.
int latent_mpi_exchange(const latent_mpi *mpi, const void *send, long send_bytes, int destination,
                        void *receive, long receive_bytes, int source, int tag);
/// The text of an MPI error code.
void latent_mpi_error_string(const latent_mpi *mpi, int code, char *text, size_t size);
/// MPI_Abort on MPI_COMM_WORLD: ends every process of the run.
void latent_mpi_abort(const latent_mpi *mpi, int code);
/// MPI_Finalize, unless already done; 0 on success.
int latent_mpi_finalize(const latent_mpi *mpi);
/// Whether this process carries AddressSanitizer's runtime (a sanitizer build), whose
/// interceptors MPICH's library crashes when loaded.
bool latent_instrumented_with_address_sanitizer(void);

#ifdef __cplusplus
}
#endif
#endif
