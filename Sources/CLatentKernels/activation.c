// Elementwise passes of the rectifier that a layer's forward and backward passes make over its
// output: memory-bound, written with unconditional loads and restrict pointers so that the
// compiler turns the conditions into vector selects.

#include "CLatentKernels.h"

void latent_relu_backward(const float *restrict y, const float *restrict g, float *restrict out, long n) {
    for (long i = 0; i < n; i++) {
        const float gi = g[i], yi = y[i];
        out[i] = yi > 0.0f ? gi : 0.0f;
    }
}

void latent_relu(float *restrict y, long n) {
    for (long i = 0; i < n; i++) {
        const float yi = y[i];
        y[i] = yi < 0.0f ? 0.0f : yi;
    }
}
