// Log-sum-exp kernels of Sinkhorn's iterations, included by kernels_body.h once per instruction
// set (VF, VD, VL, DL, MADD and FN come from there).
//
// A half-iteration of log-domain Sinkhorn is, for every row i of an n × m cost matrix C,
// log Σⱼ exp(tⱼ − s·Cᵢⱼ) (and the same down every column). Each entry costs one fused
// multiply-add and one exponential; the matrix is read from memory once: rows go in chunks that
// stay in L1 while the chunk's maximum is found and then its exponentials summed (an online
// log-sum-exp: the running sum is rescaled when a chunk raises the maximum), and columns go in
// stripes swept down the rows in blocks, with a running maximum and sum per column.

/// exp(x) for x ≤ 88 (−∞ included): exactly 0 below −87 (no subnormals), else exp_core,
/// relative error below 2e-7.
static inline VF FN(exp_bounded)(VF x) {
    typedef int FN(vi2) __attribute__((vector_size(VL * sizeof(int))));
    VF e = FN(exp_core)(__builtin_elementwise_max(__builtin_elementwise_min(x, FN(splat)(88.0f)), FN(splat)(-87.0f)));
    FN(vi2) keep = x >= -87.0f, out;
    memcpy(&out, &e, sizeof out);
    out &= keep;
    memcpy(&e, &out, sizeof e);
    return e;
}

/// exp(x) for x ≤ 0, −∞ included: exactly 0 below −87.
static inline VF FN(exp_nonpositive)(VF x) { return FN(exp_bounded)(__builtin_elementwise_min(x, FN(splat)(0))); }

/// tⱼ − s·cⱼ − shift for VL consecutive columns, in double (t and s in double, c in float), then
/// rounded to float: the difference is small where it matters, so it keeps Float32's relative
/// precision however large tⱼ and s·cⱼ are (exponents of thousands at ε ≪ C).
static inline VF FN(exponent)(const float *c, const double *t, double s, double shift);
/// The same for VL consecutive entries of a column-wise sweep: one t and c from VL columns.
static inline VF FN(exponent_splat)(const float *c, double t, double s, const double *shift);

static inline float FN(hmax)(VF v) {
    float m = v[0];
    for (int l = 1; l < VL; l++) m = v[l] > m ? v[l] : m;
    return m;
}

static inline double FN(hsum)(VF v) {
    double s = 0;
    for (int l = 0; l < VL; l++) s += v[l];
    return s;
}


// Halves of a float vector and back, by shuffles (the indices are spelled per width).
#if VL == 16
#define LOWER_INDICES 0, 1, 2, 3, 4, 5, 6, 7
#define UPPER_INDICES 8, 9, 10, 11, 12, 13, 14, 15
#define ALL_INDICES 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
#elif VL == 8
#define LOWER_INDICES 0, 1, 2, 3
#define UPPER_INDICES 4, 5, 6, 7
#define ALL_INDICES 0, 1, 2, 3, 4, 5, 6, 7
#else
#define LOWER_INDICES 0, 1
#define UPPER_INDICES 2, 3
#define ALL_INDICES 0, 1, 2, 3
#endif
typedef float FN(vh) __attribute__((vector_size(VL * sizeof(float) / 2)));
static inline VD FN(lower)(VF v) { return __builtin_convertvector(__builtin_shufflevector(v, v, LOWER_INDICES), VD); }
static inline VD FN(upper)(VF v) { return __builtin_convertvector(__builtin_shufflevector(v, v, UPPER_INDICES), VD); }
static inline VF FN(join)(VD lo, VD hi) {
    return __builtin_shufflevector(__builtin_convertvector(lo, FN(vh)), __builtin_convertvector(hi, FN(vh)), ALL_INDICES);
}

/// y = exp(x) for x ≤ 0 (positive x are read as 0).
static void FN(exp_nonpositive_array)(const float *x, float *y, long n) {
    long i = 0;
    for (; i + VL <= n; i += VL) FN(store)(y + i, FN(exp_nonpositive)(FN(load)(x + i)));
    for (; i < n; i++) y[i] = x[i] < -87.0f ? 0 : expf(x[i] < 0 ? x[i] : 0);
}

