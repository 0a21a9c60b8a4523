import Foundation

import Latent
import Testing
import TestSupport

/// `fit-density`, `sample`, `evaluate-samples` and `evaluate --importance-samples`: every model a
/// generator, generation measured, from the command line.
@Suite struct GenerationCommands {
    /// A small VAE: −ELBO and the importance-weighted bound from `evaluate`, prior samples as a
    /// PNG grid and as NPY, measured against the test set.
    @Test func vaeBoundsSamplesAndMeasures() throws {
        let folder = scratchFolder()
        let fit = try latent("fit", "vae", "--data", "fashion-mnist-mini:train", "--hidden", "64", "--code-size", "4", "--epochs", "3",
                             "--output", "vae.safetensors", "--quiet", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let evaluation = try latent("evaluate", "vae.safetensors", "--data", "fashion-mnist-mini:test", "--importance-samples", "20",
                                    "--json", "--quiet", in: folder)
        #expect(evaluation.status == 0, "\(evaluation.errors)")
        let bounds = try json(evaluation.output)
        let (elbo, nll) = (try #require(bounds["negative_elbo_per_sample"] as? Double), try #require(bounds["nll_per_sample"] as? Double))
        #expect(nll < elbo && nll > 0.8 * elbo, "−ELBO \(elbo), NLL \(nll)")
        #expect(bounds["importance_samples"] as? Int == 20)

        let grid = try latent("sample", "vae.safetensors", "--count", "12", "--columns", "4", "--output", "prior.png", "--json", in: folder)
        #expect(grid.status == 0, "\(grid.errors)")
        #expect(try json(grid.output)["codes_from"] as? String == "prior")
        let png = try Data(contentsOf: URL(fileURLWithPath: folder + "/prior.png"))
        // IHDR: width and height, big-endian, at bytes 16 and 20; 4 × 3 images of 28 pixels drawn 3
        // screen pixels a pixel (at least 64 wide), with gaps of 2 image pixels (grown a quarter as fast).
        func be32(_ offset: Int) -> Int { png[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) } }
        #expect(be32(16) == 4 * 84 + 3 * 2 && be32(20) == 3 * 84 + 2 * 2)
        let scaled = try latent("sample", "vae.safetensors", "--count", "12", "--columns", "4", "--image-scale", "1", "--output", "one.png", in: folder)
        #expect(scaled.status == 0, "\(scaled.errors)")
        let one = try Data(contentsOf: URL(fileURLWithPath: folder + "/one.png"))
        let oneWidth: Int = one[16..<20].reduce(0) { $0 << 8 | Int($1) }
        #expect(oneWidth == 4 * 28 + 3 * 2)

        #expect(try latent("sample", "vae.safetensors", "--count", "200", "--seed", "3", "--output", "prior.npy", in: folder).status == 0)
        let drawn = try NPY.read(folder + "/prior.npy").matrix(file: "prior.npy")
        #expect(drawn.shape == [200, 784] && drawn.min() >= 0 && drawn.max() <= 1)
        let measured = try latent("evaluate-samples", "prior.npy", "--data", "fashion-mnist-mini:test", "--training", "fashion-mnist-mini:train",
                                  "--json", "--quiet", in: folder)
        #expect(measured.status == 0, "\(measured.errors)")
        let metrics = try json(measured.output)
        for key in ["mmd2", "mmd_bandwidth", "precision", "recall", "nearest_training_distance", "test_nearest_training_distance", "features"] {
            #expect(metrics[key] != nil, "evaluate-samples --json lacks \(key)")
        }
        #expect(metrics["features"] as? Int == 50 && (metrics["precision"] as? Double).map { $0 > 0 && $0 <= 1 } == true)
        // ENCODE returns μ; --draw a sample of q(z|x), seeded.
        for (name, extra) in [("mu", [String]()), ("z1", ["--draw", "--seed", "1"]), ("z1b", ["--draw", "--seed", "1"]), ("z2", ["--draw", "--seed", "2"])] {
            #expect(try runLatent(["encode", "vae.safetensors", "--data", "fashion-mnist-mini:test", "--output", "\(name).npy"] + extra, in: folder).status == 0)
        }
        let (mu, z1, z1b, z2) = try (["mu", "z1", "z1b", "z2"].map { try NPY.read(folder + "/\($0).npy").matrix(file: $0) }).splat4()
        #expect(z1 == z1b && z1 != z2 && z1 != mu && mu.shape == [1000, 4])
        #expect((z1 - mu).abs().mean() < 1 && (z1 - mu).abs().mean() > 0.01)
        // The report of a VAE shows its prior samples and its loss terms.
        #expect(try latent("report", "vae.safetensors", "--data", "fashion-mnist-mini:test", "--output", "report", "--quiet", in: folder).status == 0)
        let page = try String(contentsOfFile: folder + "/report/index.html", encoding: .utf8)
        #expect(page.contains("src=\"samples.svg\"") && page.contains("src=\"training-2.svg\""))
        #expect(try String(contentsOfFile: folder + "/report/samples.svg", encoding: .utf8).contains("prior N(0, I)"))
        let terms = try String(contentsOfFile: folder + "/report/training-2.svg", encoding: .utf8)
        #expect(terms.contains("loss terms") && terms.contains("kl") && terms.contains("reconstruction"))
        // Its codes are drawn over as many prior draws: 1 000 grey points, named in the legend.
        let overPrior = try String(contentsOfFile: folder + "/report/codes-prior.svg", encoding: .utf8)
        #expect(overPrior.contains("prior draws") && overPrior.components(separatedBy: "fill=\"#bbbbbb\"").count - 1 == 1000 + 1)
        #expect(page.contains("over as many draws of the prior (N(0, I))"))
    }

    /// PCA becomes a generator once its code density is fitted: the density goes into the model
    /// file, draws are seeded, and `--codes` writes the codes decoded.
    @Test func pcaSamplesFromItsCodeDensity() throws {
        let folder = scratchFolder()
        #expect(try latent("fit", "pca", "--data", "swiss-roll?n=600", "--code-size", "2", "--output", "pca.safetensors", "--quiet", in: folder).status == 0)
        let missing = try latent("sample", "pca.safetensors", "--count", "5", "--output", "s.npy", in: folder)
        #expect(missing.status != 0 && missing.errors.contains("holds no code density: run `latent fit-density pca.safetensors"), "\(missing.errors)")
        let density = try latent("fit-density", "pca.safetensors", "--data", "swiss-roll?n=600", "--max-components", "4", "--json", "--quiet", in: folder)
        #expect(density.status == 0, "\(density.errors)")
        let fitted = try json(density.output)
        #expect(fitted["kind"] as? String == "gaussian-mixture" && (fitted["bic"] as? [String: Any])?.count == 4)
        for seed in ["1", "1", "2"] {
            let run = try latent("sample", "pca.safetensors", "--count", "50", "--seed", seed, "--output", "s\(seed).npy", "--codes", "z\(seed).npy", in: folder)
            #expect(run.status == 0, "\(run.errors)")
        }
        let (first, again, other) = try (["1", "1", "2"].map { try NPY.read(folder + "/s\($0).npy").matrix(file: $0) }).splat3()
        #expect(first == again && first != other && first.shape == [50, 3])
        let model = try PCA.load(from: folder + "/pca.safetensors")
        let codes = try NPY.read(folder + "/z1.npy").matrix(file: "z1.npy")
        #expect(try model.decode(codes).isApproximatelyEqual(to: first, relativeTolerance: 1e-5, absoluteTolerance: 1e-5))
        // The file still loads as the same model; the density rides along.
        #expect(try SafeTensorsFile.read(folder + "/pca.safetensors").codeDensity(file: "pca.safetensors") != nil)
    }

    /// k-means' code density is its clusters' frequencies: every sample is a centroid.
    @Test func kmeansSamplesAreItsPrototypes() throws {
        let folder = scratchFolder()
        #expect(try latent("fit", "kmeans", "--data", "blobs?n=300&dimension=4&centers=3", "--clusters", "3", "--output", "k.safetensors", "--quiet", in: folder).status == 0)
        let density = try latent("fit-density", "k.safetensors", "--data", "blobs?n=300&dimension=4&centers=3", "--json", "--quiet", in: folder)
        #expect(try json(density.output)["kind"] as? String == "categorical")
        #expect(try latent("sample", "k.safetensors", "--count", "30", "--output", "s.npy", in: folder).status == 0)
        let samples = try NPY.read(folder + "/s.npy").matrix(file: "s.npy")
        let centroids = try KMeans.load(from: folder + "/k.safetensors").centroids
        let rows = Set((0..<30).map { samples.rows($0..<($0 + 1)).scalars })
        #expect(rows.isSubset(of: Set((0..<3).map { centroids.rows($0..<($0 + 1)).scalars })) && rows.count > 1)
    }

    /// Interpolations, traversals and attribute vectors decode the codes they say: rows of the
    /// NPY output equal DECODE of `LatentSpace`'s codes, computed here from the model.
    @Test func latentSpaceWalksDecodeTheirCodes() throws {
        let folder = scratchFolder()
        #expect(try latent("fit", "pca", "--data", "blobs?n=300&dimension=5&centers=3", "--code-size", "3", "--output", "p.safetensors", "--quiet", in: folder).status == 0)
        let data = try DatasetLoader().load("blobs?n=300&dimension=5&centers=3")
        let model = try PCA.load(from: folder + "/p.safetensors")
        let codes = try model.encode(data.samples)
        func code(_ i: Int) -> Tensor { codes.rows(i..<(i + 1)) }
        func written(_ name: String) throws -> Tensor { try NPY.read(folder + "/" + name).matrix(file: name) }

        #expect(try latent("interpolate", "p.safetensors", "--data", "blobs?n=300&dimension=5&centers=3", "--from", "4,9", "--to", "7,2",
                           "--steps", "5", "--output", "i.npy", in: folder).status == 0)
        let expected = Tensor.concatenate([try LatentSpace.interpolate(from: code(4), to: code(7), steps: 5, path: .linear),
                                           try LatentSpace.interpolate(from: code(9), to: code(2), steps: 5, path: .linear)])
        #expect(try written("i.npy").isApproximatelyEqual(to: try model.decode(expected), relativeTolerance: 1e-5, absoluteTolerance: 1e-4))

