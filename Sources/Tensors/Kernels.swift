import CLatentKernels

/// The C kernels that the modules above Tensors use, behind Swift names: only Tensors calls
/// CLatentKernels (DESIGN: layering). Each takes the instruction-set level to run at; pointers
/// are the callers' own storage, used only for the call.
public enum Kernels {
    /// One Adam step on `count` parameters (Kingma & Ba 2015, Algorithm 1, bias corrections
    /// folded into `stepSize` = lr·√(1−β₂ᵗ)/(1−β₁ᵗ) and `epsilonHat` = ε·√(1−β₂ᵗ)), after the
    /// decoupled weight decay θ ← θ − decay·θ (AdamW; 0 for Adam).
    public static func adamUpdate(level: CPULevel, parameters: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>,
                                  firstMoment: UnsafeMutablePointer<Float>, secondMoment: UnsafeMutablePointer<Float>, count: Int,
                                  beta1: Float, beta2: Float, stepSize: Float, epsilonHat: Float, decay: Float) {
        latent_adam_update(level.kernelLevel, parameters, gradient, firstMoment, secondMoment, count, beta1, beta2, stepSize, epsilonHat, decay)
    }

    /// Σ softplus(z) − t·z over `count` logits and targets, in Double, writing the residual
    /// σ(z) − t that the gradient scales.
    public static func binaryCrossEntropy(level: CPULevel, logits: UnsafePointer<Float>, targets: UnsafePointer<Float>,
                                          residual: UnsafeMutablePointer<Float>, count: Int) -> Double {
        latent_bce_logits(level.kernelLevel, logits, targets, residual, count)
    }

    /// `out[i·t + j]` = ‖xᵢ − cⱼ‖² for the `rows` rows of `samples` (rows × features) and the
    /// `centreCount` ≤ 16 rows of `centres`, in one pass over the samples.
    public static func squaredDistances(level: CPULevel, samples: UnsafePointer<Float>, rows: Int, features: Int,
                                        centres: UnsafePointer<Float>, centreCount: Int, into out: UnsafeMutablePointer<Float>) {
        latent_squared_distances(level.kernelLevel, samples, rows, features, centres, centreCount, out)
    }

    /// For each of the `rows` rows of `samples`: `sums[labels[i]] += xᵢ` in Double (k × features,
    /// zeroed by the caller) and `counts[labels[i]] += 1`: k-means' update step.
    public static func clusterSums(level: CPULevel, samples: UnsafePointer<Float>, rows: Int, features: Int,
                                   labels: UnsafePointer<Int>, sums: UnsafeMutablePointer<Double>, counts: UnsafeMutablePointer<Int>) {
        latent_cluster_sums(level.kernelLevel, samples, rows, features, labels, sums, counts)
    }

    /// Tells malloc to keep freed memory instead of returning it to the system, so the
    /// activations freed each step are reused instead of faulted in again (executables only).
    public static func keepFreedMemory() { latent_keep_freed_memory() }
}

