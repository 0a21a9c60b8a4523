// Run-time dispatch of the GEMM and elementwise kernels over instruction-set levels.
#include "CLatentKernels.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

// Cache blocking shared by every level: a KC×NR panel of B stays in L1, an MC×KC block of A
// in L2, a KC×NC block of B in L3. MC is a multiple of every MR below.
// Chosen by measurement on AMD EPYC (Zen, AVX2): see BENCHMARKS.md.
enum { KC = 256, MC = 144, NC = 4096 };

// MARK: - Per-thread packing workspace

static pthread_key_t workspaceKey;
static pthread_once_t workspaceOnce = PTHREAD_ONCE_INIT;
typedef struct { float *data; size_t capacity; } workspace;

static void workspace_free(void *p) {
    workspace *w = p;
    free(w->data);
    free(w);
}
static void workspace_make_key(void) { pthread_key_create(&workspaceKey, workspace_free); }

/// A 64-byte-aligned buffer of at least `count` floats, owned by the calling thread and reused
/// by its later calls (so small products allocate nothing).
static float *latent_workspace(size_t count) {
    pthread_once(&workspaceOnce, workspace_make_key);
    workspace *w = pthread_getspecific(workspaceKey);
    if (!w) {
        w = calloc(1, sizeof *w);
        if (!w) abort();
        pthread_setspecific(workspaceKey, w);
    }
    if (w->capacity < count) {
        free(w->data);
        size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
        w->data = aligned_alloc(64, bytes);
        if (!w->data) abort();  // out of memory: nothing sensible is left to do
        w->capacity = count;
    }
    return w->data;
}

// MARK: - The kernels, once per level

#if defined(__x86_64__) || defined(__i386__)
#define LATENT_X86 1
#endif

#define SUFFIX _baseline
#define VL 4
#define MR 6
#define MADD(a, b, c) ((a) * (b) + (c))
#include "kernels_body.h"
#undef SUFFIX
#undef VL
#undef MR
#undef MADD

#ifdef LATENT_X86
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define SUFFIX _avx2
#define VL 8
#define MR 6
#define MADD(a, b, c) __builtin_elementwise_fma(a, b, c)
#include "kernels_body.h"
#undef SUFFIX
#undef VL
#undef MR
#undef MADD
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma"))), apply_to = function)
#define SUFFIX _avx512
#define VL 16
#define MR 12
#define MADD(a, b, c) __builtin_elementwise_fma(a, b, c)
#include "kernels_body.h"
#undef SUFFIX
#undef VL
#undef MR
#undef MADD
#pragma clang attribute pop
#endif

// MARK: - Dispatch

latent_cpu_level latent_cpu_detect(void) {
#ifdef LATENT_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
        return LATENT_CPU_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return LATENT_CPU_AVX2;
#endif
    return LATENT_CPU_BASELINE;
}

bool latent_cpu_level_compiled(latent_cpu_level level) {
#ifdef LATENT_X86
    return level >= LATENT_CPU_BASELINE && level <= LATENT_CPU_AVX512;
#else
    return level == LATENT_CPU_BASELINE;
#endif
}

void latent_gemm_tile(latent_cpu_level level, long *rows, long *columns) {
    switch (level) {
    case LATENT_CPU_AVX512: *rows = 12; *columns = 32; return;
    case LATENT_CPU_AVX2: *rows = 6; *columns = 16; return;
    default: *rows = 6; *columns = 8; return;
    }
}

void latent_sgemm(latent_cpu_level level, bool transA, bool transB, long M, long N, long K,
                  float alpha, const float *A, long lda, const float *B, long ldb,
                  float beta, float *C, long ldc) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0 || alpha == 0) {
        for (long i = 0; i < M; i++)
            for (long j = 0; j < N; j++) C[i * ldc + j] = beta == 0 ? 0 : beta * C[i * ldc + j];
        return;
    }
    switch (level) {
#ifdef LATENT_X86
    case LATENT_CPU_AVX512: sgemm_avx512(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc); return;
    case LATENT_CPU_AVX2: sgemm_avx2(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc); return;
#endif
    default: sgemm_baseline(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc); return;
    }
}

