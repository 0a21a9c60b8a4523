import Foundation
import Latent
import Testing

/// `latent fit umap`: its summary in `--json`, progress by epoch, the model evaluated and used to
/// encode, and options out of range refused.
@Suite struct UMAPCommands {
    func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    @Test func fitReportsItsGraphAndEvaluateItsNeighbourhoods() throws {
        let folder = scratchFolder()
        let blobs = try SyntheticManifold.blobs.generate(["n": 400, "centers": 4, "dimension": 8, "seed": 6]).dataset
        try CSV.write(blobs.samples, to: folder + "/train.csv", columnNames: (0..<8).map { "x\($0)" }, labels: blobs.labels)
        let fit = try latent("fit", "umap", "--data", "train.csv", "--label-column", "label", "--neighbours", "10", "--epochs", "150", "--decoder-epochs", "50",
                             "--output", "u.safetensors", "--json", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let fitted = try json(fit.output)
        #expect(fitted["epochs"] as? Int == 150 && (fitted["edges"] as! Int) > 1_000 && fitted["spectral_converged"] as? Bool == true)
        #expect(abs((fitted["a"] as! Double) - 1.577) < 1e-3 && fitted["exact_neighbours"] as? Bool == true)
        #expect(fit.errors.contains("epoch 150 of 150"), "\(fit.errors)")
        let evaluated = try latent("evaluate", "u.safetensors", "--data", "train.csv", "--label-column", "label", "--json", in: folder)
        #expect(evaluated.status == 0, "\(evaluated.errors)")
        let result = try json(evaluated.output)
        #expect((result["trustworthiness"] as! Double) > 0.9 && (result["knn_accuracy"] as! Double) > 0.98)
        let encoded = try latent("encode", "u.safetensors", "--data", "train.csv", "--label-column", "label", "--output", "codes.npy", in: folder)
        #expect(encoded.status == 0, "\(encoded.errors)")
        #expect(try NPY.read(folder + "/codes.npy").shape == [400, 2])
    }

    @Test func neighboursBeyondTheDataAndBadCurvesAreRefused() throws {
        let folder = scratchFolder()
        let blobs = try SyntheticManifold.blobs.generate(["n": 12, "centers": 2, "dimension": 3, "seed": 1]).dataset
        try CSV.write(blobs.samples, to: folder + "/small.csv", columnNames: ["a", "b", "c"])
        let fit = try latent("fit", "umap", "--data", "small.csv", "--output", "u.safetensors", in: folder)
        #expect(fit.status != 0 && fit.errors.contains("needs at least 15 samples") && fit.errors.contains("--neighbours"), "\(fit.errors)")
        let one = try latent("fit", "umap", "--data", "small.csv", "--neighbours", "1", "--output", "u.safetensors", in: folder)
        #expect(one.status != 0 && one.errors.contains("--neighbours"), "\(one.errors)")
        let curve = try latent("fit", "umap", "--data", "small.csv", "--neighbours", "5", "--minimum-distance", "3", "--output", "u.safetensors", in: folder)
        #expect(curve.status != 0 && curve.errors.contains("minimumDistance"), "\(curve.errors)")
    }
}
