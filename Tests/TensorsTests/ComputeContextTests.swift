import Synchronization
import Tensors
import Testing

/// A computation's settings and memory budget are bound for its scope: computations side by
/// side in one process each see their own, down to the workers of their parallel regions, and
/// the process's stay as they were.
@Suite struct ComputeContextScopes {
    /// What a parallel region's parts saw of the settings in force.
    static func seenByWorkers(parts: Int) -> [(threads: Int, level: CPULevel, memory: Int)] {
        let seen = Mutex([(threads: Int, level: CPULevel, memory: Int)?](repeating: nil, count: parts))
        forEachPart(parts) { part in
            let current = ComputeSettings.current
            seen.withLock { $0[part] = (current.threads, current.cpuLevel, MemoryBudget.limit) }
        }
        return seen.withLock { $0.map { $0! } }
    }

    @Test func concurrentScopesSeeTheirOwnSettings() async throws {
        let process = ComputeSettings.current
        let processLimit = MemoryBudget.limit
        let contexts = [ComputeContext(settings: ComputeSettings(backend: .builtIn(.baseline), threads: 2, cpuLevel: .baseline), memoryLimit: 1 << 20),
                        ComputeContext(settings: ComputeSettings(backend: .builtIn(.detected), threads: 1, cpuLevel: .detected), memoryLimit: 3 << 20)]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for context in contexts {
                group.addTask {
                    for _ in 0..<50 {
                        let seen = context.run { Self.seenByWorkers(parts: 4) }
                        for worker in seen {
                            #expect(worker.threads == context.settings.threads && worker.level == context.settings.cpuLevel)
                            #expect(worker.memory == context.memoryLimit)
                        }
                        await Task.yield()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(ComputeSettings.current.threads == process.threads && ComputeSettings.current.cpuLevel == process.cpuLevel)
        #expect(MemoryBudget.limit == processLimit)
    }

    /// A context without a memory limit keeps the one in force outside it.
    @Test func aContextKeepsTheLimitOutsideWhenItSetsNone() {
        MemoryBudget.$scoped.withValue(5 << 20) {
            ComputeContext(settings: ComputeSettings(threads: 2)).run {
                #expect(MemoryBudget.limit == 5 << 20 && ComputeSettings.current.threads == 2)
            }
        }
    }

    /// The results of a kernel run in a scope are those of the same settings passed explicitly.
    @Test func aScopeIsTheSettingsPassedExplicitly() {
        var generator = RandomGenerator(seed: 4)
        let a = Tensor.randomNormal([300, 70], using: &generator), b = Tensor.randomNormal([70, 50], using: &generator)
        let settings = ComputeSettings(backend: .builtIn(.baseline), threads: 2, cpuLevel: .baseline)
        #expect(ComputeContext(settings: settings).run { matmul(a, b) } == matmul(a, b, settings: settings))
    }
}