typedef void (*ssyrk_fn)(long, long, float, const float *, long, float, float *, long);
static ssyrk_fn ssyrk_for(latent_cpu_level level);

void latent_ssyrk_upper(latent_cpu_level level, long N, long K, float alpha, const float *A, long lda,
                        float beta, float *C, long ldc) {
    if (N <= 0) return;
    if (K <= 0 || alpha == 0) {
        for (long i = 0; i < N; i++)
            for (long j = i; j < N; j++) C[i * ldc + j] = beta == 0 ? 0 : beta * C[i * ldc + j];
        return;
    }
    ssyrk_for(level)(N, K, alpha, A, lda, beta, C, ldc);
}

void latent_sigmoid(latent_cpu_level level, const float *x, float *y, long n) {
    switch (level) {
#ifdef LATENT_X86
    case LATENT_CPU_AVX512: sigmoid_avx512(x, y, n); return;
    case LATENT_CPU_AVX2: sigmoid_avx2(x, y, n); return;
#endif
    default: sigmoid_baseline(x, y, n); return;
    }
}

typedef double (*bce_fn)(const float *, const float *, float *, long);
static bce_fn bce_for(latent_cpu_level level);

double latent_bce_logits(latent_cpu_level level, const float *logits, const float *targets, float *residual, long n) {
    return bce_for(level)(logits, targets, residual, n);
}

void latent_adam_update(latent_cpu_level level, float *w, const float *g, float *m, float *v, long n,
                        float beta1, float beta2, float step, float eps, float decay) {
    switch (level) {
#ifdef LATENT_X86
    case LATENT_CPU_AVX512: adam_avx512(w, g, m, v, n, beta1, beta2, step, eps, decay); return;
    case LATENT_CPU_AVX2: adam_avx2(w, g, m, v, n, beta1, beta2, step, eps, decay); return;
#endif
    default: adam_baseline(w, g, m, v, n, beta1, beta2, step, eps, decay); return;
    }
}

#ifdef LATENT_X86
#define DISPATCH(call)                                          \
    switch (level) {                                            \
    case LATENT_CPU_AVX512: return call##_avx512;               \
    case LATENT_CPU_AVX2: return call##_avx2;                   \
    default: return call##_baseline;                            \
    }
#else
#define DISPATCH(call) return call##_baseline;
#endif

typedef double (*ddot_fn)(const double *, const double *, long);
typedef void (*daxpy2_fn)(double, const double *, double, const double *, double *, long);
typedef void (*drot_fn)(double *, double *, long, double, double);
static ddot_fn ddot_for(latent_cpu_level level) { DISPATCH(ddot) }
static ssyrk_fn ssyrk_for(latent_cpu_level level) { DISPATCH(ssyrk_upper) }
static bce_fn bce_for(latent_cpu_level level) { DISPATCH(bce_logits) }
static daxpy2_fn daxpy2_for(latent_cpu_level level) { DISPATCH(daxpy2) }
static drot_fn drot_for(latent_cpu_level level) { DISPATCH(drot) }

double latent_ddot(latent_cpu_level level, const double *x, const double *y, long n) {
    return ddot_for(level)(x, y, n);
}

void latent_daxpy2(latent_cpu_level level, double a, const double *x, double b, const double *y, double *z, long n) {
    daxpy2_for(level)(a, x, b, y, z, n);
}

typedef void (*dsyr2_symv_fn)(double *, long, double, const double *, double, const double *, const double *, double *);
static dsyr2_symv_fn dsyr2_symv_for(latent_cpu_level level) { DISPATCH(dsyr2_symv) }

void latent_dsyr2_symv(latent_cpu_level level, double *x, long n, double a, const double *w, double b,
                       const double *v, const double *u, double *p) {
    dsyr2_symv_for(level)(x, n, a, w, b, v, u, p);
}

