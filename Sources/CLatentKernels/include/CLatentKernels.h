// CLatentKernels: the hot loops of Latent, written once in C vector extensions and
// compiled per instruction set with function target attributes (no global CPU flags).
#ifndef CLATENTKERNELS_H
#define CLATENTKERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

// MARK: - Fused products: work on each finished tile of C while it is in registers

/// The elementwise functions a fused product applies to its tiles.
typedef enum {
    LATENT_ACTIVATION_LINEAR = 0,      ///< f(x) = x
    LATENT_ACTIVATION_SIGMOID = 1,     ///< f(x) = 1 / (1 + e⁻ˣ), as `latent_sigmoid`
    LATENT_ACTIVATION_RELU = 2,        ///< f(x) = max(x, 0), NaN kept
    LATENT_ACTIVATION_LEAKY_RELU = 3   ///< f(x) = x for x ≥ 0 (and NaN), slope·x otherwise
} latent_activation;

/// What `latent_sgemm_fused` does with C. Either a forward layer's epilogue, C = f(op(A)·op(B) + 1·biasᵀ),
/// or, when `parameters` is set, an optimizer's: G = op(A)·op(B) is the gradient of the M×N
/// parameters and each block of it is spent on one Adam step of each (as `latent_adam_update`)
/// while it is in cache, never written to C (`bias` and `activation` unused).
typedef struct {
    /// N values added to every row of C (before the product's first depth block, as a C of
    /// copied bias rows with beta = 1 would be), or NULL.
    const float *bias;
    latent_activation activation;
    /// The negative-side slope of LATENT_ACTIVATION_LEAKY_RELU.
    float slope;
    /// Adam's parameters θ, first and second moments (M×N, row stride `parameter_stride`), or NULL.
    float *parameters, *first_moment, *second_moment;
    long parameter_stride;
    float beta1, beta2, step_size, epsilon_hat, decay;
} latent_epilogue;

/// Depth (K) of one block of the blocked product: a fused Adam product deeper than this keeps
/// partial sums in C between blocks.
long latent_gemm_depth_block(void);

/// C = op(A)·op(B) with `epilogue` applied to each micro-tile as its last depth block finishes,
/// single-threaded: the same blocked product as `latent_sgemm` (alpha = 1, beta = 0), so every
/// value equals the unfused composition's bit for bit. With Adam, C is read and written only
/// when K > `latent_gemm_depth_block()` (it may be NULL otherwise).
void latent_sgemm_fused(latent_cpu_level level, bool transA, bool transB, long M, long N, long K,
                        const float *A, long lda, const float *B, long ldb, float *C, long ldc,
                        const latent_epilogue *epilogue);

/// The nearest of k centres to each of n rows (d ≤ `latent_gemm_depth_block()` features):
/// best[i] = the j of least norms[j] − 2·(xᵢ·c_j) (the lowest on a tie) and product[i] = xᵢ·c_best,
/// equal bit for bit to `latent_sgemm` of the rows against the centres followed by a scan of
/// each row. `transposed`: the centres as columns, d × padded with padded = k rounded up to
/// `latent_gemm_tile`'s columns / 2 (zeros beyond k); `norms`: padded values (+∞ beyond k);
/// `scratch`: 2 × padded floats.
void latent_nearest_scores(latent_cpu_level level, const float *x, long n, long d, const float *transposed, const float *norms,
                           long padded, float *scratch, long *best, float *product);

/// δ = g·f′ given y = f(x) over a rows × columns block (rows `ld` apart), and sums[j] += Σᵢ δᵢⱼ
/// in double, rows in order: a dense layer's pullback and its bias gradient in one pass. With
/// LATENT_ACTIVATION_LINEAR, δ is g and `y` and `delta` are not touched (they may be NULL).
void latent_pullback_column_sums(latent_cpu_level level, latent_activation activation, float slope,
                                 const float *y, const float *g, float *delta, long rows, long columns,
                                 long ld, double *sums);

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

// MARK: - Log-sum-exp (Sinkhorn's iterations)

/// y = exp(x) for x ≤ 0 (positive x read as 0), exactly 0 below −87 (no subnormals); relative
/// error below 2e-7. The exponential every kernel below uses, exposed for its floor's measurement.
void latent_exp_nonpositive(latent_cpu_level level, const float *x, float *y, long n);

