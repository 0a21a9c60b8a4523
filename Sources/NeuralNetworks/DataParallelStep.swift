import Collectives
import Dispatch
import Tensors

/// A training step computed in parts: each batch is cut into the parts of a `PartTree`, each
/// process computes its parts' gradients, the gradients are summed in the tree's fixed order
/// across processes, and every process applies the same update. The model is then the same,
/// bit for bit, for any number of processes sharing the same parts.
///
/// The batch loss is a mean over its B rows, so the gradient is Σₚ (bₚ / B) ∇Lₚ over parts of
/// bₚ rows, where Lₚ is the part's own mean (as Goyal et al. 2017 sum per-worker gradients for
/// one large batch). Noise a step draws (a VAE's ε, an RBM's samples) comes from a generator of
/// its part's own, seeded from one draw of the run's: the same for any number of processes.
///
/// Only steps whose groups are stepped once per batch, each from gradients computed before any
/// update (``TrainingStep/updatesGroupsIndependently``), can be split: an adversarial step that
/// trains its critic, then its generator against the updated critic, cannot.
final class DataParallelStep {
    let tree: PartTree
    let collectors: [GradientCollector]
    let optimizers: [any Optimizer]
    /// One flat gradient (every group's parameters in order) per local part, reused every step.
    var gradients: [[Float]]
    /// Time spent in the sums (across processes: waiting for and exchanging with the others).
    private var summingNanoseconds: UInt64 = 0

    init(_ step: some TrainingStep, optimizers: [any Optimizer], tree: PartTree) throws {
        guard step.updatesGroupsIndependently else {
            throw TrainingError.invalidConfiguration("this method's training step updates a group of parameters from another's updated values "
                                                     + "(a critic, then a generator against it): it cannot be trained in parts or across processes")
        }
        self.tree = tree
        self.optimizers = optimizers
        var offset = 0
        collectors = optimizers.map { optimizer in
            defer { offset += optimizer.parameters.reduce(0) { $0 + $1.value.count } }
            return GradientCollector(optimizer, offset: offset)
        }
        gradients = Array(repeating: [Float](repeating: 0, count: offset), count: tree.localParts.count)
    }

    /// The seconds spent summing since the last call.
    func takeSummingSeconds() -> Double {
        defer { summingNanoseconds = 0 }
        return Double(summingNanoseconds) / 1e9
    }

    /// Trains `step` on `batch` (the global batch, whole or this process's parts' rows; this
    /// process computes its parts): returns the batch's loss terms, summed over all parts;
    /// updates the parameters unless the loss is not finite.
    func train(_ step: some TrainingStep, batch: BatchShare, using generator: inout RandomGenerator) throws -> [Double] {
        let count = batch.count, terms = step.lossTerms.count
        let seed = generator.next()
        var losses: [[Double]] = []
        for (slot, part) in tree.localParts.enumerated() {
            let rows = tree.rows(ofPart: part, count: count)
            let weight = Double(rows.count) / Double(count)
            for collector in collectors { collector.begin(scale: Float(weight)) }
            var values = [Double](repeating: 0, count: terms)
            if !rows.isEmpty {
                var partGenerator = RandomGenerator(seed: seed &+ UInt64(part) &* 0x9E37_79B9_7F4A_7C15)
                let partValues = try gradients[slot].withUnsafeMutableBufferPointer { destination in
                    for collector in collectors { collector.destination = destination }
                    defer { for collector in collectors { collector.destination = nil } }
                    return try step.train(batch.rows(rows), optimizers: collectors, using: &partGenerator)
                }
                for (term, value) in partValues.prefix(terms).enumerated() { values[term] = value * weight }
            }
            for collector in collectors {
                if collector.steps > 1 {
                    throw TrainingError.invalidConfiguration("this method's training step updates its parameters \(collector.steps) times per batch "
                                                             + "(each update depending on the last): it cannot be trained in parts or across processes")
                }
                // A part that did not step (an empty part, a non-finite loss) adds nothing.
                if collector.steps == 0 { collector.zero(&gradients[slot]) }
            }
            losses.append(values)
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let values = try tree.sum(&losses)
        guard values.allSatisfy(\.isFinite) else { return values }
        try tree.sumInPlace(&gradients)
        summingNanoseconds += DispatchTime.now().uptimeNanoseconds - start
        gradients[0].withUnsafeBufferPointer { total in
            for collector in collectors { collector.install(total) }
        }
        for optimizer in optimizers { optimizer.step() }
        return values
    }
}

/// Stands in for an optimizer while a part's gradient is computed: its step copies the
/// parameters' gradients, times the part's weight, into the part's flat gradient at this
/// group's offset instead of updating them.
final class GradientCollector: Optimizer {
    let inner: any Optimizer
    /// Where this group's values start in a flat gradient.
    let offset: Int
    /// The part's flat gradient while it is computed.
    var destination: UnsafeMutableBufferPointer<Float>? = nil
    private(set) var steps = 0
    private var scale: Float = 1

    init(_ inner: any Optimizer, offset: Int) {
        self.inner = inner
        self.offset = offset
    }

    var parameters: [Variable] { inner.parameters }
    var learningRate: Float {
        get { inner.learningRate }
        set { inner.learningRate = newValue }
    }
    var state: OptimizerState { inner.state }
    func restore(_ state: OptimizerState) throws { try inner.restore(state) }

    /// Starts a part whose gradients weigh `scale`.
    func begin(scale: Float) {
        self.scale = scale
        steps = 0
    }

    func step() {
        steps += 1
        guard let destination else { return }
        var at = offset
        for parameter in parameters {
            let size = parameter.value.count
            if let g = parameter.gradient {
                g.withUnsafeBufferPointer { g in
                    for i in 0..<size { destination[at + i] = g[i] * scale }
                }
            } else {
                for i in 0..<size { destination[at + i] = 0 }
            }
            at += size
        }
    }

    /// Zeroes this group's values in `gradient`.
    func zero(_ gradient: inout [Float]) {
        let size = parameters.reduce(0) { $0 + $1.value.count }
        gradient.withUnsafeMutableBufferPointer { for i in offset..<(offset + size) { $0[i] = 0 } }
    }

    /// Sets the parameters' gradients from the summed flat gradient.
    func install(_ total: UnsafeBufferPointer<Float>) {
        var at = offset
        for parameter in parameters {
            let size = parameter.value.count, start = at
            parameter.gradient = Tensor(shape: parameter.value.shape) { buffer in
                buffer.baseAddress!.update(from: total.baseAddress! + start, count: size)
            }
            at += size
        }
    }
}
