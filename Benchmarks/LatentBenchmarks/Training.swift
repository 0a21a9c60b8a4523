import Dispatch
import Foundation
import Latent

/// Multiply-adds ×2 of one training step per sample through dense layers of `widths`: forward
/// x·Wᵀ, backward δᵀ·x for each weight and δ·W for each input except the data's.
func trainingFlopsPerSample(_ widths: [Int]) -> Double {
    let products = zip(widths, widths.dropFirst()).map { Double($0 * $1) }
    return 2 * (3 * products.reduce(0, +) - products[0])
}

/// One epoch of the paper's network, 784-1000-500-250-30-250-500-1000-784 with logistic units,
/// a linear code and the bce loss, Adam, batches of 128, over full Fashion-MNIST train; and one
/// CD-1 epoch of the first RBM (784 → 1000, batches of 100). Speed in samples per second and
/// useful GFLOP/s (the products of forward and backward passes).
func benchmarkTraining(epochs: Int, autoencoder: Bool = true) throws {
    let train = try DatasetLoader().load("fashion-mnist:train").samples
    if autoencoder { try benchmarkAutoencoderEpoch(train, epochs: epochs) }
    try benchmarkRBMEpoch(train, epochs: epochs)
    print(String(format: "Peak memory of this process (VmHWM): %.0f MiB", peakMemoryMiB()))
}

func benchmarkAutoencoderEpoch(_ train: Tensor, epochs: Int) throws {
    let n = train.shape[0]
    let configuration = DeepAutoencoder.Configuration(pretraining: .none, initializer: .smallNormal,
                                                      training: .init(epochs: epochs, batchSize: 128, heldOutFraction: 0))
    let widths = [784] + configuration.hidden + [configuration.codeSize] + configuration.hidden.reversed() + [784]
    let layers = zip(widths, widths.dropFirst()).enumerated().map { (inputs: $1.0, outputs: $1.1, inputGradient: $0 > 0) }
    let flops = trainingFlopsPerSample(widths) * Double(n)
    // Each backend in turn, in two interleaved rounds, so that the machine's drifting load falls
    // on both. The built-in kernel's epochs are each followed by their floor, measured at once
    // (outside the epoch's time): on a shared machine the load drifts by more than the gap
    // between an epoch and its floor, so only an epoch and a floor taken side by side compare.
    let backends = gemmBackends()
    var perEpoch = [[Double]](repeating: [], count: backends.count)
    var pairs: [(epoch: Double, floor: Double)] = []
    let original = ComputeSettings.current
    for _ in 0..<2 {
        for (index, backend) in backends.enumerated() {
            let settings = ComputeSettings(backend: backend, threads: original.threads)
            // The trainer's clock less the time spent measuring floors: the epochs' own time.
            var (lastEpoch, lastEnd, measuring) = (0, 0.0, 0.0)
            let context = FitContext(progress: { progress in
                guard index == 0, progress.batch == progress.batches, progress.epoch != lastEpoch else { return }
                lastEpoch = progress.epoch
                let end = progress.elapsedSeconds - measuring
                let start = DispatchTime.now().uptimeNanoseconds
                pairs.append((end - lastEnd, epochGEMMFloor(layers: layers, samples: n, batchSize: 128, settings: settings, repetitions: 3)))
                measuring += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                lastEnd = end
            })
            var generator = RandomGenerator(seed: 0)
            let model = try ComputeContext(settings: settings).run {
                try DeepAutoencoder.fit(train, configuration: configuration, using: &generator, context: context)
            }
            perEpoch[index] += index == 0 ? pairs.suffix(epochs).map(\.epoch) : model.record!.secondsPerEpoch
        }
    }
    for (backend, times) in zip(backends, perEpoch) {
        print(String(format: "Deep autoencoder 784-1000-500-250-30 (sigmoid, bce, Adam, batch 128), %@, %d thread(s): epoch %.2f s (median of %d; all: %@), %.0f samples/s, %.1f GFLOP/s useful",
                     backend.description, original.threads, median(times), times.count, times.map { String(format: "%.2f", $0) }.joined(separator: ", "),
                     Double(n) / median(times), flops / median(times) / 1e9))
    }
    let ratios = pairs.map { $0.epoch / $0.floor }
    print(String(format: "  each built-in epoch over its products alone measured right after it: %.2f× (median of %d; all: %@; floors %@ s)",
                 median(ratios), ratios.count, ratios.map { String(format: "%.2f", $0) }.joined(separator: ", "),
                 pairs.map { String(format: "%.2f", $0.floor) }.joined(separator: ", ")))
    benchmarkEpochGEMMFloor(layers: layers, samples: n, batchSize: 128)
    // The built-in kernel's epoch, pass by pass: logistic hidden units, a linear code and linear logits.
    benchmarkEpochPasses(layers: deepAutoencoderLayers(widths, codeSize: configuration.codeSize), samples: n, batchSize: 128, epoch: median(perEpoch[0]))
}

