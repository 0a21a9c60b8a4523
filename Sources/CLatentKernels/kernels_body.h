// The kernels, written once and included by gemm.c once per instruction set with
// SUFFIX (function-name suffix), VL (floats per vector), MR (rows per micro-tile) and
// MADD(a, b, c) = a·b + c defined. The including file wraps this text in a
// `#pragma clang attribute` that gives every function here its target attribute.
//
// Algorithm: Goto & van de Geijn, "Anatomy of High-Performance Matrix Multiplication"
// (ACM TOMS 2008), in the BLIS loop order: NC columns of B → KC depth → MC rows of A →
// NR × MR micro-tiles whose MR·2 accumulator vectors stay in registers.

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(name, SUFFIX)
#define NR (2 * VL)

typedef float FN(vf) __attribute__((vector_size(VL * sizeof(float))));
#define VF FN(vf)

static inline VF FN(load)(const float *p) { VF v; memcpy(&v, p, sizeof v); return v; }
static inline void FN(store)(float *p, VF v) { memcpy(p, &v, sizeof v); }
typedef float FN(v4) __attribute__((vector_size(4 * sizeof(float))));
static inline FN(v4) FN(load4)(const float *p) { FN(v4) v; memcpy(&v, p, sizeof v); return v; }
static inline void FN(store4)(float *p, FN(v4) v) { memcpy(p, &v, sizeof v); }

/// dst[k·stride + i] = src[i·ld + k] for i, k < 4: a 4 × 4 block transposed in registers.
static inline __attribute__((always_inline)) void FN(transpose4)(const float *src, long ld, float *dst, long stride) {
    FN(v4) r0 = FN(load4)(src), r1 = FN(load4)(src + ld), r2 = FN(load4)(src + 2 * ld), r3 = FN(load4)(src + 3 * ld);
    FN(v4) t0 = __builtin_shufflevector(r0, r1, 0, 4, 1, 5), t1 = __builtin_shufflevector(r0, r1, 2, 6, 3, 7);
    FN(v4) t2 = __builtin_shufflevector(r2, r3, 0, 4, 1, 5), t3 = __builtin_shufflevector(r2, r3, 2, 6, 3, 7);
    FN(store4)(dst, __builtin_shufflevector(t0, t2, 0, 1, 4, 5));
    FN(store4)(dst + stride, __builtin_shufflevector(t0, t2, 2, 3, 6, 7));
    FN(store4)(dst + 2 * stride, __builtin_shufflevector(t1, t3, 0, 1, 4, 5));
    FN(store4)(dst + 3 * stride, __builtin_shufflevector(t1, t3, 2, 3, 6, 7));
}

#if VL >= 8
typedef float FN(v8) __attribute__((vector_size(8 * sizeof(float))));
static inline FN(v8) FN(load8)(const float *p) { FN(v8) v; memcpy(&v, p, sizeof v); return v; }
static inline void FN(store8)(float *p, FN(v8) v) { memcpy(p, &v, sizeof v); }