void latent_drot(latent_cpu_level level, double *x, double *y, long n, double c, double s) {
    drot_for(level)(x, y, n, c, s);
}

typedef void (*cluster_sums_fn)(const float *, long, long, const long *, double *, long *);
static cluster_sums_fn cluster_sums_for(latent_cpu_level level) { DISPATCH(cluster_sums) }

void latent_cluster_sums(latent_cpu_level level, const float *x, long n, long d, const long *labels, double *sums, long *counts) {
    cluster_sums_for(level)(x, n, d, labels, sums, counts);
}

typedef void (*squared_distances_fn)(const float *, long, long, const float *, long, float *);
static squared_distances_fn squared_distances_for(latent_cpu_level level) { DISPATCH(squared_distances) }

void latent_squared_distances(latent_cpu_level level, const float *x, long n, long d, const float *centres, long t, float *out) {
    squared_distances_for(level)(x, n, d, centres, t, out);
}

typedef void (*exp_fn)(const float *, float *, long);
static exp_fn exp_for(latent_cpu_level level) { DISPATCH(exp_nonpositive_array) }

void latent_exp_nonpositive(latent_cpu_level level, const float *x, float *y, long n) {
    exp_for(level)(x, y, n);
}

typedef void (*lse_rows_fn)(const float *, long, long, long, const double *, double, double *, double *);
static lse_rows_fn lse_rows_for(latent_cpu_level level) { DISPATCH(logsumexp_rows) }

void latent_logsumexp_rows(latent_cpu_level level, const float *cost, long rows, long columns, long ld,
                           const double *terms, double scale, double *lse, double *mean) {
    lse_rows_for(level)(cost, rows, columns, ld, terms, scale, lse, mean);
}

typedef void (*lse_columns_fn)(const float *, long, long, long, const double *, double, double *);
static lse_columns_fn lse_columns_for(latent_cpu_level level) { DISPATCH(logsumexp_columns) }

void latent_logsumexp_columns(latent_cpu_level level, const float *cost, long rows, long columns, long ld,
                              const double *terms, double scale, double *lse) {
    lse_columns_for(level)(cost, rows, columns, ld, terms, scale, lse);
}

typedef void (*plan_fn)(const float *, long, long, long, const double *, const double *, double, float *);
static plan_fn plan_for(latent_cpu_level level) { DISPATCH(sinkhorn_plan) }

void latent_sinkhorn_plan(latent_cpu_level level, const float *cost, long rows, long columns, long ld,
                          const double *row_terms, const double *column_terms, double scale, float *plan) {
    plan_for(level)(cost, rows, columns, ld, row_terms, column_terms, scale, plan);
}

typedef void (*gemv_fn)(const float *, long, long, long, const float *, double *);
static gemv_fn gemv_rows_for(latent_cpu_level level) { DISPATCH(gemv_rows) }
static gemv_fn gemv_columns_for(latent_cpu_level level) { DISPATCH(gemv_columns) }

void latent_gemv_rows(latent_cpu_level level, const float *kernel, long rows, long columns, long ld, const float *w, double *out) {
    gemv_rows_for(level)(kernel, rows, columns, ld, w, out);
}

void latent_gemv_columns(latent_cpu_level level, const float *kernel, long rows, long columns, long ld, const float *w, double *out) {
    gemv_columns_for(level)(kernel, rows, columns, ld, w, out);
}

typedef void (*pairs_fn)(const float *, long, const int *, const int *, long, float *);
static pairs_fn pairs_for(latent_cpu_level level) { DISPATCH(pair_distances) }

void latent_pair_squared_distances(latent_cpu_level level, const float *x, long d, const int *first, const int *second, long count, float *out) {
    pairs_for(level)(x, d, first, second, count, out);
}

typedef void (*rows_dot_fn)(const float *, long, const int *, long, const float *, float *);
static rows_dot_fn rows_dot_for(latent_cpu_level level) { DISPATCH(rows_dot) }

