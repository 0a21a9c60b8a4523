import Dispatch
import Foundation
import Latent

/// Distribution distances against POT and NumPy (`Benchmarks/reference/transport_reference.py`,
/// the same data written to NPY files): 100 log-domain Sinkhorn iterations between two sets of
/// 5 000 points in 50 dimensions at ε = 0.05 (points N(0, I/100), so squared distances are
/// about 1), the exact EMD between 1 000 points of the same kind, and the unbiased Gaussian
/// MMD² between 10 000 training and 10 000 test images of Fashion-MNIST (σ = 10).
func benchmarkTransport(repetitions: Int, folder: String) throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var generator = RandomGenerator(seed: 1)
    let scale = Float(1 / (2.0 * 50).squareRoot())
    let x = Tensor.randomNormal([5000, 50], using: &generator) * scale
    let y = Tensor.randomNormal([5000, 50], using: &generator) * scale + 0.02
    try NPY.write(x, to: folder + "/x.npy")
    try NPY.write(y, to: folder + "/y.npy")
    let loader = DatasetLoader()
    let train = try loader.load("fashion-mnist:train").samples.rows(0..<10_000), test = try loader.load("fashion-mnist:test").samples
    func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    var (sinkhorn, emd, mmd) = ([Double](), [Double](), [Double]())
    var values = (0.0, 0.0, 0.0)
    for _ in 0..<repetitions {
        sinkhorn.append(try time {
            values.0 = try Sinkhorn.solve(x, y, configuration: .init(epsilon: 0.05, tolerance: 1e-300, maximumIterations: 100)).transportCost
        })
        emd.append(try time { values.1 = try EarthMovers.exact(x.rows(0..<1000), y.rows(0..<1000)).distance })
        mmd.append(try time { values.2 = try MaximumMeanDiscrepancy.squared(train, test, kernel: .gaussian(bandwidth: 10)) })
    }
    let threads = ComputeSettings.current.threads
    print(String(format: "Sinkhorn, 5 000 × 5 000 points in 50-D, ε = 0.05, 100 log-domain iterations, %d threads: %.2f s (median of %d; ⟨P, C⟩ = %.6f)", threads, median(sinkhorn), sinkhorn.count, values.0))
    print(String(format: "Exact EMD, 1 000 × 1 000 points in 50-D (Hungarian), %d threads: %.2f s (median of %d; EMD = %.6f)", threads, median(emd), emd.count, values.1))
    print(String(format: "MMD², Gaussian σ = 10, 10 000 × 10 000 images in 784-D, unbiased, %d threads: %.2f s (median of %d; MMD² = %.6g)", threads, median(mmd), mmd.count, values.2))
}
