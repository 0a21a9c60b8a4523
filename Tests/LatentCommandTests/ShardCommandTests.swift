import Foundation
import Latent
import Testing
import TestSupport

/// A folder of NPY shards as `--data`: `latent fit pca` reads it block by block and gets the
/// in-memory fit's model; other commands read it whole; what PCA out of core cannot do is refused.
@Test func aFolderOfShardsIsData() throws {
    let folder = scratchFolder()
    var generator = RandomGenerator(seed: 4)
    let samples = matmul(Tensor.randomNormal([9_000, 3], using: &generator), Tensor.randomNormal([3, 12], using: &generator))
        + Tensor.randomNormal([9_000, 12], standardDeviation: 0.2, using: &generator) + 3
    try FileManager.default.createDirectory(atPath: folder + "/shards", withIntermediateDirectories: false)
    for part in 0..<20 {
        try NPY.write(samples.rows((part * 450)..<((part + 1) * 450)), to: folder + "/shards/part-\(String(format: "%03d", part)).npy")
    }
    try NPY.write(samples, to: folder + "/all.npy")
    let outOfCore = try latent("fit", "pca", "--data", "shards", "--code-size", "3", "--output", "s.safetensors", "--json", in: folder)
    #expect(outOfCore.status == 0, "\(outOfCore.errors)")
    let inMemory = try latent("fit", "pca", "--data", "all.npy", "--code-size", "3", "--output", "a.safetensors", "--json", "--quiet", in: folder)
    let (a, b) = (try json(outOfCore.output), try json(inMemory.output))
    #expect(a["out_of_core"] as? Bool == true && a["shards"] as? Int == 20 && a["samples"] as? Int == 9_000)
    for key in ["explained_variance_ratio", "sse_per_sample"] {
        #expect(abs((a[key] as! Double) - (b[key] as! Double)) <= 1e-5 * (b[key] as! Double), "\(key): \(a[key]!) against \(b[key]!)")
    }
    #expect(outOfCore.errors.contains("PCA out of core") && outOfCore.errors.contains("20 shards"), "\(outOfCore.errors)")
    // A pattern names shards too (here the first ten): as the same rows in memory.
    let half = try latent("fit", "pca", "--data", "shards/part-00*.npy", "--code-size", "3", "--output", "h.safetensors", "--json", "--quiet", in: folder)
    #expect(half.status == 0, "\(half.errors)")
    #expect(try json(half.output)["samples"] as? Int == 4_500 && json(half.output)["shards"] as? Int == 10)
    let evaluate = try latent("evaluate", "s.safetensors", "--data", "shards", "--json", "--quiet", in: folder)
    #expect(evaluate.status == 0, "\(evaluate.errors)")
    let evaluated = try json(evaluate.output)["sse_per_sample"] as! Double, fitted = a["sse_per_sample"] as! Double
    #expect(abs(evaluated - fitted) < 1e-6 * fitted)
    // k-means of shards: Lloyd's iterations each a pass of sums (in parts too), or mini-batch passes; then every row assigned exactly.
    let lloydInMemory = try latent("fit", "kmeans", "--data", "all.npy", "--clusters", "3", "--output", "k2.safetensors", "--json", "--quiet", in: folder)
    let lloydSSE = try json(lloydInMemory.output)["sse_per_sample"] as! Double
    for parts in ["1", "3"] {
        let lloyd = try latent("fit", "kmeans", "--data", "shards", "--clusters", "3", "--parts", parts, "--output", "k.safetensors", "--json", "--quiet", in: folder)
        #expect(lloyd.status == 0, "\(lloyd.errors)")
        let sse = try json(lloyd.output)["sse_per_sample"] as! Double
        #expect(abs(sse - lloydSSE) <= 1e-4 * lloydSSE, "Lloyd of shards in \(parts) part(s): \(sse) per sample against \(lloydSSE) in memory")
    }
    let kmeans = try latent("fit", "kmeans", "--data", "shards", "--clusters", "3", "--mini-batch", "256", "--output", "k.safetensors", "--json", "--quiet", in: folder)
    #expect(kmeans.status == 0, "\(kmeans.errors)")
    let streamed = try json(kmeans.output)["sse_per_sample"] as! Double
    #expect(streamed <= 1.05 * lloydSSE, "mini-batch k-means of shards: \(streamed) per sample against Lloyd's \(lloydSSE)")
    let kmeansEvaluated = try json(try latent("evaluate", "k.safetensors", "--data", "shards", "--json", "--quiet", in: folder).output)["sse_per_sample"] as! Double
    #expect(abs(kmeansEvaluated - streamed) <= 1e-6 * streamed)
    // Codes of shards stream into the output block by block: the codes of the data in memory.
    for output in ["codes.npy", "codes.csv"] {
        let streamedCodes = try latent("encode", "s.safetensors", "--data", "shards", "--output", "streamed-" + output, "--json", in: folder)
        #expect(streamedCodes.status == 0, "\(streamedCodes.errors)")
        let report = try json(streamedCodes.output)
        #expect(report["streamed"] as? Bool == true && report["samples"] as? Int == 9_000)
        _ = try latent("encode", "s.safetensors", "--data", "all.npy", "--output", output, "--quiet", in: folder)
        #expect(FileManager.default.contents(atPath: folder + "/streamed-" + output) == FileManager.default.contents(atPath: folder + "/" + output))
    }
    // A VAE's draws z = μ + σ·ε continue from block to block as over the whole data.
    let vae = try latent("fit", "vae", "--data", "all.npy", "--code-size", "2", "--hidden", "8", "--epochs", "1", "--output", "v.safetensors", "--quiet", in: folder)
    #expect(vae.status == 0, "\(vae.errors)")
    let drawnStreamed = try latent("encode", "v.safetensors", "--data", "shards", "--draw", "--seed", "3", "--output", "drawn-streamed.npy", "--quiet", in: folder)
    #expect(drawnStreamed.status == 0, "\(drawnStreamed.errors)")
    _ = try latent("encode", "v.safetensors", "--data", "all.npy", "--draw", "--seed", "3", "--output", "drawn.npy", "--quiet", in: folder)
    let drawn = FileManager.default.contents(atPath: folder + "/drawn.npy")
    #expect(drawn != nil && drawn == FileManager.default.contents(atPath: folder + "/drawn-streamed.npy"))
    // Incremental PCA (no D × D matrix) of the shards: the data in memory's incremental fit, bit for bit, close to the exact one.
    let incremental = try latent("fit", "pca", "--data", "shards", "--code-size", "3", "--solver", "incremental", "--output", "i.safetensors", "--json", "--quiet", in: folder)
    #expect(incremental.status == 0, "\(incremental.errors)")
    _ = try latent("fit", "pca", "--data", "all.npy", "--code-size", "3", "--solver", "incremental", "--output", "i2.safetensors", "--json", "--quiet", in: folder)
    #expect(try SafeTensorsFile.read(folder + "/i.safetensors").tensors.map(\.tensor.scalars) == (try SafeTensorsFile.read(folder + "/i2.safetensors").tensors.map(\.tensor.scalars)))
    let ratio = try json(incremental.output)["explained_variance_ratio"] as! Double
    #expect(abs(ratio - (a["explained_variance_ratio"] as! Double)) < 1e-4, "incremental \(ratio) against exact \(a["explained_variance_ratio"]!)")
    let scaled = try latent("fit", "pca", "--data", "shards", "--code-size", "3", "--scale", "standardize", "--output", "x.safetensors", "--quiet", in: folder)
    #expect(scaled.status != 0 && scaled.errors.contains("--scale is not available for data in shards"), "\(scaled.errors)")
    try FileManager.default.createDirectory(atPath: folder + "/empty", withIntermediateDirectories: false)
    let empty = try latent("fit", "pca", "--data", "empty", "--code-size", "3", "--output", "x.safetensors", "--quiet", in: folder)
    #expect(empty.status != 0 && empty.errors.contains("empty: is a folder, not a file") && empty.errors.contains("or a folder of .npy shards"), "\(empty.errors)")
}

