import Dispatch
import Foundation
import Latent

/// Sinkhorn against POT's NumPy and PyTorch backends (`Benchmarks/reference/sinkhorn_reference.py`,
/// the same data from NPY files): two sets of 5 000 points in 50-D (N(0, I/100), the second
/// shifted by 0.02, so squared distances are about 1) at ε = 0.05; (a) 100 iterations
/// (`ot.sinkhorn2(method="sinkhorn_log", numItermax=100, stopThr=0)`), (b) the divergence to the
/// default convergence, as `latent distance --metric sinkhorn --epsilon 0.05` computes it
/// (`ot.bregman.empirical_sinkhorn_divergence(method="sinkhorn_log", stopThr=1e-6)`); and what
/// bounds a half-iteration: one log-sum-exp pass over the 25 M costs (rows, columns) beside the
/// exponentials alone (25 M of them on data in L1) and a read of the 100 MB cost matrix.
func benchmarkSinkhorn(repetitions: Int, folder: String) throws {
    let (x, y) = try transportSets(writingTo: folder)
    func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    let settings = ComputeSettings.current
    let (threads, level) = (settings.threads, settings.cpuLevel)
    var (fixed, converged) = ([Double](), [Double]())
    var fixedResult: Sinkhorn.Result?, divergence: Sinkhorn.Divergence?
    for _ in 0..<repetitions {
        fixed.append(try time {
            fixedResult = try Sinkhorn.solve(x, y, configuration: .init(epsilon: .absolute(0.05), tolerance: 0, maximumIterations: 100))
        })
        converged.append(try time { divergence = try Sinkhorn.divergence(x, y, configuration: .init(epsilon: .absolute(0.05))) })
    }
    print(String(format: "Sinkhorn, 5 000 × 5 000 points in 50-D, ε = 0.05, %d iterations, %d threads: %.3f s (median of %d; ⟨P, C⟩ = %.7f)",
                 fixedResult!.iterations, threads, median(fixed), fixed.count, fixedResult!.transportCost))
    let solved = divergence!
    let potDivergence = solved.crossed.transportCost - 0.5 * solved.selfX.transportCost - 0.5 * solved.selfY.transportCost
    print(String(format: "Sinkhorn divergence to convergence (tolerance 1e-6), %d threads: %.3f s (median of %d; S_ε = %.7f, ⟨P, C⟩ = %.7f, ⟨P, C⟩ debiased as POT = %.7f; iterations %d + %d + %d, marginal error %.2g)",
                 threads, median(converged), converged.count, solved.value, solved.crossed.transportCost, potDivergence,
                 solved.crossed.iterations, solved.selfX.iterations, solved.selfY.iterations, solved.marginalError))

    // One half-iteration's pieces on the cross problem's cost matrix.
    let (n, m) = (x.rows, y.rows)
    func norms(_ t: Tensor) -> [Float] {
        t.withUnsafeBufferPointer { p in (0..<t.rows).map { i in (0..<t.columns).reduce(Float(0)) { $0 + p[i * t.columns + $1] * p[i * t.columns + $1] } } }
    }
    let (xNorms, yNorms) = (norms(x), norms(y))
    let products = matmul(x, y, transposeB: true)
    let cost = try Tensor(shape: [n, m], scalars: products.withUnsafeBufferPointer { p in
        (0..<(n * m)).map { max(xNorms[$0 / m] + yNorms[$0 % m] - 2 * p[$0], 0) }
    })
    let terms = [Double](repeating: 0, count: max(n, m))
    var lse = [Double](repeating: 0, count: max(n, m))
    let inner = max(3, repetitions)
    func twoThreads(_ body: @escaping @Sendable (Range<Int>) -> Void, count: Int) -> Double {
        medianSeconds(repetitions: inner) { forEachChunk(of: count, minimumChunk: 1, settings: settings, body) }
    }
    let (c, t, o) = (cost.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }, terms.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) },
                     lse.withUnsafeMutableBufferPointer { UInt(bitPattern: $0.baseAddress) })
    let rows = twoThreads({ range in
        Kernels.logSumExpRows(level: level, cost: UnsafePointer<Float>(bitPattern: c)! + range.lowerBound * m, rows: range.count, columns: m, leadingDimension: m,
                              terms: UnsafePointer<Double>(bitPattern: t)!, scale: 20, into: UnsafeMutablePointer<Double>(bitPattern: o)! + range.lowerBound)
    }, count: n)
    let columns = twoThreads({ range in
        // Stripes of 256 columns, as the solver splits them.
        for start in stride(from: range.lowerBound, to: range.upperBound, by: 256) {
            let width = min(256, range.upperBound - start)
            Kernels.logSumExpColumns(level: level, cost: UnsafePointer<Float>(bitPattern: c)! + start, rows: n, columns: width, leadingDimension: m,
                                     terms: UnsafePointer<Double>(bitPattern: t)!, scale: 20, into: UnsafeMutablePointer<Double>(bitPattern: o)! + start)
        }
    }, count: m)
    // The scaling domain's half-iterations: K·w and Kᵀ·w (the cost matrix stands in for K).
    let weights = [Float](repeating: 1, count: max(n, m))
    let w = weights.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
    let multiplyRows = twoThreads({ range in
        Kernels.multiplyRows(level: level, kernel: UnsafePointer<Float>(bitPattern: c)! + range.lowerBound * m, rows: range.count, columns: m, leadingDimension: m,
                             by: UnsafePointer<Float>(bitPattern: w)!, into: UnsafeMutablePointer<Double>(bitPattern: o)! + range.lowerBound)
    }, count: n)
    let multiplyColumns = twoThreads({ range in
        for start in stride(from: range.lowerBound, to: range.upperBound, by: 256) {
            Kernels.multiplyColumns(level: level, kernel: UnsafePointer<Float>(bitPattern: c)! + start, rows: n, columns: min(256, range.upperBound - start),
                                    leadingDimension: m, by: UnsafePointer<Float>(bitPattern: w)!, into: UnsafeMutablePointer<Double>(bitPattern: o)! + start)
        }
    }, count: m)
    // The exponentials' floor: 25 M exponentials of data in L1 (4 096 floats per call).
    let block = 4096, calls = n * m / block
    let source = (0..<block).map { -Float($0) / Float(block) * 20 }
    var sink = [Float](repeating: 0, count: block * threads)
    let (s, k) = (source.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }, sink.withUnsafeMutableBufferPointer { UInt(bitPattern: $0.baseAddress) })
    let exponentials = medianSeconds(repetitions: inner) {
        forEachPart(threads, settings: settings) { part in
            let out = UnsafeMutablePointer<Float>(bitPattern: k)! + part * block
            for _ in 0..<(calls / threads) { Kernels.exponentials(level: level, of: UnsafePointer<Float>(bitPattern: s)!, into: out, count: block) }
        }
    }
    // Reading the matrix once: a sum over it.
    let partials = UnsafeMutablePointer<Float>.allocate(capacity: threads)
    defer { partials.deallocate() }
    let read = medianSeconds(repetitions: inner) {
        let p = UInt(bitPattern: partials)
        forEachPart(threads, settings: settings) { part in
            let base = UnsafePointer<Float>(bitPattern: c)!
            var total = SIMD16<Float>()
            let (start, end) = (n * m * part / threads / 16 * 16, n * m * (part + 1) / threads / 16 * 16)
            for i in stride(from: start, to: end, by: 16) { total += UnsafeRawPointer(base + i).loadUnaligned(as: SIMD16<Float>.self) }
            UnsafeMutablePointer<Float>(bitPattern: p)![part] = total.sum()
        }
    }
    withExtendedLifetime((cost, terms, lse, source, sink, weights)) {}
    print(String(format: "One half-iteration, 5 000 × 5 000, %d threads, %@: log domain (log-sum-exp) over rows %.2f ms, over columns %.2f ms; scaling domain (K·w) over rows %.2f ms, over columns %.2f ms; 25 M exponentials alone %.2f ms; reading the 100 MB of costs %.2f ms",
                 threads, "\(level)", rows * 1e3, columns * 1e3, multiplyRows * 1e3, multiplyColumns * 1e3, exponentials * 1e3, read * 1e3))
}
