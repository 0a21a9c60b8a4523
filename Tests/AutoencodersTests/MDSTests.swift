import Autoencoders
import DataFormats
import Foundation
import Testing
import TestSupport
import Tensors

/// MDS: classical scaling equals PCA on Euclidean distances, SMACOF lowers the stress from every
/// start, new samples are placed by the same criteria, determinism, and bad input.
@Suite struct MDSTests {
    static func swissRoll(_ n: Int, seed: Int = 1) throws -> Tensor {
        try SyntheticManifold.swissRoll.generate(["n": Double(n), "noise": 0.05, "seed": Double(seed)]).dataset.samples
    }

    /// Torgerson's codes are the principal component scores, column by column up to sign; B's
    /// eigenvalues are n − 1 times the sample variances along them; new samples are placed as PCA projects
    /// them.
    @Test(arguments: [1, 2, 3])
    func classicalScalingEqualsPCA(components: Int) throws {
        let samples = try Self.swissRoll(300)
        var generator = RandomGenerator(seed: 1)
        let mds = try MDS.fit(samples, configuration: .init(components: components, decoder: .init(kind: .none)), using: &generator)
        let pca = try PCA.fit(samples, configuration: .init(components: .count(components)), using: &generator)
        let fresh = try Self.swissRoll(40, seed: 2)
        for (ours, theirs) in [(mds.embedding, pca.encodeUnchecked(samples)), (mds.encodeUnchecked(fresh), pca.encodeUnchecked(fresh))] {
            for c in 0..<components {
                let a = (0..<ours.rows).map { Double(ours[$0, c]) }, b = (0..<theirs.rows).map { Double(theirs[$0, c]) }
                let scale = b.reduce(0) { max($0, abs($1)) }
                let sign = zip(a, b).reduce(0.0) { $0 + $1.0 * $1.1 } < 0 ? -1.0 : 1.0
                let worst = zip(a, b).reduce(0.0) { max($0, abs(sign * $1.0 - $1.1)) }
                #expect(worst < 1e-4 * scale, "component \(c): largest difference \(worst) of scale \(scale)")
            }
        }
        for c in 0..<components {
            // PCA reports sample variances (over n − 1).
            #expect(abs(mds.summary.eigenvalues[c] / 299 - Double(pca.explainedVariance.scalars[c])) < 1e-4 * mds.summary.eigenvalues[0] / 299)
        }
    }

    /// From the classical start and from random ones, SMACOF never raises the stress, ends below
    /// classical scaling's stress-1 on a curved manifold, and places training samples at their codes.
    @Test func smacofLowersTheStressFromEveryStart() throws {
        let samples = try Self.swissRoll(250)
        var generator = RandomGenerator(seed: 3)
        let classical = try MDS.fit(samples, configuration: .init(decoder: .init(kind: .none)), using: &generator)
        var courses = [[Double]](repeating: [], count: 3), last = [Double](repeating: 0, count: 3)
        let metric = try MDS.fit(samples, configuration: .init(scaling: .metric, initialisations: 3, iterations: 200, decoder: .init(kind: .none)), using: &generator) {
            courses[$0.start].append($0.rawStress)
            last[$0.start] = $0.stress
        }
        #expect(metric.summary.stress < classical.summary.stress && metric.summary.iterations > 1)
        for course in courses {
            #expect(course.count > 1)
            // The majorisation guarantee: no update raises the raw stress (to rounding).
            #expect(zip(course, course.dropFirst()).allSatisfy { $1 <= $0 * (1 + 1e-12) }, "\(course.prefix(10))")
        }
        #expect(abs(last[metric.summary.bestInitialisation] - metric.summary.stress) < 1e-9)
        let placed = metric.encodeUnchecked(samples.rows(0..<25))
        var worst = 0.0
        for i in 0..<25 { for c in 0..<2 { worst = max(worst, abs(Double(placed[i, c] - metric.embedding[i, c]))) } }
        let spread = metric.embedding.scalars.reduce(Float(0)) { max($0, abs($1)) }
        #expect(worst < 0.05 * Double(spread), "a training sample placed \(worst) from its code (codes within ±\(spread))")
    }

    /// The same seed gives the same codes on one thread or two; a batch encodes as its rows one by one.
    @Test func sameSeedAndDataGiveTheSameCodesOnAnyThreadCount() throws {
        let samples = try Self.swissRoll(200)
        var results: [MDS] = []
        for threads in [1, 2] {
            var generator = RandomGenerator(seed: 5)
            results.append(try MDS.fit(samples, configuration: .init(scaling: .metric, initialisations: 2, iterations: 50, decoder: .init(kind: .none)), using: &generator,
                                       settings: ComputeSettings(threads: threads)))
        }
        #expect(results[0].embedding == results[1].embedding && results[0].summary == results[1].summary)
        let fresh = try Self.swissRoll(10, seed: 9)
        #expect(results[0].encodeUnchecked(fresh) == Tensor.concatenate((0..<10).map { results[0].encodeUnchecked(fresh.rows($0..<($0 + 1))) }))
    }

    @Test func tooManySamplesOrComponentsAreClearErrors() throws {
        var generator = RandomGenerator(seed: 1)
        let big = Tensor(repeating: 0, shape: [MDS.Configuration.maximumSamples + 1, 2])
        #expect { try MDS.fit(big, configuration: .init(decoder: .init(kind: .none)), using: &generator) } throws: { "\($0)".contains("beyond its 5000") }
        let three = try Self.swissRoll(3)
        #expect { try MDS.fit(three, configuration: .init(components: 3, decoder: .init(kind: .none)), using: &generator) } throws: { "\($0)".contains("3 components need more than 3 samples") }
        let line = try Tensor(shape: [20, 2], scalars: (0..<40).map { Float($0 / 2) })
        #expect { try MDS.fit(line, configuration: .init(components: 2, decoder: .init(kind: .none)), using: &generator) } throws: { "\($0)".contains("positive eigenvalues") }
    }
}
