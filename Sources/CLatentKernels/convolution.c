// The data movement of convolutions on NHWC images (samples × height × width × channels, the
// channels of a pixel contiguous): im2col, which lays every output position's receptive field
// out as one row so that a convolution is one matrix product, and col2im, its adjoint, which
// adds such rows back onto the image. The products themselves run on the GEMM.
//
// A row of the column matrix is (ky, kx, c) for ky, kx < k and c < channels: for NHWC input the
// kx-runs that fall inside the image are contiguous in memory (k·channels floats), so both
// directions move whole runs. Out-of-image taps (padding) are zeros in im2col and dropped in
// col2im. Sums in col2im run over (oy, ox, ky, kx) in one fixed order per sample: results do not
// depend on how callers split the samples.

#include "CLatentKernels.h"

#include <string.h>

// No fused multiply-adds: every instruction-set level computes the same values.
#pragma clang fp contract(off)

/// The kx range [first, last) of taps whose column ox·stride − pad + kx lies in [0, width).
static inline void tap_range(long origin, long kernel, long extent, long *first, long *last) {
    long f = origin < 0 ? -origin : 0;
    long l = extent - origin < kernel ? extent - origin : kernel;
    *first = f;
    *last = l > f ? l : f;
}

void latent_im2col_nhwc(const float *x, long samples, long height, long width, long channels, long kernel, long stride,
                        long pad, long out_height, long out_width, float *cols) {
    const long row = kernel * kernel * channels, run = kernel * channels;
    for (long s = 0; s < samples; s++) {
        const float *image = x + s * height * width * channels;
        for (long oy = 0; oy < out_height; oy++) {
            for (long ox = 0; ox < out_width; ox++) {
                float *out = cols + ((s * out_height + oy) * out_width + ox) * row;
                long x0 = ox * stride - pad, kx0, kx1;
                tap_range(x0, kernel, width, &kx0, &kx1);
                for (long ky = 0; ky < kernel; ky++) {
                    float *line = out + ky * run;
                    long iy = oy * stride - pad + ky;
                    if (iy < 0 || iy >= height || kx1 <= kx0) {
                        memset(line, 0, (size_t)run * sizeof(float));
                        continue;
                    }
                    const float *source = image + (iy * width + x0 + kx0) * channels;
                    if (run <= 32) {
                        // Few channels: a short loop beats three library calls per line.
                        for (long i = 0; i < kx0 * channels; i++) line[i] = 0.0f;
                        for (long i = 0; i < (kx1 - kx0) * channels; i++) line[kx0 * channels + i] = source[i];
                        for (long i = kx1 * channels; i < run; i++) line[i] = 0.0f;
                        continue;
                    }
                    if (kx0 > 0) memset(line, 0, (size_t)(kx0 * channels) * sizeof(float));
                    memcpy(line + kx0 * channels, source, (size_t)((kx1 - kx0) * channels) * sizeof(float));
                    if (kx1 < kernel) memset(line + kx1 * channels, 0, (size_t)((kernel - kx1) * channels) * sizeof(float));
                }
            }
        }
    }
}

void latent_col2im_nhwc(const float *cols, long samples, long height, long width, long channels, long kernel, long stride,
                        long pad, long out_height, long out_width, float *x) {
    const long row = kernel * kernel * channels, run = kernel * channels;
    for (long s = 0; s < samples; s++) {
        float *image = x + s * height * width * channels;
        for (long oy = 0; oy < out_height; oy++) {
            for (long ox = 0; ox < out_width; ox++) {
                const float *in = cols + ((s * out_height + oy) * out_width + ox) * row;
                long x0 = ox * stride - pad, kx0, kx1;
                tap_range(x0, kernel, width, &kx0, &kx1);
                for (long ky = 0; ky < kernel; ky++) {
                    long iy = oy * stride - pad + ky;
                    if (iy < 0 || iy >= height) continue;
                    // The taps kx0 ..< kx1 cover the contiguous pixels x0 + kx0 ..< x0 + kx1 of line iy.
                    const float *source = in + ky * run + kx0 * channels;
                    float *target = image + (iy * width + x0 + kx0) * channels;
                    const long count = (kx1 - kx0) * channels;
                    for (long i = 0; i < count; i++) target[i] += source[i];
                }
            }
        }
    }
}

