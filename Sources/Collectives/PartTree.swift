/// Sums of a fixed number of parts in a fixed order: what makes a data-parallel result the
/// same, bit for bit, for any number of processes.
///
/// Work (the rows of a batch, of a data set) is cut into `parts` contiguous parts; part p
/// holds rows ⌊p·n/P⌋ ..< ⌊(p+1)·n/P⌋. Their sums (gradients, statistics) are added in a binary
/// tree over the parts, pairing neighbours at distance 1, 2, 4, …: ((s₀ + s₁) + (s₂ + s₃)) + …,
/// a part with no right neighbour at some distance passed up as it is (P = 6:
/// ((s₀ + s₁) + (s₂ + s₃)) + (s₄ + s₅)). Each of N processes takes P/N neighbouring parts (N
/// divides P, and P/N is a power of two, so that they fill a subtree), adds them in their
/// subtree, and `Communicator.allReduceSum(_:)` adds the processes' subtrees in the tree
/// above: the same additions in the same order as one process summing all P parts.
/// Floating-point addition is not associative, so a different P gives a (slightly) different
/// result; the same P gives the same bits for every N that divides it so (P = 12: N = 1, 3, 6,
/// 12 and 2, 4; one process takes any P).
public struct PartTree: Sendable {
    /// The processes.
    public let communicator: any Communicator
    /// P: how many parts the work is cut into.
    public let parts: Int

    /// - Throws: when `parts` is not positive, or the processes do not share it in subtrees
    ///   (N divides P and P/N is a power of two).
    public init(_ communicator: any Communicator, parts: Int) throws {
        guard parts >= 1 else { throw CommunicationError("the parts a batch is cut into must be at least 1, got \(parts)") }
        let n = communicator.size
        guard n == 1 || (parts % n == 0 && (parts / n) & (parts / n - 1) == 0) else {
            throw CommunicationError("\(n) processes cannot share \(parts) parts in equal subtrees: the parts (`parts`) must be the number of "
                                     + "processes times a power of two (\(n), \(2 * n), \(4 * n), …); e.g. `parts: \(Self.sharedParts(atLeast: parts, processes: n))`")
        }
        self.communicator = communicator
        self.parts = parts
    }

    /// One process, one part: the plain serial computation.
    public static var serial: PartTree { try! PartTree(SingleProcess(), parts: 1) }

    /// Whether work is split at all (several parts or processes).
    public var isSplit: Bool { parts > 1 }

    /// The parts this process computes.
    public var localParts: Range<Int> {
        let share = parts / communicator.size
        return (communicator.rank * share)..<((communicator.rank + 1) * share)
    }

    /// The rows of part `part` of `count` rows.
    public func rows(ofPart part: Int, count: Int) -> Range<Int> { (part * count / parts)..<((part + 1) * count / parts) }

    /// The rows of `count` this process's parts cover.
    public func localRows(count: Int) -> Range<Int> {
        rows(ofPart: localParts.lowerBound, count: count).lowerBound..<rows(ofPart: localParts.upperBound - 1, count: count).upperBound
    }

    /// The sum over all parts of every process: `local` holds this process's parts' arrays, in
    /// order, each of the same count; they are added in their subtree (in place, into the
    /// first), then across processes. Every process gets the same bits.
    @inlinable
    public func sum<Element: BinaryFloatingPoint>(_ local: inout [[Element]]) throws -> [Element] {
        try sumInPlace(&local)
        return local[0]
    }

    /// ``sum(_:)`` left in `local[0]` (the other arrays hold partial sums): no copy of the
    /// arrays, for gradients summed every step.
    @inlinable
    public func sumInPlace<Element: BinaryFloatingPoint>(_ local: inout [[Element]]) throws {
        precondition(local.count == localParts.count, "PartTree.sum: \(local.count) arrays for \(localParts.count) parts")
        var width = 1
        while width < local.count {
            for left in Swift.stride(from: 0, to: local.count, by: 2 * width) where left + width < local.count {
                let right = local[left + width]
                precondition(local[left].count == right.count, "PartTree.sum: parts of \(local[left].count) and \(right.count) values")
                local[left].withUnsafeMutableBufferPointer { l in right.withUnsafeBufferPointer { r in addInPlace(l, r) } }
            }
            width <<= 1
        }
        try local[0].withUnsafeMutableBufferPointer { try communicator.allReduceSum($0) }
    }

    /// Every part's array, on every process: `local` holds this process's parts' arrays (in
    /// order, of one count), the result all P, in part order, exactly as computed (each placed
    /// in zeros and summed: adding zeros changes no value). For statistics merged in part order
    /// whose merge is not a plain sum (means and scatter, extremes), the same for any N.
    public func gathered(_ local: [[Double]]) throws -> [[Double]] {
        precondition(local.count == localParts.count, "PartTree.gathered: \(local.count) arrays for \(localParts.count) parts")
        let width = local.first?.count ?? 0
        var all = [Double](repeating: 0, count: parts * width)
        for (slot, part) in localParts.enumerated() {
            precondition(local[slot].count == width, "PartTree.gathered: parts of \(width) and \(local[slot].count) values")
            all.replaceSubrange((part * width)..<((part + 1) * width), with: local[slot])
        }
        try all.withUnsafeMutableBufferPointer { try communicator.allReduceSum($0) }
        return (0..<parts).map { Array(all[($0 * width)..<(($0 + 1) * width)]) }
    }

    /// The smallest parts count at least `parts` that `n` processes share in subtrees.
    static func sharedParts(atLeast parts: Int, processes n: Int) -> Int {
        var p = n
        while p < parts { p <<= 1 }
        return p
    }
}
