import Foundation
import Latent
import Testing

/// `latent fit tsne` and what `latent evaluate` says of any 2-D codes: the KL divergence, the
/// neighbourhood measures, new samples encoded, and options out of range refused.
@Suite struct TSNECommands {
    func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    @Test func fitReportsItsDivergenceAndEvaluateItsNeighbourhoods() throws {
        let folder = scratchFolder()
        let blobs = try SyntheticManifold.blobs.generate(["n": 400, "centers": 4, "dimension": 8, "seed": 6]).dataset
        try CSV.write(blobs.samples, to: folder + "/train.csv", columnNames: (0..<8).map { "x\($0)" }, labels: blobs.labels)
        let fit = try latent("fit", "tsne", "--data", "train.csv", "--label-column", "label", "--perplexity", "20", "--iterations", "300", "--decoder-epochs", "50",
                             "--output", "t.safetensors", "--json", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let fitted = try json(fit.output)
        #expect((fitted["kl_divergence"] as! Double) > 0 && (fitted["kl_course"] as! [Double]).count == 11 && fitted["exact_repulsion"] as? Bool == true)
        #expect(fit.errors.contains("iteration 550 of 550 (plain), KL"), "\(fit.errors)")
        let evaluated = try latent("evaluate", "t.safetensors", "--data", "train.csv", "--label-column", "label", "--json", in: folder)
        #expect(evaluated.status == 0, "\(evaluated.errors)")
        let result = try json(evaluated.output)
        #expect((result["trustworthiness"] as! Double) > 0.9 && (result["continuity"] as! Double) > 0.9)
        #expect((result["knn_accuracy"] as! Double) > 0.98 && result["knn_k"] as? Int == 10 && result["neighbourhood_queries"] as? Int == 400)
        let encoded = try latent("encode", "t.safetensors", "--data", "train.csv", "--label-column", "label", "--output", "codes.npy", in: folder)
        #expect(encoded.status == 0, "\(encoded.errors)")
        #expect(try NPY.read(folder + "/codes.npy").shape == [400, 2])
    }

    @Test func perplexityBeyondTheDataIsRefused() throws {
        let folder = scratchFolder()
        let blobs = try SyntheticManifold.blobs.generate(["n": 50, "centers": 2, "dimension": 3, "seed": 1]).dataset
        try CSV.write(blobs.samples, to: folder + "/small.csv", columnNames: ["a", "b", "c"])
        let fit = try latent("fit", "tsne", "--data", "small.csv", "--output", "t.safetensors", in: folder)
        #expect(fit.status != 0 && fit.errors.contains("perplexity 30.0 needs at least 91 samples") && fit.errors.contains("--perplexity"), "\(fit.errors)")
        let negative = try latent("fit", "tsne", "--data", "small.csv", "--perplexity", "-1", "--output", "t.safetensors", in: folder)
        #expect(negative.status != 0 && negative.errors.contains("--perplexity"), "\(negative.errors)")
    }
}
