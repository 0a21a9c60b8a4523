import Dispatch
import Foundation
import Latent

/// A neighbour embedding of Fashion-MNIST (the first 20 000 training images, and all 70 000)
/// against its Python reference (`Benchmarks/reference/tsne_reference.py` for openTSNE,
/// `umap_reference.py` for umap-learn, run first: each leaves its codes and times in
/// `folder`). Both embeddings are measured by the same code: trustworthiness and continuity
/// (k = 10, 10 000 seeded queries), the 10-NN label accuracy of the codes (leave-one-out), and
/// for 20 000 the 10-NN accuracy of the 10 000 test images placed by ENCODE (the reference's
/// `transform`) against the training codes. Both embeddings are drawn to SVG in `folder`.
/// The embedding alone is timed (no decoder: the references learn none).
struct EmbeddingBenchmark {
    /// The method's name in the lines printed, the reference's, and the reference's file prefix.
    let method: String, referenceName: String, prefix: String
    /// Fits the method; returns its codes, ENCODE of new samples, and what the fit reports.
    let fit: (Tensor, inout RandomGenerator) throws -> (codes: Tensor, place: (Tensor) throws -> Tensor, report: String)

    static var tsne: EmbeddingBenchmark { EmbeddingBenchmark(method: "t-SNE", referenceName: "openTSNE", prefix: "opentsne") { points, generator in
        let model = try TSNE.fit(points, configuration: TSNE.Configuration(decoder: .init(kind: .none)), using: &generator)
        return (model.embedding, { try model.place($0) }, String(format: "KL %.4f", model.summary.klDivergence))
    } }

    static var umap: EmbeddingBenchmark { EmbeddingBenchmark(method: "UMAP", referenceName: "umap-learn", prefix: "umap") { points, generator in
        let model = try UMAP.fit(points, configuration: UMAP.Configuration(decoder: .init(kind: .none)), using: &generator)
        let s = model.summary
        return (model.embedding, { try model.place($0) },
                "\(s.edges) edges, \(s.epochs) epochs, spectral start \(s.spectralConverged == true ? "converged" : "not converged")")
    } }
}

func benchmarkEmbedding(_ benchmark: EmbeddingBenchmark, folder: String, sizes: [Int]) throws {
    let loader = DatasetLoader()
    let (train, test) = (try loader.load("fashion-mnist:train"), try loader.load("fashion-mnist:test"))
    let all = Tensor.concatenate([train.samples, test.samples])
    let labels = train.labels! + test.labels!
    let threads = ComputeSettings.current.threads
    let reference = (try? Data(contentsOf: URL(fileURLWithPath: folder + "/\(benchmark.prefix)-times.json")))
        .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    let theirTimes = reference?["times"] as? [String: [String: Double]] ?? [:]
    // The codes drawn as `latent report` draws them (small opaque points in class colours), one file each.
    func draw(_ codes: Tensor, _ pointLabels: [Int], by name: String, file: String) throws {
        let plot = try ScatterPlot(codes: codes, labels: pointLabels, classNames: train.classNames,
                                   title: "\(benchmark.method) of \(codes.rows) Fashion-MNIST images: \(name)")
        try plot.svg().write(toFile: folder + "/" + file, atomically: true, encoding: .utf8)
    }
    func describe(_ name: String, _ codes: Tensor, _ points: Tensor, _ pointLabels: [Int]) throws -> String {
        var generator = RandomGenerator(seed: 0)
        let start = DispatchTime.now().uptimeNanoseconds
        let m = try NeighbourhoodMetrics.measure(samples: points, codes: codes, labels: pointLabels, using: &generator)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return String(format: "%@: trustworthiness %.4f, continuity %.4f, 10-NN accuracy %.4f (%d queries, measured in %.2f s)", name, m.trustworthiness,
                      m.continuity, m.knnAccuracy!, m.queries, seconds)
    }
    for n in sizes {
        let points = all.rows(0..<n), pointLabels = Array(labels[0..<n])
        var generator = RandomGenerator(seed: 0)
        var start = DispatchTime.now().uptimeNanoseconds
        let model = try benchmark.fit(points, &generator)
        let fitSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var line = String(format: "%@ of %d Fashion-MNIST images, %d threads: Latent %.2f s (%@)", benchmark.method, n, threads, fitSeconds, model.report)
        if let theirs = theirTimes[String(n)]?["fit"] {
            line += String(format: ", %@ %.2f s: %.2f× its time", benchmark.referenceName, theirs, fitSeconds / theirs)
        }
        print(line)
        print("  " + (try describe("Latent", model.codes, points, pointLabels)))
        try draw(model.codes, pointLabels, by: "Latent", file: "latent-\(benchmark.prefix)-\(n).svg")
        let theirPath = folder + "/\(benchmark.prefix)-\(n).npy"
        if FileManager.default.fileExists(atPath: theirPath) {
            let theirCodes = try NPY.read(theirPath).matrix(file: theirPath)
            print("  " + (try describe(benchmark.referenceName, theirCodes, points, pointLabels)))
            try draw(theirCodes, pointLabels, by: benchmark.referenceName, file: "\(benchmark.prefix)-\(n).svg")
        }
        guard n <= 60_000 else { continue }
        start = DispatchTime.now().uptimeNanoseconds
        let placed = try model.place(test.samples)
        let placeSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let ours = try ReconstructionMetrics.knnAccuracy(codes: placed, labels: test.labels!, referenceCodes: model.codes, referenceLabels: pointLabels, k: 10)
        line = String(format: "  ENCODE of the 10 000 test images: Latent %.2f s, 10-NN accuracy against the training codes %.4f", placeSeconds, ours)
        let theirPlaced = folder + "/\(benchmark.prefix)-\(n)-test.npy"
        if FileManager.default.fileExists(atPath: theirPlaced) {
            let theirCodes = try NPY.read(theirPath).matrix(file: theirPath), theirTest = try NPY.read(theirPlaced).matrix(file: theirPlaced)
            let theirs = try ReconstructionMetrics.knnAccuracy(codes: theirTest, labels: test.labels!, referenceCodes: theirCodes, referenceLabels: pointLabels, k: 10)
            line += String(format: "; %@ transform %.2f s, %.4f", benchmark.referenceName, theirTimes[String(n)]?["transform"] ?? .nan, theirs)
        }
        print(line)
    }
}
