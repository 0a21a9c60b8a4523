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
        let divergence = try Sinkhorn.divergence(a, b, configuration: .init(epsilon: 0.1))
        let reported = try json(sinkhorn.output)
        #expect(abs((reported["distance"] as! Double) - divergence.value) < 1e-9 && reported["converged"] as? Bool == true)
        #expect(reported["iterations"] as? Int == divergence.crossed.iterations && (reported["marginal_error"] as! Double) < 1e-6)
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
            (["distance", "a.npy", "b.npy", "--metric", "emd"], "equal size"),
            (["distance", "a.npy", "b.npy", "--metric", "sinkhorn", "--epsilon", "0"], "--epsilon must be positive"),
            (["distance", "a.npy", "b.npy", "--metric", "wasserstein"], "wasserstein"),
        ]
        for (arguments, message) in cases {
            let result = try runLatent(arguments, in: folder)
            #expect(result.status != 0, "\(arguments) succeeded")
            #expect(result.errors.contains(message), "\(arguments): stderr was \(result.errors)")
        }
    }
}