static inline VF FN(exponent)(const float *c, const double *t, double s, double shift) {
    VF v = FN(load)(c);
    VD ns = FN(splatd)(-s), sh = FN(splatd)(shift);
    return FN(join)(MADD(FN(lower)(v), ns, FN(loadd)(t)) - sh, MADD(FN(upper)(v), ns, FN(loadd)(t + VL / 2)) - sh);
}

static inline VF FN(exponent_splat)(const float *c, double t, double s, const double *shift) {
    VF v = FN(load)(c);
    VD ns = FN(splatd)(-s), tt = FN(splatd)(t);
    return FN(join)(MADD(FN(lower)(v), ns, tt) - FN(loadd)(shift), MADD(FN(upper)(v), ns, tt) - FN(loadd)(shift + VL / 2));
}

#ifndef LATENT_LSE_SIZES
#define LATENT_LSE_SIZES
// Row chunks and column stripes of 1 KiB floats, blocks of 16 rows: each re-read from L1.
enum { LSE_CHUNK = 1024, LSE_STRIPE = 256, LSE_BLOCK = 16 };
#endif

/// For rows i < rows: lse[i] = log Σⱼ exp(tⱼ − s·Cᵢⱼ) (−∞ when every term is 0), and, when
/// `mean` is not NULL, mean[i] = Σⱼ wᵢⱼCᵢⱼ with wᵢⱼ = exp(tⱼ − s·Cᵢⱼ − lse[i]), the row's
/// softmax average of the cost. A chunk's maximum comes from Float32 exponents (it only shifts
/// the sum: exp takes the small positive excess of a rounded maximum); its exponentials from
/// exponents computed in double. Sums run in float within a chunk and in double across chunks.
static void FN(logsumexp_rows)(const float *cost, long rows, long columns, long ld, const double *terms, double s,
                               double *lse, double *mean) {
    float *approximate = malloc((size_t)(columns > 0 ? columns : 1) * sizeof(float));
    if (!approximate) abort();
    for (long j = 0; j < columns; j++) approximate[j] = (float)terms[j];
    VF ns = FN(splat)((float)-s), zero = FN(splat)(0);
    for (long i = 0; i < rows; i++) {
        const float *c = cost + i * ld;
        double high = -INFINITY, sum = 0, weighted = 0;
        for (long j0 = 0; j0 < columns; j0 += LSE_CHUNK) {
            long j1 = j0 + LSE_CHUNK < columns ? j0 + LSE_CHUNK : columns, j = j0;
            VF mv = FN(splat)(-INFINITY);
            for (; j + VL <= j1; j += VL) mv = __builtin_elementwise_max(mv, MADD(FN(load)(c + j), ns, FN(load)(approximate + j)));
            double chunkHigh = FN(hmax)(mv);
            for (; j < j1; j++) { double t = terms[j] - s * c[j]; chunkHigh = t > chunkHigh ? t : chunkHigh; }
            if (chunkHigh == -INFINITY) continue;
            if (chunkHigh > high) {
                double factor = high == -INFINITY ? 0 : exp(high - chunkHigh);
                sum *= factor;
                weighted *= factor;
                high = chunkHigh;
            }
            VF s0 = zero, s1 = zero, w0 = zero, w1 = zero;
            j = j0;
            for (; j + 2 * VL <= j1; j += 2 * VL) {
                VF e0 = FN(exp_bounded)(FN(exponent)(c + j, terms + j, s, high));
                VF e1 = FN(exp_bounded)(FN(exponent)(c + j + VL, terms + j + VL, s, high));
                s0 += e0;
                s1 += e1;
                if (mean) { w0 = MADD(e0, FN(load)(c + j), w0); w1 = MADD(e1, FN(load)(c + j + VL), w1); }
            }
            for (; j + VL <= j1; j += VL) {
                VF e0 = FN(exp_bounded)(FN(exponent)(c + j, terms + j, s, high));
                s0 += e0;
                if (mean) w0 = MADD(e0, FN(load)(c + j), w0);
            }
            double tailSum = 0, tailWeighted = 0;
            for (; j < j1; j++) {
                double t = terms[j] - s * c[j] - high, e = t < -87 ? 0 : exp(t);
                tailSum += e;
                tailWeighted += e * c[j];
            }
            sum += FN(hsum)(s0 + s1) + tailSum;
            if (mean) weighted += FN(hsum)(w0 + w1) + tailWeighted;
        }
        lse[i] = high == -INFINITY ? -INFINITY : high + log(sum);
        if (mean) mean[i] = high == -INFINITY ? 0 : weighted / sum;
    }
    free(approximate);
}

