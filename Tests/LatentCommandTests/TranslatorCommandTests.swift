import Foundation
import Latent
import Testing
import TestSupport

/// `latent fit translator`, `translate`, `encode --domain` and `evaluate --domain` on two views
/// of one latent cause written as NPY files (row i of each is one object).
@Suite struct TranslatorCommands {
    /// Writes a.npy (10 features, a linear view) and b.npy (8 features, a tanh view) of `count`
    /// objects in three classes, with labels files.
    func writeViews(count: Int = 400, in folder: String) throws {
        var generator = RandomGenerator(seed: 1)
        let labels = (0..<count).map { $0 % 3 }
        let centres: [[Float]] = [[2, 0], [-1, 1.7], [-1, -1.7]]
        let z = try Tensor(shape: [count, 2], scalars: labels.flatMap { centres[$0] }) + Tensor.randomNormal([count, 2], standardDeviation: 0.6, using: &generator)
        let a = matmul(z, Tensor.randomNormal([2, 10], using: &generator)), b = matmul(z, Tensor.randomNormal([2, 8], using: &generator)).tanh()
        try NPY.write(a, to: folder + "/a.npy")
        try NPY.write(b, to: folder + "/b.npy")
        try NPY.write(try Tensor(shape: [count], scalars: labels.map(Float.init)), to: folder + "/labels.npy")
    }

    @Test func fitsTranslatesEncodesAndEvaluates() throws {
        let folder = scratchFolder()
        try writeViews(in: folder)
        let fit = try latent("fit", "translator", "--domain", "a=a.npy", "--domain", "b=b.npy", "--domain-labels", "a=labels.npy", "--domain-labels", "b=labels.npy",
                             "--latent-classifier", "--anchor-fraction", "1", "--test-split", "0.25", "--code-size", "2", "--hidden", "32", "--hidden", "b=16",
                             "--activation", "tanh", "--critic-hidden", "32", "--epochs", "60", "--batch-size", "50", "--learning-rate", "0.003",
                             "--output", "t.safetensors", "--json", "--quiet", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let result = try json(fit.output)
        #expect(result["test_samples"] as? [String: Int] == ["a": 100, "b": 100] && result["samples"] as? [String: Int] == ["a": 300, "b": 300])
        #expect(result["anchors"] as? Int == 300)
        // The 100 held-out pairs scored among themselves first, then among all 400, and as many
        // training pairs among themselves.
        #expect(result["queries_test"] as? Int == 100 && result["candidates_test"] as? Int == 100, "\(result)")
        #expect(result["queries_test_among_all"] as? Int == 100 && result["candidates_test_among_all"] as? Int == 400)
        #expect(result["queries_training"] as? Int == 100 && result["candidates_training"] as? Int == 100)
        #expect((result["foscttm_test"] as! Double) < 0.15 && (result["foscttm_training"] as! Double) < 0.15, "\(result)")
        #expect((result["recall_at_10_test"] as! Double) > 3 * (result["recall_chance_at_10_test"] as! Double), "\(result)")
        #expect(result["recall_chance_at_10_test"] as? Double == 0.1 && result["foscttm_chance"] as? Double == 0.5)
        #expect(Set((result["foscttm_test_by_direction"] as? [String: Double] ?? [:]).keys) == ["a_to_b", "b_to_a"])
        #expect((result["knn_accuracy"] as! Double) > 0.8)
        let errors = try #require(result["translation_sse_per_sample"] as? [String: Double])
        #expect(Set(errors.keys) == ["a_to_b", "b_to_a"])

        let translate = try latent("translate", "t.safetensors", "--data", "a.npy", "--from", "a", "--to", "b", "--output", "ab.npy", "--json", in: folder)
        #expect(translate.status == 0, "\(translate.errors)")
        let translated = try NPY.read(folder + "/ab.npy").matrix(file: "ab.npy"), b = try NPY.read(folder + "/b.npy").matrix(file: "b.npy")
        #expect(translated.shape == [400, 8])
        #expect((translated - b).squared().sum() < 0.3 * (b - b.mean(alongAxis: 0)).squared().sum())
        let encode = try latent("encode", "t.safetensors", "--data", "b.npy", "--domain", "b", "--output", "zb.npy", in: folder)
        #expect(encode.status == 0, "\(encode.errors)")
        #expect(try NPY.read(folder + "/zb.npy").matrix(file: "zb.npy").shape == [400, 2])
        let evaluate = try latent("evaluate", "t.safetensors", "--domain", "a=a.npy", "--domain", "b=b.npy", "--json", in: folder)
        #expect(evaluate.status == 0, "\(evaluate.errors)")
        let measured = try json(evaluate.output)
        // Files without a split of their own: every pair among all.
        #expect(measured["queries_all"] as? Int == 400 && measured["queries_test"] == nil && (measured["reconstruction"] as? [String: Any])?["b"] != nil,
                "\(measured)")
    }

