import Foundation
import Tensors

/// Updates parameters from their gradients. Optimizers hold per-parameter state, created for
/// one list of parameters and stepped after each `backward()`.
public protocol Optimizer: AnyObject {
    /// The parameters updated, in order.
    var parameters: [Variable] { get }
    /// The step size (changed by schedules between steps).
    var learningRate: Float { get set }
    /// Applies one update from the current gradients (parameters without one are skipped).
    func step()
    /// The per-parameter state (moments, velocities) and step count, for checkpoints.
    var state: OptimizerState { get }
    /// Continues from a saved state; throws when its tensors do not fit these parameters.
    func restore(_ state: OptimizerState) throws
}

/// An optimizer's learned state: its step count and its state tensors in a fixed order
/// (for Adam, all first moments then all second moments).
public struct OptimizerState: Sendable, Equatable {
    public var steps: Int
    public var tensors: [Tensor]
    public init(steps: Int, tensors: [Tensor]) {
        self.steps = steps
        self.tensors = tensors
    }

    /// Checks that `tensors` has the shapes `expected`, naming the first that differs.
    func check(against expected: [[Int]], _ optimizer: String) throws {
        guard tensors.map(\.shape) == expected else {
            throw TrainingError.checkpointMismatch("\(optimizer) state holds shapes \(tensors.map(\.shape)), the parameters need \(expected)")
        }
    }
}

extension Optimizer {
    /// Clears every parameter's gradient before the next backward pass.
    public func zeroGradients() { for p in parameters { p.zeroGradient() } }
}

/// Plain stochastic gradient descent with an optional L2 weight cost: θ ← θ − η·(g + λθ).
public final class SGD: Optimizer {
    public let parameters: [Variable]
    public var learningRate: Float
    /// λ
    public let weightDecay: Float

    public init(parameters: [Variable], learningRate: Float, weightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    public func step() {
        for p in parameters {
            guard let g = p.gradient else { continue }
            if weightDecay != 0 { p.value *= 1 - learningRate * weightDecay }
            p.value.addInPlace(g, scale: -learningRate)
        }
    }

    public var state: OptimizerState { OptimizerState(steps: 0, tensors: []) }
    public func restore(_ state: OptimizerState) throws { try state.check(against: [], "SGD") }
}

/// SGD with momentum and L2 weight decay (Polyak 1964; the rule of Hinton's RBM and
/// fine-tuning code): v ← μ·v − η·(g + λθ), θ ← θ + v.
public final class Momentum: Optimizer {
    public let parameters: [Variable]
    public var learningRate: Float
    /// μ, changed during training by schedules such as Hinton's 0.5 → 0.9.
    public var momentum: Float
    /// λ
    public let weightDecay: Float
    private var velocities: [Tensor]

    public init(parameters: [Variable], learningRate: Float, momentum: Float = 0.9, weightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        velocities = parameters.map { .zeros($0.shape) }
    }

    public func step() {
        for (index, p) in parameters.enumerated() {
            guard let g = p.gradient else { continue }
            let (mu, eta, lambda) = (momentum, learningRate, weightDecay)
            p.value.withUnsafeMutableBufferPointer { theta in
                g.withUnsafeBufferPointer { g in
                    velocities[index].withUnsafeMutableBufferPointer { v in
                        // Elementwise, so splitting across threads cannot change the result.
                        let (ut, ug, uv) = (UInt(bitPattern: theta.baseAddress), UInt(bitPattern: g.baseAddress), UInt(bitPattern: v.baseAddress))
                        forEachChunk(of: theta.count) { range in
                            let theta = UnsafeMutablePointer<Float>(bitPattern: ut)!, v = UnsafeMutablePointer<Float>(bitPattern: uv)!
                            let g = UnsafePointer<Float>(bitPattern: ug)!
                            for i in range {
                                v[i] = mu * v[i] - eta * (g[i] + lambda * theta[i])
                                theta[i] += v[i]
                            }
                        }
                    }
                }
            }
        }
    }

