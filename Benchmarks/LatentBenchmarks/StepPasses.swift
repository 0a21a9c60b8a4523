import Dispatch
import Foundation
import Latent

/// A dense layer of a training step: its sizes, its activation, and whether its input needs a
/// gradient (every layer but the first).
struct StepLayer {
    var inputs: Int, outputs: Int
    var activation: EpilogueActivation
    var inputGradient: Bool
}

/// Where one epoch's time goes, pass by pass: each of a training step's passes timed alone at
/// the step's shapes, as the library runs it, scaled to an epoch (median of 5 runs of `steps`
/// steps each). The plain products are the floor; the fused products' excess over them is the
/// work their tiles take on (bias and activation; Adam's moments and weights); what the passes
/// leave of the measured epoch is the rest (the graph, allocation, the thread pool's hand-offs).
/// Without `epoch` (`latent-benchmarks passes`), the passes alone.
func benchmarkEpochPasses(layers: [StepLayer], samples n: Int, batchSize: Int, epoch: Double?, steps: Int = 60) {
    var generator = RandomGenerator(seed: 3)
    let weights = layers.map { Tensor.randomUniform([$0.outputs, $0.inputs], lower: -0.05, upper: 0.05, using: &generator) }
    let biases = layers.map { Tensor.randomUniform([$0.outputs], using: &generator) }
    let inputs = layers.map { Tensor.randomUniform([batchSize, $0.inputs], using: &generator) }
    let deltas = layers.map { Tensor.randomUniform([batchSize, $0.outputs], lower: -1e-3, upper: 1e-3, using: &generator) }
    let data = Tensor.randomUniform([n, layers[0].inputs], using: &generator)
    var firstMoments = weights.map { Tensor.zeros($0.shape) }, secondMoments = firstMoments
    var parameters = weights
    let biasCount = layers.reduce(0) { $0 + $1.outputs }
    var biasState = (theta: Tensor.zeros([biasCount]), gradient: Tensor.randomUniform([biasCount], using: &generator),
                     first: Tensor.zeros([biasCount]), second: Tensor.zeros([biasCount]))
    let constants = AdamConstants(beta1: 0.9, beta2: 0.999, stepSize: 1e-3, epsilonHat: 1e-8, decay: 0)
    let level = ComputeSettings.current.cpuLevel
    let batches = Double((n + batchSize - 1) / batchSize)

    func perEpoch(_ step: () -> Void) -> Double {
        let times = (0..<5).map { _ in
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<steps { step() }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 * batches / Double(steps)
        }
        return median(times)
    }
    var rows: [(String, Double)] = []
    rows.append(("plain products (forward, weight gradient, input gradient): the floor", perEpoch {
        for (index, layer) in layers.enumerated() {
            _ = matmul(inputs[index], weights[index], transposeB: true)
            _ = matmul(deltas[index], transposeA: true, inputs[index])
            if layer.inputGradient { _ = matmul(deltas[index], weights[index]) }
        }
    }))
    let plainForward = perEpoch { for index in layers.indices { _ = matmul(inputs[index], weights[index], transposeB: true) } }
    let fusedForward = perEpoch {
        for (index, layer) in layers.enumerated() {
            _ = affineProduct(inputs[index], weights[index], transposeB: true, bias: biases[index], activation: layer.activation)
        }
    }
    rows.append(("  forward products' bias and activation (fused, over the plain products)", fusedForward - plainForward))
    let plainWeightGradient = perEpoch { for index in layers.indices { _ = matmul(deltas[index], transposeA: true, inputs[index]) } }
    let fusedAdam = perEpoch {
        for index in layers.indices {
            adamStep(gradientProduct: deltas[index], transposeA: true, inputs[index], parameters: &parameters[index],
                     firstMoment: &firstMoments[index], secondMoment: &secondMoments[index], constants: constants)
        }
    }
    let unfusedAdam = perEpoch {
        for index in layers.indices {
            let gradient = matmul(deltas[index], transposeA: true, inputs[index])
            parameters[index].withUnsafeMutableBufferPointer { theta in
                firstMoments[index].withUnsafeMutableBufferPointer { first in
                    secondMoments[index].withUnsafeMutableBufferPointer { second in
                        gradient.withUnsafeBufferPointer { g in
                            // Split over the threads as the optimizer splits it.
                            let addresses = [theta.baseAddress!, UnsafeMutablePointer(mutating: g.baseAddress!), first.baseAddress!, second.baseAddress!].map { UInt(bitPattern: $0) }
                            forEachChunk(of: g.count) { part in
                                let at = addresses.map { UnsafeMutablePointer<Float>(bitPattern: $0)! + part.lowerBound }
                                Kernels.adamUpdate(level: level, parameters: at[0], gradient: at[1], firstMoment: at[2], secondMoment: at[3], count: part.count,
                                                   beta1: 0.9, beta2: 0.999, stepSize: 1e-3, epsilonHat: 1e-8, decay: 0)
                            }
                        }
                    }
                }
            }
        }
    }
    print(String(format: "  weights' Adam step over the plain gradient products: %.3f s fused, %.3f s as a pass of its own", fusedAdam - plainWeightGradient, unfusedAdam - plainWeightGradient))
    // What Adam's stream over θ, m and v (and G) costs the products that follow it: the same
    // products and pass, alone and one after the other.
    let gradients = layers.indices.map { matmul(deltas[$0], transposeA: true, inputs[$0]) }
    func adamPass() {
        for index in layers.indices {
            parameters[index].withUnsafeMutableBufferPointer { theta in
                firstMoments[index].withUnsafeMutableBufferPointer { first in
                    secondMoments[index].withUnsafeMutableBufferPointer { second in
                        gradients[index].withUnsafeBufferPointer { g in
                            let addresses = [theta.baseAddress!, UnsafeMutablePointer(mutating: g.baseAddress!), first.baseAddress!, second.baseAddress!].map { UInt(bitPattern: $0) }
                            forEachChunk(of: g.count) { part in
                                let at = addresses.map { UnsafeMutablePointer<Float>(bitPattern: $0)! + part.lowerBound }
                                Kernels.adamUpdate(level: level, parameters: at[0], gradient: at[1], firstMoment: at[2], secondMoment: at[3], count: part.count,
                                                   beta1: 0.9, beta2: 0.999, stepSize: 1e-3, epsilonHat: 1e-8, decay: 0)
                            }
                        }
                    }
                }
            }
        }
    }
    func products() {
        for (index, layer) in layers.enumerated() {
            _ = matmul(inputs[index], weights[index], transposeB: true)
            _ = matmul(deltas[index], transposeA: true, inputs[index])
            if layer.inputGradient { _ = matmul(deltas[index], weights[index]) }
        }
    }
    let alone = (products: perEpoch(products), adam: perEpoch(adamPass))
    let together = perEpoch { products(); adamPass() }
    print(String(format: "  the products %.3f s and Adam's pass %.3f s, alone; one after the other %.3f s: %+.3f s from caches each leaves the other",
                 alone.products, alone.adam, together, together - alone.products - alone.adam))
    // Adam's arithmetic without its memory: as many updates, each thread cycling a slice of
    // θ, m, v and G that stays in its L2.
    let parameterCount = layers.reduce(0) { $0 + $1.inputs * $1.outputs }, slice = 8192
    var cached = (0..<4).map { _ in Tensor.randomUniform([2 * slice], lower: 0, upper: 1e-3, using: &generator) }
    let arithmetic = perEpoch {
        let addresses = (0..<4).map { index in cached[index].withUnsafeMutableBufferPointer { UInt(bitPattern: $0.baseAddress!) } }
        forEachChunk(of: 2 * slice, minimumChunk: slice) { part in
            let at = addresses.map { UnsafeMutablePointer<Float>(bitPattern: $0)! + part.lowerBound }
            for _ in 0..<(parameterCount / (2 * slice)) {
                Kernels.adamUpdate(level: level, parameters: at[0], gradient: at[1], firstMoment: at[2], secondMoment: at[3], count: part.count,
                                   beta1: 0.9, beta2: 0.999, stepSize: 1e-3, epsilonHat: 1e-8, decay: 0)
            }
        }
    }
    withExtendedLifetime(cached) {}
    print(String(format: "  Adam's arithmetic alone (as many updates, θ, m, v and G in L2): %.3f s; its pass from memory %.3f s", arithmetic, alone.adam))
    rows.append(("  weights' Adam step (fused into their gradient products, over the plain products)", fusedAdam - plainWeightGradient))
    rows.append(("  δ = g·f′ and the bias gradients, one pass per layer", perEpoch {
        for (index, layer) in layers.enumerated() {
            _ = pullbackWithColumnSums(layer.activation, output: deltas[index], gradient: deltas[index])
        }
    }))
    rows.append(("  biases' Adam step", perEpoch {
        biasState.theta.withUnsafeMutableBufferPointer { theta in
            biasState.first.withUnsafeMutableBufferPointer { first in
                biasState.second.withUnsafeMutableBufferPointer { second in
                    biasState.gradient.withUnsafeBufferPointer { g in
                        Kernels.adamUpdate(level: level, parameters: theta.baseAddress!, gradient: g.baseAddress!, firstMoment: first.baseAddress!,
                                           secondMoment: second.baseAddress!, count: biasCount, beta1: 0.9, beta2: 0.999, stepSize: 1e-3,
                                           epsilonHat: 1e-8, decay: 0)
                    }
                }
            }
        }
    }))
    let logits = Tensor.randomUniform([batchSize, layers.last!.outputs], lower: -4, upper: 4, using: &generator)
    let targets = inputs[0]
    var residual = Tensor.uninitialized(logits.shape)
    rows.append(("  the loss and its gradient (bce from logits)", perEpoch {
        logits.withUnsafeBufferPointer { z in
            targets.withUnsafeBufferPointer { t in
                residual.withUnsafeMutableBufferPointer { r in
                    _ = Kernels.binaryCrossEntropy(level: level, logits: z.baseAddress!, targets: t.baseAddress!, residual: r.baseAddress!, count: z.count)
                }
            }
        }
    }))
    var draws = RandomGenerator(seed: 4)
    rows.append(("  the batch's rows gathered from the data", perEpoch {
        _ = data.gatherRows((0..<batchSize).map { _ in Int(draws.next() % UInt64(n)) })
    }))
    let floor = rows[0].1
    let passes = rows.reduce(0) { $0 + $1.1 }
    let total = epoch ?? passes
    if let epoch { rows.append(("the rest: the graph, allocation, the pool's hand-offs (the epoch less all of the above)", epoch - passes)) }
    print(String(format: "  where %@ goes (%d steps of each pass alone, scaled to an epoch, median of 5):",
                 epoch.map { String(format: "the epoch of %.2f s", $0) } ?? "an epoch", steps))
    for (name, seconds) in rows {
        print("    " + name.padding(toLength: 96, withPad: " ", startingAt: 0) + String(format: " %6.3f s  %5.1f %%", seconds, 100 * seconds / total))
    }
    guard let epoch else { return }
    print(String(format: "  epoch / floor: %.2f×", epoch / floor))
}