    /// `--held-out` keeps a share of the training pairs out of training and scores them after
    /// each epoch (the progress line names the figure); `--early-stopping` keeps the best
    /// epoch, which `--json` reports; anchors come from the remaining pairs.
    @Test func heldOutPairsSelectTheEpoch() throws {
        let folder = scratchFolder()
        try writeViews(in: folder)
        let fit = try latent("fit", "translator", "--domain", "a=a.npy", "--domain", "b=b.npy", "--anchor-fraction", "1", "--test-split", "0.25",
                             "--held-out", "0.25", "--early-stopping", "5", "--code-size", "2", "--hidden", "32", "--activation", "tanh",
                             "--critic-hidden", "32", "--epochs", "40", "--batch-size", "50", "--learning-rate", "0.003",
                             "--output", "t.safetensors", "--json", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        #expect(fit.errors.contains(", held-out FOSCTTM 0."), "\(fit.errors)")
        let result = try json(fit.output)
        #expect(result["anchors"] as? Int == 225 && result["samples"] as? [String: Int] == ["a": 300, "b": 300], "\(result)")
        let best = try #require(result["best_epoch"] as? Int), epochs = try #require(result["epochs"] as? Int)
        #expect(best >= 1 && best <= epochs && (result["best_held_out_loss"] as! Double) < 0.2, "\(result)")
    }

    /// `latent report` of a translator: translations against true partners (predicted against
    /// true values for profiles, image grids for image halves), the alignment table, and both
    /// domains' codes by domain and by class.
    @Test func reportsShowTranslationsAndSharedCodes() throws {
        let folder = scratchFolder()
        try writeViews(count: 200, in: folder)
        _ = try latent("fit", "translator", "--domain", "a=a.npy", "--domain", "b=b.npy", "--code-size", "2", "--epochs", "2", "--output", "t.safetensors", "--quiet", in: folder)
        let profiles = try latent("report", "t.safetensors", "--domain", "a=a.npy", "--domain", "b=b.npy", "--output", "r", "--json", in: folder)
        #expect(profiles.status == 0, "\(profiles.errors)")
        let page = try String(contentsOfFile: folder + "/r/index.html", encoding: .utf8)
        #expect(page.contains("Alignment") && page.contains("FOSCTTM") && page.contains("src=\"codes-domains.svg\""))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder + "/r")
        #expect(files.filter { $0.hasPrefix("translations-a-b-") }.count == 4 && files.filter { $0.hasPrefix("translations-b-a-") }.count == 4, "\(files)")

        let halves = ["--domain", "top=fashion-mnist-mini:test?half=top", "--domain", "bottom=fashion-mnist-mini:test?half=bottom"]
        let fit = try runLatent(["fit", "translator"] + halves + ["--latent-classifier", "--code-size", "4", "--hidden", "32", "--epochs", "2",
                                                                   "--test-split", "0.2", "--output", "h.safetensors", "--quiet"], in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let images = try runLatent(["report", "h.safetensors"] + halves + ["--output", "hr", "--json"], in: folder)
        #expect(images.status == 0, "\(images.errors)")
        let grid = try String(contentsOfFile: folder + "/hr/translations-top-bottom.svg", encoding: .utf8)
        #expect(grid.contains("top input") && grid.contains("→ bottom") && grid.contains("true bottom"))
        #expect(FileManager.default.fileExists(atPath: folder + "/hr/codes-classes.svg"))
        // Translations of image halves write as an image grid of the target's shape (14 × 28).
        let png = try runLatent(["translate", "h.safetensors", "--data", "fashion-mnist-mini:test?half=top", "--from", "top", "--to", "bottom",
                                 "--output", "b.png"], in: folder)
        #expect(png.status == 0, "\(png.errors)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/b.png"))
        func be32(_ offset: Int) -> Int { bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) } }
        // 1 000 images in 32 rows of 32: cells 28 wide and 14 high make the grid wider than tall.
        #expect(be32(16) > be32(20), "width \(be32(16)), height \(be32(20)): wider than tall for 14 × 28 halves")
    }

    /// Domains with nothing in common: a decoder trained to reconstruct its domain turns any
    /// code into a sample of it, which misses an independent partner by about twice the
    /// variance the mean misses it by (E‖f − y‖² = E‖f − E y‖² + Var y for f independent of
    /// y), and the fit says so, in JSON and on stderr, instead of reporting success in silence.
    @Test func translationsWorseThanTheMeanAreReported() throws {
        let folder = scratchFolder()
        var generator = RandomGenerator(seed: 5)
        try NPY.write(Tensor.randomNormal([200, 6], using: &generator), to: folder + "/a.npy")
        try NPY.write(Tensor.randomNormal([200, 5], using: &generator), to: folder + "/b.npy")
        let fit = try latent("fit", "translator", "--domain", "a=a.npy", "--domain", "b=b.npy", "--test-split", "0.25", "--code-size", "4",
                             "--hidden", "32", "--epochs", "60", "--output", "t.safetensors", "--json", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let result = try json(fit.output)
        #expect(result["translations_worse_than_mean"] as? [String] == ["a_to_b", "b_to_a"], "\(result)")
        #expect(fit.errors.contains("warning: a → b translates worse than predicting b's mean")
                && fit.errors.contains("warning: b → a translates worse than predicting a's mean"), "\(fit.errors)")
        #expect(fit.errors.contains("on the held-out pairs"))
    }

