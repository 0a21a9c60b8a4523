// Kernels of the neighbour embeddings (t-SNE): the attractive forces over the sparse affinities,
// the exact repulsive sums for small sets, and FIt-SNE's interpolation (Linderman et al. 2019):
// charges spread onto a grid of Lagrange nodes, a fast Fourier transform down columns of a
// matrix (mixed radix 2, 3, 4, vectorised across columns), the transpose between passes, and
// the potentials read back at the points. Plain C the compiler vectorises: every loop here is
// over contiguous rows or bound by scattered reads, not by arithmetic the ISA levels would speed.

#include "CLatentKernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

// MARK: - Forces over the affinities

/// w^(1/α) of the Student-t kernel w = (1 + d²/α)^(−α): 1/(1 + d²/α).
static inline double kernel_root(double squared, double dof) { return 1.0 / (1.0 + squared / dof); }

void latent_tsne_attraction(const long *row_start, const int *columns, const float *values, long begin, long end,
                            const double *y, const double *reference, long d, double dof, double scale,
                            double *forces, double *log_kernel_sum) {
    if (d == 2 && dof == 1.0 && !log_kernel_sum) {
        // t-SNE's common case, 2-D codes and the Cauchy kernel: one division an edge.
        for (long i = begin; i < end; i++) {
            double x0 = y[2 * i], x1 = y[2 * i + 1], f0 = 0, f1 = 0;
            for (long e = row_start[i]; e < row_start[i + 1]; e++) {
                const double *r = reference + 2 * (long)columns[e];
                double t0 = x0 - r[0], t1 = x1 - r[1];
                double w = (double)values[e] / (1.0 + t0 * t0 + t1 * t1);
                f0 += w * t0;
                f1 += w * t1;
            }
            forces[2 * i] = scale * f0;
            forces[2 * i + 1] = scale * f1;
        }
        return;
    }
    double log_sum = 0;
    for (long i = begin; i < end; i++) {
        const double *yi = y + i * d;
        double force[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (long e = row_start[i]; e < row_start[i + 1]; e++) {
            const double *yj = reference + (long)columns[e] * d;
            double squared = 0;
            for (long c = 0; c < d; c++) { double t = yi[c] - yj[c]; squared += t * t; }
            double root = kernel_root(squared, dof), p = (double)values[e] * scale;
            for (long c = 0; c < d; c++) force[c] += p * root * (yi[c] - yj[c]);
            if (log_kernel_sum) log_sum += (double)values[e] * dof * log(root);
        }
        for (long c = 0; c < d; c++) forces[i * d + c] = force[c];
    }
    if (log_kernel_sum) *log_kernel_sum = log_sum;
}

void latent_tsne_exact_repulsion(const double *y, long n, const double *reference, long m, long d, double dof, int skip_self,
                                 long begin, long end, double *forces, double *kernel_sums) {
    for (long i = begin; i < end; i++) {
        const double *yi = y + i * d;
        double force[8] = {0, 0, 0, 0, 0, 0, 0, 0}, sum = 0;
        for (long j = 0; j < m; j++) {
            if (skip_self && j == i) continue;
            const double *yj = reference + j * d;
            double squared = 0;
            for (long c = 0; c < d; c++) { double t = yi[c] - yj[c]; squared += t * t; }
            double root = kernel_root(squared, dof);
            double w = dof == 1.0 ? root : pow(root, dof);
            sum += w;
            for (long c = 0; c < d; c++) force[c] += w * root * (yi[c] - yj[c]);
        }
        (void)n;
        for (long c = 0; c < d; c++) forces[i * d + c] = force[c];
        kernel_sums[i] = sum;
    }
}

// MARK: - Interpolation onto a grid and back

/// The Lagrange basis at `p` equispaced nodes (t + ½)/p of the unit interval, at u.
static inline void lagrange(double u, long p, double *out) {
    for (long t = 0; t < p; t++) {
        double ut = (t + 0.5) / p, value = 1;
        for (long s = 0; s < p; s++) {
            if (s == t) continue;
            double us = (s + 0.5) / p;
            value *= (u - us) / (ut - us);
        }
        out[t] = value;
    }
}

/// The box of coordinate `x` (clamped into the grid) and its place u ∈ [0, 1] in the box.
static inline long box_of(double x, double low, double width, long boxes, double *u) {
    double position = (x - low) / width;
    long box = (long)floor(position);
    if (box < 0) box = 0;
    if (box >= boxes) box = boxes - 1;
    *u = position - box;
    return box;
}

void latent_interpolation_spread(const double *y, const int *order, long begin, long end, double low, double width, long boxes, long p,
                                 float *ones, float *first, float *second, long ld) {
    double lx[8], ly[8];
    for (long position = begin; position < end; position++) {
        long i = order[position];
        double u, v;
        long bx = box_of(y[2 * i], low, width, boxes, &u), by = box_of(y[2 * i + 1], low, width, boxes, &v);
        lagrange(u, p, lx);
        lagrange(v, p, ly);
        for (long t = 0; t < p; t++) {
            long row = (by * p + t) * ld + bx * p;
            for (long s = 0; s < p; s++) {
                double w = ly[t] * lx[s];
                ones[row + s] += (float)w;
                if (first) {
                    first[row + s] += (float)(w * y[2 * i]);
                    second[row + s] += (float)(w * y[2 * i + 1]);
                }
            }
        }
    }
}

void latent_interpolation_gather(const double *y, long begin, long end, double low, double width, long boxes, long p,
                                 const float *const *fields, long count, long ld, double *out) {
    double lx[8], ly[8];
    for (long i = begin; i < end; i++) {
        double u, v;
        long bx = box_of(y[2 * i], low, width, boxes, &u), by = box_of(y[2 * i + 1], low, width, boxes, &v);
        lagrange(u, p, lx);
        lagrange(v, p, ly);
        for (long f = 0; f < count; f++) {
            double total = 0;
            for (long t = 0; t < p; t++) {
                const float *row = fields[f] + (by * p + t) * ld + bx * p;
                double partial = 0;
                for (long s = 0; s < p; s++) partial += lx[s] * (double)row[s];
                total += ly[t] * partial;
            }
            out[i * count + f] = total;
        }
    }
}

// MARK: - Fast Fourier transforms down columns

long latent_fft_good_size(long minimum) {
    long best = -1;
    for (long power3 = 1; power3 < 4 * minimum + 3; power3 *= 3) {
        long size = power3;
        while (size < minimum) size *= 2;
        if (best < 0 || size < best) best = size;
    }
    return best;
}

void latent_fft_twiddles(long size, float *cosines, float *sines) {
    for (long j = 0; j < size; j++) {
        double angle = -2.0 * M_PI * (double)j / (double)size;
        cosines[j] = (float)cos(angle);
        sines[j] = (float)sin(angle);
    }
}

/// b = y·w, complex, at column c.
static inline void twiddled(float *br, float *bi, long c, float yr, float yi, float wr, float wi) {
    br[c] = yr * wr - yi * wi;
    bi[c] = yr * wi + yi * wr;
}

/// One Stockham stage of radix r on elements that are rows of `width` floats: for p < m,
/// q < s, the r inputs x[q + s(p + tm)] give y[q + s(rp + k)] = w_n^(pk) Σ_t x[·] ω_r^(tk).
#if defined(__x86_64__) && defined(__linux__)
// The butterflies are loops along rows: compiled again for AVX2 and AVX-512, chosen at load.
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
static void stage(long r, long n, long s, const float *xr, const float *xi, long x_stride, float *yr, float *yi, long y_stride,
                  long width, const float *cosines, const float *sines, long size, double sign) {
    long m = n / r, step = size / n;
    const float half_sqrt3 = 0.86602540378443864676f;
    for (long p = 0; p < m; p++) {
        float wr[4] = {1, 0, 0, 0}, wi[4] = {0, 0, 0, 0};
        for (long k = 1; k < r; k++) {
            long index = (p * k * step) % size;
            wr[k] = cosines[index];
            wi[k] = (float)sign * sines[index];
        }
        for (long q = 0; q < s; q++) {
            const float *ar[4], *ai[4];
            float *br[4], *bi[4];
            for (long t = 0; t < r; t++) {
                ar[t] = xr + (q + s * (p + t * m)) * x_stride;
                ai[t] = xi + (q + s * (p + t * m)) * x_stride;
                br[t] = yr + (q + s * (r * p + t)) * y_stride;
                bi[t] = yi + (q + s * (r * p + t)) * y_stride;
            }
            if (r == 2) {
                for (long c = 0; c < width; c++) {
                    float a0r = ar[0][c], a0i = ai[0][c], a1r = ar[1][c], a1i = ai[1][c];
                    float dr = a0r - a1r, di = a0i - a1i;
                    br[0][c] = a0r + a1r;
                    bi[0][c] = a0i + a1i;
                    twiddled(br[1], bi[1], c, dr, di, wr[1], wi[1]);
                }
            } else if (r == 4) {
                // ω = ∓i: the forward transform's −i, the inverse's +i.
                float js = (float)sign;
                for (long c = 0; c < width; c++) {
                    float a0r = ar[0][c], a0i = ai[0][c], a1r = ar[1][c], a1i = ai[1][c];
                    float a2r = ar[2][c], a2i = ai[2][c], a3r = ar[3][c], a3i = ai[3][c];
                    float s02r = a0r + a2r, s02i = a0i + a2i, d02r = a0r - a2r, d02i = a0i - a2i;
                    float s13r = a1r + a3r, s13i = a1i + a3i, d13r = a1r - a3r, d13i = a1i - a3i;
                    // −i·js·(a1 − a3): (x + iy)·(−i·js) = js·(y − ix).
                    float rr = js * d13i, ri = -js * d13r;
                    float y1r = d02r + rr, y1i = d02i + ri, y2r = s02r - s13r, y2i = s02i - s13i, y3r = d02r - rr, y3i = d02i - ri;
                    br[0][c] = s02r + s13r;
                    bi[0][c] = s02i + s13i;
                    twiddled(br[1], bi[1], c, y1r, y1i, wr[1], wi[1]);
                    twiddled(br[2], bi[2], c, y2r, y2i, wr[2], wi[2]);
                    twiddled(br[3], bi[3], c, y3r, y3i, wr[3], wi[3]);
                }
            } else {
                // ω = −½ ∓ i√3/2.
                float js = (float)sign * half_sqrt3;
                for (long c = 0; c < width; c++) {
                    float a0r = ar[0][c], a0i = ai[0][c], a1r = ar[1][c], a1i = ai[1][c], a2r = ar[2][c], a2i = ai[2][c];
                    float sr = a1r + a2r, si = a1i + a2i, dr = a1r - a2r, di = a1i - a2i;
                    float mr = a0r - 0.5f * sr, mi = a0i - 0.5f * si;
                    // ±i·(√3/2)·(a1 − a2) with the forward transform's sign: js·(di, −dr).
                    float tr = js * di, ti = -js * dr;
                    float y1r = mr + tr, y1i = mi + ti, y2r = mr - tr, y2i = mi - ti;
                    br[0][c] = a0r + sr;
                    bi[0][c] = a0i + si;
                    twiddled(br[1], bi[1], c, y1r, y1i, wr[1], wi[1]);
                    twiddled(br[2], bi[2], c, y2r, y2i, wr[2], wi[2]);
                }
            }
        }
    }
}

void latent_fft_columns(float *re, float *im, long size, long ld, long first_column, long width, int inverse,
                        const float *cosines, const float *sines) {
    long radices[64], stages = 0, rest = size;
    while (rest % 4 == 0) { radices[stages++] = 4; rest /= 4; }
    while (rest % 2 == 0) { radices[stages++] = 2; rest /= 2; }
    while (rest % 3 == 0) { radices[stages++] = 3; rest /= 3; }
    if (rest != 1 || size < 1) abort();  // sizes come from latent_fft_good_size
    float *scratch = malloc(sizeof(float) * 4 * (size_t)size * (size_t)width);
    if (!scratch) abort();
    float *buffers[2][2] = {{scratch, scratch + size * width}, {scratch + 2 * size * width, scratch + 3 * size * width}};
    double sign = inverse ? -1.0 : 1.0;
    const float *xr = re + first_column, *xi = im + first_column;
    long x_stride = ld, n = size, s = 1;
    for (long k = 0; k < stages; k++) {
        // A single stage cannot run in place: it writes to scratch, copied back below.
        int last = k == stages - 1 && stages > 1;
        float *yr = last ? re + first_column : buffers[k % 2][0], *yi = last ? im + first_column : buffers[k % 2][1];
        long y_stride = last ? ld : width;
        stage(radices[k], n, s, xr, xi, x_stride, yr, yi, y_stride, width, cosines, sines, size, sign);
        xr = yr; xi = yi; x_stride = y_stride;
        n /= radices[k];
        s *= radices[k];
    }
    if (stages == 1)
        for (long row = 0; row < size; row++) {
            memcpy(re + row * ld + first_column, xr + row * width, sizeof(float) * (size_t)width);
            memcpy(im + row * ld + first_column, xi + row * width, sizeof(float) * (size_t)width);
        }
    free(scratch);
}

void latent_transpose_block(const float *in, long ld_in, float *out, long ld_out, long row_begin, long row_end, long columns) {
    const long tile = 32;
    for (long r0 = row_begin; r0 < row_end; r0 += tile) {
        long r1 = r0 + tile < row_end ? r0 + tile : row_end;
        for (long c0 = 0; c0 < columns; c0 += tile) {
            long c1 = c0 + tile < columns ? c0 + tile : columns;
            for (long r = r0; r < r1; r++)
                for (long c = c0; c < c1; c++) out[c * ld_out + r] = in[r * ld_in + c];
        }
    }
}
