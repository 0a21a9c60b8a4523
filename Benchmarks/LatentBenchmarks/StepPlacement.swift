import Dispatch
import Foundation
import Latent

/// The deep autoencoder's training step as the library runs it (its graph, fused products, bce
/// and Adam) on full Fashion-MNIST batches of 128, in chunks of `steps` steps taken in turn with
/// the same step whose weight gradients are formed before Adam reads them (Adam's unfused pass)
/// and with the step's products alone (the floor): all three share every minute of the machine's
/// drifting load, where epochs and floors timed minutes apart on a shared machine differ by more
/// than the gaps between them. Each figure is the median over `rounds` chunks, scaled to an epoch.
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
    func step(formingGradients: Bool) {
        if next + batchSize > n { order.shuffle(using: &generator); next = 0 }
        let batch = train.gatherRows(Array(order[next..<(next + batchSize)]))
        next += batchSize
        adam.zeroGradients()
        let loss = binaryCrossEntropy(logits: network(Variable(batch)), targets: batch)
        loss.backward()
        if formingGradients { for parameter in parameters { _ = parameter.gradient } }
        adam.step()
    }
    let floorLayers = layers.map { (inputs: $0.inputs, outputs: $0.outputs, inputGradient: $0.inputGradient) }
    let settings = ComputeSettings.current
    func perEpoch(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<steps { body() }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 * batches / Double(steps)
    }
    var fused: [Double] = [], formed: [Double] = [], floors: [Double] = []
    for round in -1..<rounds {
        // Each round in a rotated order, so that no variant always follows the same other.
        let chunk: [() -> Void] = [
            { fused.append(perEpoch { step(formingGradients: false) }) },
            { formed.append(perEpoch { step(formingGradients: true) }) },
            { floors.append(epochGEMMFloor(layers: floorLayers, samples: n, batchSize: batchSize, settings: settings, steps: steps, repetitions: 1)) },
        ]
        let shift = (round + 3) % 3
        for run in chunk[shift...] + chunk[..<shift] { run() }
        if round < 0 { (fused, formed, floors) = ([], [], []) }  // the warm-up round
    }
    let floor = median(floors)
    print(String(format: "Deep autoencoder 784-1000-500-250-30 step (bce, Adam, batch %d), %@, %d thread(s), %d steps a chunk, medians of %d chunks taken in turn, per epoch:",
                 batchSize, settings.backend.description, settings.threads, steps, rounds))
    print(String(format: "  Adam fused into the weight-gradient products: %.3f s, %.2f× the floor", median(fused), median(fused) / floor))
    print(String(format: "  the weight gradients formed, then Adam's pass: %.3f s, %.2f× the floor", median(formed), median(formed) / floor))
    print(String(format: "  the products alone (the floor):              %.3f s", floor))
    let ratios = zip(fused, floors).map { $0 / $1 }
    print(String(format: "  fused step / floor, chunk by chunk: median %.2f×, quartiles %.2f–%.2f×",
                 median(ratios), quantile(ratios, 0.25), quantile(ratios, 0.75)))
}

/// The q-quantile of `values` (nearest rank).
func quantile(_ values: [Double], _ q: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
}
