// latent-benchmarks: GEMM throughput per backend and thread count, and the cost of one
// Dense(784→1000, sigmoid) training step against its three GEMMs. Not a test: it measures.
//
//   swift run -c release latent-benchmarks [gemm|dense|eigen|load|classical|pca|train|step|passes|rbm|vae|convolution|conv-vae|transport|sinkhorn|neighbours|tsne|umap|mds|isomap|gather|all] [--sizes 20000,70000] [--skip-exact] [--repetitions N] [--epochs N] [--batch-size N] [--with-mlp] [--seed N]
//   mpirun -np 2 latent-benchmarks allreduce     (sums across processes: the cost model's α and β)
import Foundation
import Latent

Kernels.keepFreedMemory()  // as the `latent` executable does
let arguments = Array(CommandLine.arguments.dropFirst())
let repetitions = arguments.firstIndex(of: "--repetitions").flatMap { Int(arguments[$0 + 1]) } ?? 21
let which = arguments.first { !$0.hasPrefix("--") && Int($0) == nil } ?? "all"
if which == "load-once" {
    try loadOnce(format: arguments[1], path: arguments[2])
    exit(0)
}

/// A GEMM shape of the benchmark: C[m×n] = op(A)·op(B) with inner dimension k.
struct Shape {
    let name: String, m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool
}

let shapes = [
    Shape(name: "forward x·Wᵀ 128×1000×784", m: 128, n: 1000, k: 784, transposeA: false, transposeB: true),
    Shape(name: "backward δ·W 128×784×1000", m: 128, n: 784, k: 1000, transposeA: false, transposeB: false),
    Shape(name: "backward δᵀ·x 1000×784×128", m: 1000, n: 784, k: 128, transposeA: true, transposeB: false),
    Shape(name: "square 1024³", m: 1024, n: 1024, k: 1024, transposeA: false, transposeB: false),
]

var generator = RandomGenerator(seed: 1)

/// GFLOPS of `shape` for each configuration, timed in interleaved rounds (one run of each
/// configuration per round) so that the machine's drifting load falls on all of them alike.
@MainActor func gflops(_ shape: Shape, _ configurations: [ComputeSettings]) -> [Double] {
    let a = Tensor.randomUniform(shape.transposeA ? [shape.k, shape.m] : [shape.m, shape.k], using: &generator)
    let b = Tensor.randomUniform(shape.transposeB ? [shape.n, shape.k] : [shape.k, shape.n], using: &generator)
    var c = Tensor.zeros([shape.m, shape.n])
    var times = [[Double]](repeating: [], count: configurations.count)
    for round in -2..<repetitions {
        for (index, settings) in configurations.enumerated() {
            let seconds = medianSeconds(repetitions: 1, warmup: 0) {
                gemm(a, transposeA: shape.transposeA, b, transposeB: shape.transposeB, into: &c, settings: settings)
            }
            if round >= 0 { times[index].append(seconds) }
        }
    }
    return times.map { 2 * Double(shape.m * shape.n * shape.k) / median($0) / 1e9 }
}

@MainActor func benchmarkGEMM() {
    var backends: [GEMMBackend] = CPULevel.supported.reversed().map { .builtIn($0) }
    let blas = SystemBLAS.findInstalled()
    if let blas { backends.append(.systemBLAS(blas)) }
    print("GEMM GFLOPS, median of \(repetitions) interleaved runs (CPU level detected: \(CPULevel.detected), cores: \(ProcessInfo.processInfo.activeProcessorCount))")
    print(column("shape", 30) + column("backend", 36) + column("1 thread", 10) + column("2 threads", 10) + "speed-up")
    var ratios: [(String, Double)] = []
    for shape in shapes {
        let configurations = backends.flatMap { backend in [1, 2].map { ComputeSettings(backend: backend, threads: $0) } }
        let results = gflops(shape, configurations)
        for (index, backend) in backends.enumerated() {
            let (one, two) = (results[2 * index], results[2 * index + 1])
            print(column(shape.name, 30) + column(backend.description, 36) + column(String(format: "%.1f", one), 10)
                  + column(String(format: "%.1f", two), 10) + String(format: "%.2f×", two / one))
        }
        if blas != nil { ratios.append((shape.name, results[0] / results[2 * (backends.count - 1)])) }
    }
    if let blas {
        print("\nBuilt-in kernel (\(CPULevel.detected)) over system BLAS (\(blas.path)), one thread:")
        for (name, ratio) in ratios { print(column(name, 30) + String(format: "%.0f %%", 100 * ratio)) }
    }
}