/// `latent fit deep-autoencoder --data FOLDER` streams every stage from the shards; what needs
/// the data in memory is refused; two processes fit the model of one with the same parts.
@Test func aDeepAutoencoderStreamsFromAFolderOfShards() throws {
    let folder = scratchFolder()
    var generator = RandomGenerator(seed: 6)
    let samples = (matmul(Tensor.randomNormal([1_200, 3], using: &generator), Tensor.randomNormal([3, 16], using: &generator)).tanh() + 1) / 2
    try FileManager.default.createDirectory(atPath: folder + "/shards", withIntermediateDirectories: false)
    for part in 0..<6 { try NPY.write(samples.rows((part * 200)..<((part + 1) * 200)), to: folder + "/shards/p\(part).npy") }
    let common = ["fit", "deep-autoencoder", "--data", "shards", "--hidden", "12,6", "--code-size", "3", "--epochs", "4", "--pretrain-epochs", "1",
                  "--shuffle-buffer", "300", "--seed", "4", "--json"]
    let one = try runLatent(common + ["--output", "one.safetensors", "--parts", "2"], in: folder)
    #expect(one.status == 0, "\(one.errors)")
    let result = try json(one.output)
    #expect(result["out_of_core"] as? Bool == true && result["shards"] as? Int == 6 && result["shuffle_buffer"] as? Int == 300)
    #expect(one.errors.contains("streaming shards: 1200 samples × 16 features in 6 shards"), "\(one.errors)")
    let evaluate = try latent("evaluate", "one.safetensors", "--data", "shards", "--json", "--quiet", in: folder)
    #expect(abs((try json(evaluate.output)["sse_per_sample"] as! Double) - (result["sse_per_sample"] as! Double)) < 1e-6 * (result["sse_per_sample"] as! Double))
    let two = try DataParallelCommands.mpirun(2, common + ["--output", "two.safetensors", "--quiet"], in: folder)
    #expect(two.status == 0, "\(two.errors)")
    #expect(try DataParallelCommands.tensors(folder + "/one.safetensors") == (try DataParallelCommands.tensors(folder + "/two.safetensors")))
    let scaled = try runLatent(common + ["--output", "x.safetensors", "--scale", "standardize"], in: folder)
    #expect(scaled.status != 0 && scaled.errors.contains("--scale is not available for data in shards"), "\(scaled.errors)")
}

