import Foundation

import Latent
import Testing
import TestSupport

/// `latent distance`: the library's measures on data sets or on a model's codes.
@Suite struct DistanceCommand {
    @Test func measuresWhatTheLibraryMeasures() throws {
        let folder = scratchFolder()
        var generator = RandomGenerator(seed: 1)
        let (a, b) = (Tensor.randomNormal([200, 3], using: &generator), Tensor.randomNormal([150, 3], using: &generator) + 0.5)
        try NPY.write(a, to: folder + "/a.npy")
        try NPY.write(b, to: folder + "/b.npy")
        let mmd = try latent("distance", "a.npy", "b.npy", "--bandwidth", "1.5", "--estimator", "biased", "--permutations", "99", "--json", "--quiet", in: folder)
        #expect(mmd.status == 0, "\(mmd.errors)")
        let result = try json(mmd.output)
        let expected = try MaximumMeanDiscrepancy.squared(a, b, kernel: .gaussian(bandwidth: 1.5), estimator: .biased)
        #expect(abs((result["distance"] as! Double) - expected) < 1e-9 * max(1, expected))
        #expect(result["metric"] as? String == "mmd" && result["kernel"] as? String == "gaussian" && result["estimator"] as? String == "biased")
        #expect((result["p_value"] as! Double) == 0.01, "a shift of 0.5 in 350 points: no permutation comes close")

        let sliced = try latent("distance", "a.npy", "b.npy", "--metric", "sliced", "--projections", "20", "--seed", "4", "--json", in: folder)
        var directions = RandomGenerator(seed: 4)
        let value = try Wasserstein.sliced(a, b, projections: 20, using: &directions)
        #expect(abs((try json(sliced.output)["distance"] as! Double) - value) < 1e-12)
        #expect(try json(sliced.output)["ground_cost"] as? String == "squared Euclidean")

        // Sinkhorn and the exact EMD: the library's numbers, with what the iterations reached.
        let sinkhorn = try latent("distance", "a.npy", "b.npy", "--metric", "sinkhorn", "--epsilon", "0.1", "--json", "--quiet", in: folder)
        #expect(sinkhorn.status == 0, "\(sinkhorn.errors)")
        let divergence = try Sinkhorn.divergence(a, b, configuration: .init(epsilon: .absolute(0.1)))
        let reported = try json(sinkhorn.output)
        #expect(abs((reported["distance"] as! Double) - divergence.value) < 1e-9 && reported["converged"] as? Bool == true)
        #expect(reported["iterations"] as? Int == divergence.iterations && (reported["marginal_error"] as! Double) < 1e-6 && reported["epsilon"] as? Double == 0.1)
        let emd = try latent("distance", "a.npy", "a.npy", "--metric", "emd", "--json", in: folder)
        #expect((try json(emd.output)["distance"] as! Double) < 1e-5)  // a set against itself; distances from Float GEMM
        #expect(try latent("fit", "pca", "--data", "a.npy", "--code-size", "2", "--output", "p.safetensors", "--quiet", in: folder).status == 0)
        let codes = try latent("distance", "a.npy", "b.npy", "--encode", "p.safetensors", "--kernel", "imq", "--json", "--quiet", in: folder)
        let pca = try PCA.load(from: folder + "/p.safetensors")
        let expectedCodes = try MaximumMeanDiscrepancy.squared(try pca.encode(a), try pca.encode(b), kernel: .waeInverseMultiquadric(dimension: 2))
        #expect(abs((try json(codes.output)["distance"] as! Double) - expectedCodes) < 1e-9)
        #expect(try json(codes.output)["width"] as? Int == 2)

        let cases: [([String], String)] = [
            (["distance", "a.npy", "circle"], "a.npy has 3 features per sample but circle has 2"),
            (["distance", "a.npy", "b.npy", "--bandwidth", "0"], "--bandwidth must be positive"),
            (["distance", "a.npy", "b.npy", "--metric", "sliced", "--projections", "0"], "--projections must be at least 1"),
            (["distance", "a.npy", "b.npy", "--metric", "sliced", "--projections", "4000000000000000000"], "use fewer projections or subsample"),
            (["distance", "a.npy", "b.npy", "--metric", "sinkhorn", "--epsilon", "0"], "--epsilon must be positive"),
            (["distance", "a.npy", "b.npy", "--metric", "wasserstein"], "wasserstein"),
        ]
        for (arguments, message) in cases {
            let result = try runLatent(arguments, in: folder)
            #expect(result.status != 0, "\(arguments) succeeded")
            #expect(result.errors.contains(message), "\(arguments): stderr was \(result.errors)")
        }
    }

