import Dispatch
import Foundation
import Latent

/// t-SNE of Fashion-MNIST (the first 20 000 training images, and all 70 000) against openTSNE
/// (`Benchmarks/reference/tsne_reference.py`, run first: it leaves its codes and times in
/// `folder`). Both embeddings are measured by the same code: trustworthiness and continuity
/// (k = 10, 10 000 seeded queries), the 10-NN label accuracy of the codes (leave-one-out), and
/// for 20 000 the 10-NN accuracy of the 10 000 test images placed by ENCODE (openTSNE's
/// `transform`) against the training codes.
func benchmarkTSNE(folder: String, sizes: [Int]) throws {
    let loader = DatasetLoader()
    let (train, test) = (try loader.load("fashion-mnist:train"), try loader.load("fashion-mnist:test"))
    let all = Tensor.concatenate([train.samples, test.samples])
    let labels = train.labels! + test.labels!
    let threads = ComputeSettings.current.threads
    let reference = (try? Data(contentsOf: URL(fileURLWithPath: folder + "/opentsne-times.json")))
        .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    let theirTimes = reference?["times"] as? [String: [String: Double]] ?? [:]
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
        let model = try TSNE.fit(points, configuration: TSNE.Configuration(), using: &generator)
        let fitSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var line = String(format: "t-SNE of %d Fashion-MNIST images, %d threads: Latent %.2f s (KL %.4f)", n, threads, fitSeconds, model.summary.klDivergence)
        if let theirs = theirTimes[String(n)]?["fit"] { line += String(format: ", openTSNE %.2f s: %.2f× its time", theirs, fitSeconds / theirs) }
        print(line)
        print("  " + (try describe("Latent", model.embedding, points, pointLabels)))
        let theirPath = folder + "/opentsne-\(n).npy"
        if FileManager.default.fileExists(atPath: theirPath) {
            print("  " + (try describe("openTSNE", try NPY.read(theirPath).matrix(file: theirPath), points, pointLabels)))
        }
        guard n <= 60_000 else { continue }
        start = DispatchTime.now().uptimeNanoseconds
        let placed = try model.place(test.samples)
        let placeSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let ours = try ReconstructionMetrics.knnAccuracy(codes: placed, labels: test.labels!, referenceCodes: model.embedding, referenceLabels: pointLabels, k: 10)
        line = String(format: "  ENCODE of the 10 000 test images: Latent %.2f s, 10-NN accuracy against the training codes %.4f", placeSeconds, ours)
        let theirPlaced = folder + "/opentsne-\(n)-test.npy"
        if FileManager.default.fileExists(atPath: theirPlaced) {
            let theirCodes = try NPY.read(theirPath).matrix(file: theirPath), theirTest = try NPY.read(theirPlaced).matrix(file: theirPlaced)
            let theirs = try ReconstructionMetrics.knnAccuracy(codes: theirTest, labels: test.labels!, referenceCodes: theirCodes, referenceLabels: pointLabels, k: 10)
            line += String(format: "; openTSNE transform %.2f s, %.4f", theirTimes[String(n)]?["transform"] ?? .nan, theirs)
        }
        print(line)
    }
}
