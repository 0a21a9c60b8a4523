import Foundation
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
        #expect(methods.count == 6)
        func entry(_ name: String) throws -> [String: Any] { try #require(methods.first { $0["method"] as? String == name }, "\(name) missing") }
        let (pca30, pca2) = (try entry("PCA-30"), try entry("PCA-2"))
        let (deep30, deep2) = (try entry("deep autoencoder 784-1000-500-250-30"), try entry("deep autoencoder 784-1000-500-250-2"))
        // Hinton & Salakhutdinov's claims on small data: better reconstructions than PCA with as
        // many components, and 2-D codes that keep classes apart which PCA-2 mixes.
        #expect((deep30["test_sse_per_sample"] as! Double) < (pca30["test_sse_per_sample"] as! Double))
        #expect((deep2["test_sse_per_sample"] as! Double) < (pca2["test_sse_per_sample"] as! Double))
        #expect((deep2["knn_accuracy"] as! Double) > (pca2["knn_accuracy"] as! Double) + 0.05)
        let page = try String(contentsOfFile: folder + "/out/index.html", encoding: .utf8)
        for figure in ["errors.svg", "reconstructions.svg", "codes-1.svg", "codes-3.svg", "training-1.svg"] {
            #expect(page.contains("src=\"\(figure)\"") && FileManager.default.fileExists(atPath: folder + "/out/" + figure), "\(figure)")
        }
        for model in ["pca-30", "pca-2", "kmeans-10", "nonlinear-pca-2", "deep-autoencoder-30", "deep-autoencoder-2"] {
            #expect(FileManager.default.fileExists(atPath: folder + "/out/\(model).safetensors"), "\(model)")
        }
    }
}
