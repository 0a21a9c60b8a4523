import Latent

/// Keeps freed tensor storage in the heap for reuse: training steps allocate the same large
/// activations every batch, and glibc would otherwise unmap and re-map (and re-zero) them.
/// A process-wide setting, so the executable makes it, not the library.
func configureAllocator() {
    Kernels.keepFreedMemory()
}