    public var state: OptimizerState { OptimizerState(steps: 0, tensors: velocities) }
    public func restore(_ state: OptimizerState) throws {
        try state.check(against: parameters.map(\.shape), "momentum")
        velocities = state.tensors
    }
}

/// How Adam meets a weight gradient that backward left as its product (a dense layer's
/// ∂W = δᵀ·x, `GradientTerm.product`). Both give the same parameters bit for bit.
public enum DeferredGradientUpdate: Sendable, Equatable {
    /// Form each product as a matrix, then update every parameter in one parallel pass over θ,
    /// G, m and v: 1–7 % the faster step on the AVX-512 EPYC measured (BENCHMARKS.md, "Issue 35,
    /// fourth session"), its products running undisturbed by Adam's stream. Holds the gradients
    /// (as many values as the parameters) until the next step clears them.
    case formed
    /// Form each product block by block and spend each block on its parameters while it is in
    /// cache (`adamStep(gradientProduct:…)`): no gradient is ever held, for networks whose
    /// gradients would not fit beside their parameters and moments.
    case fusedIntoProducts
}

/// Adam (Kingma & Ba 2015, Algorithm 1), and AdamW's decoupled weight decay
/// (Loshchilov & Hutter 2019, Algorithm 2) when `decoupledWeightDecay > 0`:
/// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − ηλθ − η·m̂/(√v̂ + ε).
public class Adam: Optimizer {
    public let parameters: [Variable]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    /// λ of AdamW (0 for Adam), scaled by the learning rate as in PyTorch.
    public let decoupledWeightDecay: Float
    /// Steps taken so far (t in the bias corrections).
    public private(set) var steps = 0
    /// How weight gradients left as products are formed and spent (the same bits either way).
    public var deferredGradients: DeferredGradientUpdate
    /// m and v of each parameter, each in an object of its own, so that one step can hold all
    /// their buffers at once.
    private final class Moments {
        var first: Tensor, second: Tensor
        init(first: Tensor, second: Tensor) { (self.first, self.second) = (first, second) }
    }
    private var moments: [Moments]
    /// Values per block of a step's cut: a multiple of every kernel's vector width.
    private static let block = 64

    /// Defaults are the paper's: η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    public init(parameters: [Variable], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, decoupledWeightDecay: Float = 0, deferredGradients: DeferredGradientUpdate = .formed) {
        self.parameters = parameters
        self.deferredGradients = deferredGradients
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.decoupledWeightDecay = decoupledWeightDecay
        moments = parameters.map { Moments(first: .zeros($0.shape), second: .zeros($0.shape)) }
    }

    public var state: OptimizerState { OptimizerState(steps: steps, tensors: moments.map(\.first) + moments.map(\.second)) }
    public func restore(_ state: OptimizerState) throws {
        try state.check(against: parameters.map(\.shape) + parameters.map(\.shape), "Adam")
        steps = state.steps
        moments = zip(state.tensors.prefix(parameters.count), state.tensors.suffix(parameters.count)).map { Moments(first: $0, second: $1) }
    }