/// dst[k·stride + i] = src[i·ld + k] for i, k < 8: an 8 × 8 block transposed in registers
/// (pairs of 32-bit lanes, then 64-bit pairs, then 128-bit halves).
static inline __attribute__((always_inline)) void FN(transpose8)(const float *src, long ld, float *dst, long stride) {
    FN(v8) r[8], t[8], u[8];
    for (int i = 0; i < 8; i++) r[i] = FN(load8)(src + i * ld);
    for (int i = 0; i < 8; i += 2) {
        t[i] = __builtin_shufflevector(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
        t[i + 1] = __builtin_shufflevector(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
    }
    for (int i = 0; i < 8; i += 4) {
        u[i] = __builtin_shufflevector(t[i], t[i + 2], 0, 1, 8, 9, 4, 5, 12, 13);
        u[i + 1] = __builtin_shufflevector(t[i], t[i + 2], 2, 3, 10, 11, 6, 7, 14, 15);
        u[i + 2] = __builtin_shufflevector(t[i + 1], t[i + 3], 0, 1, 8, 9, 4, 5, 12, 13);
        u[i + 3] = __builtin_shufflevector(t[i + 1], t[i + 3], 2, 3, 10, 11, 6, 7, 14, 15);
    }
    for (int k = 0; k < 4; k++) {
        FN(store8)(dst + k * stride, __builtin_shufflevector(u[k], u[k + 4], 0, 1, 2, 3, 8, 9, 10, 11));
        FN(store8)(dst + (k + 4) * stride, __builtin_shufflevector(u[k], u[k + 4], 4, 5, 6, 7, 12, 13, 14, 15));
    }
}
#endif
static inline VF FN(splat)(float x) {
    VF v;
    for (int i = 0; i < VL; i++) v[i] = x;  // one broadcast instruction; 0 + x would not fold (−0)
    return v;
}

/// What a fused product's epilogue needs for one micro-tile (fused_body.h).
typedef struct {
    const latent_epilogue *e;
    const float *bias;   // at the tile's first column, or NULL
    bool first, last;    // whether this is the product's first / last depth block
} FN(fusion);

static inline __attribute__((always_inline)) void FN(micro_fused)(VF acc[MR][2], float *restrict C, long ldc, long mr, long nr,
                                                                   const FN(fusion) *f);

/// panel[k·width + i] = src[i·ld + k] for i < count, k < kc: `count` rows of a matrix written
/// down a panel `width` values wide, in 8 × 8 blocks (where vectors hold 8) and 4 × 4 blocks
/// transposed in registers, so that each store writes consecutive values of a panel row (value by
/// value, compilers emit scatters, slow on AMD).
static void FN(transpose_rows)(const float *src, long ld, long count, long kc, float *restrict panel, long width) {
    long i = 0;
#if VL >= 8
    for (; i + 8 <= count; i += 8) {
        long k = 0;
        for (; k + 8 <= kc; k += 8) FN(transpose8)(src + i * ld + k, ld, panel + k * width + i, width);
        for (; k < kc; k++)
            for (long r = i; r < i + 8; r++) panel[k * width + r] = src[r * ld + k];
    }
#endif
    for (; i + 4 <= count; i += 4) {
        long k = 0;
        for (; k + 4 <= kc; k += 4) FN(transpose4)(src + i * ld + k, ld, panel + k * width + i, width);
        for (; k < kc; k++)
            for (long r = i; r < i + 4; r++) panel[k * width + r] = src[r * ld + k];
    }
    for (; i < count; i++) {
        _Pragma("clang loop vectorize(disable)")
        for (long k = 0; k < kc; k++) panel[k * width + i] = src[i * ld + k];
    }
}

/// Packs rows [i0, i0+mc) × depth [p0, p0+kc) of A into MR-row panels, zero-padded: each
/// row of A is read contiguously and written down its panel with stride MR.
static void FN(pack_a)(const float *A, long lda, long i0, long mc, long p0, long kc, float *restrict out) {
    for (long ir = 0; ir < mc; ir += MR) {
        long rows = mc - ir < MR ? mc - ir : MR;
        float *panel = out + ir * kc;
        FN(transpose_rows)(A + (i0 + ir) * lda + p0, lda, rows, kc, panel, MR);
        for (long r = rows; r < MR; r++) {
            _Pragma("clang loop vectorize(disable)")
            for (long k = 0; k < kc; k++) panel[k * MR + r] = 0;
        }
    }
}

/// Packs op(A) = Aᵀ for rows [i0, i0+mc) × depth [p0, p0+kc): each row p of A is read once,
/// contiguously, and its values scattered to every panel (the strided alternative reads MR
/// values per row and jumps a whole row ahead).
static void FN(pack_a_transposed)(const float *A, long lda, long i0, long mc, long p0, long kc, float *restrict out) {
    long full = mc / MR * MR;
    for (long k = 0; k < kc; k++) {
        const float *src = A + (p0 + k) * lda + i0;
        for (long ir = 0; ir < full; ir += MR) {
            float *dst = out + ir * kc + k * MR;
            for (int r = 0; r < MR; r++) dst[r] = src[ir + r];
        }
        if (full < mc) {
            float *dst = out + full * kc + k * MR;
            for (long r = 0; r < MR; r++) dst[r] = full + r < mc ? src[full + r] : 0;
        }
    }
}

/// Packs depth [p0, p0+kc) × columns [j0, j0+nc) of op(B) into NR-column panels, zero-padded.
static void FN(pack_b)(bool trans, const float *B, long ldb, long p0, long kc, long j0, long nc,
                       float *restrict out) {
    for (long jr = 0; jr < nc; jr += NR) {
        long cols = nc - jr < NR ? nc - jr : NR;
        float *panel = out + jr * kc;
        if (trans) {
            // Row j of B holds column j of op(B).
            FN(transpose_rows)(B + (j0 + jr) * ldb + p0, ldb, cols, kc, panel, NR);
            for (long c = cols; c < NR; c++)
                for (long k = 0; k < kc; k++) panel[k * NR + c] = 0;
        } else {
            if (cols == NR) {
                for (long k = 0; k < kc; k++) memcpy(panel + k * NR, B + (p0 + k) * ldb + j0 + jr, NR * sizeof(float));
            } else {
                // An edge panel: zero it whole once, not its padding row by row (a memset call each).
                memset(panel, 0, (size_t)(kc * NR) * sizeof(float));
                for (long k = 0; k < kc; k++) {
                    const float *src = B + (p0 + k) * ldb + j0 + jr;
                    for (long c = 0; c < cols; c++) panel[k * NR + c] = src[c];
                }
            }
        }
    }
}

/// C[0..<mr, 0..<nr] = alpha·(a·b) + beta·C for one micro-tile; beta == 0 never reads C.
/// With `fused`, the epilogue of a fused product finishes the tile instead (alpha and beta unused).
static void FN(micro)(long kc, const float *restrict a, const float *restrict b,
                      float *restrict C, long ldc, float alpha, float beta, long mr, long nr,
                      const FN(fusion) *fused) {
    VF acc[MR][2];
    for (int r = 0; r < MR; r++) {
        acc[r][0] = (VF){};
        acc[r][1] = (VF){};
    }
    // The tile of C is needed after the loop: start fetching it now.
    if (C) {
        for (int r = 0; r < MR; r++) {
            __builtin_prefetch(C + r * ldc, 1);
            __builtin_prefetch(C + r * ldc + NR - 1, 1);
        }
    }
    _Pragma("clang loop unroll_count(4)")
    for (long k = 0; k < kc; k++) {
        VF b0 = FN(load)(b + k * NR), b1 = FN(load)(b + k * NR + VL);
        _Pragma("clang loop unroll(full)")
        for (int r = 0; r < MR; r++) {
            VF ar = FN(splat)(a[k * MR + r]);
            acc[r][0] = MADD(ar, b0, acc[r][0]);
            acc[r][1] = MADD(ar, b1, acc[r][1]);
        }
    }
    if (fused) {
        FN(micro_fused)(acc, C, ldc, mr, nr, fused);
        return;
    }
    VF va = FN(splat)(alpha), vb = FN(splat)(beta);
    if (mr == MR && nr == NR) {
        for (int r = 0; r < MR; r++) {
            float *row = C + r * ldc;
            if (beta == 0) {
                FN(store)(row, va * acc[r][0]);
                FN(store)(row + VL, va * acc[r][1]);
            } else {
                FN(store)(row, va * acc[r][0] + vb * FN(load)(row));
                FN(store)(row + VL, va * acc[r][1] + vb * FN(load)(row + VL));
            }
        }
        return;
    }
    float tile[MR * NR];
    for (int r = 0; r < MR; r++) {
        FN(store)(tile + r * NR, va * acc[r][0]);
        FN(store)(tile + r * NR + VL, va * acc[r][1]);
    }
    for (long r = 0; r < mr; r++)
        for (long c = 0; c < nr; c++) {
            float *out = C + r * ldc + c;
            *out = beta == 0 ? tile[r * NR + c] : tile[r * NR + c] + beta * *out;
        }
}

static void FN(adam)(float *restrict w, const float *restrict g, float *restrict m, float *restrict v,
                     long n, float beta1, float beta2, float step, float eps, float decay);

/// The blocked product behind sgemm, ssyrk and the fused products. With `upper`, C is square
/// with its diagonal at C[i][i] and micro-tiles lying wholly below that diagonal are neither
/// packed nor computed. With `epilogue`, each tile is finished by it (fused_body.h).
static void FN(gemm_blocked)(bool transA, bool transB, long M, long N, long K, float alpha,
                             const float *A, long lda, const float *B, long ldb,
                             float beta, float *C, long ldc, bool upper, const latent_epilogue *epilogue) {
    long kcMax = K < KC ? K : KC;
    long ncMax = ((N < NC ? N : NC) + NR - 1) / NR * NR;
    long mcMax = ((M < MC ? M : MC) + MR - 1) / MR * MR;
    // A fused Adam product without a C of its own (one depth block) keeps each MC × NC block of
    // the gradient in the workspace, in cache, until its rows' updates have spent it.
    const bool adam = epilogue && epilogue->parameters;
    const bool scratch = adam && !C;
    float *packedB = latent_workspace((size_t)(kcMax * ncMax + kcMax * mcMax + (scratch ? mcMax * ncMax : 0)));
    float *packedA = packedB + kcMax * ncMax;
    float *gradient = scratch ? packedA + kcMax * mcMax : NULL;
    for (long jc = 0; jc < N; jc += NC) {
        long nc = N - jc < NC ? N - jc : NC;
        for (long pc = 0; pc < K; pc += KC) {
            long kc = K - pc < KC ? K - pc : KC;
            // Later depth blocks add onto what the first one wrote.
            float betaBlock = pc == 0 ? beta : 1.0f;
            FN(pack_b)(transB, B, ldb, pc, kc, jc, nc, packedB);
            for (long ic = 0; ic < M; ic += MC) {
                long mc = M - ic < MC ? M - ic : MC;
                if (upper && ic > jc + nc - 1) break;
                if (transA) FN(pack_a_transposed)(A, lda, ic, mc, pc, kc, packedA);
                else FN(pack_a)(A, lda, ic, mc, pc, kc, packedA);
                // Where this block's tiles go: C, or the workspace (rows ncMax apart).
                float *block = scratch ? gradient : C + ic * ldc + jc;
                const long ldb_ = scratch ? ncMax : ldc;
                for (long jr = 0; jr < nc; jr += NR) {
                    long nr = nc - jr < NR ? nc - jr : NR;
                    for (long ir = 0; ir < mc; ir += MR) {
                        long mr = mc - ir < MR ? mc - ir : MR;
                        if (upper && ic + ir > jc + jr + nr - 1) break;
                        FN(fusion) fusion, *fused = NULL;
                        if (epilogue) {
                            fusion = (FN(fusion)){.e = epilogue, .first = pc == 0, .last = pc + kc >= K,
                                                  .bias = epilogue->bias ? epilogue->bias + jc + jr : NULL};
                            fused = &fusion;
                        }
                        FN(micro)(kc, packedA + ir * kc, packedB + jr * kc, block + ir * ldb_ + jr, ldb_,
                                  alpha, betaBlock, mr, nr, fused);
                    }
                }
                if (adam && pc + kc >= K) {
                    // The block's gradient is final: spend it on its parameters, row by row
                    // (contiguous runs that the hardware prefetchers follow).
                    const latent_epilogue *e = epilogue;
                    for (long r = 0; r < mc; r++) {
                        const long at = (ic + r) * e->parameter_stride + jc;
                        FN(adam)(e->parameters + at, block + r * ldb_, e->first_moment + at, e->second_moment + at, nc,
                                 e->beta1, e->beta2, e->step_size, e->epsilon_hat, e->decay);
                    }
                }
            }
        }
    }
}

static void FN(sgemm)(bool transA, bool transB, long M, long N, long K, float alpha,
                      const float *A, long lda, const float *B, long ldb,
                      float beta, float *C, long ldc) {
    FN(gemm_blocked)(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, false, NULL);
}

/// The upper triangle of C = alpha·AᵀA + beta·C for A: K×N (tiles crossing the diagonal are
/// written whole; entries below it are left undefined).
static void FN(ssyrk_upper)(long N, long K, float alpha, const float *A, long lda,
                            float beta, float *C, long ldc) {
    FN(gemm_blocked)(true, false, N, N, K, alpha, A, lda, A, lda, beta, C, ldc, true, NULL);
}

/// exp(x) for x in [−87, 88] from a degree-6 polynomial on the reduced argument (range reduction
/// x = n·ln2 + r, |r| ≤ ln2/2), relative error below 2e-7. Callers clamp x.
static inline VF FN(exp_core)(VF t) {
    typedef int FN(vi) __attribute__((vector_size(VL * sizeof(int))));
    VF nf = __builtin_elementwise_floor(t * 1.44269504088896341f + 0.5f);  // round(x / ln 2)
    VF r = MADD(nf, FN(splat)(-0.693145751953125f), t);
    r = MADD(nf, FN(splat)(-1.428606765330187045e-06f), r);
    VF p = FN(splat)(1.9875691500e-4f);
    p = MADD(p, r, FN(splat)(1.3981999507e-3f));
    p = MADD(p, r, FN(splat)(8.3334519073e-3f));
    p = MADD(p, r, FN(splat)(4.1665795894e-2f));
    p = MADD(p, r, FN(splat)(1.6666665459e-1f));
    p = MADD(p, r, FN(splat)(5.0000001201e-1f));
    p = MADD(p * r, r, r) + 1.0f;
    FN(vi) bits = (__builtin_convertvector(nf, FN(vi)) + 127) << 23;
    VF scale; memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/// exp(−|x|), relative error below 2e-7; exp(−87) (still a normal float) beyond |x| = 87.
static inline VF FN(exp_negative_abs)(VF v) {
    return FN(exp_core)(__builtin_elementwise_max(-__builtin_elementwise_abs(v), FN(splat)(-87.0f)));
}

/// σ(x) from e = exp(−|x|): 1/(1 + e) for x ≥ 0, e/(1 + e) otherwise.
static inline VF FN(sigmoid_from)(VF v, VF e) {
    typedef int FN(vi) __attribute__((vector_size(VL * sizeof(int))));
    VF s = 1.0f / (1.0f + e);              // σ(|x|)
    VF flipped = e * s;                    // σ(-|x|) = e / (1 + e)
    FN(vi) negative = v < 0, si, fi;
    memcpy(&si, &s, sizeof si);
    memcpy(&fi, &flipped, sizeof fi);
    FN(vi) chosen = (negative & fi) | (~negative & si);
    VF out; memcpy(&out, &chosen, sizeof out);
    return out;
}

/// y = σ(x); σ(−x) = 1 − σ(x) keeps both tails accurate.
/// The tail, padded to a whole vector, takes the same path, so a value's σ does not depend on
/// where it lies (a fused product's tiles cut a tensor elsewhere than its vectors).
static void FN(sigmoid)(const float *x, float *y, long n) {
    long i = 0;
    for (; i + VL <= n; i += VL) {
        VF v = FN(load)(x + i);
        FN(store)(y + i, FN(sigmoid_from)(v, FN(exp_negative_abs)(v)));
    }
    if (i < n) {
        float tail[VL] = {0};
        memcpy(tail, x + i, (size_t)(n - i) * sizeof(float));
        VF v = FN(load)(tail);
        FN(store)(tail, FN(sigmoid_from)(v, FN(exp_negative_abs)(v)));
        memcpy(y + i, tail, (size_t)(n - i) * sizeof(float));
    }
}

/// Σᵢ max(zᵢ, 0) − zᵢtᵢ + ln(1 + e^{−|zᵢ|}) (binary cross-entropy from logits), and
/// residual[i] = σ(zᵢ) − tᵢ (its derivative) in the same pass. ln(1 + e) for e ∈ (0, 1] as
/// 2·atanh(s) with s = e/(2 + e) ≤ 1/3, seven terms of its odd series (error < 2e-8). Lanes are
/// summed in float over blocks of 64 elements, blocks in double.
static double FN(bce_logits)(const float *z, const float *t, float *residual, long n) {
    double total = 0;
    long i = 0;
    while (i + VL <= n) {
        VF block = {};
        long end = i + 64 * VL <= n ? i + 64 * VL : n;
        for (; i + VL <= end; i += VL) {
            VF v = FN(load)(z + i), target = FN(load)(t + i);
            VF e = FN(exp_negative_abs)(v);
            VF s = e / (e + 2.0f), s2 = s * s;
            VF series = FN(splat)(1.0f / 13);
            series = MADD(series, s2, FN(splat)(1.0f / 11));
            series = MADD(series, s2, FN(splat)(1.0f / 9));
            series = MADD(series, s2, FN(splat)(1.0f / 7));
            series = MADD(series, s2, FN(splat)(1.0f / 5));
            series = MADD(series, s2, FN(splat)(1.0f / 3));
            series = MADD(series, s2, FN(splat)(1.0f));
            VF softplus = 2.0f * s * series;  // ln(1 + e^{−|z|})
            block += __builtin_elementwise_max(v, FN(splat)(0.0f)) - v * target + softplus;
            FN(store)(residual + i, FN(sigmoid_from)(v, e) - target);
        }
        for (int l = 0; l < VL; l++) total += block[l];
    }
    for (; i < n; i++) {
        double zi = z[i];
        total += (zi > 0 ? zi : 0) - zi * t[i] + log1p(exp(-fabs(zi)));
        residual[i] = 1.0f / (1.0f + expf(-z[i])) - t[i];
    }
    return total;
}

/// Adam's constants as vectors (see `adam_lanes`).
typedef struct { VF b1, b2, c1, c2, step, eps, keep; } FN(adam_constants);

static inline FN(adam_constants) FN(adam_make)(float beta1, float beta2, float step, float eps, float decay) {
    return (FN(adam_constants)){FN(splat)(beta1), FN(splat)(beta2), FN(splat)(1 - beta1), FN(splat)(1 - beta2),
                                FN(splat)(step), FN(splat)(eps), FN(splat)(1 - decay)};
}

/// One Adam step on VL parameters from their gradient g: the one arithmetic of both the plain
/// update and the fused product's, so the two agree bit for bit.
static inline __attribute__((always_inline)) void FN(adam_lanes)(VF g, float *w, float *m, float *v, const FN(adam_constants) *k) {
    // Explicit vectors: sqrtf may set errno, which keeps compilers from vectorising the loop.
    VF mi = MADD(k->b1, FN(load)(m), k->c1 * g);
    VF vi = MADD(k->b2, FN(load)(v), k->c2 * g * g);
    FN(store)(m, mi);
    FN(store)(v, vi);
    FN(store)(w, k->keep * FN(load)(w) - k->step * mi / (__builtin_elementwise_sqrt(vi) + k->eps));
}

static void FN(adam)(float *restrict w, const float *restrict g, float *restrict m, float *restrict v,
                     long n, float beta1, float beta2, float step, float eps, float decay) {
    const FN(adam_constants) k = FN(adam_make)(beta1, beta2, step, eps, decay);
    long i = 0;
    for (; i + VL <= n; i += VL) FN(adam_lanes)(FN(load)(g + i), w + i, m + i, v + i, &k);
    if (i < n) {
        // The tail padded to a vector: the same path as every other value.
        float tw[VL] = {0}, tg[VL] = {0}, tm[VL] = {0}, tv[VL] = {0};
        const size_t bytes = (size_t)(n - i) * sizeof(float);
        memcpy(tw, w + i, bytes);
        memcpy(tg, g + i, bytes);
        memcpy(tm, m + i, bytes);
        memcpy(tv, v + i, bytes);
        FN(adam_lanes)(FN(load)(tg), tw, tm, tv, &k);
        memcpy(w + i, tw, bytes);
        memcpy(m + i, tm, bytes);
        memcpy(v + i, tv, bytes);
    }
}

/// out[i·t + j] = ‖x_i − c_j‖² for rows of x (n × d) against t ≤ 16 centres (t × d), reading x
/// once from memory: the distances of k-means++ seeding and of Lloyd iterations with few
/// clusters, where a GEMM would re-pack all of x per pass. Centres go in groups of four with
/// their accumulators in registers (a loop over a run-time count would keep them in memory);
/// the row is re-read from L1 for each group.
static void FN(squared_distances)(const float *x, long n, long d, const float *c, long t, float *out) {
    for (long i = 0; i < n; i++) {
        const float *row = x + i * d;
        long j = 0;
        for (; j + 4 <= t; j += 4) {
            const float *c0 = c + j * d, *c1 = c0 + d, *c2 = c1 + d, *c3 = c2 + d;
            VF a0 = {}, a1 = {}, a2 = {}, a3 = {};
            long k = 0;
            for (; k + VL <= d; k += VL) {
                VF xv = FN(load)(row + k);
                VF e0 = xv - FN(load)(c0 + k), e1 = xv - FN(load)(c1 + k);
                VF e2 = xv - FN(load)(c2 + k), e3 = xv - FN(load)(c3 + k);
                a0 = MADD(e0, e0, a0);
                a1 = MADD(e1, e1, a1);
                a2 = MADD(e2, e2, a2);
                a3 = MADD(e3, e3, a3);
            }
            float total[4] = {0, 0, 0, 0};
            for (int l = 0; l < VL; l++) { total[0] += a0[l]; total[1] += a1[l]; total[2] += a2[l]; total[3] += a3[l]; }
            for (; k < d; k++) {
                float e0 = row[k] - c0[k], e1 = row[k] - c1[k], e2 = row[k] - c2[k], e3 = row[k] - c3[k];
                total[0] += e0 * e0; total[1] += e1 * e1; total[2] += e2 * e2; total[3] += e3 * e3;
            }
            for (int q = 0; q < 4; q++) out[i * t + j + q] = total[q];
        }
        for (; j < t; j++) {
            const float *cj = c + j * d;
            VF a0 = {}, a1 = {};
            long k = 0;
            for (; k + 2 * VL <= d; k += 2 * VL) {
                VF e0 = FN(load)(row + k) - FN(load)(cj + k), e1 = FN(load)(row + k + VL) - FN(load)(cj + k + VL);
                a0 = MADD(e0, e0, a0);
                a1 = MADD(e1, e1, a1);
            }
            VF a = a0 + a1;
            float total = 0;
            for (int l = 0; l < VL; l++) total += a[l];
            for (; k < d; k++) { float e = row[k] - cj[k]; total += e * e; }
            out[i * t + j] = total;
        }
    }
}

// MARK: Double-precision vector kernels of the factorisations (Householder, plane rotations)

typedef double FN(vd) __attribute__((vector_size(VL * sizeof(float))));
#define VD FN(vd)
#define DL (VL / 2)
static inline VD FN(loadd)(const double *p) { VD v; memcpy(&v, p, sizeof v); return v; }
static inline void FN(stored)(double *p, VD v) { memcpy(p, &v, sizeof v); }
static inline VD FN(splatd)(double x) {
    VD v;
    for (int i = 0; i < DL; i++) v[i] = x;
    return v;
}

/// Σ x·y with four vector accumulators, so the sum is not one chain of dependent additions.
static double FN(ddot)(const double *x, const double *y, long n) {
    VD a0 = {}, a1 = {}, a2 = {}, a3 = {};
    long i = 0;
    for (; i + 4 * DL <= n; i += 4 * DL) {
        a0 = MADD(FN(loadd)(x + i), FN(loadd)(y + i), a0);
        a1 = MADD(FN(loadd)(x + i + DL), FN(loadd)(y + i + DL), a1);
        a2 = MADD(FN(loadd)(x + i + 2 * DL), FN(loadd)(y + i + 2 * DL), a2);
        a3 = MADD(FN(loadd)(x + i + 3 * DL), FN(loadd)(y + i + 3 * DL), a3);
    }
    VD a = (a0 + a1) + (a2 + a3);
    double sum = 0;
    for (int l = 0; l < DL; l++) sum += a[l];
    for (; i < n; i++) sum += x[i] * y[i];
    return sum;
}

/// z ← z + a·x + b·y
static void FN(daxpy2)(double a, const double *x, double b, const double *y, double *z, long n) {
    VD va = FN(splatd)(a), vb = FN(splatd)(b);
    long i = 0;
    for (; i + DL <= n; i += DL)
        FN(stored)(z + i, MADD(va, FN(loadd)(x + i), MADD(vb, FN(loadd)(y + i), FN(loadd)(z + i))));
    for (; i < n; i++) z[i] += a * x[i] + b * y[i];
}

/// One row of a fused tridiagonalisation step on the row's part on and right of the diagonal,
/// x[0..n): x ← x + a·w + b·v (the previous step's symmetric rank-2 update), then this row's
/// share of the next product p = B·u with B stored as its upper triangle: p[0] += x·u and
/// p[j] += x[j]·u[0] for j ≥ 1. Reads and writes x once instead of three passes.
static void FN(dsyr2_symv)(double *x, long n, double a, const double *w, double b, const double *v,
                           const double *u, double *p) {
    if (n <= 0) return;
    x[0] += a * w[0] + b * v[0];
    double dot = x[0] * u[0];
    VD va = FN(splatd)(a), vb = FN(splatd)(b), vu = FN(splatd)(u[0]), a0 = {}, a1 = {};
    long i = 1;
    for (; i + 2 * DL <= n; i += 2 * DL) {
        VD x0 = MADD(va, FN(loadd)(w + i), MADD(vb, FN(loadd)(v + i), FN(loadd)(x + i)));
        VD x1 = MADD(va, FN(loadd)(w + i + DL), MADD(vb, FN(loadd)(v + i + DL), FN(loadd)(x + i + DL)));
        FN(stored)(x + i, x0);
        FN(stored)(x + i + DL, x1);
        a0 = MADD(x0, FN(loadd)(u + i), a0);
        a1 = MADD(x1, FN(loadd)(u + i + DL), a1);
        FN(stored)(p + i, MADD(x0, vu, FN(loadd)(p + i)));
        FN(stored)(p + i + DL, MADD(x1, vu, FN(loadd)(p + i + DL)));
    }
    VD total = a0 + a1;
    for (int l = 0; l < DL; l++) dot += total[l];
    for (; i < n; i++) {
        x[i] += a * w[i] + b * v[i];
        dot += x[i] * u[i];
        p[i] += x[i] * u[0];
    }
    p[0] += dot;
}

/// (x, y) ← (c·x − s·y, s·x + c·y)
static void FN(drot)(double *x, double *y, long n, double c, double s) {
    VD vc = FN(splatd)(c), vs = FN(splatd)(s);
    long i = 0;
    for (; i + DL <= n; i += DL) {
        VD xi = FN(loadd)(x + i), yi = FN(loadd)(y + i);
        FN(stored)(x + i, vc * xi - vs * yi);
        FN(stored)(y + i, vs * xi + vc * yi);
    }
    for (; i < n; i++) {
        double xi = x[i], yi = y[i];
        x[i] = c * xi - s * yi;
        y[i] = s * xi + c * yi;
    }
}

/// sums[labels[i]] += x[i] (rows of d floats added into rows of d doubles), counts[labels[i]]++.
static void FN(cluster_sums)(const float *x, long n, long d, const long *labels, double *sums, long *counts) {
    typedef float FN(vh) __attribute__((vector_size(VL * sizeof(float) / 2)));
    for (long i = 0; i < n; i++) {
        const float *row = x + i * d;
        double *target = sums + labels[i] * d;
        counts[labels[i]]++;
        long j = 0;
        for (; j + DL <= d; j += DL) {
            FN(vh) h;
            memcpy(&h, row + j, sizeof h);
            FN(stored)(target + j, FN(loadd)(target + j) + __builtin_convertvector(h, VD));
        }
        for (; j < d; j++) target[j] += row[j];
    }
}

#include "fused_body.h"
#include "nearest_body.h"
#include "sinkhorn_body.h"
#include "pairs_body.h"
#include "indirect_body.h"

#undef DL
#undef VD
#undef VF
#undef NR
#undef FN
