import Dispatch
import Foundation
import Latent

/// The deep autoencoder's training step as the library runs it (its graph, fused products, bce,
/// the weight gradients formed and Adam's pass) on full Fashion-MNIST batches of 128, in chunks
/// of `steps` steps taken in turn with the same step whose Adam is fused into the weight-gradient
/// products (`DeferredGradientUpdate.fusedIntoProducts`),
/// with the step's products alone (the floor), with Adam's stream over as many parameters alone
/// (`AdamStream`) and with the step's elementwise passes alone (`ElementwisePasses`): all share
/// every minute of the machine's drifting load, where epochs and floors timed minutes apart on a
/// shared machine differ by more than the gaps between them. Each figure is the median over
/// `rounds` chunks, scaled to an epoch. The floor plus the last two is what the step would take
/// if nothing it must do ran under its products.
func benchmarkStepPlacement(rounds: Int, batchSize: Int = 128, steps: Int = 40) throws {
    let train = try DatasetLoader().load("fashion-mnist:train").samples
    let n = train.rows
    let batches = Double((n + batchSize - 1) / batchSize)
    let widths = [784, 1000, 500, 250, 30, 250, 500, 1000, 784]
    let layers = deepAutoencoderLayers(widths)
    let specifications: [LayerSpecification] = layers.map { layer in
        .dense(outputs: layer.outputs, activation: layer.activation == .sigmoid ? .sigmoid : .linear)
    }
    var generator = RandomGenerator(seed: 0)
    let network = Network(try NetworkLayout(inputShape: [784], layers: specifications), initializer: .smallNormal, using: &generator)
    let parameters = network.namedParameters.map(\.parameter)
    let adam = Adam(parameters: parameters)
    var order = Array(0..<n)
    var next = n
    func step(_ update: DeferredGradientUpdate) {
        if next + batchSize > n { order.shuffle(using: &generator); next = 0 }
        let batch = train.gatherRows(Array(order[next..<(next + batchSize)]))
        next += batchSize
        adam.zeroGradients()
        let loss = binaryCrossEntropy(logits: network(Variable(batch)), targets: batch)
        loss.backward()
        adam.deferredGradients = update
        adam.step()
    }
    let floorLayers = layers.map { (inputs: $0.inputs, outputs: $0.outputs, inputGradient: $0.inputGradient) }
    let settings = ComputeSettings.current
    func perEpoch(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<steps { body() }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 * batches / Double(steps)
    }
    let stream = AdamStream(parameterCount: parameters.reduce(0) { $0 + $1.value.count }, settings: settings)
    let elementwise = ElementwisePasses(layers: layers, data: train, batchSize: batchSize)
    var fused: [Double] = [], formed: [Double] = [], floors: [Double] = [], streams: [Double] = [], passes: [Double] = []
    for round in -1..<rounds {
        // Each round in a rotated order, so that no variant always follows the same other.
        let chunk: [() -> Void] = [
            { formed.append(perEpoch { step(.formed) }) },
            { fused.append(perEpoch { step(.fusedIntoProducts) }) },
            { floors.append(epochGEMMFloor(layers: floorLayers, samples: n, batchSize: batchSize, settings: settings, steps: steps, repetitions: 1)) },
            { streams.append(perEpoch { stream.step() }) },
            { passes.append(perEpoch { elementwise.step(using: &generator) }) },
        ]
        let shift = (round + chunk.count) % chunk.count
        for run in chunk[shift...] + chunk[..<shift] { run() }
        if round < 0 { (fused, formed, floors, streams, passes) = ([], [], [], [], []) }  // the warm-up round
    }
    let floor = median(floors)
    print(String(format: "Deep autoencoder 784-1000-500-250-30 step (bce, Adam, batch %d), %@, %d thread(s), %d steps a chunk, medians of %d chunks taken in turn, per epoch:",
                 batchSize, settings.backend.description, settings.threads, steps, rounds))
    print(String(format: "  the weight gradients formed, then Adam's pass (the default): %.3f s, %.2f× the floor", median(formed), median(formed) / floor))
    print(String(format: "  Adam fused into the weight-gradient products:                %.3f s, %.2f× the floor", median(fused), median(fused) / floor))
    print(String(format: "  the products alone (the floor):                              %.3f s", floor))
    let ratios = zip(formed, floors).map { $0 / $1 }
    print(String(format: "  step / floor, chunk by chunk: median %.2f×, quartiles %.2f–%.2f×",
                 median(ratios), quantile(ratios, 0.25), quantile(ratios, 0.75)))
    let placements = zip(formed, fused).map { $0 / $1 }
    print(String(format: "  formed-then-pass step / fused step, chunk by chunk: median %.3f, quartiles %.3f–%.3f",
                 median(placements), quantile(placements, 0.25), quantile(placements, 0.75)))
    // What the step cannot do without, each alone: a bound unless Adam's stream runs under the products.
    print(String(format: "  Adam's stream from memory alone (θ, m, v of %.2f M parameters read and written per step, beyond every cache): %.3f s",
                 Double(stream.parameterCount) / 1e6, median(streams)))
    print(String(format: "  the elementwise passes alone, in cache (δ = g·f′ with the bias sums, the loss, the batch's gather): %.3f s", median(passes)))
    let streamBounds = zip(streams, floors).map { ($0 + $1) / $1 }
    let bounds = zip(zip(streams, passes), floors).map { ($0.0 + $0.1 + $1) / $1 }
    print(String(format: "  floor + the stream: median %.2f× (quartiles %.2f–%.2f×); + the passes: median %.2f× (quartiles %.2f–%.2f×); the step's rest beyond them: %.3f s",
                 median(streamBounds), quantile(streamBounds, 0.25), quantile(streamBounds, 0.75),
                 median(bounds), quantile(bounds, 0.25), quantile(bounds, 0.75), median(formed) - floor - median(streams) - median(passes)))
}

