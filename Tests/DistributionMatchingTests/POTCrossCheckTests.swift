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

        let emd = try EarthMovers.exact(a: x, b: y).cost
        #expect(abs(emd - pot[0]) < 1e-4 * pot[0], "EMD: Latent \(emd), POT \(pot[0])")
        let sinkhorn = try Sinkhorn.solve(x, z, configuration: .init(epsilon: .absolute(epsilon), tolerance: 1e-10))
        #expect(sinkhorn.converged)
        #expect(abs(sinkhorn.transportCost - pot[1]) < 1e-4 * pot[1], "Sinkhorn ⟨P, C⟩: Latent \(sinkhorn.transportCost), POT \(pot[1])")
        var slicedGenerator = RandomGenerator(seed: 3)
        let sliced = try Wasserstein.sliced(x, z, projections: 40, using: &slicedGenerator)
        #expect(abs(sliced - pot[2]) < 1e-4 * pot[2], "sliced: Latent \(sliced), POT \(pot[2])")
    }

    /// The exact plan between weighted sets of any sizes against `ot.emd2` and `ot.emd` (the
    /// same float64 weights, the same float32 points): the same cost to 10⁻⁶ relative, and
    /// both plans' marginals the weights to 10⁻⁹, on random sets and on degenerate ones.
    @Test func exactTransportAgreesWithPOT() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("latent-pot-emd-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var generator = RandomGenerator(seed: 11)
        func weights(_ count: Int) -> [Double] { (0..<count).map { _ in Double(generator.nextUniform()) + 0.01 } }
        var problems: [(name: String, a: Tensor, wa: [Double], b: Tensor, wb: [Double])] = []
        for (n, m) in [(1, 1), (5, 3), (400, 300), (1000, 800)] {
            let a = Tensor.randomNormal([n, 10], using: &generator), b = Tensor.randomNormal([m, 10], using: &generator) * 1.2 + 0.3
            problems.append(("\(n) × \(m)", a, weights(n), b, weights(m)))
        }
        let points = Tensor.randomNormal([20, 4], using: &generator)
        problems.append(("duplicate points", Tensor.concatenate([points, points]), weights(40), points, weights(20)))
        problems.append(("zero weights", points, (0..<20).map { $0 % 4 == 0 ? 0 : 1 }, points.rows(0..<12), (0..<12).map { $0 % 3 == 0 ? 0 : 2 }))
        problems.append(("all points equal", Tensor.zeros([9, 3]), weights(9), Tensor.zeros([6, 3]), weights(6)))
        for (index, problem) in problems.enumerated() {
            try NPY.write(problem.a, to: "\(folder)/a\(index).npy")
            try NPY.write(problem.b, to: "\(folder)/b\(index).npy")
            try FileIO.writeAtomically(NPY.encode(doubles: problem.wa), to: "\(folder)/wa\(index).npy")
            try FileIO.writeAtomically(NPY.encode(doubles: problem.wb), to: "\(folder)/wb\(index).npy")
        }
        let script = """
            import numpy as np, ot
            for k in range(\(problems.count)):
                a, b, wa, wb = (np.load('\(folder)/' + n + str(k) + '.npy') for n in ('a', 'b', 'wa', 'wb'))
                wa, wb = wa / wa.sum(), wb / wb.sum()
                M = ot.dist(a.astype(np.float64), b.astype(np.float64))
                plan = ot.emd(wa, wb, M, numItermax=10000000)
                print(ot.emd2(wa, wb, M, numItermax=10000000), abs(plan.sum(1) - wa).max(), abs(plan.sum(0) - wb).max())
            """
        let result = try runProcess("python3", ["-c", script])
        #expect(result.status == 0, "\(result.errors)")
        let lines = result.output.split(separator: "\n").map { $0.split(separator: " ").compactMap { Double($0) } }
        try #require(lines.count == problems.count && lines.allSatisfy { $0.count == 3 }, "POT printed \(result.output)")
        for (problem, pot) in zip(problems, lines) {
            let plan = try EarthMovers.exact(a: problem.a, weightsA: problem.wa, b: problem.b, weightsB: problem.wb)
            let scale = max(pot[0], 1e-12)
            #expect(abs(plan.cost - pot[0]) <= 1e-6 * scale, "\(problem.name): Latent \(plan.cost), POT \(pot[0])")
            #expect(pot[1] < 1e-9 && pot[2] < 1e-9, "\(problem.name): POT's marginals off by \(pot[1]), \(pot[2])")
            let (wa, wb) = (problem.wa.map { $0 / problem.wa.reduce(0, +) }, problem.wb.map { $0 / problem.wb.reduce(0, +) })
            #expect(zip(plan.marginalA, wa).allSatisfy { abs($0 - $1) < 1e-9 } && zip(plan.marginalB, wb).allSatisfy { abs($0 - $1) < 1e-9 }, "\(problem.name)")
        }
    }
}