void latent_upsample_nearest_nhwc(const float *x, long samples, long height, long width, long channels, long factor, float *y) {
    const long out_width = width * factor;
    for (long s = 0; s < samples; s++) {
        for (long iy = 0; iy < height; iy++) {
            const float *line = x + ((s * height + iy) * width) * channels;
            float *first = y + ((s * height + iy) * factor * out_width) * channels;
            for (long ix = 0; ix < width; ix++)
                for (long f = 0; f < factor; f++)
                    memcpy(first + (ix * factor + f) * channels, line + ix * channels, (size_t)channels * sizeof(float));
            for (long f = 1; f < factor; f++) memcpy(first + f * out_width * channels, first, (size_t)(out_width * channels) * sizeof(float));
        }
    }
}

void latent_upsample_nearest_adjoint_nhwc(const float *g, long samples, long height, long width, long channels, long factor, float *x) {
    const long out_width = width * factor;
    for (long s = 0; s < samples; s++) {
        for (long iy = 0; iy < height; iy++) {
            float *line = x + ((s * height + iy) * width) * channels;
            memset(line, 0, (size_t)(width * channels) * sizeof(float));
            for (long fy = 0; fy < factor; fy++) {
                const float *source = g + ((s * height + iy) * factor + fy) * out_width * channels;
                for (long ix = 0; ix < width; ix++)
                    for (long fx = 0; fx < factor; fx++)
                        for (long c = 0; c < channels; c++) line[ix * channels + c] += source[(ix * factor + fx) * channels + c];
            }
        }
    }
}

void latent_add_column_sums(const float *restrict x, long rows, long columns, double *restrict sums) {
    // Float sums over blocks of rows (vectorised across columns), each added to the double total.
    // Rows go to four partial sums in turn, so that few columns (one, for a single-channel
    // image) do not wait on one chain of additions.
    enum { BLOCK = 64, WIDTH = 256, LANES = 4 };
    float partial[LANES][WIDTH];
    for (long c0 = 0; c0 < columns; c0 += WIDTH) {
        const long width = columns - c0 < WIDTH ? columns - c0 : WIDTH;
        for (long r0 = 0; r0 < rows; r0 += BLOCK) {
            const long r1 = rows - r0 < BLOCK ? rows : r0 + BLOCK;
            for (long l = 0; l < LANES; l++)
                for (long c = 0; c < width; c++) partial[l][c] = 0.0f;
            long r = r0;
            for (; r + LANES <= r1; r += LANES)
                for (long l = 0; l < LANES; l++) {
                    const float *row = x + (r + l) * columns + c0;
                    for (long c = 0; c < width; c++) partial[l][c] += row[c];
                }
            for (; r < r1; r++) {
                const float *row = x + r * columns + c0;
                for (long c = 0; c < width; c++) partial[0][c] += row[c];
            }
            for (long c = 0; c < width; c++)
                sums[c0 + c] += (double)((partial[0][c] + partial[1][c]) + (partial[2][c] + partial[3][c]));
        }
    }
}

void latent_gather_add(const float *z, long samples, long z_sample_stride, const long *offsets, long pixels, long taps,
                       long channels, const float *bias, float *y, long y_sample_stride) {
    if (channels == 1) {
        // One channel (logits): a sum of a few scattered values per pixel, without inner loops.
        const float b = bias ? bias[0] : 0.0f;
        for (long s = 0; s < samples; s++) {
            const float *source = z + s * z_sample_stride;
            float *target = y + s * y_sample_stride;
            const long *o = offsets;
            for (long pixel = 0; pixel < pixels; pixel++, o += taps) {
                float sum = b;
                for (long t = 0; t < taps; t++) sum += o[t] < 0 ? 0.0f : source[o[t]];
                target[pixel] = sum;
            }
        }
        return;
    }
    for (long s = 0; s < samples; s++) {
        const float *source = z + s * z_sample_stride;
        float *target = y + s * y_sample_stride;
        for (long pixel = 0; pixel < pixels; pixel++, target += channels) {
            const long *o = offsets + pixel * taps;
            for (long c = 0; c < channels; c++) target[c] = bias ? bias[c] : 0.0f;
            for (long t = 0; t < taps; t++) {
                if (o[t] < 0) continue;
                const float *values = source + o[t];
                for (long c = 0; c < channels; c++) target[c] += values[c];
            }
        }
    }
}
