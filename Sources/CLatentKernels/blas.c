// A system BLAS (OpenBLAS, BLIS, reference CBLAS) loaded with dlopen, so that Latent builds
// and runs without one and uses one when it is installed.
#include "CLatentKernels.h"

#include <dlfcn.h>
#include <stdio.h>

bool latent_blas_open(const char *path, latent_blas *blas, char *error, size_t error_size) {
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        snprintf(error, error_size, "cannot load BLAS library '%s': %s", path, why ? why : "unknown error");
        return false;
    }
    latent_cblas_sgemm_fn sgemm = (latent_cblas_sgemm_fn)dlsym(handle, "cblas_sgemm");
    if (!sgemm) {
        snprintf(error, error_size, "BLAS library '%s' has no cblas_sgemm symbol", path);
        dlclose(handle);
        return false;
    }
    // Latent splits work across cores itself; a BLAS that also spawns threads oversubscribes.
    typedef void (*set_threads_fn)(int);
    const char *setters[] = {"openblas_set_num_threads", "bli_thread_set_num_threads",
                             "MKL_Set_Num_Threads"};
    bool set = false;
    for (size_t i = 0; i < sizeof setters / sizeof *setters && !set; i++) {
        set_threads_fn f = (set_threads_fn)dlsym(handle, setters[i]);
        if (f) { f(1); set = true; }
    }
    blas->handle = handle;
    blas->sgemm = sgemm;
    blas->ssyrk = (latent_cblas_ssyrk_fn)dlsym(handle, "cblas_ssyrk");
    blas->threads_set_to_one = set;
    return true;
}