/// For each row i < rows of C (row-major, leading dimension ld): lse[i] = log Σⱼ exp(tⱼ − s·Cᵢⱼ)
/// over j < columns (−∞ when every term underflows), in one pass over C (an online log-sum-exp
/// over chunks that stay in L1). Exponents are formed in double and exponentiated in float, so
/// each term keeps Float32's relative precision however large tⱼ and s·Cᵢⱼ are. When `mean` is
/// not NULL, mean[i] = Σⱼ wᵢⱼCᵢⱼ with the row's softmax weights wᵢⱼ = exp(tⱼ − s·Cᵢⱼ − lse[i]).
/// Rows are independent: callers split them.
void latent_logsumexp_rows(latent_cpu_level level, const float *cost, long rows, long columns, long ld,
                           const double *terms, double scale, double *lse, double *mean);

/// For each column j < columns of C (row-major, leading dimension ld; pass C + j0 for a stripe
/// starting at column j0): lse[j] = log Σᵢ exp(tᵢ − s·Cᵢⱼ) over i < rows, in one pass over C
/// swept down the rows. Columns are independent: callers split them.
void latent_logsumexp_columns(latent_cpu_level level, const float *cost, long rows, long columns, long ld,
                              const double *terms, double scale, double *lse);

/// plan[i·columns + j] = exp(rᵢ + tⱼ − s·Cᵢⱼ) for i < rows (exponents in double, at most 88).
void latent_sinkhorn_plan(latent_cpu_level level, const float *cost, long rows, long columns, long ld,
                          const double *row_terms, const double *column_terms, double scale, float *plan);

/// out[i] = Σⱼ Kᵢⱼwⱼ for i < rows (K row-major, leading dimension ld): one pass over K, float
/// products summed in float within chunks of 1 024 and in double across them.
void latent_gemv_rows(latent_cpu_level level, const float *kernel, long rows, long columns, long ld, const float *w, double *out);

/// out[j] = Σᵢ wᵢKᵢⱼ for j < columns (pass K + j0 for a stripe from column j0), swept down the
/// rows: float sums over blocks of 16 rows added into double.
void latent_gemv_columns(latent_cpu_level level, const float *kernel, long rows, long columns, long ld, const float *w, double *out);

// MARK: - Scattered pairs (nearest-neighbour search)

/// out[p] = ‖x[first[p]] − x[second[p]]‖² for p < count, rows of d floats (row-major).
void latent_pair_squared_distances(latent_cpu_level level, const float *x, long d, const int *first, const int *second, long count, float *out);

/// out[p] = x[rows[p]] · v for p < count, rows of d floats.
void latent_rows_dot(latent_cpu_level level, const float *x, long d, const int *rows, long count, const float *v, float *out);

/// out[i] = ‖x_i‖² for the n rows of x, summed as `latent_listed_distances` sums its products.
void latent_squared_norms(latent_cpu_level level, const float *x, long d, long n, float *out);

/// out[a·count + b] = ‖x[rows[a]] − x[rows[b]]‖² = nₐ + n_b − 2xₐ·x_b, clamped at 0, for
/// a < b < count (the upper triangle of a count × count matrix; the rest is not written), with
/// n the norms from `latent_squared_norms` (a duplicate row is then at distance exactly 0).
void latent_listed_distances(latent_cpu_level level, const float *x, long d, const int *rows, long count, const float *norms, float *out);

// MARK: - Neighbour embeddings (t-SNE)

/// For rows i in [begin, end) of the sparse affinities (CSR: row_start, columns, values):
/// forces[i] = scale · Σⱼ pᵢⱼ wᵢⱼ^(1/α) (yᵢ − y_ref,ⱼ), w = (1 + ‖yᵢ − y_ref,ⱼ‖²/α)^(−α), in
/// d ≤ 8 dimensions; with log_kernel_sum, also Σ pᵢⱼ log wᵢⱼ over those rows.
void latent_tsne_attraction(const long *row_start, const int *columns, const float *values, long begin, long end,
                            const double *y, const double *reference, long d, double dof, double scale,
                            double *forces, double *log_kernel_sum);

/// For points i in [begin, end): kernel_sums[i] = Σⱼ wᵢⱼ and forces[i] = Σⱼ wᵢⱼ^(1+1/α) (yᵢ − refⱼ)
/// over the m reference points (j ≠ i when skip_self).
void latent_tsne_exact_repulsion(const double *y, long n, const double *reference, long m, long d, double dof, int skip_self,
                                 long begin, long end, double *forces, double *kernel_sums);