/// For columns j < columns of a stripe (`cost` points at its first column, rows of `ld`):
/// lse[j] = log Σᵢ exp(tᵢ − s·Cᵢⱼ), −∞ when every term is 0. The rows are swept in blocks of
/// LSE_BLOCK: a block's maximum per column first (Float32 exponents, read from memory), then its
/// exponentials (double exponents, read again from L1), each column's running sum, in double,
/// rescaled once per block. Lanes without mass yet hold −∞ and produce NaN exponents, which
/// exp_bounded maps to 0.
static void FN(logsumexp_columns)(const float *cost, long rows, long columns, long ld, const double *terms, double s, double *lse) {
    VF ns = FN(splat)((float)-s), zero = FN(splat)(0), negativeInfinity = FN(splat)(-INFINITY);
    double high[LSE_STRIPE] __attribute__((aligned(64)));
    double sum[LSE_STRIPE] __attribute__((aligned(64)));
    for (long j0 = 0; j0 < columns; j0 += LSE_STRIPE) {
        long width = columns - j0 < LSE_STRIPE ? columns - j0 : LSE_STRIPE;
        long vectorWidth = width / VL * VL;
        for (long j = 0; j < width; j++) { high[j] = -INFINITY; sum[j] = 0; }
        for (long i0 = 0; i0 < rows; i0 += LSE_BLOCK) {
            long i1 = i0 + LSE_BLOCK < rows ? i0 + LSE_BLOCK : rows;
            for (long j = 0; j < vectorWidth; j += VL) {
                const float *c = cost + j0 + j;
                VF blockHigh = negativeInfinity;
                for (long i = i0; i < i1; i++) blockHigh = __builtin_elementwise_max(blockHigh, MADD(FN(load)(c + i * ld), ns, FN(splat)((float)terms[i])));
                VD oldLo = FN(loadd)(high + j), oldHi = FN(loadd)(high + j + VL / 2);
                VD nextLo = __builtin_elementwise_max(oldLo, FN(lower)(blockHigh));
                VD nextHi = __builtin_elementwise_max(oldHi, FN(upper)(blockHigh));
                FN(stored)(high + j, nextLo);
                FN(stored)(high + j + VL / 2, nextHi);
                VF factor = FN(exp_bounded)(FN(join)(oldLo - nextLo, oldHi - nextHi));
                VF acc = zero;
                for (long i = i0; i < i1; i++) acc += FN(exp_bounded)(FN(exponent_splat)(c + i * ld, terms[i], s, high + j));
                FN(stored)(sum + j, FN(loadd)(sum + j) * FN(lower)(factor) + FN(lower)(acc));
                FN(stored)(sum + j + VL / 2, FN(loadd)(sum + j + VL / 2) * FN(upper)(factor) + FN(upper)(acc));
            }
            for (long j = vectorWidth; j < width; j++) {
                const float *c = cost + j0 + j;
                double blockHigh = -INFINITY;
                for (long i = i0; i < i1; i++) { double t = terms[i] - s * c[i * ld]; blockHigh = t > blockHigh ? t : blockHigh; }
                double next = blockHigh > high[j] ? blockHigh : high[j];
                if (next == -INFINITY) continue;
                double acc = 0;
                for (long i = i0; i < i1; i++) { double t = terms[i] - s * c[i * ld] - next; acc += t < -87 ? 0 : exp(t); }
                sum[j] = sum[j] * (high[j] == -INFINITY ? 0 : exp(high[j] - next)) + acc;
                high[j] = next;
            }
        }
        for (long j = 0; j < width; j++) lse[j0 + j] = high[j] == -INFINITY || sum[j] == 0 ? -INFINITY : high[j] + log(sum[j]);
    }
}

