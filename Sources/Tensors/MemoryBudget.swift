import Foundation
import Synchronization

/// The most memory a command may allocate for what grows with its data: a size read from a
/// file, a Gram matrix, a cost matrix, is checked against it before anything that size is
/// allocated, so a small file that claims a huge matrix, or a table far wider than long, is an
/// error that says so, not an exhausted machine. (`check(_:for:file:at:)` in DataFormats names
/// the file.)
///
/// The default is ``defaultShare`` of the memory available to the process: the least of the
/// cgroup's limit where one is set (containers, batch systems), the machine's physical memory
/// and the memory the kernel reports available when the process starts, so that no command
/// takes the whole machine. `latent --memory-limit` sets it for one command.
public enum MemoryBudget {
    private static let storage = Mutex<Int?>(nil)

    /// A limit for the current task and the tasks it starts only (`$scoped.withValue(…)`), over
    /// the process-wide one: what a test or a library caller sets without touching others.
    @TaskLocal public static var scoped: Int?

    /// The share of ``available`` memory that the default limit allows: the rest is left to
    /// what is not counted (buffers of the runtime, the other processes that share the machine).
    public static let defaultShare = 0.8

    /// The limit in bytes: the scoped one, else the process-wide one, else ``defaultShare`` of ``available``.
    public static var limit: Int {
        get { scoped ?? storage.withLock { $0 } ?? Int(Double(available) * defaultShare) }
        set { storage.withLock { $0 = max(0, newValue) } }
    }

    /// The memory available to this process: the least of the cgroup v2 (`memory.max`) or v1
    /// (`memory.limit_in_bytes`) limit, physical memory, and Linux's `MemAvailable` (what can be
    /// allocated without swapping, other processes' memory left alone). Measured once: checks
    /// run for every batch a stream reads.
    public static var available: Int { measuredAvailable }

    private static let measuredAvailable: Int = {
        var available = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
               let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), value > 0, value < available {
                available = value
                break
            }
        }
        if let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
           let kibibytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }), kibibytes > 0 {
            available = min(available, kibibytes << 10)
        }
        return available
    }()

    /// Whether `bytes` exceed the limit.
    public static func exceeds(_ bytes: Int) -> Bool { bytes > limit }

    /// The sentence that refuses an allocation of `bytes` for `what`.
    public static func refusal(_ bytes: Int, for what: String) -> String {
        "\(what) needs \(format(bytes)), more than the memory limit of \(format(limit)) (raise it with `MemoryBudget.limit`)"
    }

    /// `bytes` as "1.5 GiB", "300 MiB", "12 KiB" or "512 bytes".
    public static func format(_ bytes: Int) -> String {
        let units = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        for (name, size) in units where bytes >= size { return String(format: "%.1f %@", Double(bytes) / Double(size), name) }
        return "\(bytes) bytes"
    }

    /// A size written as bytes or with a unit: `512`, `300M`, `4G`, `1.5GiB` (K, M, G, T in
    /// powers of 1 024, with or without `iB`/`B`).
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        let units: [(String, Double)] = [("TIB", 0x1p40), ("GIB", 0x1p30), ("MIB", 0x1p20), ("KIB", 0x1p10), ("TB", 0x1p40), ("GB", 0x1p30), ("MB", 0x1p20),
                                         ("KB", 0x1p10), ("T", 0x1p40), ("G", 0x1p30), ("M", 0x1p20), ("K", 0x1p10), ("B", 1)]
        var (number, scale) = (trimmed, 1.0)
        if let (suffix, size) = units.first(where: { trimmed.hasSuffix($0.0) }) { (number, scale) = (String(trimmed.dropLast(suffix.count)), size) }
        guard let value = Double(number.trimmingCharacters(in: .whitespaces)), value.isFinite, value >= 0, value * scale < 0x1p62 else { return nil }
        return Int(value * scale)
    }
}
