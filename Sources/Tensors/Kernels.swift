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


// MARK: - Log-sum-exp (Sinkhorn's half-iterations)

extension Kernels {
    /// y = exp(x) for x ≤ 0 (positive x read as 0), exactly 0 below −87; relative error below 2e-7.
    public static func exponentials(level: CPULevel, of x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        latent_exp_nonpositive(level.kernelLevel, x, y, count)
    }

    /// `lse[i]` = log Σⱼ exp(tⱼ − s·Cᵢⱼ) for the `rows` rows of C (`columns` wide, rows
    /// `leadingDimension` apart), −∞ when every term underflows, in one pass over C; with
    /// `means`, also `means[i]` = Σⱼ wᵢⱼCᵢⱼ under the row's softmax weights wᵢⱼ ∝ exp(tⱼ − s·Cᵢⱼ).
    /// Exponents are formed in Double and exponentiated in Float (relative error below 2e-7).
    public static func logSumExpRows(level: CPULevel, cost: UnsafePointer<Float>, rows: Int, columns: Int, leadingDimension: Int,
                                     terms: UnsafePointer<Double>, scale: Double, into lse: UnsafeMutablePointer<Double>,
                                     means: UnsafeMutablePointer<Double>? = nil) {
        latent_logsumexp_rows(level.kernelLevel, cost, rows, columns, leadingDimension, terms, scale, lse, means)
    }

    /// `lse[j]` = log Σᵢ exp(tᵢ − s·Cᵢⱼ) for the `columns` columns starting at `cost` (rows
    /// `leadingDimension` apart, `rows` of them), in one pass swept down the rows.
    public static func logSumExpColumns(level: CPULevel, cost: UnsafePointer<Float>, rows: Int, columns: Int, leadingDimension: Int,
                                        terms: UnsafePointer<Double>, scale: Double, into lse: UnsafeMutablePointer<Double>) {
        latent_logsumexp_columns(level.kernelLevel, cost, rows, columns, leadingDimension, terms, scale, lse)
    }

    /// `plan[i·columns + j]` = exp(rᵢ + tⱼ − s·Cᵢⱼ) for `rows` rows (exponents at most 88).
    public static func sinkhornPlan(level: CPULevel, cost: UnsafePointer<Float>, rows: Int, columns: Int, leadingDimension: Int,
                                    rowTerms: UnsafePointer<Double>, columnTerms: UnsafePointer<Double>, scale: Double,
                                    into plan: UnsafeMutablePointer<Float>) {
        latent_sinkhorn_plan(level.kernelLevel, cost, rows, columns, leadingDimension, rowTerms, columnTerms, scale, plan)
    }

    /// `out[i]` = Σⱼ Kᵢⱼwⱼ for the `rows` rows of K (rows `leadingDimension` apart), in one pass
    /// (float products, Double sums across chunks of 1 024).
    public static func multiplyRows(level: CPULevel, kernel: UnsafePointer<Float>, rows: Int, columns: Int, leadingDimension: Int,
                                    by w: UnsafePointer<Float>, into out: UnsafeMutablePointer<Double>) {
        latent_gemv_rows(level.kernelLevel, kernel, rows, columns, leadingDimension, w, out)
    }

    /// `out[j]` = Σᵢ wᵢKᵢⱼ for the `columns` columns starting at `kernel`, swept down the rows.
    public static func multiplyColumns(level: CPULevel, kernel: UnsafePointer<Float>, rows: Int, columns: Int, leadingDimension: Int,
                                       by w: UnsafePointer<Float>, into out: UnsafeMutablePointer<Double>) {
        latent_gemv_columns(level.kernelLevel, kernel, rows, columns, leadingDimension, w, out)
    }

    /// `out[p]` = ‖x[first[p]] − x[second[p]]‖² for the `count` listed pairs of rows of `x`
    /// (rows of `features` floats).
    public static func pairSquaredDistances(level: CPULevel, rows x: UnsafePointer<Float>, features: Int, first: UnsafePointer<Int32>,
                                            second: UnsafePointer<Int32>, count: Int, into out: UnsafeMutablePointer<Float>) {
        latent_pair_squared_distances(level.kernelLevel, x, features, first, second, count, out)
    }

    /// `out[p]` = x[rows[p]] · v for the `count` listed rows of `x` (rows of `features` floats).
    public static func rowDots(level: CPULevel, rows x: UnsafePointer<Float>, features: Int, listed rows: UnsafePointer<Int32>, count: Int,
                               with v: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        latent_rows_dot(level.kernelLevel, x, features, rows, count, v, out)
    }

    /// `out[i]` = ‖xᵢ‖² for the `count` rows of `x`, summed as `listedSquaredDistances` sums.
    public static func squaredNorms(level: CPULevel, rows x: UnsafePointer<Float>, features: Int, count: Int, into out: UnsafeMutablePointer<Float>) {
        latent_squared_norms(level.kernelLevel, x, features, count, out)
    }

    /// The upper triangle (a < b) of the `count × count` squared distances among the listed rows
    /// of `x`, nₐ + n_b − 2xₐ·x_b clamped at 0, with `norms` from `squaredNorms`.
    public static func listedSquaredDistances(level: CPULevel, rows x: UnsafePointer<Float>, features: Int, listed rows: UnsafePointer<Int32>,
                                              count: Int, norms: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        latent_listed_distances(level.kernelLevel, x, features, rows, count, norms, out)
    }
}

extension Kernels {
    /// σ(x) in place over `count` values.
    public static func sigmoid(level: CPULevel, _ values: UnsafeMutablePointer<Float>, count: Int) {
        latent_sigmoid(level.kernelLevel, values, values, count)
    }

    /// max(x, 0) in place over `count` values (NaN stays NaN).
    public static func relu(_ values: UnsafeMutablePointer<Float>, count: Int) { latent_relu(values, count) }

    /// out = g where y > 0, else 0: the rectifier's pullback from its output y.
    public static func reluPullback(output y: UnsafePointer<Float>, gradient g: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
        latent_relu_backward(y, g, out, count)
    }
}
