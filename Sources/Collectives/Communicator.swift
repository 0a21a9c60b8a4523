/// Processes of one run that exchange bytes pairwise: the transport under Latent's fixed-order
/// sums (`Communicator.allReduceSum(_:)`). MPI's world is one (``MPICommunicator``); a lone
/// process is another (``SingleProcess``).
public protocol Communicator: AnyObject, Sendable {
    /// This process's index, 0 ..< `size`; rank 0 writes files and reports.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }
    /// Sends `send` to `partner` while receiving `receive.count` bytes from it (each side sends
    /// what the other receives).
    func exchange(_ send: UnsafeRawBufferPointer, with partner: Int, into receive: UnsafeMutableRawBufferPointer) throws
}

/// Why a collective operation failed.
public struct CommunicationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The communicator of a process that runs alone: rank 0 of 1.
public final class SingleProcess: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func exchange(_ send: UnsafeRawBufferPointer, with partner: Int, into receive: UnsafeMutableRawBufferPointer) throws {
        throw CommunicationError("a single process has no partner (asked for rank \(partner))")
    }
}

extension Communicator {
    /// Replaces `values` on every process by their sum over all processes, added in the fixed
    /// order of a binary tree over the ranks: ((v₀ + v₁) + (v₂ + v₃)) + …, the same bits on
    /// every process, and the same as ``PartTree/sum(_:)`` of the ranks' arrays in one process.
    ///
    /// For N a power of two, recursive halving then doubling (Rabenseifner 2004; Thakur,
    /// Rabenseifner & Gropp 2005): at distance d = 1, 2, 4, … each process trades half of its
    /// segment with rank ⊕ d and keeps the sum of the other half; the sums are then gathered
    /// back in reverse. Each process sends 2(N − 1)/N of the array in 2 log₂ N exchanges, as a
    /// ring all-reduce does, but pairing neighbours first makes the additions the tree's. For
    /// other N, the same tree as a reduction to rank 0 then a broadcast back
    /// (``treeReduceThenBroadcast(_:)``): 2⌈log₂ N⌉ whole arrays on the busiest process.
    ///
    /// - Precondition: every process calls it with the same count.
    @inlinable
    public func allReduceSum<Element: BinaryFloatingPoint>(_ values: UnsafeMutableBufferPointer<Element>) throws {
        let n = size
        guard n > 1 else { return }
        guard n & (n - 1) == 0 else { return try treeReduceThenBroadcast(values) }
        let stride = MemoryLayout<Element>.stride
        // Received halves land here before they are added; every byte read is first received.
        var scratch = [Element](unsafeUninitializedCapacity: values.count / 2 + 1) { _, count in count = values.count / 2 + 1 }
        var segments: [(lower: Range<Int>, upper: Range<Int>, keepsLower: Bool)] = []
        var segment = 0..<values.count
        var distance = 1
        while distance < n {
            let middle = segment.lowerBound + segment.count / 2
            let lower = segment.lowerBound..<middle, upper = middle..<segment.upperBound
            let keepsLower = rank & distance == 0
            let (kept, given) = keepsLower ? (lower, upper) : (upper, lower)
            try scratch.withUnsafeMutableBytes { received in
                try exchange(UnsafeRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(values)[(given.lowerBound * stride)..<(given.upperBound * stride)]),
                             with: rank ^ distance, into: UnsafeMutableRawBufferPointer(rebasing: received[0..<(kept.count * stride)]))
            }
            // Left subtree (lower ranks) + right subtree; IEEE addition commutes exactly, so
            // both processes of a pair get the same bits.
            scratch.withUnsafeBufferPointer { received in
                addInPlace(UnsafeMutableBufferPointer(rebasing: values[kept]), UnsafeBufferPointer(rebasing: received[0..<kept.count]))
            }
            segments.append((lower, upper, keepsLower))
            segment = kept
            distance <<= 1
        }
        // Gather: each process holds its segment's sum; trade segments back up the tree.
        let raw = UnsafeMutableRawBufferPointer(values)
        for (step, (lower, upper, keepsLower)) in segments.enumerated().reversed() {
            let (kept, missing) = keepsLower ? (lower, upper) : (upper, lower)
            try exchange(UnsafeRawBufferPointer(rebasing: raw[(kept.lowerBound * stride)..<(kept.upperBound * stride)]), with: rank ^ (1 << step),
                         into: UnsafeMutableRawBufferPointer(rebasing: raw[(missing.lowerBound * stride)..<(missing.upperBound * stride)]))
        }
    }

    /// `allReduceSum(_:)` for any number of processes: at distance d = 1, 2, 4, … rank r
    /// (r a multiple of 2d) adds the array of rank r + d (its right subtree, when there is one)
    /// to its own, the tree of ``PartTree/sum(_:)`` with a missing right subtree skipped; rank 0
    /// then holds the sum and sends it back down the same tree.
    @inlinable
    public func treeReduceThenBroadcast<Element: BinaryFloatingPoint>(_ values: UnsafeMutableBufferPointer<Element>) throws {
        let n = size
        // Every process holds the same count: with none, there is nothing to exchange (and an
        // empty scratch array would write the runtime's shared empty storage from each thread).
        guard n > 1, !values.isEmpty else { return }
        let raw = UnsafeMutableRawBufferPointer(values), none = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        var scratch = [Element](unsafeUninitializedCapacity: values.count) { _, count in count = values.count }
        var distance = 1
        while distance < n {
            if rank % (2 * distance) == 0, rank + distance < n {
                try scratch.withUnsafeMutableBytes { try exchange(UnsafeRawBufferPointer(none), with: rank + distance, into: $0) }
                scratch.withUnsafeBufferPointer { addInPlace(values, $0) }
            } else if rank % (2 * distance) == distance {
                try exchange(UnsafeRawBufferPointer(raw), with: rank - distance, into: none)
            }
            distance <<= 1
        }
        while distance > 1 {
            distance >>= 1
            if rank % (2 * distance) == 0, rank + distance < n {
                try exchange(UnsafeRawBufferPointer(raw), with: rank + distance, into: none)
            } else if rank % (2 * distance) == distance {
                try exchange(UnsafeRawBufferPointer(none), with: rank - distance, into: raw)
            }
        }
    }

    /// `allReduceSum(_:)` of an array.
    @inlinable
    public func allReduceSum<Element: BinaryFloatingPoint>(_ values: inout [Element]) throws {
        try values.withUnsafeMutableBufferPointer { try allReduceSum($0) }
    }

    /// Whether any process passed true (a stop asked for on one, seen by all).
    public func any(_ flag: Bool) throws -> Bool {
        var value = [flag ? 1.0 : 0.0]
        try allReduceSum(&value)
        return value[0] > 0
    }
}