    @Test func badRequestsAreClearErrors() throws {
        let folder = scratchFolder()
        try writeViews(count: 60, in: folder)
        try NPY.write(Tensor.zeros([50, 8]), to: folder + "/short.npy")
        try "a,b\n0,1\n5,70\n".write(toFile: folder + "/pairs.csv", atomically: true, encoding: .utf8)
        try "3\n99\n".write(toFile: folder + "/test.txt", atomically: true, encoding: .utf8)
        _ = try latent("fit", "translator", "--domain", "a=a.npy", "--domain", "b=b.npy", "--code-size", "2", "--epochs", "1", "--output", "t.safetensors", "--quiet", in: folder)
        let fit = ["fit", "translator", "--output", "x.safetensors", "--epochs", "1"]
        let cases: [([String], String)] = [
            (fit + ["--domain", "a=a.npy"], "at least two --domain NAME=SPEC options"),
            (fit + ["--domain", "a=a.npy", "--domain", "a=b.npy"], "names must differ"),
            (fit + ["--domain", "a=a.npy", "--domain", "b=short.npy", "--pairs", "rows"], "the domains have a: 60, b: 50 samples"),
            (fit + ["--domain", "a=a.npy", "--domain", "b=b.npy", "--pairs", "pairs.csv"], "line 3, column 1: '70' is no row of b (0 … 59)"),
            (fit + ["--domain", "a=a.npy", "--domain", "b=b.npy", "--test-split", "test.txt"], "line 2: '99' is no row of a (0 … 59)"),
            (fit + ["--domain", "a=a.npy", "--domain", "b=short.npy", "--anchor-fraction", "0.5"], "needs known pairs"),
            (fit + ["--domain", "a=a.npy", "--domain", "b=b.npy", "--latent-classifier"], "domain a has no labels"),
            (fit + ["--domain", "a=a.npy", "--domain", "b=b.npy", "--hidden", "c=8"], "--hidden c=8: no domain 'c' (domains: a, b)"),
            (fit + ["--domain", "a=a.npy", "--domain", "b=short.npy", "--held-out", "0.5"], "no pairs are known: held-out pairs are scored by how near their codes lie"),
            (fit + ["--domain", "a=a.npy", "--domain", "b=b.npy", "--early-stopping", "3"], "early stopping needs held-out data"),
            (["translate", "t.safetensors", "--data", "a.npy", "--from", "a", "--to", "c", "--output", "x.npy"], "no domain 'c' in this model (domains: a, b)"),
            (["translate", "t.safetensors", "--data", "a.npy", "--from", "a", "--to", "b", "--output", "x.png"], "are not images"),
            (["translate", "t.safetensors", "--data", "a.npy", "--from", "a", "--to", "b", "--output", "x.txt"], "--output must end in .npy, .csv or .png"),
            (["translate", "t.safetensors", "--data", "b.npy", "--from", "a", "--to", "b", "--output", "x.npy"], "b.npy has 8 features per sample; domain a of t.safetensors takes 10"),
            (["encode", "t.safetensors", "--data", "a.npy", "--domain", "z", "--output", "x.npy"], "no domain 'z'"),
            (["evaluate", "t.safetensors", "--domain", "b=b.npy", "--domain", "a=a.npy"], "has the domains a, b, in that order"),
            (["evaluate", "t.safetensors"], "give --data, or --domain NAME=SPEC"),
            (["report", "t.safetensors", "--output", "r"], "give --data, or --domain NAME=SPEC"),
            (["report", "t.safetensors", "--domain", "b=b.npy", "--domain", "a=a.npy", "--output", "r"], "has the domains a, b, in that order"),
        ]
        for (arguments, message) in cases {
            let result = try runLatent(arguments, in: folder)
            #expect(result.status != 0 && result.errors.contains(message), "\(arguments): \(result.errors)")
        }
        _ = try latent("fit", "pca", "--data", "a.npy", "--code-size", "2", "--output", "p.safetensors", "--quiet", in: folder)
        let notTranslator = try runLatent(["translate", "p.safetensors", "--data", "a.npy", "--from", "a", "--to", "b", "--output", "x.npy"], in: folder)
        #expect(notTranslator.errors.contains("which has one domain"), "\(notTranslator.errors)")
    }
}
