import Foundation

/// A linear map from data values in `domain` to drawing coordinates in `range`.
public struct LinearScale: Sendable {
    public let domain: ClosedRange<Double>
    public let range: (Double, Double)

    /// A scale over `values` widened by `padding` (a fraction of their span, on each side, so
    /// markers at the extremes stay off the frame) and then to round tick values; a constant or
    /// empty input gets a unit-wide domain around it so nothing divides by zero.
    public init(covering values: [Double], range: (Double, Double), tickCount: Int = 5, padding: Double = 0) {
        let finite = values.filter(\.isFinite)
        var low = finite.min() ?? 0, high = finite.max() ?? 1
        if high - low < 1e-12 * max(1, abs(high)) { (low, high) = (low - 0.5, high + 0.5) }
        (low, high) = (low - padding * (high - low), high + padding * (high - low))
        let step = Self.niceStep((high - low) / Double(max(tickCount - 1, 1)))
        self.init(domain: (floor(low / step) * step)...(ceil(high / step) * step), range: range)
    }

    public init(domain: ClosedRange<Double>, range: (Double, Double)) {
        self.domain = domain
        self.range = range
    }

    /// The drawing coordinate of `value`.
    public func callAsFunction(_ value: Double) -> Double {
        let width = domain.upperBound - domain.lowerBound
        let t = width > 0 ? (value - domain.lowerBound) / width : 0.5
        return range.0 + t * (range.1 - range.0)
    }

    /// About `count` round values inside the domain: multiples of 1, 2 or 5 × 10ᵏ
    /// (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990).
    public func ticks(count: Int = 5) -> [Double] {
        let step = Self.niceStep((domain.upperBound - domain.lowerBound) / Double(max(count - 1, 1)))
        let first = ceil(domain.lowerBound / step - 1e-9)
        var ticks: [Double] = []
        var index = first
        while index * step <= domain.upperBound + step * 1e-9 {
            ticks.append(index * step)
            index += 1
        }
        return ticks
    }

    /// Tick labels with as many decimals as the step between ticks needs.
    public static func labels(_ ticks: [Double]) -> [String] {
        guard ticks.count > 1 else { return ticks.map { n($0) } }
        let step = abs(ticks[1] - ticks[0])
        let decimals = max(0, Int(-floor(log10(step) + 1e-9)))
        return ticks.map { value in
            if abs(value) >= 1e5 || (abs(value) < 1e-3 && value != 0) { return String(format: "%.1e", value) }
            let text = String(format: "%.\(decimals)f", value)
            return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
        }
    }

    /// The smallest of 1, 2, 5 × 10ᵏ at least `rough`.
    static func niceStep(_ rough: Double) -> Double {
        guard rough.isFinite, rough > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(rough)))
        let fraction = rough / magnitude
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        return nice * magnitude
    }
}
