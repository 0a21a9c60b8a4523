// Fused products: the memory-bound passes of a training step done while the product's output is
// still in registers or cache, instead of as passes of their own over the finished matrix.
// Included by kernels_body.h once per instruction set (FN, VF, VL, NR, MR, MADD defined there).
//
// - A dense layer's forward pass, y = f(x·Wᵀ + b): the bias joins each micro-tile's first depth
//   block as a C of bias rows with beta = 1 would, and f is applied as its last block finishes.
// - A weight's gradient and its Adam step, G = δᵀ·x then θ, m, v ← Adam(θ, m, v, G) (Kingma & Ba
//   2015, Algorithm 1): each MC × NC block of G is spent on its parameters as soon as it is
//   final, from the thread's cache-resident workspace, so G never goes to memory and back. (Per
//   micro-tile, θ, m and v would be read as MR-row strips that the prefetchers do not follow:
//   measured slower. Per block, they stream row by row.)
// Each value takes the arithmetic of the unfused kernels (`sigmoid`, `adam`), so the fused and
// unfused compositions agree bit for bit.

typedef int FN(vint) __attribute__((vector_size(VL * sizeof(int))));

/// mask ? a : b, lane by lane (mask lanes all ones or all zeros).
static inline VF FN(select)(FN(vint) mask, VF a, VF b) {
    FN(vint) ia, ib;
    memcpy(&ia, &a, sizeof ia);
    memcpy(&ib, &b, sizeof ib);
    FN(vint) chosen = (mask & ia) | (~mask & ib);
    VF out;
    memcpy(&out, &chosen, sizeof out);
    return out;
}

/// f(v) lane by lane, as the unfused kernels compute it.
static inline VF FN(activate)(VF v, latent_activation f, float slope) {
    switch (f) {
    case LATENT_ACTIVATION_SIGMOID: return FN(sigmoid_from)(v, FN(exp_negative_abs)(v));
    case LATENT_ACTIVATION_RELU: return FN(select)(v < 0, FN(splat)(0), v);
    case LATENT_ACTIVATION_LEAKY_RELU: return FN(select)(v < 0, v * slope, v);
    default: return v;
    }
}

/// `count` ≤ NR values from `source` into a zero-padded row of NR.
static inline void FN(stage)(float *restrict row, const float *restrict source, long count) {
    memset(row, 0, NR * sizeof(float));
    memcpy(row, source, (size_t)count * sizeof(float));
}

/// Finishes a micro-tile of a fused product: acc holds this depth block's sums for rows
/// [0, mr) × columns [0, nr). Partial tiles go through rows staged to a whole NR, so every value
/// takes the vector path.
static inline __attribute__((always_inline)) void FN(micro_fused)(VF acc[MR][2], float *restrict C, long ldc, long mr, long nr,
                                                                   const FN(fusion) *f) {
    const latent_epilogue *e = f->e;
    const bool whole = nr == NR;
    float bias[NR];
    const float *b = f->bias;
    if (f->first && b && !whole) {
        FN(stage)(bias, b, nr);
        b = bias;
    }
    for (long r = 0; r < mr; r++) {
        VF c0 = acc[r][0], c1 = acc[r][1];
        float *row = C ? C + r * ldc : NULL, staged[NR];
        if (!f->first) {
            // The earlier depth blocks' sums, as beta = 1 adds them.
            const float *sums = row;
            if (!whole) {
                FN(stage)(staged, row, nr);
                sums = staged;
            }
            c0 += FN(load)(sums);
            c1 += FN(load)(sums + VL);
        } else if (b) {
            c0 += FN(load)(b);
            c1 += FN(load)(b + VL);
        }
        if (f->last) {
            c0 = FN(activate)(c0, e->activation, e->slope);
            c1 = FN(activate)(c1, e->activation, e->slope);
        }
        if (whole) {
            FN(store)(row, c0);
            FN(store)(row + VL, c1);
        } else {
            FN(store)(staged, c0);
            FN(store)(staged + VL, c1);
            memcpy(row, staged, (size_t)nr * sizeof(float));
        }
    }
}