/// P[i·m + j] = exp(rᵢ + tⱼ − s·Cᵢⱼ) for rows i < rows, exponents in double (at most 88).
static void FN(sinkhorn_plan)(const float *cost, long rows, long columns, long ld, const double *rowTerms, const double *terms,
                              double s, float *plan) {
    for (long i = 0; i < rows; i++) {
        const float *c = cost + i * ld;
        float *p = plan + i * columns;
        long j = 0;
        for (; j + VL <= columns; j += VL) FN(store)(p + j, FN(exp_bounded)(FN(exponent)(c + j, terms + j, s, -rowTerms[i])));
        for (; j < columns; j++) {
            double t = rowTerms[i] + terms[j] - s * c[j];
            p[j] = t < -87 ? 0 : (float)exp(t < 88 ? t : 88);
        }
    }
}

/// out[i] = Σⱼ Kᵢⱼwⱼ for rows i < rows (the kernel domain's half-iteration on rows): float
/// products summed in float lanes within a chunk, in double across chunks.
static void FN(gemv_rows)(const float *kernel, long rows, long columns, long ld, const float *w, double *out) {
    VF zero = FN(splat)(0);
    for (long i = 0; i < rows; i++) {
        const float *k = kernel + i * ld;
        double total = 0;
        for (long j0 = 0; j0 < columns; j0 += LSE_CHUNK) {
            long j1 = j0 + LSE_CHUNK < columns ? j0 + LSE_CHUNK : columns, j = j0;
            VF a0 = zero, a1 = zero;
            for (; j + 2 * VL <= j1; j += 2 * VL) {
                a0 = MADD(FN(load)(k + j), FN(load)(w + j), a0);
                a1 = MADD(FN(load)(k + j + VL), FN(load)(w + j + VL), a1);
            }
            for (; j + VL <= j1; j += VL) a0 = MADD(FN(load)(k + j), FN(load)(w + j), a0);
            double tail = 0;
            for (; j < j1; j++) tail += (double)k[j] * w[j];
            total += FN(hsum)(a0 + a1) + tail;
        }
        out[i] = total;
    }
}

/// out[j] = Σᵢ wᵢKᵢⱼ for the columns j < columns of a stripe (`kernel` at its first column):
/// swept down the rows, float sums over blocks of LSE_BLOCK rows added into double.
static void FN(gemv_columns)(const float *kernel, long rows, long columns, long ld, const float *w, double *out) {
    double sum[LSE_STRIPE] __attribute__((aligned(64)));
    for (long j0 = 0; j0 < columns; j0 += LSE_STRIPE) {
        long width = columns - j0 < LSE_STRIPE ? columns - j0 : LSE_STRIPE;
        long vectorWidth = width / VL * VL;
        for (long j = 0; j < width; j++) sum[j] = 0;
        for (long i0 = 0; i0 < rows; i0 += LSE_BLOCK) {
            long i1 = i0 + LSE_BLOCK < rows ? i0 + LSE_BLOCK : rows;
            for (long j = 0; j < vectorWidth; j += VL) {
                const float *k = kernel + j0 + j;
                VF acc = FN(splat)(0);
                for (long i = i0; i < i1; i++) acc = MADD(FN(load)(k + i * ld), FN(splat)(w[i]), acc);
                FN(stored)(sum + j, FN(loadd)(sum + j) + FN(lower)(acc));
                FN(stored)(sum + j + VL / 2, FN(loadd)(sum + j + VL / 2) + FN(upper)(acc));
            }
            for (long j = vectorWidth; j < width; j++) {
                float acc = 0;
                for (long i = i0; i < i1; i++) acc += kernel[i * ld + j0 + j] * w[i];
                sum[j] += acc;
            }
        }
        for (long j = 0; j < width; j++) out[j0 + j] = sum[j];
    }
}

#undef LOWER_INDICES
#undef UPPER_INDICES
#undef ALL_INDICES
