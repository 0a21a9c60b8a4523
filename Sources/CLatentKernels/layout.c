// UMAP's optimisation of a layout (McInnes, Healy & Melville 2018, §3.2 and Algorithm 5):
// stochastic gradient descent on the fuzzy cross entropy, each edge sampled in proportion to
// its membership and each sample followed by negative samples drawn uniformly. One call moves
// the heads of one block of rows for one epoch; points of that block are read as they move,
// the others from `others`, a copy taken before the epoch (or the fixed training codes when
// placing new points), so blocks are independent of one another and of the thread that runs them.

#include "CLatentKernels.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

// No fused multiply-adds: every instruction-set level computes the same codes, bit for bit.
#pragma clang fp contract(off)

static inline float bits_to_float(uint32_t bits) { float f; memcpy(&f, &bits, sizeof f); return f; }
static inline uint32_t float_to_bits(float f) { uint32_t bits; memcpy(&bits, &f, sizeof bits); return bits; }

/// xᵇ for x > 0 in single precision, as 2^(b·log₂x): log₂ of the mantissa m ∈ [√½, √2) by its
/// series in t = (m − 1)/(m + 1) and 2^f for f ∈ [−½, ½] by polynomials fitted to them (least
/// squares: errors below 10⁻⁹ and 3·10⁻⁷), the result within [2⁻¹²⁶, 2¹²⁷]. Branch-free, so
/// that the lanes of a batch run in vector registers: the optimisation's inner cost, in the
/// same single precision as its codes.
static inline __attribute__((always_inline)) float fast_power(float x, float b) {
    uint32_t bits = float_to_bits(x < FLT_MIN ? FLT_MIN : x);
    int exponent = (int)((bits >> 23) & 0xFF) - 127;
    float m = bits_to_float((bits & 0x007FFFFFu) | 0x3F800000u);
    int high = m > 1.41421356f;
    m = high ? m * 0.5f : m;
    exponent += high;
    float t = (m - 1.0f) / (m + 1.0f), t2 = t * t;
    float y = b * ((float)exponent + t * (2.88539008f + t2 * (0.961798397f + t2 * (0.576763377f + t2 * 0.430451330f))));
    y = y < -126.0f ? -126.0f : (y > 127.0f ? 127.0f : y);
    // y rounded to the nearest integer by the float adder (1.5·2²³ leaves no fraction bits): no libm call.
    float whole = (y + 12582912.0f) - 12582912.0f, f = y - whole;
    float p = 1.00000005f + f * (0.693147200f + f * (0.240222117f + f * (0.0555034067f + f * (0.00967076788f + f * 0.00133952854f))));
    return p * bits_to_float((uint32_t)((int)whole + 127) << 23);
}

