import DataFormats
import DistributionMatching
import Foundation
import Testing
import TestSupport
import Tensors

/// Latent's optimal transport against Python's POT (Flamary et al., JMLR 2021) on the same data:
/// `ot.emd2`, `ot.sinkhorn2(method="sinkhorn_log")` and `ot.sliced_wasserstein_distance` with
/// the very directions Latent drew, all on the squared-Euclidean cost of `ot.dist`, to 10⁻⁴
/// relative. Runs where python3 has POT (CI installs it).
@Suite(.enabled(if: pythonCanImport("ot"), "needs python3 with POT (pip install pot)"))
struct POTCrossCheck {
    @Test func optimalTransportAgreesWithPOT() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("latent-pot-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var generator = RandomGenerator(seed: 7)
        let x = Tensor.randomNormal([60, 5], using: &generator)
        let y = Tensor.randomNormal([60, 5], using: &generator) + 0.8
        let z = Tensor.randomNormal([45, 5], using: &generator) * 1.5
        var directionGenerator = RandomGenerator(seed: 3)
        let directions = Wasserstein.unitDirections(40, dimension: 5, using: &directionGenerator)
        for (name, tensor) in [("x", x), ("y", y), ("z", z), ("directions", directions)] { try NPY.write(tensor, to: "\(folder)/\(name).npy") }
        let epsilon = 0.5
        let script = """
            import numpy as np, ot
            x, y, z, d = (np.load('\(folder)/' + n + '.npy').astype(np.float64) for n in ('x', 'y', 'z', 'directions'))
            def uniform(n): return np.full(n, 1.0 / n)
            print(ot.emd2(uniform(60), uniform(60), ot.dist(x, y)))
            print(ot.sinkhorn2(uniform(60), uniform(45), ot.dist(x, z), \(epsilon), method='sinkhorn_log', stopThr=1e-12, numItermax=200000))
            print(ot.sliced_wasserstein_distance(x, z, projections=d.T))
            """
        let result = try runProcess("python3", ["-c", script])
        #expect(result.status == 0, "\(result.errors)")
        let pot = result.output.split(separator: "\n").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        try #require(pot.count == 3, "POT printed \(result.output)")

        let emd = try EarthMovers.exact(x, y).distance
        #expect(abs(emd - pot[0]) < 1e-4 * pot[0], "EMD: Latent \(emd), POT \(pot[0])")
        let sinkhorn = try Sinkhorn.solve(x, z, configuration: .init(epsilon: epsilon, tolerance: 1e-10))
        #expect(sinkhorn.converged)
        #expect(abs(sinkhorn.transportCost - pot[1]) < 1e-4 * pot[1], "Sinkhorn ⟨P, C⟩: Latent \(sinkhorn.transportCost), POT \(pot[1])")
        var slicedGenerator = RandomGenerator(seed: 3)
        let sliced = try Wasserstein.sliced(x, z, projections: 40, using: &slicedGenerator)
        #expect(abs(sliced - pot[2]) < 1e-4 * pot[2], "sliced: Latent \(sliced), POT \(pot[2])")
    }
}
