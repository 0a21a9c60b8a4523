import Foundation

/// Progress on stderr: one line rewritten in place on a terminal; otherwise (a log file, a
/// pipe, a batch system) a plain line at most every ``logInterval`` seconds or every
/// ``logStep`` of the work, whichever comes first, so a log stays readable however short
/// the epochs; nothing with `--quiet`. Results go to stdout, never here.
final class ProgressDisplay {
    /// Seconds between lines in a log.
    static let logInterval: TimeInterval = 10
    /// The share of the work between lines in a log.
    static let logStep = 0.05
    /// Seconds between redraws of a terminal's line.
    static let terminalInterval: TimeInterval = 0.1

    private let quiet: Bool
    private let isTerminal: Bool
    private var lastPrinted = Date.distantPast
    private var lastFraction = -Double.infinity
    private var lineOpen = false
    private let write: (String) -> Void

    init(quiet: Bool, isTerminal: Bool = Console.captured == nil && isatty(STDERR_FILENO) != 0,
         write: @escaping (String) -> Void = { Console.error($0) }) {
        self.quiet = quiet
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Shows `text` unless shown too recently; on a terminal a bar of `fraction` (done over
    /// total, when known) leads the line. `force` marks a milestone (a phase begins, an epoch
    /// ends): always drawn on a terminal; in a log, a milestone without a fraction is always
    /// written, one with a fraction only past the next step of the work or the interval.
    /// `extends` marks a report that adds figures to the one just shown at the same fraction
    /// (an epoch's held-out loss after its last batch): in a log it is written whenever that
    /// one was.
    func update(_ text: String, fraction: Double? = nil, force: Bool = false, extends: Bool = false, now: Date = Date()) {
        guard !quiet else { return }
        if isTerminal {
            guard force || now.timeIntervalSince(lastPrinted) >= Self.terminalInterval else { return }
            lastPrinted = now
            let bar = fraction.map { Self.bar($0) + " " } ?? ""
            write("\r\u{1B}[K\(bar)\(text)")
            lineOpen = true
            return
        }
        let due = now.timeIntervalSince(lastPrinted) >= Self.logInterval
        if let fraction {
            // A fraction that falls back is a new stage's (pretraining, then fine-tuning).
            let done = fraction >= 1 && lastFraction < 1, restarted = fraction < lastFraction
            guard due || done || restarted || fraction - lastFraction >= Self.logStep || (extends && fraction == lastFraction) else { return }
            lastFraction = fraction
        } else {
            guard force || due else { return }
        }
        lastPrinted = now
        write("\(text)\n")
    }

    /// `[#####·····]  50%`: `width` cells filled in proportion to `fraction` (clamped to [0, 1]).
    static func bar(_ fraction: Double, width: Int = 20) -> String {
        let done = fraction.isFinite ? min(max(fraction, 0), 1) : 0
        let filled = Int((done * Double(width)).rounded(.down))
        return "[" + String(repeating: "#", count: filled) + String(repeating: "·", count: width - filled) + "]"
            + String(format: " %3.0f%%", done * 100)
    }

    /// Ends the in-place line, if any, and prints `text` on its own line.
    func finish(_ text: String? = nil) {
        guard !quiet else { return }
        if lineOpen { write("\n"); lineOpen = false }
        if let text { write("\(text)\n") }
    }
}

/// Seconds as "1m 05s" or "4.2s".
func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    if seconds < 60 { return String(format: "%.1fs", seconds) }
    let whole = Int(seconds.rounded())
    return whole < 3600 ? String(format: "%dm %02ds", whole / 60, whole % 60) : String(format: "%dh %02dm", whole / 3600, whole % 3600 / 60)
}