/// SplitMix64 (Steele, Lea & Flood 2014): the stream of one head in one epoch.
static inline uint64_t splitmix(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// Advances edge e's schedule past a sample in `epoch`: its next sample, and the negative
/// samples due since the last (returned), as umap-learn counts them.
static inline long advance(const double *epochs_per_sample, double *next_sample, double *next_negative, long e, double negative_rate,
                           long epoch) {
    next_sample[e] += epochs_per_sample[e];
    double per_negative = epochs_per_sample[e] / negative_rate;
    long negatives = (long)(((double)epoch - next_negative[e]) / per_negative);
    next_negative[e] += (double)negatives * per_negative;
    return negatives;
}

void latent_umap_schedule(const double *epochs_per_sample, double *next_sample, double *next_negative, long count, double negative_rate,
                          long epoch) {
    for (long e = 0; e < count; e++) {
        if (next_sample[e] <= (double)epoch) advance(epochs_per_sample, next_sample, next_negative, e, negative_rate, epoch);
    }
}

/// umap-learn's clip of every gradient coordinate to [−4, 4].
static inline float clip4(float value) { return value > 4.0f ? 4.0f : (value < -4.0f ? -4.0f : value); }

/// Lanes one batch of an edge's interactions holds: its attraction and up to 7 repulsions.
enum { LANES = 8 };

/// Moves `here` (d wide) by one batch of interactions, all evaluated at `here` as it was
/// before the batch (so that their transcendental chains run side by side, not one after
/// another), summed in lane order. Lane l pulls (attracting) or pushes `here` relative to
/// others[target[l]]: the attraction's coefficient ∂/∂yᵢ of −log(1/(1 + a·s^b)) is
/// −2ab·s^(b−1)/(1 + a·s^b), the repulsion's of −log(1 − 1/(1 + a·s^b)) is
/// 2γb/((0.001 + s)(1 + a·s^b)) (umap-learn's 0.001 against division by 0), s the squared
/// distance; a lane at distance 0 does nothing.
static inline __attribute__((always_inline)) void interact(float *here, long d, const float *const *point, const int *attracting, int count, float a,
                                                           float b, float gamma, float pull, float push) {
    float squared[LANES], coefficient[LANES];
    for (int l = 0; l < LANES; l++) {
        const float *o = point[l < count ? l : 0];
        float sum = 0;
        for (long c = 0; c < d; c++) { float t = here[c] - o[c]; sum += t * t; }
        squared[l] = sum;
    }
    // Every lane computed, the unused ones masked: fixed-length loops the compiler vectorises.
    for (int l = 0; l < LANES; l++) {
        float s = squared[l], power = fast_power(s, b), denominator = a * power + 1.0f;
        float pulling = -2.0f * a * b * (power / (s > 0 ? s : 1.0f)) / denominator, pushing = 2.0f * gamma * b / ((0.001f + s) * denominator);
        coefficient[l] = (s > 0 && l < count) ? (attracting[l] ? pulling : pushing) : 0.0f;
    }
    float start[8];
    for (long c = 0; c < d; c++) start[c] = here[c];
    for (int l = 0; l < count; l++) {
        const float *o = point[l];
        float scale = attracting[l] ? pull : push;
        for (long c = 0; c < d; c++) here[c] += clip4(coefficient[l] * (start[c] - o[c])) * scale;
    }
}

#if defined(__x86_64__) && defined(__linux__)
// The lanes of a batch run in vector registers: compiled again for AVX2 and AVX-512, chosen at load.
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void latent_umap_epoch(const long *row_start, const int *columns, const double *epochs_per_sample, double *next_sample,
                       double *next_negative, const int *order, const int *position_of, long begin, long end, float *y,
                       const float *others, long other_count, int self_indexed, long d, double a_, double b_, double gamma_, double alpha_,
                       double attraction_scale, double negative_rate, long epoch, uint64_t seed, const uint64_t *row_seeds) {
    const float a = (float)a_, b = (float)b_, gamma = (float)gamma_, alpha = (float)alpha_, pull = (float)(alpha_ * attraction_scale);
    for (long position = begin; position < end; position++) {
        long i = order ? order[position] : position;
        // y holds the heads by position: a block's rows lie together, so no two threads share a cache line.
        float *yi = y + position * d;
        uint64_t row = row_seeds ? row_seeds[i] : (uint64_t)i * 0x8CB92BA72F3D8DD7ull;
        uint64_t state = seed ^ ((uint64_t)epoch * 0xD1B54A32D192ED03ull) ^ row;
        float here[8];
        for (long c = 0; c < d; c++) here[c] = yi[c];
        // A tail of this block is read as it is now (this thread alone moves them), any other as
        // it was at the epoch's start.
#define POINT(k) ((position_of && position_of[k] >= begin && position_of[k] < end) ? y + (long)position_of[k] * d : others + (k) * d)
        for (long e = row_start[i]; e < row_start[i + 1]; e++) {
            if (next_sample[e] > (double)epoch) continue;
            const float *point[LANES];
            int attracting[LANES] = {1, 0, 0, 0, 0, 0, 0, 0}, count = 1;
            point[0] = POINT((long)columns[e]);
            long negatives = advance(epochs_per_sample, next_sample, next_negative, e, negative_rate, epoch);
            for (long p = 0; p < negatives; p++) {
                long k = (long)(((splitmix(&state) >> 32) * (uint64_t)other_count) >> 32);
                if (self_indexed && k == i) continue;
                if (count == LANES) {
                    interact(here, d, point, attracting, count, a, b, gamma, pull, alpha);
                    attracting[0] = 0;
                    count = 0;
                }
                // Drawn uniformly, a negative sample is of another block but for 1 in 64: read as of the epoch's start.
                point[count++] = others + k * d;
            }
            interact(here, d, point, attracting, count, a, b, gamma, pull, alpha);
        }
#undef POINT
        for (long c = 0; c < d; c++) yi[c] = here[c];
    }
}
