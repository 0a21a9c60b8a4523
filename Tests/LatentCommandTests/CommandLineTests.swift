import Foundation

import Latent
import LatentCommand
import Testing
import TestSupport

/// Runs `latent arguments` in this process (``LatentCLI/runInProcess(_:in:)``), its relative
/// paths in `folder`, and returns its exit status, stdout and stderr.
func latent(_ arguments: String..., in folder: String) throws -> (status: Int32, output: String, errors: String) {
    try runLatent(arguments, in: folder)
}

/// The path of the built `latent` executable.
func latentExecutable() throws -> String {
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("latent")
    let candidates = [executable.path] + [".build/release/latent", ".build/debug/latent"].map { FileManager.default.currentDirectoryPath + "/" + $0 }
    guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: executable.path])
    }
    return path
}

func runLatent(_ arguments: [String], in folder: String) throws -> (status: Int32, output: String, errors: String) {
    let outcome = LatentCLI.runInProcess(withOneThread(arguments), in: folder)
    // A relative path is said resolved in process; the executable run in `folder` says it as given.
    let relative = { (text: String) in text.replacingOccurrences(of: folder + "/", with: "") }
    return (outcome.status, relative(outcome.output), relative(outcome.errors))
}

/// Runs the built `latent` executable (it sits beside the test bundle) in `folder`: for what
/// only a process of its own shows (its exit, signals, limits, environment).
func spawnLatent(_ arguments: String..., in folder: String) throws -> (status: Int32, output: String, errors: String) {
    // Both streams are read at once (TestSupport), so a chatty child never blocks on a full pipe.
    let result = try runProcess(try latentExecutable(), withOneThread(arguments), in: folder)
    return (result.status, result.output, result.errors)
}

/// `arguments` on one thread, which keeps runs comparable; `datasets` computes nothing and
/// takes no --threads.
func withOneThread(_ arguments: [String]) -> [String] {
    arguments + (arguments.first == "datasets" ? [] : ["--threads", "1"])
}