/// `latent fit vae --data FOLDER` streams its batches from the shards; its model evaluates on
/// the shards to the error it reports; two processes fit the model of one with the same parts.
@Test func aVAEStreamsFromAFolderOfShards() throws {
    let folder = scratchFolder()
    var generator = RandomGenerator(seed: 9)
    let samples = (matmul(Tensor.randomNormal([1_000, 2], using: &generator), Tensor.randomNormal([2, 12], using: &generator)).tanh() + 1) / 2
    try FileManager.default.createDirectory(atPath: folder + "/shards", withIntermediateDirectories: false)
    for part in 0..<4 { try NPY.write(samples.rows((part * 250)..<((part + 1) * 250)), to: folder + "/shards/p\(part).npy") }
    let common = ["fit", "vae", "--data", "shards", "--hidden", "16", "--code-size", "2", "--epochs", "3", "--shuffle-buffer", "200", "--seed", "1", "--json", "--quiet"]
    let one = try runLatent(common + ["--output", "one.safetensors", "--parts", "2"], in: folder)
    #expect(one.status == 0, "\(one.errors)")
    let result = try json(one.output)
    #expect(result["out_of_core"] as? Bool == true && result["epochs"] as? Int == 3)
    let evaluated = try json(try latent("evaluate", "one.safetensors", "--data", "shards", "--json", "--quiet", in: folder).output)["sse_per_sample"] as! Double
    #expect(abs(evaluated - (result["sse_per_sample"] as! Double)) < 1e-6 * evaluated)
    let two = try DataParallelCommands.mpirun(2, common + ["--output", "two.safetensors"], in: folder)
    #expect(two.status == 0, "\(two.errors)")
    #expect(try DataParallelCommands.tensors(folder + "/one.safetensors") == (try DataParallelCommands.tensors(folder + "/two.safetensors")))
    let conditional = try runLatent(common + ["--output", "c.safetensors", "--condition-on-labels"], in: folder)
    #expect(conditional.status != 0 && conditional.errors.contains("shards do not hold"), "\(conditional.errors)")
}