    /// `--metric emd` between sets of different sizes and weights: the library's plan, written
    /// as SciPy's sparse COO (read back, its marginals are the weights) and as CSV; weights
    /// that do not sum to 1 are normalised with a note; bad weights are errors naming the file.
    @Test func exactTransportTakesAnySizesAndWeights() throws {
        let folder = scratchFolder()
        var generator = RandomGenerator(seed: 2)
        let (a, b) = (Tensor.randomNormal([40, 3], using: &generator), Tensor.randomNormal([25, 3], using: &generator) + 0.5)
        try NPY.write(a, to: folder + "/a.npy")
        try NPY.write(b, to: folder + "/b.npy")
        let weightsA = (0..<40).map { Double($0 % 5) }, weightsB = (0..<25).map { _ in 0.04 }
        try weightsA.map { "\($0)" }.joined(separator: "\n").write(toFile: folder + "/wa.txt", atomically: true, encoding: .utf8)
        try FileIO.writeAtomically(NPY.encode(doubles: weightsB), to: folder + "/wb.npy")
        let run = try latent("distance", "a.npy", "b.npy", "--metric", "emd", "--weights-a", "wa.txt", "--weights-b", "wb.npy", "--plan", "plan.npz", "--json", in: folder)
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.errors.contains("note: --weights-a wa.txt sums to 80.0; normalised to 1"), "\(run.errors)")
        let expected = try EarthMovers.exact(a: a, weightsA: weightsA, b: b, weightsB: weightsB.map { Double(Float($0)) })
        let result = try json(run.output)
        #expect(abs((result["distance"] as! Double) - expected.cost) < 1e-12 * expected.cost, "\(result)")
        #expect(result["nonzeros"] as? Int == expected.mass.count && (result["nonzeros"] as! Int) <= 40 + 25 - 1 && result["iterations"] as? Int == expected.iterations)
        let plan = try SparseNPZ.read(folder + "/plan.npz")
        #expect(plan.shape == [40, 25])
        let rowSums = plan.sum(alongAxis: 1), columnSums = plan.sum(alongAxis: 0)
        #expect((0..<40).allSatisfy { abs(Double(rowSums.scalars[$0]) - weightsA[$0] / 80) < 1e-6 } && (0..<25).allSatisfy { abs(Double(columnSums.scalars[$0]) - 0.04) < 1e-6 })
        let csv = try latent("distance", "a.npy", "b.npy", "--metric", "emd", "--weights-a", "wa.txt", "--plan", "plan.csv", "--quiet", in: folder)
        #expect(csv.status == 0, "\(csv.errors)")
        let lines = try String(contentsOfFile: folder + "/plan.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "i,j,mass" && lines.count >= 2 && lines.count <= 1 + 40 + 25 - 1)
        let mass = lines.dropFirst().map { Double($0.split(separator: ",")[2])! }.reduce(0, +)
        #expect(abs(mass - 1) < 1e-12)

        try "1\n2\nx\n".write(toFile: folder + "/bad.txt", atomically: true, encoding: .utf8)
        try (0..<40).map { $0 == 7 ? "-1" : "1" }.joined(separator: "\n").write(toFile: folder + "/negative.txt", atomically: true, encoding: .utf8)
        try (0..<40).map { $0 == 3 ? "nan" : "1" }.joined(separator: "\n").write(toFile: folder + "/nan.txt", atomically: true, encoding: .utf8)
        try (0..<40).map { _ in "0" }.joined(separator: "\n").write(toFile: folder + "/zeros.txt", atomically: true, encoding: .utf8)
        let emd = ["distance", "a.npy", "b.npy", "--metric", "emd"]
        let cases: [([String], String)] = [
            (emd + ["--weights-a", "bad.txt"], "bad.txt:3: 'x' is not a number"),
            (emd + ["--weights-b", "wa.txt"], "--weights-b wa.txt holds 40 weights for the 25 rows of b.npy"),
            (emd + ["--weights-a", "negative.txt"], "negative.txt: weight 8 is -1.0; weights must be finite and non-negative"),
            (emd + ["--weights-a", "nan.txt"], "nan.txt: weight 4 is nan"),
            (emd + ["--weights-a", "zeros.txt"], "the weights sum to 0"),
            (emd + ["--plan", "plan.txt"], "--plan must end in .npz (SciPy sparse COO) or .csv"),
            (emd + ["--max-iterations", "2"], "found no optimum within 2 pivots"),
            (["distance", "a.npy", "b.npy", "--weights-a", "wa.txt"], "apply to --metric emd and sinkhorn"),
            (["distance", "a.npy", "b.npy", "--metric", "sinkhorn", "--plan", "p.npz"], "--plan applies to --metric emd"),
        ]
        for (arguments, message) in cases {
            let result = try runLatent(arguments, in: folder)
            #expect(result.status != 0 && result.errors.contains(message), "\(arguments): stderr was \(result.errors)")
        }
    }

