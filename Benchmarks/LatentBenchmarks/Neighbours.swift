import Dispatch
import Foundation
import Latent

/// Nearest-neighbour graphs of Fashion-MNIST (784-D), k = 15: NN-descent against the exact
/// graph (recall@15, both timed) and against pynndescent on the same rows
/// (`Benchmarks/reference/neighbours_reference.py`, reading the NPY files written here, the exact
/// graph among them). Without `withExact`, NN-descent alone (the exact graph of 70 000 points
/// takes a minute).
func benchmarkNeighbours(repetitions: Int, folder: String, sizes: [Int], withExact: Bool, k: Int = 15, descent: NearestNeighbours.Descent = .init()) throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let loader = DatasetLoader()
    let all = Tensor.concatenate([try loader.load("fashion-mnist:train").samples, try loader.load("fashion-mnist:test").samples])
    let threads = ComputeSettings.current.threads
    for n in sizes {
        let points = all.rows(0..<n)
        try NPY.write(points, to: folder + "/fashion-\(n).npy")
        var graph: NeighbourGraph?
        var times: [Double] = []
        for repetition in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            graph = try NearestNeighbours.descent(points, k: k, configuration: descent, seed: UInt64(repetition))
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        guard withExact else {
            print(String(format: "k = %d neighbours of %d Fashion-MNIST images (784-D), %d threads: NN-descent %.2f s (median of %d)", k, n, threads, median(times), times.count))
            continue
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let exact = try NearestNeighbours.exact(points, k: k)
        let exactTime = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if k == 15 { try NPY.write(try Tensor(shape: [n, 15], scalars: exact.indices.map(Float.init)), to: folder + "/fashion-\(n)-exact.npy") }
        print(String(format: "k = %d neighbours of %d Fashion-MNIST images (784-D), %d threads: NN-descent %.2f s (median of %d; recall@k %.4f), exact %.2f s",
                     k, n, threads, median(times), times.count, graph!.recall(against: exact), exactTime))
    }
}