    /// One update of every parameter with a gradient, in one parallel region: the values laid
    /// end to end are cut into a part per thread (the update is elementwise, so the cut changes
    /// nothing), where one region per tensor would leave the small tensors of a network, each
    /// below the size worth splitting, to one thread. A gradient left as its product (a dense
    /// layer's ∂W = δᵀ·x, `GradientTerm.product`) is formed first, or, with
    /// `deferredGradients` = `.fusedIntoProducts`, formed block by block and spent at once
    /// (`adamStep`). Either way, the same bits.
    public func step() {
        steps += 1
        let t = Float(steps)
        let correction2 = (1 - Foundation.pow(beta2, t)).squareRoot()
        let stepSize = learningRate * correction2 / (1 - Foundation.pow(beta1, t))
        let settings = ComputeSettings.current, level = settings.cpuLevel
        let (b1, b2, decay, epsilonHat) = (beta1, beta2, learningRate * decoupledWeightDecay, epsilon * correction2)
        // Addresses as integers: each part touches its own elements only.
        var tensors: [(theta: UInt, gradient: UInt, first: UInt, second: UInt, count: Int)] = []
        var products: [(parameter: Variable, moments: Moments, product: DeferredProduct)] = []
        func update(from index: Int) {
            guard index < parameters.count else {
                // Each tensor starts on a whole block of `Self.block` values and parts are cut on
                // blocks, so every value takes the same path through the vectorised kernel (its
                // vectors, or its tail) whatever the cut: the same bits at any thread count.
                let blocks = tensors.reduce(0) { $0 + ($1.count + Self.block - 1) / Self.block }, jobs = tensors
                forEachChunk(of: blocks, minimumChunk: (1 << 15) / Self.block, settings: settings) { part in
                    let range = (part.lowerBound * Self.block)..<(part.upperBound * Self.block)
                    var start = 0
                    for tensor in jobs {
                        defer { start += (tensor.count + Self.block - 1) / Self.block * Self.block }
                        let lower = max(range.lowerBound, start), upper = min(range.upperBound, start + tensor.count)
                        guard lower < upper else { continue }
                        func at(_ address: UInt) -> UnsafeMutablePointer<Float> { UnsafeMutablePointer<Float>(bitPattern: address)! + (lower - start) }
                        Kernels.adamUpdate(level: level, parameters: at(tensor.theta), gradient: at(tensor.gradient), firstMoment: at(tensor.first),
                                           secondMoment: at(tensor.second), count: upper - lower, beta1: b1, beta2: b2, stepSize: stepSize,
                                           epsilonHat: epsilonHat, decay: decay)
                    }
                }
                return
            }
            let p = parameters[index], m = moments[index]
            if deferredGradients == .fusedIntoProducts, let product = p.takeDeferredGradient() {
                products.append((p, m, product))
                return update(from: index + 1)
            }
            guard let g = p.gradient, p.value.count > 0 else { return update(from: index + 1) }
            p.value.withUnsafeMutableBufferPointer { theta in
                g.withUnsafeBufferPointer { g in
                    m.first.withUnsafeMutableBufferPointer { first in
                        m.second.withUnsafeMutableBufferPointer { second in
                            tensors.append((UInt(bitPattern: theta.baseAddress), UInt(bitPattern: g.baseAddress),
                                            UInt(bitPattern: first.baseAddress), UInt(bitPattern: second.baseAddress), theta.count))
                            update(from: index + 1)
                        }
                    }
                }
            }
        }
        update(from: 0)
        let constants = AdamConstants(beta1: b1, beta2: b2, stepSize: stepSize, epsilonHat: epsilonHat, decay: decay)
        for (p, m, product) in products {
            adamStep(gradientProduct: product.a, transposeA: product.transposeA, product.b, transposeB: product.transposeB,
                     parameters: &p.value, firstMoment: &m.first, secondMoment: &m.second, constants: constants, settings: product.settings)
        }
    }
}

/// AdamW: Adam with decoupled weight decay, λ = 0.01 by default as in PyTorch.
public final class AdamW: Adam {
    public init(parameters: [Variable], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0.01, deferredGradients: DeferredGradientUpdate = .formed) {
        super.init(parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2,
                   epsilon: epsilon, decoupledWeightDecay: weightDecay, deferredGradients: deferredGradients)
    }
}

/// Rescales all gradients together so their joint L2 norm is at most `maxNorm` (Pascanu,
/// Mikolov & Bengio 2013). Returns the norm before clipping.
@discardableResult
public func clipGradients(_ parameters: [Variable], maxNorm: Float) -> Float {
    require(maxNorm > 0, "clipGradients: maxNorm must be positive, got \(maxNorm)")
    var total = 0.0
    for p in parameters { if let g = p.gradient { total += g.squared().sumInDouble() } }
    let norm = Float(total.squareRoot())
    if norm > maxNorm {
        let scale = maxNorm / norm
        for p in parameters { if var g = p.gradient { p.gradient = nil; g *= scale; p.gradient = g } }
    }
    return norm
}
