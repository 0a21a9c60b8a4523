// Squared distances between listed pairs of rows, included by kernels_body.h once per
// instruction set: the distance evaluations of NN-descent's local joins and random-projection
// splits, whose pairs are scattered (no GEMM block to form).

/// out[p] = ‖x[first[p]] − x[second[p]]‖² for p < count (rows of d floats, row-major).
static void FN(pair_distances)(const float *x, long d, const int *first, const int *second, long count, float *out) {
    for (long p = 0; p < count; p++) {
        const float *a = x + (long)first[p] * d, *b = x + (long)second[p] * d;
        VF s0 = FN(splat)(0), s1 = FN(splat)(0);
        long k = 0;
        for (; k + 2 * VL <= d; k += 2 * VL) {
            VF e0 = FN(load)(a + k) - FN(load)(b + k), e1 = FN(load)(a + k + VL) - FN(load)(b + k + VL);
            s0 = MADD(e0, e0, s0);
            s1 = MADD(e1, e1, s1);
        }
        for (; k + VL <= d; k += VL) {
            VF e0 = FN(load)(a + k) - FN(load)(b + k);
            s0 = MADD(e0, e0, s0);
        }
        VF s = s0 + s1;
        float total = 0;
        for (int l = 0; l < VL; l++) total += s[l];
        for (; k < d; k++) { float e = a[k] - b[k]; total += e * e; }
        out[p] = total;
    }
}

/// out[p] = x[rows[p]] · v for p < count (rows of d floats): a random-projection tree's split,
/// one pass over the rows.
static void FN(rows_dot)(const float *x, long d, const int *rows, long count, const float *v, float *out) {
    for (long p = 0; p < count; p++) {
        const float *a = x + (long)rows[p] * d;
        VF s0 = FN(splat)(0), s1 = FN(splat)(0);
        long k = 0;
        for (; k + 2 * VL <= d; k += 2 * VL) {
            s0 = MADD(FN(load)(a + k), FN(load)(v + k), s0);
            s1 = MADD(FN(load)(a + k + VL), FN(load)(v + k + VL), s1);
        }
        for (; k + VL <= d; k += VL) s0 = MADD(FN(load)(a + k), FN(load)(v + k), s0);
        VF s = s0 + s1;
        float total = 0;
        for (int l = 0; l < VL; l++) total += s[l];
        for (; k < d; k++) total += a[k] * v[k];
        out[p] = total;
    }
}

/// x·y over d floats, summed as listed_distances sums each of its products (one vector
/// accumulator, then its lanes in order, then the tail), so that a row's norm and its product
/// with a duplicate of itself agree to the bit and their distance is exactly 0.
static inline float FN(dot_one)(const float *a, const float *b, long d) {
    VF s = FN(splat)(0);
    long k = 0;
    for (; k + VL <= d; k += VL) s = MADD(FN(load)(a + k), FN(load)(b + k), s);
    float total = 0;
    for (int l = 0; l < VL; l++) total += s[l];
    for (; k < d; k++) total += a[k] * b[k];
    return total;
}

/// out[i] = ‖x_i‖² for the n rows of x.
static void FN(squared_norms)(const float *x, long d, long n, float *out) {
    for (long i = 0; i < n; i++) out[i] = FN(dot_one)(x + i * d, x + i * d, d);
}

/// out[a·count + b] = ‖x_{rows[a]} − x_{rows[b]}‖² = nₐ + n_b − 2xₐ·x_b (clamped at 0) for
/// a < b < count: the upper triangle of a list's distance matrix, 4 × 4 rows at a time, so each
/// loaded vector serves four products (the pair kernel loads two vectors a product).
static void FN(listed_distances)(const float *x, long d, const int *rows, long count, const float *norms, float *out) {
    for (long a0 = 0; a0 < count; a0 += 4) {
        for (long b0 = a0; b0 < count; b0 += 4) {
            const float *A[4], *B[4];
            for (int q = 0; q < 4; q++) {
                A[q] = x + (long)rows[a0 + q < count ? a0 + q : count - 1] * d;
                B[q] = x + (long)rows[b0 + q < count ? b0 + q : count - 1] * d;
            }
            VF acc[4][4];
            for (int q = 0; q < 4; q++) for (int r = 0; r < 4; r++) acc[q][r] = FN(splat)(0);
            long k = 0;
            for (; k + VL <= d; k += VL) {
                VF va[4], vb[4];
                for (int q = 0; q < 4; q++) { va[q] = FN(load)(A[q] + k); vb[q] = FN(load)(B[q] + k); }
                for (int q = 0; q < 4; q++) for (int r = 0; r < 4; r++) acc[q][r] = MADD(va[q], vb[r], acc[q][r]);
            }
            for (int q = 0; q < 4; q++) {
                long a = a0 + q;
                if (a >= count) break;
                for (int r = 0; r < 4; r++) {
                    long b = b0 + r;
                    if (b >= count || b <= a) continue;
                    float total = 0;
                    for (int l = 0; l < VL; l++) total += acc[q][r][l];
                    for (long t = k; t < d; t++) total += A[q][t] * B[r][t];
                    float distance = norms[rows[a]] + norms[rows[b]] - 2 * total;
                    out[a * count + b] = distance > 0 ? distance : 0;
                }
            }
        }
    }
}