/// One Dense(784→1000, sigmoid) step at batch 128 (forward, backward through a squared-error
/// loss with the input's gradient too, as for an inner layer, and an Adam update) against the
/// three GEMMs it contains.
@MainActor func benchmarkDenseStep() {
    for threads in [1, 2] {
        let settings = ComputeSettings(backend: .builtIn(.detected), threads: threads)
        // Set for the process, then bound for a scope as the command line runs a command
        // (parallel regions then carry it to their workers): what the scope costs.
        for round in 1...2 {
            print("round \(round), settings of the process:", terminator: " ")
            ComputeSettings.current = settings
            denseStep(settings: settings)
            print("round \(round), settings of a scope:", terminator: " ")
            ComputeSettings.current = ComputeSettings(threads: 1)
            ComputeContext(settings: settings).run { denseStep(settings: settings) }
        }
    }
}

/// ``benchmarkDenseStep()`` at `settings`.
@MainActor func denseStep(settings: ComputeSettings) {
    do {
        let threads = settings.threads
        let layer = Dense(inputs: 784, outputs: 1000, activation: .sigmoid, using: &generator)
        let optimizer = Adam(parameters: layer.parameters)
        let x = Tensor.randomUniform([128, 784], using: &generator)
        let target = Tensor.randomUniform([128, 1000], using: &generator)
        let w = layer.weight.value
        var y = Tensor.zeros([128, 1000]), dx = Tensor.zeros([128, 784]), dw = Tensor.zeros([1000, 784])
        // Interleaved: one step, then its three GEMMs, in each round.
        var steps: [Double] = [], products: [Double] = []
        for round in -2..<repetitions {
            let step = medianSeconds(repetitions: 1, warmup: 0) {
                optimizer.zeroGradients()
                let input = Variable(x, requiresGradient: true)
                let loss = squaredError(layer(input), target)
                loss.backward()
                optimizer.step()
            }
            let gemms = medianSeconds(repetitions: 1, warmup: 0) {
                gemm(x, w, transposeB: true, into: &y, settings: settings)
                gemm(y, w, into: &dx, settings: settings)
                gemm(y, transposeA: true, x, into: &dw, settings: settings)
            }
            if round >= 0 { steps.append(step); products.append(gemms) }
        }
        let (step, gemms) = (median(steps), median(products))
        print(String(format: "Dense(784→1000, sigmoid) step at batch 128, %d thread(s): %.2f ms; its three GEMMs: %.2f ms; ratio %.2f",
                     threads, step * 1000, gemms * 1000, step / gemms))
    }
}

if which == "gemm" || which == "all" { benchmarkGEMM() }
if which == "dense" || which == "all" { print(""); benchmarkDenseStep() }

/// The symmetric eigendecomposition of a 784×784 covariance (PCA on 784-pixel images).
@MainActor func benchmarkEigen() {
    let data = Tensor.randomUniform([2000, 784], using: &generator)
    let centred = data - data.mean(alongAxis: 0)
    let covariance = matmul(centred, transposeA: true, centred) / 1999
    let matrix = Matrix(covariance)
    let seconds = medianSeconds(repetitions: max(3, repetitions / 4), warmup: 1) {
        _ = try! SymmetricEigendecomposition(matrix)
    }
    print(String(format: "Symmetric eigendecomposition 784×784 (values and vectors): %.3f s", seconds))
}