/// Adds the 2-D points order[begin..<end] to the grid's nodes by Lagrange interpolation: p × p
/// nodes per box of `width`, boxes × boxes boxes from `low`; charge 1 into `ones` and, when
/// `first` is given, the coordinates into `first` and `second` (grids of leading dimension ld).
void latent_interpolation_spread(const double *y, const int *order, long begin, long end, double low, double width, long boxes, long p,
                                 float *ones, float *first, float *second, long ld);

/// out[i·count + f] = field f interpolated at the 2-D point i, for i in [begin, end).
void latent_interpolation_gather(const double *y, long begin, long end, double low, double width, long boxes, long p,
                                 const float *const *fields, long count, long ld, double *out);

/// The smallest size 2ᵃ3ᵇ at or above `minimum`: the sizes `latent_fft_columns` transforms.
long latent_fft_good_size(long minimum);

/// cos and sin of −2πj/size for j < size.
void latent_fft_twiddles(long size, float *cosines, float *sines);

/// The discrete Fourier transform of length `size` down each of `width` columns from
/// `first_column` of a size × ld split-complex matrix (re, im), in place; the inverse (without
/// the 1/size) when `inverse`.
void latent_fft_columns(float *re, float *im, long size, long ld, long first_column, long width, int inverse,
                        const float *cosines, const float *sines);

/// out[c·ld_out + r] = in[r·ld_in + c] for rows [row_begin, row_end) and c < columns.
void latent_transpose_block(const float *in, long ld_in, float *out, long ld_out, long row_begin, long row_end, long columns);

/// One epoch of UMAP's layout optimisation for the heads i = order[p] (or p when order is NULL),
/// p in [begin, end), of the graph's rows, head i's code at y[p]: each edge e due
/// (next_sample[e] ≤ epoch) pulls it towards its tail (scaled by attraction_scale), then
/// ⌊(epoch − next_negative[e]) / (epochs_per_sample[e]/negative_rate)⌋ negative samples, drawn
/// from other_count rows by a stream seeded by (seed, epoch, and row_seeds[i] or else i), push it
/// away (a sample of i itself skipped when self_indexed), read from others. A tail k whose
/// position_of[k] lies in [begin, end) is read from y as it moves, any other from others[k]; steps scaled by
/// alpha, gradient coordinates clipped to [−4, 4]. Advances next_sample and next_negative.
void latent_umap_epoch(const long *row_start, const int *columns, const double *epochs_per_sample, double *next_sample,
                       double *next_negative, const int *order, const int *position_of, long begin, long end, float *y,
                       const float *others, long other_count, int self_indexed, long d, double a_, double b_, double gamma_, double alpha_,
                       double attraction_scale, double negative_rate, long epoch, uint64_t seed, const uint64_t *row_seeds);

/// Advances the schedules of `count` edges through `epoch` as latent_umap_epoch would, moving
/// nothing: how a resumed optimisation recovers them.
void latent_umap_schedule(const double *epochs_per_sample, double *next_sample, double *next_negative, long count, double negative_rate,
                          long epoch);

/// im2col for NHWC images: for each of `samples` images (height × width × channels, at x) and
/// each output position (oy, ox) of the out_height × out_width grid, one row of cols holding the
/// receptive field (ky, kx, c) for ky, kx < kernel, c < channels: the pixel
/// (oy·stride − pad + ky, ox·stride − pad + kx), zero outside the image. cols is
/// (samples·out_height·out_width) × (kernel·kernel·channels).
void latent_im2col_nhwc(const float *x, long samples, long height, long width, long channels, long kernel, long stride,
                        long pad, long out_height, long out_width, float *cols);

/// The adjoint of latent_im2col_nhwc: adds every row of cols onto the pixels it was taken from
/// (x += col2im(cols)); taps outside the image are dropped. Sums run in a fixed order per sample.
void latent_col2im_nhwc(const float *cols, long samples, long height, long width, long channels, long kernel, long stride,
                        long pad, long out_height, long out_width, float *x);

/// Floats of the packed weights of latent_conv_indirect for `depth` × `outputs` weights.
long latent_conv_packed_count(latent_cpu_level level, long outputs, long depth);

/// Packs the depth × outputs operand B of latent_conv_indirect, B[k][o] = w[o·output_stride +
/// row_offsets[k]], in panels of the level's GEMM tile width, zero-padded (latent_conv_packed_count
/// floats). A convolution weight W (outputs × depth, row-major) is output_stride = depth,
/// row_offsets[k] = k.
void latent_conv_pack_weights(latent_cpu_level level, const float *w, long outputs, long depth, long output_stride,
                              const long *row_offsets, float *packed);