/// `latent fit linear-autoencoder --data FOLDER` streams its batches, preconditioned by moments
/// from a first pass: its error is that of the fit in memory.
@Test func aLinearAutoencoderStreamsFromAFolderOfShards() throws {
    let folder = scratchFolder()
    var generator = RandomGenerator(seed: 10)
    let samples = matmul(Tensor.randomNormal([2_000, 3], using: &generator), Tensor.randomNormal([3, 10], standardDeviation: 4, using: &generator))
        + Tensor.randomNormal([2_000, 10], standardDeviation: 0.3, using: &generator) + 100
    try FileManager.default.createDirectory(atPath: folder + "/shards", withIntermediateDirectories: false)
    for part in 0..<5 { try NPY.write(samples.rows((part * 400)..<((part + 1) * 400)), to: folder + "/shards/p\(part).npy") }
    try NPY.write(samples, to: folder + "/all.npy")
    let options = ["--code-size", "3", "--epochs", "60", "--seed", "2", "--json", "--quiet"]
    let streamed = try runLatent(["fit", "linear-autoencoder", "--data", "shards", "--output", "s.safetensors"] + options, in: folder)
    #expect(streamed.status == 0, "\(streamed.errors)")
    let inMemory = try runLatent(["fit", "linear-autoencoder", "--data", "all.npy", "--output", "m.safetensors"] + options, in: folder)
    let (s, m) = try (json(streamed.output)["sse_per_sample"] as! Double, json(inMemory.output)["sse_per_sample"] as! Double)
    #expect(try json(streamed.output)["out_of_core"] as? Bool == true)
    // The same epochs reach the same error, whether the batches stream or not (the data's own
    // variance per sample is ≈ 480: both have learned the three directions' most).
    #expect(abs(s - m) <= 0.1 * m && s < 10, "streamed \(s), in memory \(m) per sample")
}

/// Nonlinear PCA (its factors extracted one by one, each from the residuals of those before,
/// batch by batch), the WAE and the AAE stream from shards too: each reaches the error of its
/// fit in memory with the same epochs. The WAE and AAE do not split into parts.
@Test(arguments: [("nonlinear-pca", ["--hidden", "16", "--extraction", "sequential", "--epochs", "20"]),
                  ("wasserstein-autoencoder", ["--hidden", "32", "--epochs", "60"]),
                  ("adversarial-autoencoder", ["--hidden", "32", "--epochs", "60"])])