    /// `--metric sinkhorn` with the default ε (5 % of the mean cost: `relative_epsilon` and the ε
    /// it resolved to), an absolute `--epsilon`, weights, and a budget too small to converge:
    /// a warning that names the problems that stopped, and `converged: false`.
    @Test func sinkhornTakesRelativeEpsilonWeightsAndSaysWhenItStops() throws {
        let folder = scratchFolder()
        var generator = RandomGenerator(seed: 3)
        let (a, b) = (Tensor.randomNormal([40, 3], using: &generator) * 10, Tensor.randomNormal([25, 3], using: &generator) * 10 + 5)
        try NPY.write(a, to: folder + "/a.npy")
        try NPY.write(b, to: folder + "/b.npy")
        let weightsA = (0..<40).map { Double($0 % 4) }
        try weightsA.map { "\($0)" }.joined(separator: "\n").write(toFile: folder + "/wa.txt", atomically: true, encoding: .utf8)

        let relative = try latent("distance", "a.npy", "b.npy", "--metric", "sinkhorn", "--weights-a", "wa.txt", "--json", "--quiet", in: folder)
        #expect(relative.status == 0, "\(relative.errors)")
        let expected = try Sinkhorn.divergence(a, b, weightsA: weightsA, configuration: .init())
        let reported = try json(relative.output)
        #expect(abs((reported["distance"] as! Double) - expected.value) < 1e-9 * abs(expected.value) && reported["relative_epsilon"] as? Double == 0.05)
        #expect(abs((reported["epsilon"] as! Double) - expected.crossed.epsilon) < 1e-12 && expected.crossed.epsilon > 1, "squared distances in the hundreds: \(reported)")

        let absolute = try latent("distance", "a.npy", "b.npy", "--metric", "sinkhorn", "--epsilon", "2", "--json", "--quiet", in: folder)
        let absoluteReport = try json(absolute.output)
        #expect(absoluteReport["epsilon"] as? Double == 2 && absoluteReport["relative_epsilon"] == nil)

        let stopped = try runLatent(["distance", "a.npy", "b.npy", "--metric", "sinkhorn", "--epsilon", "0.01", "--max-iterations", "2", "--json"], in: folder)
        let stoppedReport = try json(stopped.output)
        #expect(stopped.status == 0 && stoppedReport["converged"] as? Bool == false)
        #expect(stopped.errors.contains("warning: Sinkhorn stopped unconverged") && stopped.errors.contains("OT_ε(A, B) after 2 iterations"), "\(stopped.errors)")

        let sinkhorn = ["distance", "a.npy", "b.npy", "--metric", "sinkhorn"]
        let cases: [([String], String)] = [
            (sinkhorn + ["--epsilon", "1", "--relative-epsilon", "0.1"], "give --epsilon (absolute) or --relative-epsilon, not both"),
            (sinkhorn + ["--relative-epsilon=-1"], "--relative-epsilon must be positive"),
            (sinkhorn + ["--tolerance=-1"], "--tolerance must not be negative"),
            (["distance", "a.npy", "b.npy", "--relative-epsilon", "0.1"], "apply to --metric sinkhorn"),
        ]
        for (arguments, message) in cases {
            let result = try runLatent(arguments, in: folder)
            #expect(result.status != 0 && result.errors.contains(message), "\(arguments): stderr was \(result.errors)")
        }
    }
}
