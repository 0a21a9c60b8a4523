import CLatentKernels

/// Instruction-set levels at which the built-in kernels are compiled, slowest to fastest.
public enum CPULevel: Int, Sendable, CaseIterable, Comparable, Codable, CustomStringConvertible {
    /// SSE2 on x86-64 (NEON on arm64): runs everywhere.
    case baseline = 0
    /// AVX2 with fused multiply-add.
    case avx2 = 1
    /// AVX-512 Foundation (with DQ and VL).
    case avx512 = 2

    /// The fastest level this CPU and operating system support.
    public static let detected: CPULevel = CPULevel(rawValue: Int(latent_cpu_detect().rawValue)) ?? .baseline

    /// The levels this machine can run: compiled into this build and supported by the CPU.
    public static var supported: [CPULevel] {
        allCases.filter { $0 <= detected && latent_cpu_level_compiled($0.kernelLevel) }
    }

    package var kernelLevel: latent_cpu_level { latent_cpu_level(rawValue: UInt32(rawValue)) }

    public static func < (a: CPULevel, b: CPULevel) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .baseline: "baseline"
        case .avx2: "avx2+fma"
        case .avx512: "avx512"
        }
    }
}