func scratchFolder() -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("latent-cli-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

func json(_ text: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
}

@Suite struct CommandLineTool {
    @Test func fitEvaluateEncodeDecodeRoundTrip() throws {
        let folder = scratchFolder()
        let fit = try latent("fit", "pca", "--data", "blobs?n=300&dimension=5&centers=3", "--code-size", "2",
                             "--output", "m.safetensors", "--json", "--quiet", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let fitted = try json(fit.output)
        #expect(fitted["method"] as? String == "pca" && fitted["code_size"] as? Int == 2 && fitted["samples"] as? Int == 300)
        #expect(fit.errors.isEmpty, "--quiet printed: \(fit.errors)")
        let evaluation = try latent("evaluate", "m.safetensors", "--data", "blobs?n=300&dimension=5&centers=3&seed=1",
                                    "--reference", "blobs?n=300&dimension=5&centers=3", "--json", "--quiet", in: folder)
        #expect(evaluation.status == 0, "\(evaluation.errors)")
        let metrics = try json(evaluation.output)
        for key in ["samples", "features", "code_size", "sse_per_sample", "mse_per_feature", "knn_accuracy", "trustworthiness"] {
            #expect(metrics[key] != nil, "evaluate --json lacks \(key)")
        }
        #expect(try latent("encode", "m.safetensors", "--data", "blobs?n=300&dimension=5&centers=3", "--output", "codes.npy", in: folder).status == 0)
        #expect(try latent("decode", "m.safetensors", "--codes", "codes.npy", "--output", "back.csv", in: folder).status == 0)
        let model = try PCA.load(from: folder + "/m.safetensors")
        let data = try DatasetLoader().load("blobs?n=300&dimension=5&centers=3")
        let back = try CSV.read(folder + "/back.csv").samples
        #expect(back.isApproximatelyEqual(to: try model.reconstruct(data.samples), relativeTolerance: 1e-5, absoluteTolerance: 1e-5))
    }

    @Test func badInputIsAOneLineErrorWithANonZeroStatus() throws {
        let folder = scratchFolder()
        _ = try latent("fit", "kmeans", "--data", "circle?n=50", "--clusters", "3", "--output", "k.safetensors", "--quiet", in: folder)
        let cases: [([String], String)] = [
            (["fit", "kmeans", "--data", "circle?n=5", "--clusters", "6", "--output", "x.safetensors", "--quiet"], "k = 6 clusters need between 1 and 5"),
            (["fit", "pca", "--data", "circle?n=50", "--code-size", "3", "--output", "x.safetensors", "--quiet"], "at most min(samples, features) = 2"),
            (["fit", "autoencoder", "--data", "circle", "--output", "x.safetensors"], "latent fit autoencoder: no such method in this build (methods: kmeans, pca,"),
            (["fit", "vae", "--data", "circle", "--output", "x.safetensors", "--beta", "0"], "vae: --beta must be positive, got 0"),
            (["fit", "vae", "--data", "circle", "--output", "x.safetensors", "--likelihood", "bernoulli", "--quiet"], "likelihood needs data in [0, 1]"),
            (["encode", "k.safetensors", "--data", "swiss-roll?n=10", "--output", "c.npy"], "swiss-roll: has 3 features per sample; the model takes 2"),
            (["evaluate", "missing.safetensors", "--data", "circle"], "missing.safetensors: no such file"),
            (["fit", "pca", "--data", "nothing.csv", "--code-size", "1", "--output", "x.safetensors", "--quiet"], "nothing.csv: no such file"),
        ]
        for (arguments, message) in cases {
            let result = try runLatent(arguments, in: folder)
            #expect(result.status != 0, "\(arguments) succeeded")
            #expect(result.errors.contains(message), "\(arguments): stderr was \(result.errors)")
        }
        // Codes of the wrong width.
        try NPY.write(Tensor.zeros([4, 2]), to: folder + "/wide.npy")
        let decode = try latent("decode", "k.safetensors", "--codes", "wide.npy", "--output", "x.npy", in: folder)
        #expect(decode.status != 0 && decode.errors.contains("kmeans decodes codes of width 1; got shape [4, 2]"), "\(decode.errors)")
    }

    /// A trained method end to end: progress per epoch on stderr, checkpoints beside the model,
    /// `--resume` giving the same model as the uninterrupted run, `evaluate` on the result.
    @Test func nonlinearPCATrainsCheckpointsAndResumes() throws {
        let folder = scratchFolder()
        let arguments = ["fit", "nonlinear-pca", "--data", "kramer-curve?n=300", "--code-size", "1", "--hidden", "8", "--epochs", "4",
                         "--lr-schedule", "cosine", "--early-stopping", "3", "--checkpoint-every", "2"]
        let fit = try runLatent(arguments + ["--output", "a.safetensors", "--json"], in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let result = try json(fit.output)
        #expect(result["epochs"] as? Int == 4 && result["final_held_out_loss"] != nil && result["seconds_per_epoch"] != nil)
        #expect(fit.errors.contains("epoch 4/4") && fit.errors.contains("held-out"), "progress was: \(fit.errors)")
        #expect(FileManager.default.fileExists(atPath: folder + "/a.checkpoint.safetensors"))
        // Resuming the finished run's checkpoint under another model name reproduces the model.
        try FileManager.default.copyItem(atPath: folder + "/a.checkpoint.safetensors", toPath: folder + "/b.checkpoint.safetensors")
        let resumed = try runLatent(arguments + ["--output", "b.safetensors", "--resume", "--quiet"], in: folder)
        #expect(resumed.status == 0, "\(resumed.errors)")
        let (a, b) = (try NonlinearPCA.load(from: folder + "/a.safetensors"), try NonlinearPCA.load(from: folder + "/b.safetensors"))
        #expect(a.stateTensors.map(\.tensor) == b.stateTensors.map(\.tensor))
        let evaluation = try latent("evaluate", "a.safetensors", "--data", "kramer-curve?n=100&seed=4", "--json", in: folder)
        #expect(evaluation.status == 0, "\(evaluation.errors)")
        #expect(try json(evaluation.output)["sse_per_sample"] != nil)
        // Options of other methods, or another configuration on resume, are one-line errors.
        let wrong = try runLatent(["fit", "pca", "--data", "circle?n=50", "--code-size", "1", "--epochs", "3", "--output", "x.safetensors"], in: folder)
        #expect(wrong.status != 0 && wrong.errors.contains("Unknown option '--epochs'"), "\(wrong.errors)")
        let base = ["fit", "nonlinear-pca", "--data", "circle?n=50", "--code-size", "1", "--output", "x.safetensors", "--quiet"]
        let badOptions: [([String], String)] = [
            (["--lr-step-every", "3"], "need --lr-schedule step"),
            (["--lr-schedule", "cosine", "--lr-minimum-fraction", "2"], "--lr-minimum-fraction must be in [0, 1], got 2"),
            (["--held-out", "1"], "--held-out must be in [0, 1), got 1"),
            (["--held-out", "0", "--early-stopping", "2"], "early stopping needs held-out data"),
            (["--checkpoint-every", "0"], "--checkpoint-every must be at least 1"),
            (["--loss", "mse"], "Unknown option '--loss'"),
            (["--hidden", "4,4,4"], "give --hidden M or M,M′"),
        ]
        for (extra, message) in badOptions {
            let result = try runLatent(base + extra, in: folder)
            #expect(result.status != 0 && result.errors.contains(message), "\(extra): \(result.errors)")
        }
        let other = try runLatent(arguments.map { $0 == "8" ? "9" : $0 } + ["--output", "a.safetensors", "--resume", "--quiet"], in: folder)
        #expect(other.status != 0 && other.errors.contains("another configuration"), "\(other.errors)")
        // A diverging run stops with the epoch and batch and writes nothing (FaultInjection checks
        // that the last good checkpoint stays).
        let diverging = try runLatent(["fit", "nonlinear-pca", "--data", "kramer-curve?n=500", "--code-size", "1", "--optimizer", "sgd",
                                       "--learning-rate", "1", "--epochs", "30", "--checkpoint-every", "1", "--output", "bad.safetensors", "--quiet"], in: folder)
        #expect(diverging.status != 0 && diverging.errors.contains("training diverged") && diverging.errors.contains("at epoch 1, batch"), "\(diverging.errors)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/bad.safetensors") && !FileManager.default.fileExists(atPath: folder + "/bad.checkpoint.safetensors"))
    }

    @Test func deepAutoencoderFitsWithPretrainingAndEvaluates() throws {
        let folder = scratchFolder()
        let fit = try runLatent(["fit", "deep-autoencoder", "--data", "fashion-mnist-mini:train", "--test", "fashion-mnist-mini:test",
                                 "--hidden", "32,16", "--code-size", "2", "--pretrain-epochs", "1", "--epochs", "1",
                                 "--output", "deep.safetensors", "--json"], in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let result = try json(fit.output)
        #expect(result["code_size"] as? Int == 2 && result["test_sse_per_sample"] != nil && result["pretraining_reconstruction_error"] != nil)
        #expect(fit.errors.contains("rbm 1/3") && fit.errors.contains("fine-tuning: epoch 1/1"), "progress was: \(fit.errors)")
        let evaluation = try latent("evaluate", "deep.safetensors", "--data", "fashion-mnist-mini:test", "--reference", "fashion-mnist-mini:train",
                                    "--json", "--quiet", in: folder)
        #expect(evaluation.status == 0, "\(evaluation.errors)")
        #expect(try json(evaluation.output)["knn_accuracy"] != nil)
        // The report reads the training history and the fitting command from the model file.
        let report = try latent("report", "deep.safetensors", "--data", "fashion-mnist-mini:test", "--output", "report", "--json", "--quiet", in: folder)
        #expect(report.status == 0, "\(report.errors)")
        #expect(try json(report.output)["figures"] as? Int == 6)  // fine-tuning, pretraining, reconstructions, interpolations, traversals, codes
        let page = try String(contentsOfFile: folder + "/report/index.html", encoding: .utf8)
        #expect(page.contains("latent fit deep-autoencoder --data fashion-mnist-mini:train") && page.contains("training-2.svg"))
        // …and says how to explore the same model on the same data in the browser.
        #expect(page.contains("latent explore deep.safetensors --data fashion-mnist-mini:test"), "\(page.suffix(1500))")
        let mismatch = try latent("report", "deep.safetensors", "--data", "circle?n=20", "--output", "r2", "--quiet", in: folder)
        #expect(mismatch.status != 0 && mismatch.errors.contains("has 2 features per sample; the model takes 784"), "\(mismatch.errors)")
        let cases: [([String], String)] = [
            (["--hidden", "32,x"], "--hidden"),
            (["--activation", "relu"], "RBM pretraining needs sigmoid hidden units"),
            (["--init", "he"], "add --pretrain none"),
            (["--loss", "bce", "--output-activation", "linear"], "bce loss needs a sigmoid output"),
        ]
        for (extra, message) in cases {
            let result = try runLatent(["fit", "deep-autoencoder", "--data", "fashion-mnist-mini:test", "--output", "x.safetensors", "--quiet"] + extra, in: folder)
            #expect(result.status != 0 && result.errors.contains(message), "\(extra): \(result.errors)")
        }
    }

    /// Runs the `latent` executable with `arguments` in `folder`, sends it Ctrl-C once its
    /// stderr shows `marker`, and returns its exit status and all it wrote to stderr.
    func interruptedRun(_ arguments: [String], once marker: String, in folder: String) throws -> (status: Int32, errors: String) {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("latent")
        let candidates = [executable.path, FileManager.default.currentDirectoryPath + "/.build/release/latent"]
        let path = try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0) })
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()
        var text = ""
        while !text.contains(marker) {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        process.interrupt()
        text += String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// Ctrl-C stops training after the current batch and writes a checkpoint of that state,
    /// whether or not periodic checkpoints were asked for; the run then resumes from it to the
    /// model of an uninterrupted run.
    @Test(arguments: [["--checkpoint-every", "1"], []])
    func ctrlCInterruptsAndResumeFinishes(checkpointOptions: [String]) throws {
        let folder = scratchFolder()
        let arguments = ["fit", "deep-autoencoder", "--data", "fashion-mnist-mini:train", "--hidden", "64", "--code-size", "8",
                         "--pretrain", "none", "--epochs", "40"] + checkpointOptions
        // --threads 1 as runLatent runs the others.
        let (status, text) = try interruptedRun(arguments + ["--output", "a.safetensors", "--threads", "1"], once: "epoch 3/40", in: folder)
        #expect(status != 0)
        #expect(text.contains("interrupted; continue from the last checkpoint"), "stderr was: \(text.suffix(400))")
        #expect(!FileManager.default.fileExists(atPath: folder + "/a.safetensors"))
        let resumed = try runLatent(arguments + ["--output", "a.safetensors", "--resume", "--quiet"], in: folder)
        #expect(resumed.status == 0, "\(resumed.errors)")
        let full = try runLatent(arguments + ["--output", "b.safetensors", "--quiet"], in: folder)
        #expect(full.status == 0, "\(full.errors)")
        let (a, b) = (try DeepAutoencoder.load(from: folder + "/a.safetensors"), try DeepAutoencoder.load(from: folder + "/b.safetensors"))
        #expect(a.stateTensors.map(\.tensor) == b.stateTensors.map(\.tensor))
    }

    /// Ctrl-C stops t-SNE or UMAP after the current iteration (epoch) with a checkpoint; `--resume` then ends
    /// where an uninterrupted run does, bit for bit.
    @Test(arguments: [(["fit", "tsne", "--data", "fashion-mnist-mini:train", "--iterations", "300", "--threads", "1", "--decoder-epochs", "3"], " of 550 ("),
                      (["fit", "umap", "--data", "fashion-mnist-mini:train", "--epochs", "3000", "--threads", "1", "--decoder-epochs", "3"], "epoch ")])
    func ctrlCInterruptsANeighbourEmbeddingAndResumeFinishes(arguments: [String], progress: String) throws {
        let folder = scratchFolder()
        let (status, text) = try interruptedRun(arguments + ["--output", "a.safetensors"], once: progress, in: folder)
        #expect(status != 0)
        #expect(text.contains("interrupted; continue from the last checkpoint"), "stderr was: \(text.suffix(400))")
        let resumed = try runLatent(arguments + ["--output", "a.safetensors", "--resume", "--quiet"], in: folder)
        #expect(resumed.status == 0, "\(resumed.errors)")
        let full = try runLatent(arguments + ["--output", "b.safetensors", "--quiet"], in: folder)
        #expect(full.status == 0, "\(full.errors)")
        let (a, b) = (try Methods.load(from: folder + "/a.safetensors"), try Methods.load(from: folder + "/b.safetensors"))
        #expect(a.stateTensors.map(\.tensor) == b.stateTensors.map(\.tensor))
    }

    /// RBM pretraining's learning rate and momentum schedule come from the command line, are
    /// stored in the model's configuration, change the pretrained RBMs, and are refused where
    /// nothing is pretrained.
    @Test func pretrainingRatesAndMomentumAreOptions() throws {
        let folder = scratchFolder()
        let base = ["fit", "deep-autoencoder", "--data", "blobs?n=300&dimension=6&centers=3", "--hidden", "8", "--code-size", "2",
                    "--pretrain-epochs", "3", "--epochs", "2", "--json", "--quiet"]
        let plain = try runLatent(base + ["--output", "a.safetensors"], in: folder)
        let tuned = try runLatent(base + ["--pretrain-learning-rate", "0.05", "--pretrain-momentum", "0.3,0.7", "--pretrain-momentum-switch", "1",
                                          "--output", "b.safetensors"], in: folder)
        #expect(plain.status == 0 && tuned.status == 0, "\(plain.errors) \(tuned.errors)")
        let configuration = try Scaled<DeepAutoencoder>.load(from: folder + "/b.safetensors").configuration
        #expect(configuration.pretrainingLearningRate == 0.05)
        #expect(configuration.pretrainingMomentum == .init(initial: 0.3, final: 0.7, switchEpoch: 1))
        #expect(try Scaled<DeepAutoencoder>.load(from: folder + "/a.safetensors").configuration.pretrainingMomentum == nil)
        let errors = { (text: String) in try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any] }
        #expect(try errors(plain.output)["pretraining_reconstruction_error"] as? [Double] != errors(tuned.output)["pretraining_reconstruction_error"] as? [Double])
        for (extra, message) in [(["--pretrain", "none", "--pretrain-learning-rate", "0.1"], "--pretrain none turns off"),
                                 (["--pretrain-momentum", "0.5"], "--pretrain-momentum"),
                                 (["--pretrain-momentum", "0.5,1.5"], "--pretrain-momentum must hold values each in [0, 1), got [0.5, 1.5]")] {
            let result = try runLatent(base + extra + ["--output", "c.safetensors"], in: folder)
            #expect(result.status != 0 && result.errors.contains(message), "\(extra): \(result.errors)")
        }
    }

    /// Each method takes its own options only: one it does not take is an error, and its help
    /// shows what applies; `latent fit --help` lists the methods.
    @Test func methodsTakeOnlyTheirOwnOptions() throws {
        let folder = scratchFolder()
        for (arguments, message) in [
            (["fit", "deep-autoencoder", "--data", "circle", "--output", "x.safetensors", "--whiten"], "Unknown option '--whiten'"),
            (["fit", "deep-autoencoder", "--data", "circle", "--output", "x.safetensors", "--solver", "randomized"], "Unknown option '--solver'"),
            (["fit", "deep-autoencoder", "--data", "circle", "--output", "x.safetensors", "--mini-batch", "8"], "Unknown option '--mini-batch'"),
            (["fit", "kmeans", "--data", "circle", "--output", "x.safetensors", "--clusters", "3", "--hidden", "4"], "Unknown option '--hidden'"),
            (["fit", "pca", "--data", "circle", "--output", "x.safetensors", "--code-size", "1", "--learning-rate", "0.1"], "Unknown option '--learning-rate'"),
            (["fit", "pca", "--data", "circle", "--output", "x.safetensors", "--code-size", "1", "--beta", "2"], "Unknown option '--beta'"),
            (["fit", "vae", "--data", "circle", "--output", "x.safetensors", "--output-variance", "0.5"], "--output-variance sets the variance of --likelihood gaussian"),
            (["fit", "wasserstein-autoencoder", "--data", "circle", "--output", "x.safetensors", "--beta", "2"], "Unknown option '--beta'"),
            (["fit", "wasserstein-autoencoder", "--data", "circle", "--output", "x.safetensors", "--projections", "8"], "--projections sets the directions of --penalty sliced"),
            (["fit", "wasserstein-autoencoder", "--data", "circle", "--output", "x.safetensors", "--lambda=-1"], "--lambda must be at least 0, got -1"),
            (["fit", "adversarial-autoencoder", "--data", "circle", "--output", "x.safetensors", "--components", "5"], "--components sets the components of --prior mixture"),
            (["fit", "adversarial-autoencoder", "--data", "circle", "--output", "x.safetensors", "--labelled-components", "--prior", "normal"], "it needs --prior mixture"),
            (["fit", "adversarial-autoencoder", "--data", "circle", "--output", "x.safetensors", "--labelled-components"], "circle has no labels"),
            (["fit", "adversarial-autoencoder", "--data", "circle", "--output", "x.safetensors", "--gradient-penalty", "5"], "--gradient-penalty sets λ of --adversarial-loss wgan-gp"),
            (["fit", "adversarial-autoencoder", "--data", "circle", "--output", "x.safetensors", "--critic-steps", "0"], "--critic-steps must be at least 1"),
            (["fit", "adversarial-autoencoder", "--data", "circle", "--output", "x.safetensors", "--prior", "mixture", "--code-size", "1"], "at least 2 dimensions"),
            (["fit", "adversarial-autoencoder", "--data", "fashion-mnist-mini:test", "--output", "x.safetensors", "--labelled-components", "--components", "3"], "has 10 classes, --components says 3"),
            (["fit", "autoencoder", "--data", "circle"], "no such method in this build"),
        ] {
            let result = try runLatent(arguments, in: folder)
            #expect(result.status != 0 && result.errors.contains(message), "\(arguments): \(result.errors)")
        }
        let help = try runLatent(["fit", "--help"], in: folder).output
        for method in ["kmeans", "pca", "linear-autoencoder", "nonlinear-pca", "deep-autoencoder", "vae", "wasserstein-autoencoder", "adversarial-autoencoder"] { #expect(help.contains(method), "\(help)") }
        let pcaHelp = try runLatent(["fit", "pca", "--help"], in: folder).output
        #expect(pcaHelp.contains("--whiten") && pcaHelp.contains("--scale") && !pcaHelp.contains("--epochs") && !pcaHelp.contains("--hidden"), "\(pcaHelp)")
    }

    /// The command line's methods are the library's registry (the RBM, a building block of the
    /// deep autoencoder, loads but is not fitted alone).
    @Test func theCommandLineFitsEveryRegisteredMethod() throws {
        let library = Set(Methods.builtIn.map { $0.methodName }).subtracting(["rbm"])
        let help = try runLatent(["fit", "--help"], in: scratchFolder()).output
        let section = (help.components(separatedBy: "SUBCOMMANDS:").last ?? "").components(separatedBy: "\n\n").first ?? ""
        let listed = section.split(separator: "\n").filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(Set(listed) == library, "\(help)")
    }

    /// The model file keeps the command that fitted it, quoted so a shell takes it back.
    @Test func fitRecordsItsCommandLine() throws {
        let folder = scratchFolder()
        let fit = try latent("fit", "pca", "--data", "blobs?n=60&dimension=3&centers=2", "--code-size", "2", "--output", "m.safetensors", "--quiet", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let file = try SafeTensorsFile.read(folder + "/m.safetensors")
        #expect(file.metadata[SafeTensorsFile.commandKey]
                == "latent fit pca --data 'blobs?n=60&dimension=3&centers=2' --code-size 2 --output m.safetensors --quiet --threads 1")
    }

    /// On a terminal (a pseudo-terminal from `script`), training progress is one line rewritten
    /// in place, led by a bar that ends full.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs util-linux's script"))
    func progressOnATerminalIsABar() throws {
        let folder = scratchFolder()
        let command = "\(try latentExecutable()) fit nonlinear-pca --data kramer-curve --code-size 1 --epochs 2 --output m.safetensors --threads 1"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text.suffix(400))")
        #expect(text.contains("\r\u{1B}[K[##########··········]  50% epoch 1/2"), "\(text.prefix(400))")
        #expect(text.contains("[####################] 100% epoch 2/2"))
    }

    @Test func infoAndDatasetsAnswer() throws {
        let folder = scratchFolder()
        let info = try json(try latent("info", "--json", in: folder).output)
        #expect(info["backend"] != nil && info["threads"] as? Int == 1)
        let datasets = try latent("datasets", "--json", in: folder)
        #expect(datasets.status == 0 && datasets.output.contains("fashion-mnist-mini:train"))
    }
}