/// The deep autoencoder's layers: logistic hidden units, a linear code and linear logits.
func deepAutoencoderLayers(_ widths: [Int] = [784, 1000, 500, 250, 30, 250, 500, 1000, 784], codeSize: Int = 30) -> [StepLayer] {
    zip(widths, widths.dropFirst()).enumerated().map { index, sizes in
        StepLayer(inputs: sizes.0, outputs: sizes.1, activation: sizes.1 == codeSize || index == widths.count - 2 ? .linear : .sigmoid,
                  inputGradient: index > 0)
    }
}

/// The time one epoch's matrix products alone take (every forward, weight-gradient and
/// input-gradient product of every step, at the training's shapes), for each backend: a floor
/// under the epoch that no work outside the GEMM can beat.
func benchmarkEpochGEMMFloor(layers: [(inputs: Int, outputs: Int, inputGradient: Bool)], samples n: Int, batchSize: Int, steps: Int = 60) {
    let flops = Double(n) * 2 * layers.reduce(0.0) { $0 + Double($1.inputs * $1.outputs) * ($1.inputGradient ? 3 : 2) }
    for backend in gemmBackends() {
        let settings = ComputeSettings(backend: backend)
        let seconds = epochGEMMFloor(layers: layers, samples: n, batchSize: batchSize, settings: settings, steps: steps)
        print(String(format: "  its products alone (%@, %d threads): %.2f s per epoch (median of 5), %.1f GFLOP/s",
                     backend.description, settings.threads, seconds, flops / seconds / 1e9))
    }
}

