import Foundation
import Latent

/// PCA-30, PCA-2 and k-means (k = 10) fitted on full Fashion-MNIST train, evaluated on test:
/// the numbers the classical-methods issue compares with scikit-learn, and the fit times.
func benchmarkClassical() throws {
    let loader = DatasetLoader()
    let train = try loader.load("fashion-mnist:train"), test = try loader.load("fashion-mnist:test")
    print("Fashion-MNIST: fit on train (60 000 × 784), sse_per_sample on test (10 000)")
    var generator = RandomGenerator(seed: 0)
    for (name, configuration) in [("PCA-30 exact", PCA.Configuration(components: .count(30))),
                                  ("PCA-30 randomized", PCA.Configuration(components: .count(30), solver: .randomized)),
                                  ("PCA-2 exact", PCA.Configuration(components: .count(2)))] {
        var model: PCA? = nil
        let seconds = medianSeconds(repetitions: 3, warmup: 0) { model = try! PCA.fit(train.samples, configuration: configuration, using: &generator) }
        let metrics = try ReconstructionMetrics(model!, samples: test.samples)
        print(column(name, 20) + String(format: "fit %.2f s (median of 3)   test sse_per_sample %.3f", seconds, metrics.ssePerSample))
    }
    // k-means++ seeding and Lloyd iterations timed apart: one fit of a single iteration,
    // one of 21 with tolerance 0; their difference over 20 is the time per iteration.
    for k in [10, 256] {
        var seeding: [Double] = [], iteration: [Double] = []
        for seed in UInt64(0)..<3 {
            func time(_ iterations: Int) throws -> Double {
                var generator = RandomGenerator(seed: seed)
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try KMeans.fit(train.samples, configuration: .init(clusters: k, initializations: 1, maximumIterations: iterations, tolerance: 0),
                                   using: &generator)
                return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            }
            let (one, many) = (try time(1), try time(21))
            iteration.append((many - one) / 20)
            seeding.append(one - (many - one) / 20)
        }
        print(column("k-means k=\(k)", 20) + String(format: "k-means++ seeding %.3f s, Lloyd iteration %.4f s (medians of 3 seeds)", median(seeding), median(iteration)))
    }
    for seed in UInt64(0)..<3 {
        var generator = RandomGenerator(seed: seed)
        var iterations = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let model = try KMeans.fit(train.samples, configuration: .init(clusters: 10, initializations: 1), using: &generator) { iterations = $0.iteration }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let metrics = try ReconstructionMetrics(model, samples: test.samples)
        print(column("k-means k=10 seed \(seed)", 20) + String(format: "fit %.2f s, %d iterations (%.3f s each)   test sse_per_sample %.3f",
                                                            seconds, iterations, seconds / Double(iterations), metrics.ssePerSample))
    }
}

/// PCA-30's exact fit on full Fashion-MNIST train, phase by phase, for each GEMM backend:
/// where the time of `benchmarkClassical`'s fit goes.
func benchmarkPCAPhases() throws {
    let train = try DatasetLoader().load("fashion-mnist:train").samples
    let (n, d) = (train.shape[0], train.shape[1])
    var backends: [GEMMBackend] = [.builtIn(.detected)]
    if let blas = SystemBLAS.findInstalled() { backends.append(.systemBLAS(blas)) }
    print("PCA-30 exact fit on Fashion-MNIST train (\(n) × \(d)), phases (medians of 5):")
    for backend in backends {
        let settings = ComputeSettings(backend: backend)
        var covariance = Tensor.zeros([d, d])
        let mean = train.mean(alongAxis: 0)
        let meanSeconds = medianSeconds(repetitions: 5, warmup: 1) { _ = train.mean(alongAxis: 0) }
        let covarianceSeconds = medianSeconds(repetitions: 5, warmup: 1) {
            covariance = gramMatrix(train, centredAt: mean, settings: settings)
        }
        let matrix = Matrix(covariance / Float(n - 1))
        let eigenSeconds = medianSeconds(repetitions: 5, warmup: 1) { _ = try! SymmetricEigendecomposition(matrix, vectors: 30) }
        var generator = RandomGenerator(seed: 0)
        let fitSeconds = medianSeconds(repetitions: 5, warmup: 1) {
            _ = try! PCA.fit(train, configuration: .init(components: .count(30)), using: &generator, settings: settings)
        }
        print(column("  \(backend)", 46) + String(format: "mean %.3f s, centred Gram %.3f s, eigen (30 vectors) %.3f s; whole fit %.3f s",
                                                 meanSeconds, covarianceSeconds, eigenSeconds, fitSeconds))
    }
}
