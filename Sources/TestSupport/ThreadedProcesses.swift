import Collectives
import Foundation

/// N communicators that exchange through memory, for running a data-parallel computation as N
/// threads of one test: what MPI's processes do, without MPI.
public final class ThreadedProcesses: @unchecked Sendable {
    private let condition = NSCondition()
    /// Messages in flight, by (from, to), in order.
    private var mailboxes: [Key: [[UInt8]]] = [:]
    private struct Key: Hashable { let from: Int, to: Int }
    public let size: Int

    public init(size: Int) { self.size = size }

    /// Runs `body` once per rank, each on its own thread, and returns their results by rank.
    public func run<T: Sendable>(_ body: @escaping @Sendable (any Communicator) throws -> T) throws -> [T] {
        let results = ResultsBox<T>(count: size)
        let group = DispatchGroup()
        for rank in 0..<size {
            let communicator = Member(rank: rank, world: self)
            group.enter()
            Thread {
                results.set(rank, Result { try body(communicator) })
                group.leave()
            }.start()
        }
        group.wait()
        return try results.values()
    }

    fileprivate func send(_ bytes: [UInt8], from: Int, to: Int) {
        condition.lock()
        mailboxes[Key(from: from, to: to), default: []].append(bytes)
        condition.broadcast()
        condition.unlock()
    }

    fileprivate func receive(from: Int, to: Int) -> [UInt8] {
        condition.lock()
        defer { condition.unlock() }
        let key = Key(from: from, to: to)
        while mailboxes[key]?.isEmpty ?? true { condition.wait() }
        return mailboxes[key]!.removeFirst()
    }

    private final class Member: Communicator, @unchecked Sendable {
        let rank: Int
        let world: ThreadedProcesses
        init(rank: Int, world: ThreadedProcesses) {
            self.rank = rank
            self.world = world
        }
        var size: Int { world.size }
        func exchange(_ send: UnsafeRawBufferPointer, with partner: Int, into receive: UnsafeMutableRawBufferPointer) throws {
            world.send(Array(send), from: rank, to: partner)
            let bytes = world.receive(from: partner, to: rank)
            guard bytes.count == receive.count else {
                throw CommunicationError("rank \(rank) expected \(receive.count) bytes from \(partner), got \(bytes.count)")
            }
            bytes.withUnsafeBytes { receive.copyMemory(from: $0) }
        }
    }

    private final class ResultsBox<T>: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [Result<T, Error>?]
        init(count: Int) { results = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ result: Result<T, Error>) {
            lock.lock()
            results[index] = result
            lock.unlock()
        }
        func values() throws -> [T] { try results.map { try $0!.get() } }
    }
}
