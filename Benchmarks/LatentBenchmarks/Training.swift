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
    let n = train.shape[0]
    if autoencoder { try benchmarkAutoencoderEpoch(train, epochs: epochs) }
    try benchmarkRBMEpoch(train, epochs: epochs)
    print(String(format: "Peak memory of this process (VmHWM): %.0f MiB", peakMemoryMiB()))
}

func benchmarkAutoencoderEpoch(_ train: Tensor, epochs: Int) throws {
    let n = train.shape[0]
    let configuration = DeepAutoencoder.Configuration(pretraining: .none, initializer: .smallNormal,
                                                      training: .init(epochs: epochs, batchSize: 128, heldOutFraction: 0))
    var generator = RandomGenerator(seed: 0)
    let model = try DeepAutoencoder.fit(train, configuration: configuration, using: &generator)
    let perEpoch = model.record!.secondsPerEpoch
    let widths = [784] + configuration.hidden + [configuration.codeSize] + configuration.hidden.reversed() + [784]
    let flops = trainingFlopsPerSample(widths) * Double(n)
    print(String(format: "Deep autoencoder 784-1000-500-250-30 (sigmoid, bce, Adam, batch 128), %d thread(s): epoch %.2f s (median of %d; all: %@), %.0f samples/s, %.1f GFLOP/s useful",
                 ComputeSettings.current.threads, median(perEpoch), perEpoch.count, perEpoch.map { String(format: "%.2f", $0) }.joined(separator: ", "),
                 Double(n) / median(perEpoch), flops / median(perEpoch) / 1e9))
}

func benchmarkRBMEpoch(_ train: Tensor, epochs: Int) throws {
    let n = train.shape[0]
    var rbmTimes: [Double] = []
    for seed in 0..<UInt64(max(epochs, 1)) {
        var generator = RandomGenerator(seed: seed)
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try RBM.fit(train, configuration: .init(hiddenUnits: 1000, epochs: 1), using: &generator)
        rbmTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    // Per sample: v·Wᵀ, h·W, v′·Wᵀ and the two statistics products, 2·784·1000 each.
    let rbmFlops = 5 * 2 * 784 * 1000 * Double(n)
    print(String(format: "RBM 784→1000 CD-1 epoch (batch 100, free energy of 1 000 rows included): %.2f s (median of %d), %.1f GFLOP/s",
                 median(rbmTimes), rbmTimes.count, rbmFlops / median(rbmTimes) / 1e9))
}
