import Foundation
import Latent
import Testing

/// `--architecture` from the command line: a convolutional VAE on images, used by the commands
/// that read models as any other, and the refusals of architectures that do not fit the data.
@Suite struct ArchitectureCommands {
    func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    /// The image shape comes from the data (IDX images); sample, interpolate, attribute, traverse,
    /// encode and report work on the model unchanged.
    @Test func aConvolutionalVAEFitsAndWorksWithEveryCommand() throws {
        let folder = scratchFolder()
        let fit = try latent("fit", "vae", "--data", "fashion-mnist-mini:test", "--architecture", "conv", "--code-size", "8", "--epochs", "4", "--batch-size", "32",
                             "--output", "c.safetensors", "--json", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        #expect(fit.errors.contains("epoch 4/4"), "\(fit.errors)")
        let fitted = try json(fit.output)
        // The mean image's squared error is about 70 per image on these samples.
        #expect((fitted["sse_per_sample"] as! Double) < 40, "\(fitted)")
        let sampled = try latent("sample", "c.safetensors", "--count", "8", "--output", "samples.png", in: folder)
        #expect(sampled.status == 0, "\(sampled.errors)")
        let walk = try latent("interpolate", "c.safetensors", "--data", "fashion-mnist-mini:test", "--from", "0", "--to", "1", "--output", "walk.png", in: folder)
        #expect(walk.status == 0, "\(walk.errors)")
        let attribute = try latent("attribute", "c.safetensors", "--data", "fashion-mnist-mini:test", "--with", "Pullover", "--without", "T-shirt/top",
                                   "--samples", "0,1", "--output", "sleeves.npy", in: folder)
        #expect(attribute.status == 0, "\(attribute.errors)")
        let traverse = try latent("traverse", "c.safetensors", "--data", "fashion-mnist-mini:test", "--dimensions", "0,1", "--output", "axes.png", in: folder)
        #expect(traverse.status == 0, "\(traverse.errors)")
        let encoded = try latent("encode", "c.safetensors", "--data", "fashion-mnist-mini:test", "--output", "codes.npy", in: folder)
        #expect(encoded.status == 0, "\(encoded.errors)")
        #expect(try NPY.read(folder + "/codes.npy").shape == [1000, 8])
        let report = try latent("report", "c.safetensors", "--data", "fashion-mnist-mini:test", "--output", "report", in: folder)
        #expect(report.status == 0, "\(report.errors)")
        let page = try String(contentsOfFile: folder + "/report/index.html", encoding: .utf8)
        #expect(page.contains("conv"), "the report names the architecture")
    }

    /// The Wasserstein, adversarial and deep autoencoders take the same option; their
    /// deterministic encoders end in a code layer after the convolutions (the deep autoencoder
    /// then trains without RBM pretraining, with ReLU units).
    @Test(arguments: ["wasserstein-autoencoder", "adversarial-autoencoder", "deep-autoencoder"])
    func theOtherGenerativeAutoencodersTakeConvolutions(method: String) throws {
        let folder = scratchFolder()
        let fit = try latent("fit", method, "--data", "fashion-mnist-mini:test", "--architecture", "conv", "--code-size", "8", "--epochs", "3",
                             "--batch-size", "32", "--output", "m.safetensors", "--json", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        #expect((try json(fit.output)["sse_per_sample"] as! Double) < 50, "\(fit.output)")
        if method == "deep-autoencoder" {  // no prior: its codes are drawn from a density fitted to them
            let density = try latent("fit-density", "m.safetensors", "--data", "fashion-mnist-mini:test", "--components", "3", in: folder)
            #expect(density.status == 0, "\(density.errors)")
        }
        let sampled = try latent("sample", "m.safetensors", "--count", "8", "--output", "samples.npy", in: folder)
        #expect(sampled.status == 0, "\(sampled.errors)")
        #expect(try NPY.read(folder + "/samples.npy").shape == [8, 784])
    }

    @Test(arguments: [
        (["--architecture", "conv"], "--architecture conv needs samples with an image shape"),
        (["--architecture", "conv 8 k3, flatten"], "separated by '|'"),
        (["--architecture", "conv 8 k3 s2 p1, flatten | dense 16"], "layer 0 (conv 8 k3 s2 p1): stride 2 does not divide"),
        (["--architecture", "conv 8 k3 q1, flatten | dense 16"], "'q1' is not one of"),
    ] as [([String], String)])
    func architecturesThatDoNotFitTheDataAreRefused(options: [String], message: String) throws {
        let folder = scratchFolder()
        // Flat rows of 16 features, except where the image (fashion-mnist-mini) is given.
        let blobs = try SyntheticManifold.blobs.generate(["n": 60, "centers": 2, "dimension": 16, "seed": 1]).dataset
        try CSV.write(blobs.samples, to: folder + "/rows.csv", columnNames: (0..<16).map { "x\($0)" })
        let data = options[1] == "conv" ? "rows.csv" : "fashion-mnist-mini:test"
        let fit = try runLatent(["fit", "vae", "--data", data, "--epochs", "1", "--output", "m.safetensors"] + options, in: folder)
        #expect(fit.status != 0 && fit.errors.contains(message), "status \(fit.status): \(fit.errors)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/m.safetensors"))
    }

    /// RBM pretraining stacks dense layers: asked for with convolutions, it is refused by name.
    @Test func theDeepAutoencoderRefusesRBMPretrainingOfConvolutions() throws {
        let folder = scratchFolder()
        let fit = try latent("fit", "deep-autoencoder", "--data", "fashion-mnist-mini:test", "--architecture", "conv", "--pretrain", "rbm",
                             "--output", "m.safetensors", in: folder)
        #expect(fit.status != 0 && fit.errors.contains("RBM pretraining stacks dense layers; with --architecture conv use --pretrain none"), "\(fit.errors)")
        let options = try latent("fit", "deep-autoencoder", "--data", "fashion-mnist-mini:test", "--architecture", "conv", "--pretrain-epochs", "3",
                                 "--output", "m.safetensors", in: folder)
        #expect(options.status != 0 && options.errors.contains("which --architecture conv trains without"), "\(options.errors)")
    }

    /// A translator between the top and bottom halves of the images, the bottom an image domain
    /// of convolutions (14 × 28 halves: one stride-2 stage), the top dense; with dropout, whose
    /// training path runs the convolutional encoder layer by layer. Translation works unchanged.
    @Test func aTranslatorTakesAnImageDomainOfConvolutions() throws {
        let folder = scratchFolder()
        let fit = try latent("fit", "translator", "--domain", "top=fashion-mnist-mini:test?half=top", "--domain", "bottom=fashion-mnist-mini:test?half=bottom",
                             "--architecture", "bottom=conv", "--dropout", "0.1", "--epochs", "3", "--output", "t.safetensors", "--json", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let translated = try latent("translate", "t.safetensors", "--data", "fashion-mnist-mini:test?half=top", "--from", "top", "--to", "bottom",
                                    "--output", "bottoms.npy", in: folder)
        #expect(translated.status == 0, "\(translated.errors)")
        #expect(try NPY.read(folder + "/bottoms.npy").shape == [1000, 392])
        let refused = try latent("fit", "translator", "--domain", "top=fashion-mnist-mini:test?half=top", "--domain", "bottom=fashion-mnist-mini:test?half=bottom",
                                 "--architecture", "bottom=conv 8 k3 s2 p1, flatten | dense 392", "--epochs", "1", "--output", "u.safetensors", in: folder)
        #expect(refused.status != 0 && refused.errors.contains("translator domain bottom encoder, layer 0 (conv 8 k3 s2 p1): stride 2 does not divide"),
                "\(refused.errors)")
    }
}
