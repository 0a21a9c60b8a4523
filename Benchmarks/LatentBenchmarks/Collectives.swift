import Foundation
import Latent

/// The fixed-order sum across processes (`Communicator.allReduceSum`) for message sizes from
/// 4 bytes to the deep autoencoder's gradient (11.35 MB), under `mpirun -np 2`: the single-
/// machine terms of the cost model (latency α and bandwidth β, docs/distributed.md). Rank 0
/// prints the median of `repetitions` sums per size, and the α, β of a least-squares line.
func benchmarkAllReduce(repetitions: Int) throws {
    let environment = ProcessInfo.processInfo.environment
    guard let launched = MPILibrary.launchedProcesses(environment: environment), launched > 1 else {
        print("allreduce: start it with mpirun -np 2 (or more) to measure sums across processes")
        return
    }
    guard let library = MPILibrary.findInstalled(environment: environment) else {
        throw CommunicationError("no MPI library of the launcher's kind found (tried \(MPILibrary.names(for: environment).joined(separator: ", ")))")
    }
    let world = try MPICommunicator(library: library)
    defer { world.finalize() }
    let counts = [1, 256, 4_096, 65_536, 262_144, 1_048_576, 2_837_314]
    var rows: [(bytes: Int, seconds: Double)] = []
    for count in counts {
        var values = [Float](repeating: 1, count: count)
        var times: [Double] = []
        for round in -3..<repetitions {
            _ = try world.any(false)  // start together
            let start = DispatchTime.now().uptimeNanoseconds
            try world.allReduceSum(&values)
            if round >= 0 { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        }
        rows.append((4 * count, times.sorted()[times.count / 2]))
    }
    guard world.rank == 0 else { return }
    let n = Double(world.size)
    print("Fixed-order sum across \(world.size) processes (recursive halving and doubling), median of \(repetitions):")
    print(column("bytes", 14) + column("time", 12) + "bytes sent per process / time")
    for row in rows {
        print(column("\(row.bytes)", 14) + column(String(format: "%.1f µs", row.seconds * 1e6), 12)
              + String(format: "%.2f GB/s", 2 * (n - 1) / n * Double(row.bytes) / row.seconds / 1e9))
    }
    // T = 2 log₂N α + 2 (N − 1)/N · S / β: α from the smallest sum, β from the largest (a least-
    // squares line is pulled off by the cache: the largest messages no longer fit in it).
    let (smallest, largest) = (rows.first!, rows.last!)
    let alpha = smallest.seconds / (2 * log2(n))
    let beta = 2 * (n - 1) / n * Double(largest.bytes) / (largest.seconds - smallest.seconds)
    print(String(format: "model: α = %.2f µs per exchange (%d exchanges), β = %.2f GB/s (sends and the additions)", 1e6 * alpha, Int(2 * log2(n)), beta / 1e9))
}
