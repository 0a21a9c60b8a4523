import Dispatch
import Foundation
import Latent

/// Isomap of an S-curve (4 000 points, k = 10) against scikit-learn's: this writes the points,
/// their true coordinates (t, h), Latent's codes and time to `folder`; then
/// `Benchmarks/reference/isomap_reference.py` fits `sklearn.manifold.Isomap` on the same points
/// and prints both times and how well each recovers the true coordinates (Spearman's ρ).
func benchmarkIsomap(folder: String, repetitions: Int) throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let (data, truth) = try SyntheticManifold.sCurve.generate(["n": 4_000, "seed": 0])
    try NPY.write(data.samples, to: folder + "/points.npy")
    try NPY.write(truth, to: folder + "/truth.npy")
    var times: [Double] = []
    var model: Isomap?
    for _ in 0..<repetitions {
        var generator = RandomGenerator(seed: 0)
        let start = DispatchTime.now().uptimeNanoseconds
        model = try Isomap.fit(data.samples, configuration: .init(components: 2, neighbours: 10, decoder: .init(kind: .none)), using: &generator)
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    let seconds = times.sorted()[times.count / 2]
    try NPY.write(model!.embedding, to: folder + "/latent.npy")
    try JSONSerialization.data(withJSONObject: ["seconds": seconds]).write(to: URL(fileURLWithPath: folder + "/latent-times.json"))
    print(String(format: "Isomap of a 4 000-point S-curve (k = 10), %d threads: %.2f s (median of %d; %d sources, %d edges)",
                 ComputeSettings.current.threads, seconds, times.count, model!.summary.sources, model!.summary.edges))
}
