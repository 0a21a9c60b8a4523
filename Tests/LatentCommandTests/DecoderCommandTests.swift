import Foundation
import Latent
import Testing

/// The projective methods' learned decoder from the command line (decode, sample through the
/// code density, interpolate, report), its options' refusals, and `latent compare`.
@Suite struct DecoderCommands {
    func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    /// A UMAP model with its decoder is an autoencoder and a generator like any other: its
    /// training history is the decoder's, and decode, sample, interpolate and report all work.
    @Test func aProjectiveMethodDecodesSamplesAndReports() throws {
        let folder = scratchFolder()
        let blobs = try SyntheticManifold.blobs.generate(["n": 400, "centers": 4, "dimension": 8, "seed": 6]).dataset
        try CSV.write(blobs.samples, to: folder + "/train.csv", columnNames: (0..<8).map { "x\($0)" }, labels: blobs.labels)
        let fit = try latent("fit", "umap", "--data", "train.csv", "--label-column", "label", "--neighbours", "10", "--epochs", "100",
                             "--decoder-hidden", "32,64", "--decoder-epochs", "40", "--output", "u.safetensors", "--json", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let fitted = try json(fit.output)
        #expect((fitted["training_loss"] as? String)?.hasPrefix("squared error per sample") == true, "\(fitted)")
        #expect(fit.errors.contains("decoder: epoch 40/40"), "\(fit.errors)")
        // Decoded codes reconstruct the blobs far better than their mean does.
        #expect((fitted["sse_per_sample"] as! Double) < 0.2 * Double(blobs.samples.columns) * 25, "\(fitted)")
        try NPY.write(Tensor(shape: [3, 2], scalars: [0, 0, 5, 5, 10, 10]), to: folder + "/codes.npy")
        let decoded = try latent("decode", "u.safetensors", "--codes", "codes.npy", "--output", "decoded.npy", in: folder)
        #expect(decoded.status == 0, "\(decoded.errors)")
        #expect(try NPY.read(folder + "/decoded.npy").shape == [3, 8])
        let density = try latent("fit-density", "u.safetensors", "--data", "train.csv", "--label-column", "label", in: folder)
        #expect(density.status == 0, "\(density.errors)")
        let sampled = try latent("sample", "u.safetensors", "--count", "16", "--output", "samples.npy", in: folder)
        #expect(sampled.status == 0, "\(sampled.errors)")
        #expect(try NPY.read(folder + "/samples.npy").shape == [16, 8])
        let walk = try latent("interpolate", "u.safetensors", "--data", "train.csv", "--label-column", "label", "--from", "0", "--to", "1",
                              "--output", "walk.npy", in: folder)
        #expect(walk.status == 0, "\(walk.errors)")
        let report = try latent("report", "u.safetensors", "--data", "train.csv", "--label-column", "label", "--output", "report", in: folder)
        #expect(report.status == 0, "\(report.errors)")
        #expect(FileManager.default.fileExists(atPath: folder + "/report/index.html"))
    }

    /// `latent fit parametric-umap` and `parametric-tsne`: what each reports in `--json`, both
    /// stages' progress, the training history's two stages, and new samples encoded by the network.
    @Test(arguments: [("parametric-umap", "edges"), ("parametric-tsne", "kl_divergence")])
    func parametricMethodsFitFromTheCommandLine(method: String, reported: String) throws {
        let folder = scratchFolder()
        let fit = try latent("fit", method, "--data", "blobs?n=300&centers=3&dimension=6&seed=2", "--epochs", "5", "--batch-size", "200",
                             "--decoder-epochs", "5", "--output", "p.safetensors", "--json", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let fitted = try json(fit.output)
        #expect((fitted[reported] as? Double).map { $0 > 0 } == true, "\(fitted)")
        #expect(fit.errors.contains("encoder: epoch 5/5") && fit.errors.contains("decoder: epoch 5/5"), "\(fit.errors)")
        let encoded = try latent("encode", "p.safetensors", "--data", "blobs?n=20&centers=3&dimension=6&seed=3", "--output", "codes.npy", in: folder)
        #expect(encoded.status == 0, "\(encoded.errors)")
        #expect(try NPY.read(folder + "/codes.npy").shape == [20, 2])
        let history = try Methods.load(from: folder + "/p.safetensors").trainingHistory
        #expect(history?.stages.map(\.name) == ["encoder", "decoder"])
    }

    /// Decoder options without a decoder, cross-entropy on data outside [0, 1] and an empty
    /// layer are refused, naming the flags to use.
    @Test func decoderOptionsThatCannotApplyAreRefused() throws {
        let folder = scratchFolder()
        let none = try latent("fit", "mds", "--data", "swiss-roll?n=100", "--decoder", "none", "--decoder-hidden", "8", "--output", "m.safetensors", in: folder)
        #expect(none.status != 0 && none.errors.contains("--decoder-hidden") && none.errors.contains("--decoder mlp"), "\(none.errors)")
        let bce = try latent("fit", "isomap", "--data", "swiss-roll?n=100", "--decoder-loss", "bce", "--output", "i.safetensors", in: folder)
        #expect(bce.status != 0 && bce.errors.contains("[0, 1]") && bce.errors.contains("--decoder-loss mse") && bce.errors.contains("--scale min-max"),
                "\(bce.errors)")
        let empty = try latent("fit", "tsne", "--data", "swiss-roll?n=100", "--decoder-hidden", "0", "--output", "t.safetensors", in: folder)
        #expect(empty.status != 0 && empty.errors.contains("--decoder-hidden must"), "\(empty.errors)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/m.safetensors"))
    }

    /// `latent compare` on a swiss roll: Isomap unrolls it, so its test codes keep
    /// neighbourhoods better than PCA's projection, which folds the roll's layers onto each
    /// other; every measure is in its range, and the report holds the grid of codes.
    @Test func compareSetsTheFamiliesSideBySide() throws {
        let folder = scratchFolder()
        let result = try latent("compare", "--data", "swiss-roll?n=1000&noise=0.05&seed=1", "--methods", "pca,isomap,umap", "--output", "compare",
                                "--json", in: folder)
        #expect(result.status == 0, "\(result.errors)")
        let compared = try json(result.output)
        #expect(compared["training_samples"] as? Int == 800 && compared["test_samples"] as? Int == 200)
        let rows = try #require(compared["methods"] as? [[String: Any]])
        #expect(rows.map { $0["method"] as? String } == ["pca", "isomap", "umap"])
        #expect(rows.map { $0["family"] as? String } == ["autoencoder", "projective", "projective"])
        for row in rows {
            for measure in ["trustworthiness", "continuity", "precision", "recall"] {
                let value = try #require(row[measure] as? Double)
                #expect((0...1).contains(value), "\(measure) \(value)")
            }
            #expect((row["test_sse_per_sample"] as! Double) >= 0 && (row["mmd2"] as! Double).isFinite && (row["seconds"] as! Double) > 0)
        }
        #expect((rows[1]["trustworthiness"] as! Double) > (rows[0]["trustworthiness"] as! Double) + 0.02, "\(rows)")
        let page = try String(contentsOfFile: folder + "/compare/index.html", encoding: .utf8)
        #expect(page.contains("isomap") && FileManager.default.fileExists(atPath: folder + "/compare/codes.svg"))
        let unknown = try latent("compare", "--data", "swiss-roll?n=100", "--methods", "pca,kmeans", in: folder)
        #expect(unknown.status != 0 && unknown.errors.contains("--methods"), "\(unknown.errors)")
    }
}