/// The step's elementwise passes at its shapes, each as the library runs it: δ = g·f′ and the
/// bias gradient for every layer (`pullbackWithColumnSums`), the loss with the residual its
/// gradient scales (bce from logits), the batch's rows gathered from the data. Their operands stay in cache between steps,
/// so this is their arithmetic and hand-offs, not the memory they meet in a real step.
struct ElementwisePasses {
    private let outputs: [Tensor], gradients: [Tensor], activations: [EpilogueActivation]
    private let logits: Tensor, targets: Tensor, data: Tensor
    private let batchSize: Int

    init(layers: [StepLayer], data: Tensor, batchSize: Int) {
        var generator = RandomGenerator(seed: 5)
        outputs = layers.map { Tensor.randomUniform([batchSize, $0.outputs], lower: 0.01, upper: 0.99, using: &generator) }
        gradients = layers.map { Tensor.randomUniform([batchSize, $0.outputs], lower: -1e-3, upper: 1e-3, using: &generator) }
        activations = layers.map(\.activation)
        logits = Tensor.randomUniform([batchSize, layers.last!.outputs], lower: -4, upper: 4, using: &generator)
        targets = data.gatherRows(Array(0..<batchSize))
        (self.data, self.batchSize) = (data, batchSize)
    }

    func step(using generator: inout RandomGenerator) {
        let rows = (0..<batchSize).map { _ in Int(generator.next() % UInt64(data.rows)) }
        _ = data.gatherRows(rows)
        _ = binaryCrossEntropy(logits: Variable(logits), targets: targets)
        for index in outputs.indices.reversed() {
            _ = pullbackWithColumnSums(activations[index], output: outputs[index], gradient: gradients[index])
        }
    }
}

/// Adam's updates of `parameterCount` parameters per step, each step on its own window of a
/// state eight times that size, so that θ, m and v come from memory as a training step's do (its
/// state outgrows the last-level cache beside the step's other data) and never from a cache
/// that the previous step warmed. G cycles a slice that stays in L1 and L2: the fused step never
/// writes or reads its gradients, and this is the stream it cannot avoid. Without the products
/// beside it: a lower bound on what Adam adds to the step unless its misses overlap them.
final class AdamStream {
    let parameterCount: Int
    private static let windows = 8, slice = 4096
    private var theta: Tensor, first: Tensor, second: Tensor, gradient: Tensor
    private var window = 0
    private let settings: ComputeSettings

    init(parameterCount: Int, settings: ComputeSettings) {
        var generator = RandomGenerator(seed: 1)
        self.parameterCount = parameterCount
        self.settings = settings
        (theta, first, second) = (Tensor.randomUniform([parameterCount * Self.windows], lower: -1, upper: 1, using: &generator),
                                  Tensor.randomUniform([parameterCount * Self.windows], lower: -1e-3, upper: 1e-3, using: &generator),
                                  Tensor.randomUniform([parameterCount * Self.windows], lower: 0, upper: 1e-6, using: &generator))
        gradient = Tensor.randomUniform([Self.slice], lower: -1e-3, upper: 1e-3, using: &generator)
    }

    func step() {
        let (count, slice, level) = (parameterCount, Self.slice, settings.cpuLevel)
        let offset = window * count
        window = (window + 1) % Self.windows
        theta.withUnsafeMutableBufferPointer { theta in
            first.withUnsafeMutableBufferPointer { first in
                second.withUnsafeMutableBufferPointer { second in
                    gradient.withUnsafeBufferPointer { g in
                        let addresses = [theta.baseAddress!, first.baseAddress!, second.baseAddress!].map { UInt(bitPattern: $0 + offset) }
                        let gradientAddress = UInt(bitPattern: g.baseAddress!)
                        forEachChunk(of: count, settings: settings) { part in
                            let at = addresses.map { UnsafeMutablePointer<Float>(bitPattern: $0)! }
                            let g = UnsafePointer<Float>(bitPattern: gradientAddress)!
                            var start = part.lowerBound
                            while start < part.upperBound {
                                let length = min(slice, part.upperBound - start)
                                Kernels.adamUpdate(level: level, parameters: at[0] + start, gradient: g, firstMoment: at[1] + start,
                                                   secondMoment: at[2] + start, count: length,
                                                   beta1: 0.9, beta2: 0.999, stepSize: 1e-3, epsilonHat: 1e-8, decay: 0)
                                start += length
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The q-quantile of `values` (nearest rank).
func quantile(_ values: [Double], _ q: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
}