void latent_rows_dot(latent_cpu_level level, const float *x, long d, const int *rows, long count, const float *v, float *out) {
    rows_dot_for(level)(x, d, rows, count, v, out);
}

typedef void (*norms_fn)(const float *, long, long, float *);
static norms_fn norms_for(latent_cpu_level level) { DISPATCH(squared_norms) }

void latent_squared_norms(latent_cpu_level level, const float *x, long d, long n, float *out) {
    norms_for(level)(x, d, n, out);
}

typedef void (*listed_fn)(const float *, long, const int *, long, const float *, float *);
static listed_fn listed_for(latent_cpu_level level) { DISPATCH(listed_distances) }

void latent_listed_distances(latent_cpu_level level, const float *x, long d, const int *rows, long count, const float *norms, float *out) {
    listed_for(level)(x, d, rows, count, norms, out);
}

// MARK: - Indirect convolution

typedef void (*conv_indirect_fn)(const float *, long, long, const long *, long, long, long, const float *, long,
                                 const float *, float *, long, const long *, const float **, const float *);
static conv_indirect_fn conv_indirect_for(latent_cpu_level level) { DISPATCH(conv_indirect) }
typedef void (*conv_pack_fn)(const float *, long, long, long, const long *, float *);
static conv_pack_fn conv_pack_for(latent_cpu_level level) { DISPATCH(conv_pack_weights) }

long latent_conv_packed_count(latent_cpu_level level, long outputs, long depth) {
    long rows, columns;
    latent_gemm_tile(level, &rows, &columns);
    return (outputs + columns - 1) / columns * columns * depth;
}

void latent_conv_pack_weights(latent_cpu_level level, const float *w, long outputs, long depth, long output_stride,
                              const long *row_offsets, float *packed) {
    conv_pack_for(level)(w, outputs, depth, output_stride, row_offsets, packed);
}

void latent_conv_indirect(latent_cpu_level level, const float *x, long samples, long sample_stride, const long *offsets,
                          long positions, long taps, long channels, const float *packed, long outputs, const float *bias,
                          float *y, long y_sample_stride, const long *y_offsets) {
    if (samples <= 0 || positions <= 0 || outputs <= 0) return;
    long rows, columns;
    latent_gemm_tile(level, &rows, &columns);
    const long padded = (outputs + columns - 1) / columns * columns;
    const float **pointers = malloc((size_t)(rows * (taps + 1)) * sizeof *pointers);
    float *zeros = calloc((size_t)(channels > 0 ? channels : 1), sizeof(float));
    float *biases = calloc((size_t)padded, sizeof(float));
    if (!pointers || !zeros || !biases) abort();  // a few kilobytes: nothing sensible is left to do
    if (bias) memcpy(biases, bias, (size_t)outputs * sizeof(float));
    conv_indirect_for(level)(x, samples, sample_stride, offsets, positions, taps, channels, packed, outputs, biases, y,
                             y_sample_stride, y_offsets, pointers, zeros);
    free(pointers);
    free(zeros);
    free(biases);
}

typedef void (*conv_weight_gradient_fn)(const float *, long, const float *, long, long, const long *, long, long, long, float *);
static conv_weight_gradient_fn conv_weight_gradient_for(latent_cpu_level level) { DISPATCH(conv_weight_gradient) }
static conv_weight_gradient_fn conv_weight_gradient_narrow_for(latent_cpu_level level) { DISPATCH(conv_weight_gradient_narrow) }

// Image channels up to which the narrow weight-gradient kernel takes the image's values one by one.
enum { NARROW_CHANNELS = 4 };

/// 1: the tiled kernel takes the channel counts; 2: the narrow one; 0: neither.
static int weight_gradient_kernel(latent_cpu_level level, long a_channels, long b_channels) {
    long rows, columns;
    latent_gemm_tile(level, &rows, &columns);
    const long tileRows = rows / 3 * 2;
    if (a_channels <= 0 || b_channels <= 0) return 0;
    if (a_channels % tileRows == 0 && b_channels % columns == 0) return 1;
    if (a_channels % columns == 0 && b_channels <= NARROW_CHANNELS) return 2;
    return 0;
}