/// The indirect convolution: for sample s and output position q, the row of `outputs` values at
/// y + s·y_sample_stride + y_offsets[q] (y_offsets NULL: row s·positions + q of a contiguous
/// matrix) = bias + Σ_t Σ_c x_s[offsets[q·taps + t] + c] · B[t·channels + c][o], where
/// x_s = x + s·sample_stride and a negative offset reads zeros (padding); B comes packed
/// (latent_conv_pack_weights); `bias` (outputs values) may be NULL. Every output sums its
/// taps·channels products in order (t, then c), one fused multiply-add each on the levels that
/// have them: the same bits however the rows are split between calls.
void latent_conv_indirect(latent_cpu_level level, const float *x, long samples, long sample_stride, const long *offsets,
                          long positions, long taps, long channels, const float *packed, long outputs, const float *bias,
                          float *y, long y_sample_stride, const long *y_offsets);

/// Whether latent_conv_weight_gradient takes these channel counts at `level`: a_channels a
/// multiple of two thirds of the GEMM tile's rows and b_channels of its columns, or a_channels a
/// multiple of its columns and b_channels at most 4 (an image of few channels).
bool latent_conv_weight_gradient_fits(latent_cpu_level level, long a_channels, long b_channels);

/// A convolution's weight gradient without its column matrix, in the weight's own layout:
/// out[i][t][j] (a_channels × taps × b_channels, overwritten) = Σ_p a_p[i]·b_{p,t}[j] over the rows
/// p = s·positions + q of `samples` samples, a_p = row p of a (rows of a_channels floats,
/// contiguous), b_{p,t} = the b_channels floats at b + s·b_sample_stride + offsets[q·taps + t]
/// (negative: padding, skipped). Convolution: a = δ, b = the image (C′ × k × k × C); transposed
/// convolution: a = its input grid, b = δ on its image (C × k × k × C′). Sums run in row order.
/// Channel counts as latent_conv_weight_gradient_fits says.
void latent_conv_weight_gradient(latent_cpu_level level, const float *a, long a_channels, const float *b, long samples,
                                 long b_sample_stride, const long *offsets, long positions, long taps, long b_channels,
                                 float *out);

/// The convolution of latent_conv_indirect for few outputs, one dot product per output value
/// vectorised along the channels (no panel of mostly unused columns): `w` holds the weights as
/// outputs × taps × channels, unpacked; other arguments as latent_conv_indirect's.
void latent_conv_gather_dot(latent_cpu_level level, const float *x, long samples, long sample_stride, const long *offsets,
                            long positions, long taps, long channels, const float *w, long outputs, const float *bias,
                            float *y, long y_sample_stride, const long *y_offsets);

/// Nearest-neighbour upsampling by an integer factor: y (samples × height·factor ×
/// width·factor × channels) repeats each pixel of x in a factor × factor block.
void latent_upsample_nearest_nhwc(const float *x, long samples, long height, long width, long channels, long factor, float *y);

/// The adjoint of latent_upsample_nearest_nhwc: x (overwritten) sums each factor × factor block of g.
void latent_upsample_nearest_adjoint_nhwc(const float *g, long samples, long height, long width, long channels, long factor, float *x);

/// sums[c] += Σ_r x[r·columns + c]: float sums over blocks of 64 rows (rows taken in turn by four
/// partial sums, added pairwise), each block added to the double
/// total in row order.
void latent_add_column_sums(const float *x, long rows, long columns, double *sums);

/// y[s·y_sample_stride + pixel·channels + c] = bias[c] + Σ_t z[s·z_sample_stride + offsets[pixel·taps + t] + c]
/// over the taps with a non-negative offset, in tap order (bias NULL: zero): a transposed
/// convolution's col2im as a gather, each image pixel adding the tap products that reach it.
void latent_gather_add(const float *z, long samples, long z_sample_stride, const long *offsets, long pixels, long taps,
                       long channels, const float *bias, float *y, long y_sample_stride);

/// out = g where y > 0, else 0: the rectifier's pullback given its output y.
void latent_relu_backward(const float *y, const float *g, float *out, long n);

/// y = max(y, 0) in place; NaN stays NaN (so that divergence is still seen).
void latent_relu(float *y, long n);

#ifdef __cplusplus
}
#endif
#endif
