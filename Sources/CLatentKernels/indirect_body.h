// The indirect convolution (Dukhan, "The Indirect Convolution Algorithm", 2019), included by
// kernels_body.h once per instruction set. A convolution's product im2col(x)·Wᵀ reads each row
// of the column matrix once per panel of output channels; instead of laying those rows out
// (im2col) and then re-packing them for the GEMM (two passes over a matrix k² times the
// image), the micro-kernel broadcasts straight from the image through a table of pointers:
// for output position p and tap t (ky, kx), the pointer to the C channels of the pixel the tap
// reads, or to C zeros where it falls in the padding. The weights are packed once per call
// into NR-column panels, as the GEMM packs B.

/// One MR × NR tile: out[r][column + 0..<nr] = bias + Σ_t Σ_c rows[t·MR + r][c] · b[(t·channels + c)·NR + 0..<NR].
/// `rows` always holds MR pointers per tap (callers repeat a row to fill a short tile); the sum
/// runs over t, then c, in order, whatever the tile: every output's value is the same wherever
/// its tile starts.
static void FN(indirect_tile)(const float *const *rows, long taps, long channels, const float *restrict b,
                              const float *restrict bias, float *const *out, long column, long mr, long nr) {
    VF acc[MR][2];
    VF bias0 = FN(load)(bias), bias1 = FN(load)(bias + VL);
    for (int r = 0; r < MR; r++) {
        acc[r][0] = bias0;
        acc[r][1] = bias1;
    }
    for (long t = 0; t < taps; t++) {
        const float *p[MR];
        for (int r = 0; r < MR; r++) p[r] = rows[t * MR + r];
        const float *bt = b + t * channels * NR;
        _Pragma("clang loop unroll_count(2)")
        for (long c = 0; c < channels; c++) {
            VF b0 = FN(load)(bt + c * NR), b1 = FN(load)(bt + c * NR + VL);
            _Pragma("clang loop unroll(full)")
            for (int r = 0; r < MR; r++) {
                VF ar = FN(splat)(p[r][c]);
                acc[r][0] = MADD(ar, b0, acc[r][0]);
                acc[r][1] = MADD(ar, b1, acc[r][1]);
            }
        }
    }
    if (mr == MR && nr == NR) {
        for (int r = 0; r < MR; r++) {
            FN(store)(out[r] + column, acc[r][0]);
            FN(store)(out[r] + column + VL, acc[r][1]);
        }
        return;
    }
    float tile[MR * NR];
    for (int r = 0; r < MR; r++) {
        FN(store)(tile + r * NR, acc[r][0]);
        FN(store)(tile + r * NR + VL, acc[r][1]);
    }
    for (long r = 0; r < mr; r++)
        for (long c = 0; c < nr; c++) out[r][column + c] = tile[r * NR + c];
}

/// The rows of y = bias + the convolution of `samples` images at x (each `sample_stride` floats
/// apart) whose output position q reads, for tap t, the `channels` floats at
/// x + offsets[q·taps + t] (a negative offset: zeros), and is written at
/// y + s·y_sample_stride + y_offsets[q] (`outputs` values; y_offsets NULL: row s·positions + q of
/// a contiguous samples·positions × outputs matrix). `packed` holds the weights in NR-column
/// panels of taps·channels rows (latent_conv_pack_weights), `bias` is padded to whole panels;
/// `pointers` has room for MR·(taps + 1) pointers and `zeros` for `channels` zeros.
static void FN(conv_indirect)(const float *x, long samples, long sample_stride, const long *offsets, long positions,
                              long taps, long channels, const float *packed, long outputs, const float *bias,
                              float *y, long y_sample_stride, const long *y_offsets, const float **pointers,
                              const float *zeros) {
    const long rows = samples * positions, panels = (outputs + NR - 1) / NR, depth = taps * channels;
    float **out = (float **)(pointers + taps * MR);
    for (long i0 = 0; i0 < rows; i0 += MR) {
        const long mr = rows - i0 < MR ? rows - i0 : MR;
        for (long r = 0; r < MR; r++) {
            const long p = i0 + (r < mr ? r : 0), s = p / positions, q = p - s * positions;
            const float *image = x + s * sample_stride;
            const long *o = offsets + q * taps;
            for (long t = 0; t < taps; t++) pointers[t * MR + r] = o[t] < 0 ? zeros : image + o[t];
            out[r] = y_offsets ? y + s * y_sample_stride + y_offsets[q] : y + p * outputs;
        }
        for (long j = 0; j < panels; j++) {
            const long nr = outputs - j * NR < NR ? outputs - j * NR : NR;
            FN(indirect_tile)(pointers, taps, channels, packed + j * depth * NR, bias + j * NR, out, j * NR, mr, nr);
        }
    }
}

