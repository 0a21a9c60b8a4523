/// A node of the reverse-mode autodiff graph: a tensor value, its gradient once `backward()`
/// has run, its parents, and the pullback that maps its gradient to theirs.
///
/// Every operation on Variables computes its value and, beside it, its local derivative as a
/// closure (see `Variable+Math.swift`); ``backward(seed:)`` is generic: it orders the graph
/// topologically and runs the closures in reverse. Parameters are long-lived Variables that
/// layers list explicitly; their gradients accumulate until ``zeroGradient()``.
public final class Variable {
    /// The forward value.
    public var value: Tensor
    /// ∂(root)/∂(self) after `backward()`, when this node requires a gradient. A gradient left
    /// as a product not yet formed (a pullback's ``GradientTerm/product(_:)``) is formed when
    /// first read.
    public var gradient: Tensor? {
        get {
            if let deferred {
                storedGradient = deferred.evaluate()
                self.deferred = nil
            }
            return storedGradient
        }
        set {
            storedGradient = newValue
            deferred = nil
        }
    }
    private var storedGradient: Tensor?
    private var deferred: DeferredProduct?
    /// Whether gradients flow to this node (parameters, and anything computed from them).
    public let requiresGradient: Bool
    /// Set once `backward()` has used this interior node's pullback.
    private var consumed = false
    private var parents: [Variable]
    private var pullback: ((Tensor) -> [GradientTerm?])?

    /// A leaf: a parameter when `requiresGradient`, a constant input otherwise.
    public init(_ value: Tensor, requiresGradient: Bool = false) {
        self.value = value
        self.requiresGradient = requiresGradient
        self.parents = []
        self.pullback = nil
    }

    /// An interior node. `pullback(g)` returns the gradient for each parent (nil where that
    /// parent needs none); it is kept only when some parent requires a gradient.
    public convenience init(_ value: Tensor, parents: [Variable], pullback: @escaping (Tensor) -> [Tensor?]) {
        self.init(value, parents: parents, terms: { g in pullback(g).map { $0.map(GradientTerm.tensor) } })
    }

    /// An interior node whose pullback may leave a parent's gradient as a product not yet formed
    /// (a dense layer's ∂W = δᵀ·x), for an optimizer to form and spend in one pass.
    public init(_ value: Tensor, parents: [Variable], terms pullback: @escaping (Tensor) -> [GradientTerm?]) {
        self.value = value
        let needed = parents.contains { $0.requiresGradient }
        self.requiresGradient = needed
        self.parents = needed ? parents : []
        self.pullback = needed ? pullback : nil
    }

    /// The shape of the value.
    public var shape: [Int] { value.shape }

    /// Sets the gradient to nil (before a new step).
    public func zeroGradient() { gradient = nil }

    /// The gradient, when it is still one product not yet formed; the gradient is then cleared
    /// (the caller spends it: ``adamStep(gradientProduct:transposeA:_:transposeB:parameters:firstMoment:secondMoment:constants:settings:)``).
    /// Nil, and nothing changed, when the gradient is a tensor or absent.
    public func takeDeferredGradient() -> DeferredProduct? {
        defer { deferred = nil }
        return deferred
    }

