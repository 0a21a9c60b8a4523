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

/// The weight gradient where the image has few channels (b_channels = B; one, for a grey image
/// or a single-channel output): out[i][t][b] (a_channels × taps × B) = Σ_p a_p[i] ·
/// image_s[offsets[q·taps + t] + b], the (t, b) pairs MRW at a time as broadcast scalars (zero
/// in the padding) against vectors of a_p. Needs a_channels % NR == 0. Sums run in row order.
static void FN(conv_weight_gradient_narrow)(const float *a, long a_channels, const float *b, long samples, long b_sample_stride,
                                            const long *offsets, long positions, long taps, long b_channels, float *out) {
    const long pairs = taps * b_channels;
    for (long k0 = 0; k0 < pairs; k0 += MRW) {
        const long kr = pairs - k0 < MRW ? pairs - k0 : MRW;
        long tap[MRW], channel[MRW];
        for (long r = 0; r < MRW; r++) {
            const long k = k0 + (r < kr ? r : 0);
            tap[r] = k / b_channels;
            channel[r] = k - tap[r] * b_channels;
        }
        for (long j0 = 0; j0 < a_channels; j0 += NR) {
            VF acc[MRW][2];
            for (int r = 0; r < MRW; r++) acc[r][0] = acc[r][1] = (VF){};
            for (long s = 0; s < samples; s++) {
                const float *image = b + s * b_sample_stride;
                const float *row = a + s * positions * a_channels + j0;
                for (long q = 0; q < positions; q++, row += a_channels) {
                    const long *o = offsets + q * taps;
                    VF v0 = FN(load)(row), v1 = FN(load)(row + VL);
                    _Pragma("clang loop unroll(full)")
                    for (int r = 0; r < MRW; r++) {
                        const long at = o[tap[r]];
                        VF br = FN(splat)(at < 0 ? 0.0f : image[at + channel[r]]);
                        acc[r][0] = MADD(br, v0, acc[r][0]);
                        acc[r][1] = MADD(br, v1, acc[r][1]);
                    }
                }
            }
            float tile[MRW * NR];
            for (int r = 0; r < MRW; r++) {
                FN(store)(tile + r * NR, acc[r][0]);
                FN(store)(tile + r * NR + VL, acc[r][1]);
            }
            for (long r = 0; r < kr; r++)
                for (long j = 0; j < NR; j++) out[(j0 + j) * pairs + k0 + r] = tile[r * NR + j];
        }
    }
}

#undef MRW

/// The sum of a vector's lanes, halves added to halves (a fixed tree: the same bits every time).
static inline float FN(lane_sum)(VF v) {
    FN(v4) q;
#if VL == 16
    typedef float FN(v8) __attribute__((vector_size(8 * sizeof(float))));
    FN(v8) h = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    q = __builtin_shufflevector(h, h, 0, 1, 2, 3) + __builtin_shufflevector(h, h, 4, 5, 6, 7);
#elif VL == 8
    q = __builtin_shufflevector(v, v, 0, 1, 2, 3) + __builtin_shufflevector(v, v, 4, 5, 6, 7);
#else
    q = v;
#endif
    typedef float FN(v2) __attribute__((vector_size(2 * sizeof(float))));
    FN(v2) d = __builtin_shufflevector(q, q, 0, 1) + __builtin_shufflevector(q, q, 2, 3);
    return d[0] + d[1];
}

/// The convolution where the outputs are few (one channel of logits, say): each output value is
/// a dot product over taps·channels, vectorised along the channels, four positions at a time with
/// two accumulators each (the even and odd vectors of the channels, so that eight chains of
/// fused multiply-adds overlap), their lanes summed in one fixed tree. Rows, offsets and output
/// offsets as in conv_indirect; `w` holds outputs × taps × channels, `zeros` `channels` zeros.
/// A position's value does not depend on the positions beside it.
static void FN(conv_gather_dot)(const float *x, long samples, long sample_stride, const long *offsets, long positions,
                                long taps, long channels, const float *w, long outputs, const float *bias,
                                float *y, long y_sample_stride, const long *y_offsets, const float *zeros) {
    enum { P = 4 };
    const long vectors = channels / VL * VL, depth = taps * channels, rows = samples * positions;
    for (long i0 = 0; i0 < rows; i0 += P) {
        const float *image[P];
        const long *o[P];
        float *target[P];
        for (int r = 0; r < P; r++) {
            const long p = i0 + r < rows ? i0 + r : rows - 1, s = p / positions, q = p - s * positions;
            image[r] = x + s * sample_stride;
            o[r] = offsets + q * taps;
            target[r] = y_offsets ? y + s * y_sample_stride + y_offsets[q] : y + p * outputs;
        }
        for (long out = 0; out < outputs; out++) {
            const float *weights = w + out * depth;
            VF acc[P][2];
            float tail[P];
            for (int r = 0; r < P; r++) acc[r][0] = acc[r][1] = (VF){}, tail[r] = 0;
            for (long t = 0; t < taps; t++) {
                const float *wt = weights + t * channels, *pixel[P];
                for (int r = 0; r < P; r++) pixel[r] = o[r][t] < 0 ? zeros : image[r] + o[r][t];
                long c = 0;
                for (; c + 2 * VL <= vectors; c += 2 * VL) {
                    VF w0 = FN(load)(wt + c), w1 = FN(load)(wt + c + VL);
                    for (int r = 0; r < P; r++) {
                        acc[r][0] = MADD(FN(load)(pixel[r] + c), w0, acc[r][0]);
                        acc[r][1] = MADD(FN(load)(pixel[r] + c + VL), w1, acc[r][1]);
                    }
                }
                if (c < vectors) {
                    VF w0 = FN(load)(wt + c);
                    for (int r = 0; r < P; r++) acc[r][0] = MADD(FN(load)(pixel[r] + c), w0, acc[r][0]);
                }
                for (long rest = vectors; rest < channels; rest++)
                    for (int r = 0; r < P; r++) tail[r] += pixel[r][rest] * wt[rest];
            }
            for (int r = 0; r < P && i0 + r < rows; r++)
                target[r][out] = (bias ? bias[out] : 0.0f) + (FN(lane_sum)(acc[r][0] + acc[r][1]) + tail[r]);
        }
    }
}
