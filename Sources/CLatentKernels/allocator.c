// Process-wide allocator settings, for executables to opt into (the library never calls this).
#include "CLatentKernels.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

void latent_keep_freed_memory(void) {
#ifdef __GLIBC__
    // Blocks above the mmap threshold (128 KiB by default) go back to the system when freed, so
    // every training step mapped fresh pages for its activations and the kernel zeroed them.
    // The maximum threshold (32 MiB on 64-bit) and a high trim threshold keep them for reuse.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}
