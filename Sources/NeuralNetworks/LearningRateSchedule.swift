import Foundation

/// How the learning rate changes from epoch to epoch.
///
/// Schedules are functions of the epoch index alone (no hidden state), so a run resumed from a
/// checkpoint continues with exactly the rates of an uninterrupted one.
public enum LearningRateSchedule: Codable, Sendable, Equatable, CustomStringConvertible {
    /// η in every epoch.
    case constant
    /// η·factor^⌊epoch / every⌋: multiply by `factor` after each `every` epochs.
    case step(every: Int, factor: Float)
    /// Cosine annealing (Loshchilov & Hutter 2017, eq. 5, without restarts):
    /// η_t = η_min + ½(η − η_min)(1 + cos(π·t/T)) with η_min = `minimumFraction`·η, t the
    /// 0-based epoch and T the number of epochs.
    case cosine(minimumFraction: Float)

    /// Defaults of the step schedule: halve every 10 epochs.
    public static let defaultStepEvery = 10, defaultStepFactor: Float = 0.5
    /// Default of the cosine schedule: anneal to 1 % of the initial rate.
    public static let defaultMinimumFraction: Float = 0.01
    public static let defaultStep = LearningRateSchedule.step(every: defaultStepEvery, factor: defaultStepFactor)
    public static let defaultCosine = LearningRateSchedule.cosine(minimumFraction: defaultMinimumFraction)

    /// The rate of `epoch` (1-based, as progress counts them: 1 … `epochs`), starting from `base`.
    public func rate(base: Float, epoch: Int, epochs: Int) -> Float {
        switch self {
        case .constant:
            return base
        case .step(let every, let factor):
            return base * Foundation.pow(factor, Float((epoch - 1) / max(every, 1)))
        case .cosine(let minimumFraction):
            let minimum = base * minimumFraction
            let progress = Double(epoch - 1) / Double(max(epochs, 1))
            return minimum + (base - minimum) * Float(0.5 * (1 + cos(Double.pi * progress)))
        }
    }

    public var description: String {
        switch self {
        case .constant: "constant"
        case .step(let every, let factor): "step (×\(factor) every \(every) epochs)"
        case .cosine(let minimumFraction): "cosine (to \(minimumFraction)×)"
        }
    }
}