func moreTrainedMethodsStreamFromAFolderOfShards(method: String, options: [String]) throws {
    let folder = scratchFolder()
    var generator = RandomGenerator(seed: 3)
    let samples = (matmul(Tensor.randomNormal([2_000, 3], using: &generator), Tensor.randomNormal([3, 12], using: &generator)).tanh() + 1) / 2
    try FileManager.default.createDirectory(atPath: folder + "/shards", withIntermediateDirectories: false)
    for part in 0..<5 { try NPY.write(samples.rows((part * 400)..<((part + 1) * 400)), to: folder + "/shards/p\(part).npy") }
    try NPY.write(samples, to: folder + "/all.npy")
    let common = ["fit", method, "--code-size", "3", "--seed", "2", "--json", "--quiet"] + options
    let streamed = try runLatent(common + ["--data", "shards", "--output", "s.safetensors"], in: folder)
    #expect(streamed.status == 0, "\(streamed.errors)")
    let inMemory = try runLatent(common + ["--data", "all.npy", "--output", "m.safetensors"], in: folder)
    #expect(inMemory.status == 0, "\(inMemory.errors)")
    let (s, m) = try (json(streamed.output)["sse_per_sample"] as! Double, json(inMemory.output)["sse_per_sample"] as! Double)
    #expect(try json(streamed.output)["out_of_core"] as? Bool == true)
    // The data's variance per sample is ≈ 1.7: both keep 90 % or more of it.
    #expect(abs(s - m) <= 0.25 * m && s < 0.17, "streamed \(s), in memory \(m) per sample")
    let evaluated = try json(try latent("evaluate", "s.safetensors", "--data", "shards", "--json", "--quiet", in: folder).output)["sse_per_sample"] as! Double
    #expect(abs(evaluated - s) < 1e-6 * s)
    if method != "nonlinear-pca" {
        let parts = try runLatent(common + ["--data", "shards", "--output", "p.safetensors", "--parts", "2"], in: folder)
        #expect(parts.status != 0 && parts.errors.contains("\(method) does not run in parts or across processes"), "\(parts.errors)")
    }
}

/// `latent fit translator` of domains in NPY shards reads each batch's rows by index as it
/// draws them: the model of the same domains in memory, bit for bit; what needs the domains in
/// memory is refused, and so are domains half in shards.
@Test func aTranslatorTrainsFromDomainsInShards() throws {
    let folder = scratchFolder()
    var generator = RandomGenerator(seed: 12)
    let z = Tensor.randomNormal([600, 2], using: &generator)
    let a = matmul(z, Tensor.randomNormal([2, 9], using: &generator)), b = matmul(z, Tensor.randomNormal([2, 7], using: &generator)).tanh()
    for (name, x) in [("a", a), ("b", b)] {
        try FileManager.default.createDirectory(atPath: "\(folder)/\(name)", withIntermediateDirectories: false)
        for part in 0..<3 { try NPY.write(x.rows((part * 200)..<((part + 1) * 200)), to: "\(folder)/\(name)/p\(part).npy") }
        try NPY.write(x, to: "\(folder)/\(name).npy")
    }
    let common = ["fit", "translator", "--code-size", "2", "--hidden", "16", "--matcher", "mmd", "--anchor-fraction", "0.5", "--epochs", "3", "--batch-size", "100",
                  "--seed", "3", "--json", "--quiet"]
    let streamed = try runLatent(common + ["--domain", "a=a", "--domain", "b=b", "--output", "s.safetensors"], in: folder)
    #expect(streamed.status == 0, "\(streamed.errors)")
    let inMemory = try runLatent(common + ["--domain", "a=a.npy", "--domain", "b=b.npy", "--test-split", "none", "--output", "m.safetensors"], in: folder)
    #expect(inMemory.status == 0, "\(inMemory.errors)")
    #expect(try DataParallelCommands.tensors(folder + "/s.safetensors") == (try DataParallelCommands.tensors(folder + "/m.safetensors")))
    let result = try json(streamed.output)
    #expect(result["out_of_core"] as? Bool == true && result["anchors"] as? Int == 300)
    let rowsRead = try #require(result["rows_read"] as? [String: Int])
    #expect(rowsRead["a"] == 600 + 3 * 600 + 100, "\(rowsRead)")  // the moments pass, three epochs, the divergence probe (one batch)
    let classifier = try runLatent(common + ["--domain", "a=a", "--domain", "b=b", "--latent-classifier", "--output", "x.safetensors"], in: folder)
    #expect(classifier.status != 0 && classifier.errors.contains("--latent-classifier needs the domains in memory"), "\(classifier.errors)")
    let mixed = try runLatent(common + ["--domain", "a=a", "--domain", "b=b.npy", "--output", "x.safetensors"], in: folder)
    #expect(mixed.status != 0 && mixed.errors.contains("give every domain in shards"), "\(mixed.errors)")
}
