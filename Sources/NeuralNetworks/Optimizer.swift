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
    private var firstMoments: [Tensor]
    private var secondMoments: [Tensor]

    /// Defaults are the paper's: η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    public init(parameters: [Variable], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, decoupledWeightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.decoupledWeightDecay = decoupledWeightDecay
        firstMoments = parameters.map { .zeros($0.shape) }
        secondMoments = parameters.map { .zeros($0.shape) }
    }

    public var state: OptimizerState { OptimizerState(steps: steps, tensors: firstMoments + secondMoments) }
    public func restore(_ state: OptimizerState) throws {
        try state.check(against: parameters.map(\.shape) + parameters.map(\.shape), "Adam")
        steps = state.steps
        firstMoments = Array(state.tensors.prefix(parameters.count))
        secondMoments = Array(state.tensors.suffix(parameters.count))
    }

    public func step() {
        steps += 1
        let t = Float(steps)
        let correction2 = (1 - Foundation.pow(beta2, t)).squareRoot()
        let stepSize = learningRate * correction2 / (1 - Foundation.pow(beta1, t))
        let level = ComputeSettings.current.cpuLevel
        for (index, p) in parameters.enumerated() {
            guard let g = p.gradient else { continue }
            p.value.withUnsafeMutableBufferPointer { theta in
                g.withUnsafeBufferPointer { g in
                    firstMoments[index].withUnsafeMutableBufferPointer { m in
                        secondMoments[index].withUnsafeMutableBufferPointer { v in
                            // Addresses as integers: each chunk touches its own elements only.
                            let (ut, ug, um, uv) = (UInt(bitPattern: theta.baseAddress), UInt(bitPattern: g.baseAddress),
                                                    UInt(bitPattern: m.baseAddress), UInt(bitPattern: v.baseAddress))
                            let (b1, b2, decay) = (beta1, beta2, learningRate * decoupledWeightDecay)
                            let epsilonHat = epsilon * correction2
                            forEachChunk(of: theta.count) { range in
                                func at(_ address: UInt) -> UnsafeMutablePointer<Float> {
                                    UnsafeMutablePointer<Float>(bitPattern: address)! + range.lowerBound
                                }
                                Kernels.adamUpdate(level: level, parameters: at(ut), gradient: at(ug), firstMoment: at(um), secondMoment: at(uv),
                                                   count: range.count, beta1: b1, beta2: b2, stepSize: stepSize, epsilonHat: epsilonHat, decay: decay)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// AdamW: Adam with decoupled weight decay, λ = 0.01 by default as in PyTorch.
public final class AdamW: Adam {
    public init(parameters: [Variable], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        super.init(parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2,
                   epsilon: epsilon, decoupledWeightDecay: weightDecay)
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