if which == "eigen" || which == "all" { print(""); benchmarkEigen() }

if which == "load" || which == "all" { print(""); try benchmarkLoading() }

if which == "classical" { print(""); try benchmarkClassical() }
if which == "pca" { print(""); try benchmarkPCAPhases() }
if which == "passes" { print(""); benchmarkEpochPasses(layers: deepAutoencoderLayers(), samples: 60_000, batchSize: 128, epoch: nil) }
if which == "train" { print(""); try benchmarkTraining(epochs: max(3, repetitions / 10)) }
if which == "step" {
    let batchSize = arguments.firstIndex(of: "--batch-size").flatMap { Int(arguments[$0 + 1]) } ?? 128
    print(""); try benchmarkStepPlacement(rounds: max(15, repetitions), batchSize: batchSize)
}
if which == "neighbours" {
    let sizes = arguments.firstIndex(of: "--sizes").map { arguments[$0 + 1].split(separator: ",").compactMap { Int($0) } } ?? [20_000, 70_000]
    let k = arguments.firstIndex(of: "--k").flatMap { Int(arguments[$0 + 1]) } ?? 15
    let candidates = arguments.firstIndex(of: "--candidates").flatMap { Int(arguments[$0 + 1]) }
    let iterations = arguments.firstIndex(of: "--iterations").flatMap { Int(arguments[$0 + 1]) }
    let delta = arguments.firstIndex(of: "--delta").flatMap { Double(arguments[$0 + 1]) } ?? 0.001
    print(""); try benchmarkNeighbours(repetitions: max(1, repetitions / 10), folder: "/tmp/latent-neighbours", sizes: sizes,
                                       withExact: !arguments.contains("--skip-exact"), k: k,
                                       descent: NearestNeighbours.Descent(iterations: iterations, candidates: candidates, delta: delta))
}
if which == "isomap" { print(""); try benchmarkIsomap(folder: "/tmp/latent-isomap", repetitions: max(3, repetitions / 10)) }
if which == "mds" { print(""); try benchmarkMDS(folder: "/tmp/latent-mds") }
if which == "tsne" || which == "umap" {
    let sizes = arguments.firstIndex(of: "--sizes").map { arguments[$0 + 1].split(separator: ",").compactMap { Int($0) } } ?? [20_000, 70_000]
    print(""); try benchmarkEmbedding(which == "tsne" ? .tsne : .umap, folder: "/tmp/latent-\(which)", sizes: sizes)
}
if which == "sinkhorn" { print(""); try benchmarkSinkhorn(repetitions: max(1, repetitions / 10), folder: "/tmp/latent-transport") }
if which == "transport" { print(""); try benchmarkTransport(repetitions: max(1, repetitions / 10), folder: "/tmp/latent-transport") }
if which == "vae" { print(""); try benchmarkVAEEpoch(epochs: max(3, repetitions / 4)) }
if which == "convolution" { print(""); benchmarkConvolution(repetitions: repetitions); print(""); benchmarkConvolutionProducts(repetitions: repetitions) }
if which == "conv-vae" {
    let epochs = arguments.firstIndex(of: "--epochs").flatMap { Int(arguments[$0 + 1]) } ?? 3
    let seed = arguments.firstIndex(of: "--seed").flatMap { UInt64(arguments[$0 + 1]) } ?? 1
    print(""); try benchmarkConvolutionalVAE(epochs: epochs, architectures: arguments.contains("--with-mlp") ? [.conv, .mlp] : [.conv], seed: seed)
}
if which == "allreduce" { try benchmarkAllReduce(repetitions: repetitions) }
if which == "gather" { try benchmarkGather(repetitions: repetitions, folder: "/tmp/latent-gather") }
if which == "rbm" { print(""); try benchmarkTraining(epochs: max(3, repetitions / 10), autoencoder: false) }