bool latent_conv_weight_gradient_fits(latent_cpu_level level, long a_channels, long b_channels) {
    return weight_gradient_kernel(level, a_channels, b_channels) != 0;
}

void latent_conv_weight_gradient(latent_cpu_level level, const float *a, long a_channels, const float *b, long samples,
                                 long b_sample_stride, const long *offsets, long positions, long taps, long b_channels,
                                 float *out) {
    if (samples <= 0 || positions <= 0) {
        memset(out, 0, (size_t)(a_channels * taps * b_channels) * sizeof(float));
        return;
    }
    conv_weight_gradient_fn kernel = weight_gradient_kernel(level, a_channels, b_channels) == 1
        ? conv_weight_gradient_for(level) : conv_weight_gradient_narrow_for(level);
    kernel(a, a_channels, b, samples, b_sample_stride, offsets, positions, taps, b_channels, out);
}

typedef void (*conv_gather_dot_fn)(const float *, long, long, const long *, long, long, long, const float *, long,
                                   const float *, float *, long, const long *, const float *);
static conv_gather_dot_fn conv_gather_dot_for(latent_cpu_level level) { DISPATCH(conv_gather_dot) }

void latent_conv_gather_dot(latent_cpu_level level, const float *x, long samples, long sample_stride, const long *offsets,
                            long positions, long taps, long channels, const float *w, long outputs, const float *bias,
                            float *y, long y_sample_stride, const long *y_offsets) {
    if (samples <= 0 || positions <= 0 || outputs <= 0) return;
    float *zeros = calloc((size_t)(channels > 0 ? channels : 1), sizeof(float));
    if (!zeros) abort();  // a few kilobytes: nothing sensible is left to do
    conv_gather_dot_for(level)(x, samples, sample_stride, offsets, positions, taps, channels, w, outputs, bias, y,
                               y_sample_stride, y_offsets, zeros);
    free(zeros);
}

// MARK: - Fused products

long latent_gemm_depth_block(void) { return KC; }

typedef void (*sgemm_fused_fn)(bool, bool, long, long, long, const float *, long, const float *, long, float *, long,
                               const latent_epilogue *);
static sgemm_fused_fn sgemm_fused_for(latent_cpu_level level) { DISPATCH(sgemm_fused) }

void latent_sgemm_fused(latent_cpu_level level, bool transA, bool transB, long M, long N, long K,
                        const float *A, long lda, const float *B, long ldb, float *C, long ldc,
                        const latent_epilogue *epilogue) {
    if (M <= 0 || N <= 0) return;
    sgemm_fused_for(level)(transA, transB, M, N, K, A, lda, B, ldb, C, ldc, epilogue);
}

typedef void (*pullback_sums_fn)(latent_activation, float, const float *, const float *, float *, long, long, long, double *);
static pullback_sums_fn pullback_sums_for(latent_cpu_level level) { DISPATCH(pullback_column_sums) }

void latent_pullback_column_sums(latent_cpu_level level, latent_activation activation, float slope,
                                 const float *y, const float *g, float *delta, long rows, long columns,
                                 long ld, double *sums) {
    if (rows <= 0 || columns <= 0) return;
    pullback_sums_for(level)(activation, slope, y, g, delta, rows, columns, ld, sums);
}

typedef void (*nearest_fn)(const float *, long, long, const float *, const float *, long, float *, long *, float *);
static nearest_fn nearest_for(latent_cpu_level level) { DISPATCH(nearest_scores) }

void latent_nearest_scores(latent_cpu_level level, const float *x, long n, long d, const float *transposed, const float *norms,
                           long padded, float *scratch, long *best, float *product) {
    if (n <= 0 || padded <= 0) return;
    nearest_for(level)(x, n, d, transposed, norms, padded, scratch, best, product);
}