/// One epoch's products alone under `settings`: `steps` steps' worth timed `repetitions` times,
/// scaled to an epoch of `n` samples; the median.
func epochGEMMFloor(layers: [(inputs: Int, outputs: Int, inputGradient: Bool)], samples n: Int, batchSize: Int,
                    settings: ComputeSettings, steps: Int = 60, repetitions: Int = 5) -> Double {
    var generator = RandomGenerator(seed: 2)
    let weights = layers.map { Tensor.randomUniform([$0.outputs, $0.inputs], using: &generator) }
    let inputs = layers.map { Tensor.randomUniform([batchSize, $0.inputs], using: &generator) }
    let outputs = layers.map { Tensor.randomUniform([batchSize, $0.outputs], using: &generator) }
    let batches = (n + batchSize - 1) / batchSize
    let times = (0..<repetitions).map { _ in
        let start = DispatchTime.now().uptimeNanoseconds
        // Outputs are allocated per product, as training does (without zero-filling).
        for _ in 0..<steps {
            for (index, layer) in layers.enumerated() {
                var output = Tensor.uninitialized([batchSize, layer.outputs])
                gemm(inputs[index], weights[index], transposeB: true, into: &output, settings: settings)
                var weightGradient = Tensor.uninitialized([layer.outputs, layer.inputs])
                gemm(outputs[index], transposeA: true, inputs[index], into: &weightGradient, settings: settings)
                if layer.inputGradient {
                    var inputGradient = Tensor.uninitialized([batchSize, layer.inputs])
                    gemm(outputs[index], weights[index], into: &inputGradient, settings: settings)
                }
            }
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 * Double(batches) / Double(steps)
    }
    return median(times)
}

func benchmarkRBMEpoch(_ train: Tensor, epochs: Int) throws {
    let n = train.shape[0]
    let backends = gemmBackends()
    var times = [[Double]](repeating: [], count: backends.count)
    let original = ComputeSettings.current
    for seed in 0..<UInt64(max(epochs, 1)) {
        for (index, backend) in backends.enumerated() {
            var generator = RandomGenerator(seed: seed)
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try ComputeContext(settings: ComputeSettings(backend: backend, threads: original.threads)).run {
                try RBM.fit(train, configuration: .init(hiddenUnits: 1000, epochs: 1), using: &generator)
            }
            times[index].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
    }
    // Per sample: v·Wᵀ, h·W, v′·Wᵀ and the two statistics products, 2·784·1000 each.
    let rbmFlops = 5 * 2 * 784 * 1000 * Double(n)
    for (backend, rbmTimes) in zip(backends, times) {
        print(String(format: "RBM 784→1000 CD-1 epoch (batch 100, free energy of 1 000 rows included), %@: %.2f s (median of %d), %.1f GFLOP/s",
                     backend.description, median(rbmTimes), rbmTimes.count, rbmFlops / median(rbmTimes) / 1e9))
    }
}

/// The built-in kernel at this CPU's level, then the system BLAS when one is installed.
func gemmBackends() -> [GEMMBackend] {
    var backends: [GEMMBackend] = [.builtIn(CPULevel.detected)]
    if let blas = SystemBLAS.findInstalled() { backends.append(.systemBLAS(blas)) }
    return backends
}

/// The VAE of PyTorch's `examples/vae` (784-400-20, ReLU, Bernoulli decoder, Adam 10⁻³, batches of
/// 128) on full Fashion-MNIST train: epoch time (compare `Benchmarks/reference/vae_reference.py`)
/// and the floor of its matrix products.
func benchmarkVAEEpoch(epochs: Int) throws {
    let train = try DatasetLoader().load("fashion-mnist:train").samples
    let configuration = VariationalAutoencoder.Configuration(training: .init(epochs: epochs, batchSize: 128, learningRate: 1e-3, heldOutFraction: 0))
    var generator = RandomGenerator(seed: 1)
    let model = try VariationalAutoencoder.fit(train, configuration: configuration, using: &generator)
    let times = model.record!.secondsPerEpoch
    print(String(format: "VAE 784-400-20 (ReLU, Bernoulli, Adam, batch 128), %@, %d thread(s): epoch %.3f s (median of %d; all: %@)",
                 ComputeSettings.current.backend.description, ComputeSettings.current.threads, median(times), times.count,
                 times.map { String(format: "%.3f", $0) }.joined(separator: ", ")))
    benchmarkEpochGEMMFloor(layers: [(784, 400, false), (400, 40, true), (20, 400, true), (400, 784, true)], samples: train.rows, batchSize: 128)
    benchmarkEpochPasses(layers: [StepLayer(inputs: 784, outputs: 400, activation: .relu, inputGradient: false),
                                  StepLayer(inputs: 400, outputs: 40, activation: .linear, inputGradient: true),
                                  StepLayer(inputs: 20, outputs: 400, activation: .relu, inputGradient: true),
                                  StepLayer(inputs: 400, outputs: 784, activation: .linear, inputGradient: true)],
                         samples: train.rows, batchSize: 128, epoch: median(times))
}

/// The default convolutional VAE for 28 × 28 × 1 images and a code of 20 on full Fashion-MNIST
/// against the MLP VAE (784-400-20), both Bernoulli, Adam 10⁻³, batch 128, no held-out part:
/// each epoch's time and the test negative ELBO per image (one draw) after the last epoch;
/// `seed` draws the initial weights and the batches.
/// Compare with `Benchmarks/reference/conv_vae_reference.py --epochs N` in the same run.
func benchmarkConvolutionalVAE(epochs: Int, architectures: [NetworkArchitecture], seed: UInt64 = 1) throws {
    let loader = DatasetLoader()
    let (train, test) = (try loader.load("fashion-mnist:train"), try loader.load("fashion-mnist:test"))
    for architecture in architectures {
        let configuration = VariationalAutoencoder.Configuration(training: .init(epochs: epochs, batchSize: 128, learningRate: 1e-3, heldOutFraction: 0),
                                                                 architecture: architecture, imageShape: architecture == .mlp ? nil : train.sampleShape)
        var generator = RandomGenerator(seed: seed)
        let model = try VariationalAutoencoder.fit(train.samples, configuration: configuration, using: &generator)
        let times = model.record!.secondsPerEpoch
        var draws = RandomGenerator(seed: 2)
        let elbo = try model.negativeEvidenceLowerBound(test.samples, using: &draws)
        print(String(format: "VAE %@ (Bernoulli, Adam, batch 128), %@, %d thread(s): epoch %.3f s (median of %d; all: %@); test negative ELBO %.2f nats",
                     architecture.description, ComputeSettings.current.backend.description, ComputeSettings.current.threads, median(times), times.count,
                     times.map { String(format: "%.3f", $0) }.joined(separator: ", "), elbo.reduce(0, +) / Double(elbo.count)))
    }
}