/// The NR-column panels of a depth × outputs operand B whose entry B[k][o] is
/// w[o·output_stride + row_offsets[k]]: panel j holds B[k][j·NR + c] at packed[(j·depth + k)·NR + c],
/// zero past the last output.
static void FN(conv_pack_weights)(const float *w, long outputs, long depth, long output_stride, const long *row_offsets,
                                  float *packed) {
    const long panels = (outputs + NR - 1) / NR;
    for (long j = 0; j < panels; j++) {
        float *panel = packed + j * depth * NR;
        for (long k = 0; k < depth; k++) {
            const float *row = w + row_offsets[k];
            for (long c = 0; c < NR; c++) {
                const long o = j * NR + c;
                panel[k * NR + c] = o < outputs ? row[o * output_stride] : 0;
            }
        }
    }
}

// Rows of a weight-gradient tile: two thirds of the GEMM's, so that MRW·2 accumulators, two
// vectors of the gathered pixel and a broadcast stay in registers (16 of them below AVX-512).
#define MRW (MR / 3 * 2)

/// The weight gradient of a convolution without its column matrix, in the weight's own layout:
/// out[i][t][j] (a_channels × taps × b_channels) = Σ_p a_p[i] · b_{p,t}[j] over the rows
/// p = s·positions + q of `samples` samples, where a_p is row p of `a` (a_channels floats, rows
/// contiguous) and b_{p,t} the b_channels floats at b + s·b_sample_stride + offsets[q·taps + t]
/// (a negative offset: padding, which adds nothing and is skipped). With a = δ and b = the image
/// it is a convolution's ∂W (C′ × k × k × C); with a = the grid and b = δ on the image, a
/// transposed convolution's (C × k × k × C′). Needs a_channels % MRW == 0 and b_channels % NR == 0.
/// Each value sums its products in row order, one fused multiply-add each where the level has them.
static void FN(conv_weight_gradient)(const float *a, long a_channels, const float *b, long samples, long b_sample_stride,
                                     const long *offsets, long positions, long taps, long b_channels, float *out) {
    const long row_stride = taps * b_channels;
    for (long t = 0; t < taps; t++) {
        for (long i0 = 0; i0 < a_channels; i0 += MRW) {
            for (long j0 = 0; j0 < b_channels; j0 += NR) {
                VF acc[MRW][2];
                for (int r = 0; r < MRW; r++) acc[r][0] = acc[r][1] = (VF){};
                for (long s = 0; s < samples; s++) {
                    const float *image = b + s * b_sample_stride + j0;
                    const float *row = a + s * positions * a_channels + i0;
                    const long *o = offsets + t;
                    for (long q = 0; q < positions; q++, row += a_channels, o += taps) {
                        if (*o < 0) continue;
                        const float *pixel = image + *o;
                        VF b0 = FN(load)(pixel), b1 = FN(load)(pixel + VL);
                        _Pragma("clang loop unroll(full)")
                        for (int r = 0; r < MRW; r++) {
                            VF ar = FN(splat)(row[r]);
                            acc[r][0] = MADD(ar, b0, acc[r][0]);
                            acc[r][1] = MADD(ar, b1, acc[r][1]);
                        }
                    }
                }
                for (int r = 0; r < MRW; r++) {
                    float *target = out + (i0 + r) * row_stride + t * b_channels + j0;
                    FN(store)(target, acc[r][0]);
                    FN(store)(target + VL, acc[r][1]);
                }
            }
        }
    }
}

#undef MRW
