import Dispatch
import Foundation
import Latent

/// Distribution distances against POT and NumPy (`Benchmarks/reference/transport_reference.py`,
/// the same data written to NPY files): the exact EMD by the network simplex between the first
/// 1 000 × 1 000, 1 000 × 800 and 2 000 × 2 000 of two sets of 5 000 points in 50 dimensions
/// (N(0, I/100), so squared distances are about 1; Sinkhorn on them: `benchmarkSinkhorn`), and
/// the unbiased Gaussian
/// MMD² between 10 000 training and 10 000 test images of Fashion-MNIST (σ = 10).
func benchmarkTransport(repetitions: Int, folder: String) throws {
    let (x, y) = try transportSets(writingTo: folder)
    let loader = DatasetLoader()
    let train = try loader.load("fashion-mnist:train").samples.rows(0..<10_000), test = try loader.load("fashion-mnist:test").samples
    func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    var mmd = [Double]()
    var value = 0.0
    let emdSizes = [(1000, 1000), (1000, 800), (2000, 2000)]
    var simplex = [[Double]](repeating: [], count: emdSizes.count), simplexValues = [TransportPlan?](repeating: nil, count: emdSizes.count)
    for _ in 0..<repetitions {
        for (index, (n, m)) in emdSizes.enumerated() {
            simplex[index].append(try time { simplexValues[index] = try EarthMovers.exact(a: x.rows(0..<n), b: y.rows(0..<m)) })
        }
        mmd.append(try time { value = try MaximumMeanDiscrepancy.squared(train, test, kernel: .gaussian(bandwidth: 10)) })
    }
    let threads = ComputeSettings.current.threads
    for (index, (n, m)) in emdSizes.enumerated() {
        let plan = simplexValues[index]!
        print(String(format: "Exact EMD, %d × %d points in 50-D (network simplex, the cost matrix included): %.3f s (median of %d; EMD = %.6f, %d pivots, %d non-zeros)",
                     n, m, median(simplex[index]), simplex[index].count, plan.cost, plan.iterations, plan.mass.count))
    }
    print(String(format: "MMD², Gaussian σ = 10, 10 000 × 10 000 images in 784-D, unbiased, %d threads: %.2f s (median of %d; MMD² = %.6g)", threads, median(mmd), mmd.count, value))
}

/// The transport benchmarks' two sets of 5 000 points in 50-D, N(0, I/100) (squared distances
/// about 1), the second shifted by 0.02, seed 1, written to `folder` as x.npy and y.npy for the
/// Python references.
func transportSets(writingTo folder: String) throws -> (Tensor, Tensor) {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var generator = RandomGenerator(seed: 1)
    let scale = Float(1 / (2.0 * 50).squareRoot())
    let x = Tensor.randomNormal([5000, 50], using: &generator) * scale
    let y = Tensor.randomNormal([5000, 50], using: &generator) * scale + 0.02
    try NPY.write(x, to: folder + "/x.npy")
    try NPY.write(y, to: folder + "/y.npy")
    return (x, y)
}
