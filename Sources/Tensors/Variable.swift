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
    /// ∂(root)/∂(self) after `backward()`, when this node requires a gradient.
    public var gradient: Tensor?
    /// Whether gradients flow to this node (parameters, and anything computed from them).
    public let requiresGradient: Bool
    /// Set once `backward()` has used this interior node's pullback.
    private var consumed = false
    private var parents: [Variable]
    private var pullback: ((Tensor) -> [Tensor?])?

    /// A leaf: a parameter when `requiresGradient`, a constant input otherwise.
    public init(_ value: Tensor, requiresGradient: Bool = false) {
        self.value = value
        self.requiresGradient = requiresGradient
        self.parents = []
        self.pullback = nil
    }

    /// An interior node. `pullback(g)` returns the gradient for each parent (nil where that
    /// parent needs none); it is kept only when some parent requires a gradient.
    public init(_ value: Tensor, parents: [Variable], pullback: @escaping (Tensor) -> [Tensor?]) {
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
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): start]
        for node in order.reversed() {
            guard let g = pending.removeValue(forKey: ObjectIdentifier(node)) else { continue }
            guard let pullback = node.pullback else {
                node.accumulate(g)
                continue
            }
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
                if var existing = pending[key] {
                    existing.addInPlace(parentGradient)
                    pending[key] = existing
                } else {
                    pending[key] = parentGradient
                }
            }
        }
    }

    private func accumulate(_ g: Tensor) {
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