    /// Back-propagates from this node: its gradient is `seed` (ones when nil, the usual choice
    /// for a scalar loss), and every ancestor that requires a gradient receives ∂self/∂ancestor,
    /// added to what it already holds.
    ///
    /// The pass consumes the graph, as PyTorch's does by default: each interior node drops its
    /// pullback and parents once used, releasing the values they captured. Besides freeing memory
    /// early, this leaves parameter storage uniquely referenced, so optimizers update it in place
    /// instead of copying it. A second `backward()` through the same graph is a programming
    /// error and stops with a message.
    public func backward(seed: Tensor? = nil) {
        guard requiresGradient else { return }
        require(!consumed, "backward: this graph was already back-propagated; build it again (a new forward pass)")
        let start = seed ?? Tensor.ones(value.shape)
        require(start.shape == value.shape, "backward: seed shape \(start.shape) does not match value shape \(value.shape)")
        let order = topologicalOrder()
        // Interior gradients live only for this pass; leaves accumulate across passes.
        // A product stays unformed while it is a node's only term; terms are added in the order
        // the pullbacks produce them, formed or not, so the sums are the same either way.
        var pending: [ObjectIdentifier: GradientTerm] = [ObjectIdentifier(self): .tensor(start)]
        for node in order.reversed() {
            guard let term = pending.removeValue(forKey: ObjectIdentifier(node)) else { continue }
            guard let pullback = node.pullback else {
                node.accumulate(term)
                continue
            }
            let g = term.formed
            if node === self { node.gradient = g }
            let parents = node.parents
            node.pullback = nil
            node.parents = []
            node.consumed = true
            for (parent, parentGradient) in zip(parents, pullback(g)) {
                guard parent.requiresGradient, let parentGradient else { continue }
                require(parentGradient.shape == parent.value.shape,
                             "pullback produced gradient of shape \(parentGradient.shape) for a value of shape \(parent.value.shape)")
                let key = ObjectIdentifier(parent)
                if let existing = pending.removeValue(forKey: key) {
                    var sum = existing.formed
                    sum.addInPlace(parentGradient.formed)
                    pending[key] = .tensor(sum)
                } else {
                    pending[key] = parentGradient
                }
            }
        }
    }

    private func accumulate(_ term: GradientTerm) {
        if case .product(let product) = term, storedGradient == nil, deferred == nil {
            deferred = product
            return
        }
        let g = term.formed
        if var existing = gradient {
            gradient = nil  // keep the storage unique so the addition happens in place
            existing.addInPlace(g)
            gradient = existing
        } else {
            gradient = g
        }
    }

    /// Nodes reachable from self, parents before children (iterative depth-first search, so deep
    /// graphs do not exhaust the stack).
    private func topologicalOrder() -> [Variable] {
        var order: [Variable] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Variable, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (node, next) = stack.popLast() {
            if next < node.parents.count {
                stack.append((node, next + 1))
                let parent = node.parents[next]
                if parent.requiresGradient, visited.insert(ObjectIdentifier(parent)).inserted {
                    stack.append((parent, 0))
                }
            } else {
                order.append(node)
            }
        }
        return order
    }
}

/// A gradient kept as its product's two factors, G = op(A)·op(B), until it is spent or read: a
/// dense layer's ∂W = δᵀ·x, which an optimizer can form tile by tile and spend at once.
public struct DeferredProduct {
    public let a: Tensor, transposeA: Bool
    public let b: Tensor, transposeB: Bool
    /// The settings at the pullback, which forming it later keeps.
    public let settings: ComputeSettings

    public init(_ a: Tensor, transposeA: Bool = false, _ b: Tensor, transposeB: Bool = false, settings: ComputeSettings = .current) {
        (self.a, self.transposeA, self.b, self.transposeB, self.settings) = (a, transposeA, b, transposeB, settings)
    }

    /// `[rows of op(A), columns of op(B)]`
    public var shape: [Int] { [transposeA ? a.shape[1] : a.shape[0], transposeB ? b.shape[0] : b.shape[1]] }

    /// G as a tensor.
    public func evaluate() -> Tensor { matmul(a, transposeA: transposeA, b, transposeB: transposeB, settings: settings) }
}

/// A parent's gradient as a pullback gives it: a tensor, or a product not yet formed.
public enum GradientTerm {
    case tensor(Tensor)
    /// Formed only when something needs it as a tensor (see ``Variable/takeDeferredGradient()``).
    case product(DeferredProduct)

    /// The term as a tensor.
    public var formed: Tensor {
        switch self {
        case .tensor(let t): t
        case .product(let p): p.evaluate()
        }
    }

    public var shape: [Int] {
        switch self {
        case .tensor(let t): t.shape
        case .product(let p): p.shape
        }
    }
}