/// a ← a + b elementwise: concrete loops for Float and Double (a generic one, called through an
/// existential communicator, is not specialized and runs ten times slower).
@inlinable
func addInPlace<Element: BinaryFloatingPoint>(_ a: UnsafeMutableBufferPointer<Element>, _ b: UnsafeBufferPointer<Element>) {
    precondition(a.count == b.count, "addInPlace: \(a.count) and \(b.count) values")
    guard let x = a.baseAddress, let y = b.baseAddress else { return }
    if Element.self == Float.self {
        addFloats(UnsafeMutableRawPointer(x).assumingMemoryBound(to: Float.self), UnsafeRawPointer(y).assumingMemoryBound(to: Float.self), a.count)
    } else if Element.self == Double.self {
        addDoubles(UnsafeMutableRawPointer(x).assumingMemoryBound(to: Double.self), UnsafeRawPointer(y).assumingMemoryBound(to: Double.self), a.count)
    } else {
        for i in 0..<a.count { a[i] = a[i] + b[i] }
    }
}

@usableFromInline
func addFloats(_ a: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) {
    for i in 0..<count { a[i] = a[i] + b[i] }
}

@usableFromInline
func addDoubles(_ a: UnsafeMutablePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int) {
    for i in 0..<count { a[i] = a[i] + b[i] }
}
