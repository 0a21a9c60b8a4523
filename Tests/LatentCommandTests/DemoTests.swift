import Foundation
import Latent
import Testing

/// The README's main job, run whole: every method fitted to the bundled subset, the lecture's
/// comparison holding on the printed numbers, and the report complete. About three minutes on
/// one thread, the longest test of the suite.
@Suite struct DemoTests {
    @Test func demoComparesEveryMethodAndWritesItsReport() throws {
        let folder = scratchFolder()
        let demo = try latent("demo", "--output", "out", "--json", "--quiet", in: folder)
        #expect(demo.status == 0, "\(demo.errors)")
        let result = try json(demo.output)
        let methods = try #require(result["methods"] as? [[String: Any]])
        #expect(methods.count == 11)
        func entry(_ name: String) throws -> [String: Any] { try #require(methods.first { $0["method"] as? String == name }, "\(name) missing") }
        let (pca30, pca2) = (try entry("PCA-30"), try entry("PCA-2"))
        let (deep30, deep2) = (try entry("deep autoencoder 784-1000-500-250-30"), try entry("deep autoencoder 784-1000-500-250-2"))
        // Hinton & Salakhutdinov's claims on small data: better reconstructions than PCA with as
        // many components, and 2-D codes that keep classes apart which PCA-2 mixes.
        #expect((deep30["test_sse_per_sample"] as! Double) < (pca30["test_sse_per_sample"] as! Double))
        #expect((deep2["test_sse_per_sample"] as! Double) < (pca2["test_sse_per_sample"] as! Double))
        #expect((deep2["knn_accuracy"] as! Double) > (pca2["knn_accuracy"] as! Double) + 0.05)
        // t-SNE's and UMAP's 2-D codes keep the classes' neighbourhoods as no linear map does.
        #expect((try entry("t-SNE, 2-D")["knn_accuracy"] as! Double) > (pca2["knn_accuracy"] as! Double) + 0.1)
        #expect((try entry("UMAP, 2-D")["knn_accuracy"] as! Double) > (pca2["knn_accuracy"] as! Double) + 0.1)
        // The lecture's generative contrast: N(0, I) codes through the plain autoencoder's decoder
        // measure clearly worse than the VAE's prior samples and than a mixture of its own codes.
        let samplers = try #require(result["samplers"] as? [[String: Any]])
        func sampler(_ name: String) throws -> (mmd: Double, precision: Double) {
            let entry = try #require(samplers.first { ($0["sampler"] as? String)?.hasPrefix(name) == true }, "\(name) missing")
            return (entry["mmd2"] as! Double, entry["precision"] as! Double)
        }
        let prior = try sampler("VAE: prior N(0, I)")
        let garbage = try sampler("deep autoencoder 784-1000-500-250-30: N(0, I) codes")
        let mixture = try sampler("deep autoencoder 784-1000-500-250-30: mixture of")
        #expect(garbage.mmd > 3 * prior.mmd && garbage.mmd > 3 * mixture.mmd, "MMD²: \(garbage.mmd) vs \(prior.mmd), \(mixture.mmd)")
        #expect(garbage.precision + 0.2 < prior.precision && garbage.precision + 0.2 < mixture.precision)
        // The adversarial autoencoder: its critic, not a KL term, made N(0, I) its codes' law, and
        // it reconstructs better than the VAE of the same network (the WAE paper's claim).
        // The convolutional VAE (issue 33): better reconstructions and prior samples nearer the
        // test images than the 784-400-20 VAE's, at the same budget.
        let convolutional = try sampler("VAE conv: prior N(0, I)")
        #expect((try entry("VAE conv 1-32-64-20")["test_sse_per_sample"] as! Double) < (try entry("VAE 784-400-20")["test_sse_per_sample"] as! Double))
        #expect(convolutional.mmd < prior.mmd, "MMD²: the convolutional VAE's \(convolutional.mmd) vs \(prior.mmd)")
        let adversarial = try sampler("AAE: prior N(0, I)")
        #expect(garbage.mmd > 3 * adversarial.mmd, "MMD²: \(garbage.mmd) vs the AAE's \(adversarial.mmd)")
        #expect((try entry("AAE 784-400-20")["test_sse_per_sample"] as! Double) < (try entry("VAE 784-400-20")["test_sse_per_sample"] as! Double))
        #expect(try SafeTensorsFile.read(folder + "/out/deep-autoencoder-30.safetensors").codeDensity(file: "deep-autoencoder-30") != nil)
        // The translator between the images' halves lines the test images' halves up far beyond
        // chance (k = 50 of 1 000: 0.05), and its translations land nearer the true bottom halves
        // than other images' do.
        let translation = try #require(result["translation"] as? [String: Double])
        #expect(translation["recall_at_50_test"]! > 3 * translation["recall_chance_at_50_test"]! && translation["foscttm_test"]! < 0.2, "\(translation)")
        #expect(translation["translation_sse_per_sample"]! < 0.5 * translation["random_partner_sse_per_sample"]!, "\(translation)")
        let page = try String(contentsOfFile: folder + "/out/index.html", encoding: .utf8)
        for figure in ["errors.svg", "reconstructions.svg", "codes-1.svg", "codes-3.svg", "training-1.svg", "samples.svg",
                       "interpolations-vae.svg", "attribute.svg", "codes-prior-1.svg", "codes-prior-2.svg",
                       "translations-top-bottom.svg", "translations-bottom-top.svg"] {
            #expect(page.contains("src=\"\(figure)\"") && FileManager.default.fileExists(atPath: folder + "/out/" + figure), "\(figure)")
        }
        for model in ["pca-30", "pca-2", "kmeans-10", "nonlinear-pca-2", "deep-autoencoder-30", "deep-autoencoder-2", "vae-20", "vae-conv-20", "aae-20", "translator-halves"] {
            #expect(FileManager.default.fileExists(atPath: folder + "/out/\(model).safetensors"), "\(model)")
        }
    }
}
