import Foundation

/// Progress on stderr: one line rewritten in place on a terminal, a plain line at most every
/// `interval` seconds otherwise, nothing with `--quiet`. Results go to stdout, never here.
final class ProgressDisplay {
    private let quiet: Bool
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastPrinted = Date.distantPast
    private var lineOpen = false
    private let interval: TimeInterval

    init(quiet: Bool, interval: TimeInterval = 1) {
        self.quiet = quiet
        self.interval = interval
    }

    /// Shows `text` unless shown too recently (always when `force`); on a terminal a bar of
    /// `fraction` (done over total, when known) leads the line.
    func update(_ text: String, fraction: Double? = nil, force: Bool = false) {
        guard !quiet else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastPrinted) >= (isTerminal ? 0.1 : interval) else { return }
        lastPrinted = now
        if isTerminal {
            let bar = fraction.map { Self.bar($0) + " " } ?? ""
            FileHandle.standardError.write(Data("\r\u{1B}[K\(bar)\(text)".utf8))
            lineOpen = true
        } else {
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
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
        if lineOpen { FileHandle.standardError.write(Data("\n".utf8)); lineOpen = false }
        if let text { FileHandle.standardError.write(Data("\(text)\n".utf8)) }
    }
}

/// Seconds as "1m 05s" or "4.2s".
func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    if seconds < 60 { return String(format: "%.1fs", seconds) }
    let whole = Int(seconds.rounded())
    return whole < 3600 ? String(format: "%dm %02ds", whole / 60, whole % 60) : String(format: "%dh %02dm", whole / 3600, whole % 3600 / 60)
}
