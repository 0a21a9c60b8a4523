import Dispatch
import Foundation
import Latent

/// Metric MDS (SMACOF, 4 starts) of a standardised table, the 1 874 cells × 815 chromatin
/// regions of `sci-car:atac` (each column to mean 0 and variance 1), against scikit-learn's
/// `MDS(n_init=4)`: this writes the table, Latent's codes and time to `folder`; then
/// `Benchmarks/reference/mds_reference.py` fits scikit-learn on the same table and prints both
/// fits' stress-1, computed by one formula, and times. Classical MDS is timed beside it.
func benchmarkMDS(folder: String) throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let data = try DatasetLoader().load("sci-car:atac")
    let (n, d) = (data.samples.rows, data.samples.columns)
    var (mean, square) = ([Double](repeating: 0, count: d), [Double](repeating: 0, count: d))
    let x = data.samples.scalars
    for i in 0..<n { for c in 0..<d { mean[c] += Double(x[i * d + c]); square[c] += Double(x[i * d + c]) * Double(x[i * d + c]) } }
    let deviation = (0..<d).map { c in ((square[c] / Double(n) - mean[c] * mean[c] / Double(n * n))).squareRoot() }
    let table = try Tensor(shape: [n, d], scalars: (0..<(n * d)).map { index in
        let c = index % d
        return deviation[c] > 0 ? Float((Double(x[index]) - mean[c] / Double(n)) / deviation[c]) : 0
    })
    try NPY.write(table, to: folder + "/table.npy")
    var times: [String: Double] = [:]
    for scaling in MDS.Configuration.Scaling.allCases {
        var generator = RandomGenerator(seed: 0)
        let start = DispatchTime.now().uptimeNanoseconds
        let model = try MDS.fit(table, configuration: .init(scaling: scaling, initialisations: 4, decoder: .init(kind: .none)), using: &generator)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        times[scaling.rawValue] = seconds
        try NPY.write(model.embedding, to: folder + "/latent-\(scaling.rawValue).npy")
        print(String(format: "MDS (%@) of the %d × %d standardised table, %d threads: %.2f s, stress-1 %.5f (start %d won, %d iterations)", scaling.rawValue,
                     n, d, ComputeSettings.current.threads, seconds, model.summary.stress, model.summary.bestInitialisation, model.summary.iterations))
    }
    try JSONSerialization.data(withJSONObject: ["times": times]).write(to: URL(fileURLWithPath: folder + "/latent-times.json"))
}