        let traverse = try latent("traverse", "p.safetensors", "--data", "blobs?n=300&dimension=5&centers=3", "--sample", "3", "--dimensions", "1",
                                  "--steps", "3", "--range", "1", "--output", "t.npy", "--json", in: folder)
        #expect(traverse.status == 0, "\(traverse.errors)")
        let deviation = ((codes - codes.mean(alongAxis: 0)).squared().mean(alongAxis: 0)).sqrt().scalars[1]
        let swept = try LatentSpace.traverse(code(3), dimension: 1, offsets: [-deviation, 0, deviation])
        #expect(try written("t.npy").isApproximatelyEqual(to: try model.decode(swept), relativeTolerance: 1e-4, absoluteTolerance: 1e-4))

        #expect(try latent("attribute", "p.safetensors", "--data", "blobs?n=300&dimension=5&centers=3", "--with", "0", "--without", "2",
                           "--samples", "5", "--strengths", "0,1", "--output", "a.npy", in: folder).status == 0)
        let vector = try LatentSpace.attributeVector(codes: codes, labels: data.labels!, with: 0, without: 2)
        let moved = try model.decode(try LatentSpace.apply(vector, to: code(5), strengths: [0, 1]))
        #expect(try written("a.npy").isApproximatelyEqual(to: moved, relativeTolerance: 1e-4, absoluteTolerance: 1e-4))
        // The grid of a VAE-less image model is refused only when samples are not images.
        let png = try latent("interpolate", "p.safetensors", "--data", "blobs?n=300&dimension=5&centers=3", "--from", "1", "--to", "2", "--output", "i.png", in: folder)
        #expect(png.status != 0 && png.errors.contains("are not images"))
    }

    /// `fit vae --condition-on-labels` and `sample --class`: the label rides in the code; the
    /// commands that take data add it from the data's labels, and drop it from what they write.
    @Test func conditionalVAEFromTheCommandLine() throws {
        let folder = scratchFolder()
        let fit = try latent("fit", "vae", "--data", "fashion-mnist-mini:train", "--condition-on-labels", "--hidden", "32", "--code-size", "2",
                             "--epochs", "2", "--test", "fashion-mnist-mini:test", "--output", "c.safetensors", "--json", "--quiet", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let fitted = try json(fit.output)
        #expect(fitted["features"] as? Int == 784 && fitted["code_size"] as? Int == 12 && fitted["test_sse_per_sample"] != nil)
        let sample = try latent("sample", "c.safetensors", "--class", "Sandal", "--count", "4", "--output", "s.npy", "--json", in: folder)
        #expect(sample.status == 0, "\(sample.errors)")
        #expect(try NPY.read(folder + "/s.npy").matrix(file: "s.npy").shape == [4, 784])
        #expect(try latent("sample", "c.safetensors", "--count", "4", "--output", "mixed.png", in: folder).status == 0)
        let evaluation = try latent("evaluate", "c.safetensors", "--data", "fashion-mnist-mini:test", "--importance-samples", "2", "--json", "--quiet", in: folder)
        #expect(evaluation.status == 0, "\(evaluation.errors)")
        #expect(try json(evaluation.output)["nll_per_sample"] != nil && json(evaluation.output)["features"] as? Int == 784)
        #expect(try latent("encode", "c.safetensors", "--data", "fashion-mnist-mini:test", "--output", "codes.npy", in: folder).status == 0)
        let codes = try NPY.read(folder + "/codes.npy").matrix(file: "codes.npy")
        #expect(codes.shape == [1000, 12] && codes.columns(2..<12).sum() == 1000)
        #expect(try latent("decode", "c.safetensors", "--codes", "codes.npy", "--output", "back.npy", in: folder).status == 0)
        #expect(try NPY.read(folder + "/back.npy").matrix(file: "back.npy").shape == [1000, 784])
        let cases: [([String], String)] = [
            (["sample", "c.safetensors", "--class", "Hat", "--count", "2", "--output", "x.npy"], "--class Hat: no such class in c.safetensors (classes: T-shirt/top, Trouser"),
            (["report", "c.safetensors", "--data", "fashion-mnist-mini:test", "--output", "r"], "is a conditional VAE: report takes unconditional models"),
            (["fit", "vae", "--data", "circle?n=50", "--condition-on-labels", "--output", "x.safetensors", "--quiet"], "--condition-on-labels: circle?n=50 has no labels"),
            (["evaluate", "c.safetensors", "--data", "fashion-mnist-mini:test", "--labels", "missing.npy"], "missing.npy"),
        ]
        for (arguments, message) in cases {
            let result = try runLatent(arguments, in: folder)
            #expect(result.status != 0, "\(arguments) succeeded")
            #expect(result.errors.contains(message), "\(arguments): stderr was \(result.errors)")
        }
    }

    /// The WAE from the command line: its prior draws through `sample`, its penalty term in
    /// the progress and the --json summary.
    @Test func wassersteinAutoencoderFitsAndSamples() throws {
        let folder = scratchFolder()
        for penalty in ["mmd", "sliced", "sinkhorn"] {
            let fit = try latent("fit", "wasserstein-autoencoder", "--data", "fashion-mnist-mini:test", "--hidden", "32", "--code-size", "3",
                                 "--penalty", penalty, "--epochs", "2", "--output", "w-\(penalty).safetensors", "--json", "--quiet", in: folder)
            #expect(fit.status == 0, "\(penalty): \(fit.errors)")
            #expect(try json(fit.output)["training_loss"] as? String == "squared error per sample + λ·\(penalty) penalty")
        }
        let sample = try latent("sample", "w-mmd.safetensors", "--count", "6", "--output", "s.npy", "--json", in: folder)
        #expect(sample.status == 0, "\(sample.errors)")
        #expect(try json(sample.output)["codes_from"] as? String == "prior")
        #expect(try NPY.read(folder + "/s.npy").matrix(file: "s.npy").shape == [6, 784])
    }

    /// The AAE from the command line: its critic's and generator's terms in --json; with
    /// labelled components, `sample --class` (by name or label) draws that class's component and
    /// `--codes` shows the draws around its mean; prior draws differ from N(0, I) draws.
    @Test func adversarialAutoencoderFitsAndSamplesAClass() throws {
        let folder = scratchFolder()
        let fit = try latent("fit", "adversarial-autoencoder", "--data", "fashion-mnist-mini:test", "--hidden", "32", "--code-size", "3",
                             "--labelled-components", "--critic-hidden", "16", "--epochs", "2", "--output", "a.safetensors", "--json", "--quiet", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        #expect(try json(fit.output)["training_loss"] as? String == "squared error per sample; critic and generator non-saturating losses")
        for name in ["Trouser", "1"] {
            let sample = try latent("sample", "a.safetensors", "--count", "200", "--class", name, "--output", "t.npy", "--codes", "z.npy", "--json", in: folder)
            #expect(sample.status == 0, "\(sample.errors)")
            #expect(try json(sample.output)["class"] as? String == name)
            #expect(try NPY.read(folder + "/t.npy").matrix(file: "t.npy").shape == [200, 784])
        }
        let codes = try NPY.read(folder + "/z.npy").matrix(file: "z.npy")
        let mean = codes.mean(alongAxis: 0).scalars, expected = CodePrior.mixture(components: 10, radius: 4).mean(component: 1, dimension: 3)
        for j in 0..<3 { #expect(abs(mean[j] - expected[j]) < 0.3, "\(mean) against \(expected)") }
        let plain = try latent("fit", "adversarial-autoencoder", "--data", "fashion-mnist-mini:test", "--hidden", "32", "--code-size", "3",
                               "--adversarial-loss", "wgan-gp", "--critic-steps", "2", "--epochs", "1", "--output", "p.safetensors", "--quiet", in: folder)
        #expect(plain.status == 0, "\(plain.errors)")
        let refused = try runLatent(["sample", "p.safetensors", "--count", "2", "--class", "1", "--output", "s.npy"], in: folder)
        #expect(refused.status != 0 && refused.errors.contains("--labelled-components"), "\(refused.errors)")
    }

    @Test func badRequestsAreClearErrors() throws {
        let folder = scratchFolder()
        _ = try latent("fit", "kmeans", "--data", "circle?n=50", "--clusters", "3", "--output", "k.safetensors", "--quiet", in: folder)
        _ = try latent("fit", "pca", "--data", "circle?n=50", "--code-size", "1", "--output", "p.safetensors", "--quiet", in: folder)
        try NPY.write(Tensor.zeros([10, 3]), to: folder + "/three.npy")
        let cases: [([String], String)] = [
            (["evaluate", "p.safetensors", "--data", "circle?n=50", "--importance-samples", "0"], "--importance-samples must be at least 1"),
            (["evaluate", "p.safetensors", "--data", "circle?n=50", "--importance-samples", "5"], "holds a pca model, which has no likelihood"),
            (["sample", "p.safetensors", "--count", "0", "--output", "s.npy"], "--count must be at least 1"),
            (["sample", "p.safetensors", "--count", "2", "--class", "1", "--output", "s.npy"], "is not conditioned on labels"),
            (["encode", "p.safetensors", "--data", "circle?n=50", "--draw", "--output", "c.npy"], "whose encoder is not a distribution"),
            (["sample", "k.safetensors", "--count", "3", "--codes-from", "standard-normal", "--output", "s.npy"], "whose codes are cluster indices"),
            (["sample", "p.safetensors", "--count", "3", "--output", "s.png", "--codes-from", "standard-normal"], "are not images"),
            (["fit-density", "p.safetensors", "--data", "circle?n=50", "--components", "0"], "--components must be at least 1"),
            (["fit-density", "p.safetensors", "--data", "swiss-roll?n=50"], "has 3 features per sample; the model takes 2"),
            (["evaluate-samples", "three.npy", "--data", "circle?n=50"], "three.npy has 3 features per sample but circle has 2"),
            (["interpolate", "k.safetensors", "--data", "circle?n=50", "--from", "1", "--to", "2", "--output", "i.npy"], "its codes are cluster indices"),
            (["interpolate", "p.safetensors", "--data", "circle?n=50", "--from", "1,2", "--to", "2", "--output", "i.npy"], "--from names 2 samples but --to names 1"),
            (["interpolate", "p.safetensors", "--data", "circle?n=50", "--from", "1", "--to", "50", "--output", "i.npy"], "sample 50 does not exist: circle has samples 0 … 49"),
            (["traverse", "p.safetensors", "--data", "circle?n=50", "--dimensions", "4", "--output", "t.npy"], "code dimension 4 does not exist (0 … 0, numbered from 0 as z0, z1, …)"),
            (["attribute", "p.safetensors", "--data", "circle?n=50", "--with", "0", "--without", "1", "--samples", "1", "--output", "a.npy"], "has no labels"),
            (["attribute", "p.safetensors", "--data", "blobs?n=30&dimension=2&centers=2", "--with", "5", "--without", "1", "--samples", "1", "--output", "a.npy"], "--with 5: no such class in blobs (labels: 0, 1)"),
        ]
        for (arguments, message) in cases {
            let result = try runLatent(arguments, in: folder)
            #expect(result.status != 0, "\(arguments) succeeded")
            #expect(result.errors.contains(message), "\(arguments): stderr was \(result.errors)")
        }
    }
}

extension Array {
    /// The first three elements as a tuple.
    fileprivate func splat3() -> (Element, Element, Element) { (self[0], self[1], self[2]) }
    /// The first four elements as a tuple.
    fileprivate func splat4() -> (Element, Element, Element, Element) { (self[0], self[1], self[2], self[3]) }
}
