import Tensors

/// Parameters that one optimizer updates: a group of a ``TrainingStep`` (an encoder and its
/// decoder; an adversarial critic; one domain of a translator).
public struct ParameterGroup {
    public var name: String
    public var parameters: [(name: String, parameter: Variable)]
    /// Multiplies the configured learning rate (and its schedule) for this group's optimizer.
    public var learningRateScale: Float
    /// λ of this group's optimizer: an L2 weight cost added to the gradient (g + λθ) with SGD
    /// and momentum, the decoupled decay of AdamW with Adam. As PyTorch's per-group
    /// `weight_decay`: weights decay, biases usually not.
    public var weightDecay: Float

    public init(name: String, parameters: [(name: String, parameter: Variable)], learningRateScale: Float = 1, weightDecay: Float = 0) {
        self.name = name
        self.parameters = parameters
        self.learningRateScale = learningRateScale
        self.weightDecay = weightDecay
    }
}

/// One step of training on a batch: the forward pass, the named loss terms and the updates.
///
/// The ``Trainer`` owns everything around it: epochs, shuffling, schedules, held-out loss,
/// early stopping, progress, checkpoints and interruption. A step may draw noise from the
/// generator it is handed (the run's, which checkpoints save, so a resumed run draws the same),
/// and may step its groups' optimizers in any order or several times (a critic and an encoder
/// take turns).
public protocol TrainingStep {
    /// The parameter groups, each stepped by its own optimizer, made from the configuration.
    var groups: [ParameterGroup] { get }
    /// The names of the loss terms ``train(_:optimizers:using:)`` returns; the first is the
    /// objective that held-out evaluation, early stopping and the non-finite check follow.
    var lossTerms: [String] { get }
    /// Trains on one batch (`rows × D`): computes the losses, fills the gradients and steps
    /// `optimizers` (one per group, in `groups` order). Returns the batch's loss terms, means
    /// per sample, in `lossTerms` order (Double: a step that accumulates in Double keeps it).
    /// Throws only what reading its rows throws (a step whose batches are row indices into
    /// data on disk).
    func train(_ batch: Tensor, optimizers: [any Optimizer], using generator: inout RandomGenerator) throws -> [Double]
    /// The objective on held-out samples, per sample, without a graph.
    func heldOutLoss(_ samples: Tensor) throws -> Double
    /// The figure of held-out samples that the record keeps per epoch and early stopping
    /// follows (lower is better): ``heldOutLoss(_:)`` by default. A step whose objective says
    /// little about what the model is for reports what does (a translator: how far apart its
    /// held-out pairs' codes lie).
    func selectionLoss(_ heldOut: Tensor) throws -> Double
    /// What ``selectionLoss(_:)`` measures, as progress reports name it ("held-out" by default).
    var selectionName: String { get }
    /// Figures of the parameters at an epoch's end beyond the losses (an RBM's free energy), by
    /// name: reported with the epoch and kept as series in ``TrainingRecord/metrics``.
    func epochMetrics() -> [String: Float]
    /// Called before each epoch (1-based, as progress counts them; also before the first epoch of a resumed run) with
    /// the run's epoch count: for a loss that follows a schedule of epochs (a KL warm-up).
    mutating func beginEpoch(_ epoch: Int, of epochs: Int)
    /// Whether ``train(_:optimizers:using:)`` computes every group's gradient before stepping
    /// any, and steps each once: then a batch can be computed in parts whose gradients are
    /// summed (`DataParallelStep`). By default, when there is one group.
    var updatesGroupsIndependently: Bool { get }
}

extension TrainingStep {
    public var updatesGroupsIndependently: Bool { groups.count == 1 }
    public func epochMetrics() -> [String: Float] { [:] }
    public func selectionLoss(_ heldOut: Tensor) throws -> Double { try heldOutLoss(heldOut) }
    public var selectionName: String { "held-out" }
    public mutating func beginEpoch(_ epoch: Int, of epochs: Int) {}
}

/// The step of one loss over one group of parameters: zero the gradients, build the loss graph,
/// backpropagate, update. What every method trained by one objective uses.
public struct LossStep: TrainingStep {
    public let groups: [ParameterGroup]
    public let lossTerms: [String]
    let loss: (Tensor) -> Variable
    let heldOut: (Tensor) -> Double

    /// - Parameters:
    ///   - loss: the batch loss as a graph (a mean per sample), minimised.
    ///   - heldOutLoss: the same loss on plain tensors (no graph), per sample; by default the
    ///     graph's value on the held-out samples.
    public init(parameters: [(name: String, parameter: Variable)], term: String = "loss",
                loss: @escaping (Tensor) -> Variable, heldOutLoss: ((Tensor) -> Double)? = nil) {
        groups = [ParameterGroup(name: "parameters", parameters: parameters)]
        lossTerms = [term]
        self.loss = loss
        heldOut = heldOutLoss ?? { Double(loss($0).value.scalar) }
    }

    public func train(_ batch: Tensor, optimizers: [any Optimizer], using generator: inout RandomGenerator) -> [Double] {
        optimizers[0].zeroGradients()
        return descend(on: [loss(batch)], with: optimizers[0])
    }

    public func heldOutLoss(_ samples: Tensor) -> Double { heldOut(samples) }
}

/// One descent step on `terms[0]`, the loss (the other terms are reported beside it): the terms'
/// values, and, when the loss is finite, its gradient back-propagated and `optimizer` stepped.
/// A non-finite loss is not propagated into the weights; the trainer stops on it.
public func descend(on terms: [Variable], with optimizer: any Optimizer) -> [Double] {
    let values = terms.map { Double($0.value.scalar) }
    guard let loss = terms.first, values[0].isFinite else { return values }
    loss.backward()
    optimizer.step()
    return values
}
