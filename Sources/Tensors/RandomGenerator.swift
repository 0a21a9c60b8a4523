import Foundation

/// A seeded, splittable pseudo-random generator: xoshiro256** (Blackman & Vigna, "Scrambled
/// linear pseudorandom number generators", 2021), its state filled by SplitMix64.
///
/// There is no global generator: every function that draws takes one `inout`, so the same seed
/// gives the same numbers on every platform and Swift version (the algorithms for floats,
/// normals and shuffles are written here, not taken from the standard library).
public struct RandomGenerator: RandomNumberGenerator, Sendable, Codable, Equatable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose whole stream is determined by `seed`.
    public init(seed: UInt64) {
        var mixer = seed
        state = (Self.splitMix(&mixer), Self.splitMix(&mixer), Self.splitMix(&mixer), Self.splitMix(&mixer))
    }

    /// SplitMix64 (Steele, Lea & Flood 2014): decorrelates nearby seeds.
    private static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = (state.1 &* 5).rotatedLeft(by: 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = state.3.rotatedLeft(by: 45)
        return result
    }

    /// An independent generator for a sub-task (a layer's initialisation, a worker), seeded
    /// from this one's stream; this one advances.
    public mutating func split() -> RandomGenerator { RandomGenerator(seed: next()) }

    /// Uniform in [0, 1) with 24 random bits (every Float step in the unit interval).
    public mutating func nextUniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUniformDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A standard normal draw by the Box–Muller transform, in Double.
    public mutating func nextNormal() -> Double {
        // 1 − u lies in (0, 1], so the logarithm is finite.
        let u = 1 - nextUniformDouble(), v = nextUniformDouble()
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
    }

    /// Uniform integer in 0..<upperBound without modulo bias (Lemire 2019).
    public mutating func nextInt(below upperBound: Int) -> Int {
        require(upperBound > 0, "nextInt(below:) needs a positive bound, got \(upperBound)")
        let bound = UInt64(upperBound)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return Int(product.high)
    }

    /// A uniformly random permutation of 0..<count (Fisher–Yates).
    public mutating func permutation(_ count: Int) -> [Int] {
        var indices = Array(0..<count)
        shuffle(&indices)
        return indices
    }

    /// Shuffles `values` in place (Fisher–Yates).
    public mutating func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(i, nextInt(below: i + 1))
        }
    }

    /// The sample indices of one epoch split into mini-batches of `size` (the last may be
    /// shorter), shuffled when `shuffled`.
    public mutating func batches(count: Int, size: Int, shuffled: Bool = true) -> [[Int]] {
        require(size > 0, "batch size must be positive, got \(size)")
        let order = shuffled ? permutation(count) : Array(0..<count)
        return stride(from: 0, to: count, by: size).map { Array(order[$0..<Swift.min($0 + size, count)]) }
    }

    /// `count` distinct indices from 0..<population, in random order.
    public mutating func sample(_ count: Int, from population: Int) -> [Int] {
        require(count <= population, "cannot draw \(count) distinct indices from \(population)")
        return Array(permutation(population).prefix(count))
    }

    // Tuples are neither Equatable nor Codable.
    public static func == (a: RandomGenerator, b: RandomGenerator) -> Bool {
        a.state.0 == b.state.0 && a.state.1 == b.state.1 && a.state.2 == b.state.2 && a.state.3 == b.state.3
    }
    public init(from decoder: Decoder) throws {
        let words = try [UInt64](from: decoder)
        guard words.count == 4 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a generator state has 4 words, got \(words.count)"))
        }
        state = (words[0], words[1], words[2], words[3])
    }
    public func encode(to encoder: Encoder) throws {
        try [state.0, state.1, state.2, state.3].encode(to: encoder)
    }
}

extension Tensor {
    /// Values drawn from N(mean, standardDeviation²).
    public static func randomNormal(_ shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
                                    using generator: inout RandomGenerator) -> Tensor {
        Tensor(shape: shape) { _ in mean + standardDeviation * Float(generator.nextNormal()) }
    }

    /// Values drawn uniformly from [lower, upper).
    public static func randomUniform(_ shape: [Int], lower: Float = 0, upper: Float = 1,
                                     using generator: inout RandomGenerator) -> Tensor {
        Tensor(shape: shape) { _ in lower + (upper - lower) * generator.nextUniform() }
    }

    /// 1 with probability p and 0 otherwise, for each value p of `self` (RBM sampling).
    public func bernoulliSample(using generator: inout RandomGenerator) -> Tensor {
        mapped { p in generator.nextUniform() < p ? 1 : 0 }
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(by amount: UInt64) -> UInt64 { (self << amount) | (self >> (64 - amount)) }
}
