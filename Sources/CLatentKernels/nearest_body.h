// The nearest of a few hundred centres to each row, in one pass over the rows with the centres'
// scores in registers: what a GEMM of the rows against the centres followed by a scan of each
// row of products computes, without the product matrix written and read back, and with the scan
// done a vector at a time. Included by kernels_body.h once per instruction set, after
// fused_body.h (FN(vint), FN(select)).

/// For each of the n rows of x (d ≤ `latent_gemm_depth_block()` floats, rows d apart), the
/// centre j < k of least score s_j = norms[j] − 2·(x·c_j), the lowest index on a tie, and its
/// product x·c_j. `transposed` holds the centres as columns (d × padded, padded = k rounded up
/// to a whole vector, the padding zero); `norms` has `padded` entries, the padding +∞;
/// `scratch` holds `padded` floats. Each product is summed over the features in order with the
/// GEMM's multiply-add and each score formed without contraction, so index and product equal a
/// GEMM-then-scan's bit for bit.
/// norms − 2·products, never contracted into a multiply-add (as the scan forms it).
static inline VF FN(nearest_score)(VF norms, VF products) {
#pragma clang fp contract(off)
    return norms - 2.0f * products;
}

/// One group of `count` ≤ 8 vectors of centres (constant at each call, so the accumulators
/// stay in registers) against `rows` (1 or 2, also constant) consecutive rows: their products,
/// stored to `scratch` (a row of `padded` per row), and each row's lanes' least scores and their
/// indices updated. Two rows share each load of the centres.
static inline __attribute__((always_inline)) void FN(nearest_group)(const float *row, long d, const float *transposed, const float *norms,
                                                                     long padded, long first, int count, int rows, float *scratch,
                                                                     FN(vint) lane, VF *bestScore, FN(vint) *bestIndex) {
    VF acc[2][8];
    for (int r = 0; r < rows; r++)
        for (int q = 0; q < count; q++) acc[r][q] = (VF){};
    for (long t = 0; t < d; t++) {
        const float *column = transposed + t * padded + first * VL;
        VF xv[2];
        for (int r = 0; r < rows; r++) xv[r] = FN(splat)(row[r * d + t]);
        for (int q = 0; q < count; q++) {
            const VF c = FN(load)(column + q * VL);
            for (int r = 0; r < rows; r++) acc[r][q] = MADD(xv[r], c, acc[r][q]);
        }
    }
    for (int r = 0; r < rows; r++) {
        for (int q = 0; q < count; q++) {
            FN(store)(scratch + r * padded + (first + q) * VL, acc[r][q]);
            const VF score = FN(nearest_score)(FN(load)(norms + (first + q) * VL), acc[r][q]);
            const FN(vint) better = score < bestScore[r];
            const FN(vint) index = lane + (int)((first + q) * VL);
            bestScore[r] = FN(select)(better, score, bestScore[r]);
            bestIndex[r] = (better & index) | (~better & bestIndex[r]);
        }
    }
}

/// `scratch`: 2 × padded floats.
static void FN(nearest_scores)(const float *x, long n, long d, const float *transposed, const float *norms, long padded,
                               float *scratch, long *best, float *product) {
    const long vectors = padded / VL;
    FN(vint) lane;
    for (int l = 0; l < VL; l++) lane[l] = l;
    for (long i = 0; i < n; i += 2) {
        const float *row = x + i * d;
        const int rows = n - i >= 2 ? 2 : 1;
        // Per lane, the least score so far and its index: indices rise along a lane, so a strict
        // comparison keeps each lane's first minimum.
        VF bestScore[2] = {FN(splat)(__builtin_inff()), FN(splat)(__builtin_inff())};
        FN(vint) bestIndex[2] = {{}, {}};
        for (long first = 0; first < vectors; first += 8) {
            const long count = vectors - first < 8 ? vectors - first : 8;
#define LATENT_GROUP(c)                                                                                                   \
    case c:                                                                                                               \
        if (rows == 2) FN(nearest_group)(row, d, transposed, norms, padded, first, c, 2, scratch, lane, bestScore, bestIndex); \
        else FN(nearest_group)(row, d, transposed, norms, padded, first, c, 1, scratch, lane, bestScore, bestIndex);           \
        break;
            switch (count) {
            LATENT_GROUP(1) LATENT_GROUP(2) LATENT_GROUP(3) LATENT_GROUP(4)
            LATENT_GROUP(5) LATENT_GROUP(6) LATENT_GROUP(7) LATENT_GROUP(8)
            }
#undef LATENT_GROUP
        }
        for (int r = 0; r < rows; r++) {
            // Across lanes: the least score, and of the lanes holding it the lowest index (every
            // score NaN or +∞: lane 0's index 0, the scan's first centre).
            const float least = __builtin_reduce_min(bestScore[r]);
            const FN(vint) holders = bestScore[r] == least;
            const FN(vint) candidates = (holders & bestIndex[r]) | (~holders & ((FN(vint)){} + __INT_MAX__));
            long chosen = __builtin_reduce_min(candidates);
            if (chosen == __INT_MAX__) chosen = 0;
            best[i + r] = chosen;
            product[i + r] = scratch[r * padded + chosen];
        }
    }
}