static void FN(sgemm_fused)(bool transA, bool transB, long M, long N, long K, const float *A, long lda,
                            const float *B, long ldb, float *C, long ldc, const latent_epilogue *e) {
    if (K > 0) {
        FN(gemm_blocked)(transA, transB, M, N, K, 1, A, lda, B, ldb, 0, C, ldc, false, e);
        return;
    }
    // An empty sum: every tile finishes from zeros (a gradient of zeros still steps Adam: its
    // moments decay).
    for (long i = 0; i < M; i++) {
        if (e->parameters) {
            const long at = i * e->parameter_stride;
            for (long j = 0; j < N; j += NR) {
                float zeros[NR] = {0};
                const long n = N - j < NR ? N - j : NR;
                FN(adam)(e->parameters + at + j, zeros, e->first_moment + at + j, e->second_moment + at + j, n,
                         e->beta1, e->beta2, e->step_size, e->epsilon_hat, e->decay);
            }
            continue;
        }
        for (long j = 0; j < N; j += NR) {
            VF acc[MR][2] = {};
            const FN(fusion) fusion = {.e = e, .first = true, .last = true, .bias = e->bias ? e->bias + j : NULL};
            FN(micro_fused)(acc, C + i * ldc + j, ldc, 1, N - j < NR ? N - j : NR, &fusion);
        }
    }
}

/// δ = g·f′ from y = f(x) and Σᵢ δᵢⱼ per column in double, rows in order (the order of
/// `Tensor.sum(alongAxis: 0)`). Products as the unfused pullbacks form them: g·y·(1 − y) left to
/// right, never contracted into a fused multiply-add.
static void FN(pullback_column_sums)(latent_activation f, float slope, const float *y, const float *g, float *delta,
                                     long rows, long columns, long ld, double *sums) {
#pragma clang fp contract(off)
    typedef float FN(vhalf) __attribute__((vector_size(VL * sizeof(float) / 2)));
    for (long i = 0; i < rows; i++) {
        const float *gi = g + i * ld;
        const float *yi = f == LATENT_ACTIVATION_LINEAR ? NULL : y + i * ld;
        float *di = f == LATENT_ACTIVATION_LINEAR ? NULL : delta + i * ld;
        long j = 0;
        for (; j + VL <= columns; j += VL) {
            VF d = FN(load)(gi + j);
            if (f != LATENT_ACTIVATION_LINEAR) {
                const VF yv = FN(load)(yi + j);
                switch (f) {
                case LATENT_ACTIVATION_SIGMOID: d = d * yv * (1.0f - yv); break;
                case LATENT_ACTIVATION_RELU: d = FN(select)(yv > 0, d, FN(splat)(0)); break;
                default: d = FN(select)(yv > 0, d, d * slope); break;
                }
                FN(store)(di + j, d);
            }
            FN(vhalf) low, high;
            memcpy(&low, &d, sizeof low);
            memcpy(&high, (const char *)&d + sizeof low, sizeof high);
            FN(stored)(sums + j, FN(loadd)(sums + j) + __builtin_convertvector(low, VD));
            FN(stored)(sums + j + DL, FN(loadd)(sums + j + DL) + __builtin_convertvector(high, VD));
        }
        for (; j < columns; j++) {
            float d = gi[j];
            switch (f) {
            case LATENT_ACTIVATION_LINEAR: break;
            case LATENT_ACTIVATION_SIGMOID: d = d * yi[j] * (1.0f - yi[j]); break;
            case LATENT_ACTIVATION_RELU: d = yi[j] > 0 ? d : 0; break;
            default: d = yi[j] > 0 ? d : d * slope; break;
            }
            if (di) di[j] = d;
            sums[j] += d;
        }
    }
}
