import Dispatch
import Latent
import Synchronization

/// DECODE for many concurrent requests, batched: the codes that arrive while a batch is being
/// decoded are decoded together next, as one `m × d` product, on a queue of their own (never
/// on the server's event loops).
///
/// One request waits for at most the batch before it and its own; under load the product's
/// cost per code falls with m. Each row of DECODE's output depends on its row of codes alone
/// (the kernels split work by output blocks, never along a sum), so a code decodes to the same
/// values alone or in any batch.
final class DecodeBatcher: Sendable {
    private struct Waiting {
        var code: [Float]
        var domain: Int
        var continuation: CheckedContinuation<[Float], any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var draining = false
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "latent.explore.decode")
    private let space: ExplorationSpace
    private let context: ComputeContext
    /// The most codes decoded as one batch.
    static let largestBatch = 256

    init(space: ExplorationSpace, context: ComputeContext) {
        (self.space, self.context) = (space, context)
    }

    /// DECODE(z) into `domain` in the user's units (D values of that domain).
    func decode(_ code: [Float], domain: Int) async throws -> [Float] {
        try await withCheckedThrowingContinuation { continuation in
            let start = state.withLock { state in
                state.waiting.append(Waiting(code: code, domain: domain, continuation: continuation))
                defer { state.draining = true }
                return !state.draining
            }
            if start { queue.async { self.drain() } }
        }
    }

    /// Decodes batches until none is waiting.
    private func drain() {
        while true {
            let batch: [Waiting] = state.withLock { state in
                let taken = Array(state.waiting.prefix(Self.largestBatch))
                state.waiting.removeFirst(taken.count)
                if taken.isEmpty { state.draining = false }
                return taken
            }
            guard !batch.isEmpty else { return }
            // One product per domain asked for (a translator decodes into each of its domains).
            for domain in Set(batch.map(\.domain)).sorted() {
                decode(batch.filter { $0.domain == domain }, domain: domain)
            }
        }
    }

    private func decode(_ batch: [Waiting], domain: Int) {
        do {
            let codes = try Tensor(shape: [batch.count, space.codeSize], scalars: batch.flatMap(\.code))
            let decoded = try context.run { try space.decode(codes, domain: domain) }
            let width = decoded.columns
            for (row, waiting) in batch.enumerated() {
                waiting.continuation.resume(returning: Array(decoded.scalars[(row * width)..<((row + 1) * width)]))
            }
        } catch {
            for waiting in batch { waiting.continuation.resume(throwing: error) }
        }
    }
}
