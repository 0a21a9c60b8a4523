import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real headless Chromium driven over the DevTools protocol: the test opens a page, moves and
/// clicks the mouse as a person would (real input events, not scripted ones), reads the page's
/// state and takes screenshots.
///
/// The protocol runs over a pipe (`--remote-debugging-pipe`: commands in on file descriptor 3,
/// answers and events out on 4, each message JSON ended by a NUL byte), so no port is opened and
/// no WebSocket client is needed. Every console error, uncaught exception and failed load the
/// page reports is kept in ``errors``.
public final class HeadlessBrowser: @unchecked Sendable {
    /// What went wrong with the browser itself.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    private let process: pid_t
    private let commands: Int32, answers: Int32
    private let profile: String
    private let lock = NSCondition()
    private var messages: [[String: Any]] = []
    private var events: [[String: Any]] = []
    private var nextID = 1
    private var session: String = ""
    private var closed = false

    /// Starts Chromium (`executable`, found on PATH by default) with a window of `width` × `height`
    /// CSS pixels and opens an empty page.
    public init(executable: String = "chromium", width: Int = 1280, height: Int = 900) throws {
        guard let path = executable.hasPrefix("/") ? executable : executablePath(executable) else {
            throw Failure("\(executable) is not on PATH")
        }
        var toBrowser: [Int32] = [0, 0], fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else { throw Failure("pipe: \(String(cString: strerror(errno)))") }
        // High-numbered close-on-exec copies, so that the child's dup2 onto 3 and 4 cannot clobber
        // one of them, and other processes started meanwhile do not inherit them.
        let childIn = fcntl(toBrowser[0], F_DUPFD_CLOEXEC, 100), childOut = fcntl(fromBrowser[1], F_DUPFD_CLOEXEC, 100)
        commands = fcntl(toBrowser[1], F_DUPFD_CLOEXEC, 100)
        answers = fcntl(fromBrowser[0], F_DUPFD_CLOEXEC, 100)
        for fd in toBrowser + fromBrowser { closeDescriptor(fd) }
        profile = temporaryFolder()
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        let environment = _NSGetEnviron().pointee
        #else
        var actions = posix_spawn_file_actions_t()
        let environment = environ
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, childIn, 3)
        posix_spawn_file_actions_adddup2(&actions, childOut, 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments = [path, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--user-data-dir=\(profile)",
                         "--window-size=\(width),\(height)", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                         "--hide-scrollbars", "--force-device-scale-factor=1", "about:blank"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, &argv, environment)
        closeDescriptor(childIn)
        closeDescriptor(childOut)
        guard spawned == 0 else { throw Failure("posix_spawn \(path): \(String(cString: strerror(spawned)))") }
        process = pid
        Thread.detachNewThread { [self] in readAnswers() }
        let target = try command("Target.createTarget", ["url": "about:blank"])
        guard let targetID = target["targetId"] as? String else { throw Failure("Target.createTarget gave no target: \(target)") }
        let attached = try command("Target.attachToTarget", ["targetId": targetID, "flatten": true])
        guard let session = attached["sessionId"] as? String else { throw Failure("Target.attachToTarget gave no session: \(attached)") }
        self.session = session
        for domain in ["Page", "Runtime", "Log"] { _ = try command("\(domain).enable", [:], inSession: true) }
        _ = try command("Emulation.setDeviceMetricsOverride", ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false], inSession: true)
    }

    deinit { close() }

    /// Ends the browser and removes its profile.
    public func close() {
        lock.lock()
        let wasClosed = closed
        closed = true
        lock.unlock()
        guard !wasClosed else { return }
        kill(process, SIGKILL)
        var status: Int32 = 0
        waitpid(process, &status, 0)
        closeDescriptor(commands)
        try? FileManager.default.removeItem(atPath: profile)
    }

    private func readAnswers() {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(answers, &chunk, chunk.count)
            guard count > 0 else { break }
            buffer.append(contentsOf: chunk[0..<count])
            while let end = buffer.firstIndex(of: 0) {
                let message = (try? JSONSerialization.jsonObject(with: Data(buffer[0..<end]))) as? [String: Any]
                buffer.removeSubrange(0...end)
                guard let message else { continue }
                lock.lock()
                if message["id"] != nil { messages.append(message) } else { events.append(message) }
                lock.broadcast()
                lock.unlock()
            }
        }
        lock.lock()
        closed = true
        lock.broadcast()
        lock.unlock()
        closeDescriptor(answers)
    }

    /// Sends one protocol command and waits for its answer's `result`.
    @discardableResult
    public func command(_ method: String, _ parameters: [String: Any], inSession: Bool = false, timeout: Double = 30) throws -> [String: Any] {
        lock.lock()
        let id = nextID
        nextID += 1
        lock.unlock()
        var message: [String: Any] = ["id": id, "method": method, "params": parameters]
        if inSession { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(commands, $0.baseAddress, $0.count) }
            guard count > 0 else { throw Failure("the browser stopped reading commands (\(method))") }
            written += count
        }
        let deadline = Date(timeIntervalSinceNow: timeout)
        lock.lock()
        defer { lock.unlock() }
        while true {
            if let index = messages.firstIndex(where: { ($0["id"] as? Int) == id }) {
                let answer = messages.remove(at: index)
                if let error = answer["error"] { throw Failure("\(method): \(error)") }
                return answer["result"] as? [String: Any] ?? [:]
            }
            guard !closed else { throw Failure("the browser closed before answering \(method)") }
            guard lock.wait(until: deadline) else { throw Failure("no answer to \(method) within \(timeout) s") }
        }
    }

    /// Opens `url` and waits for its load event.
    public func open(_ url: String, timeout: Double = 30) throws {
        lock.lock()
        events.removeAll { ($0["method"] as? String) == "Page.loadEventFired" }
        lock.unlock()
        let result = try command("Page.navigate", ["url": url], inSession: true)
        if let error = result["errorText"] as? String { throw Failure("navigating to \(url): \(error)") }
        let deadline = Date(timeIntervalSinceNow: timeout)
        lock.lock()
        defer { lock.unlock() }
        while !events.contains(where: { ($0["method"] as? String) == "Page.loadEventFired" }) {
            guard lock.wait(until: deadline) else { throw Failure("\(url) did not load within \(timeout) s") }
        }
    }

    /// The value of a JavaScript expression in the page (awaited when it is a promise), as JSON
    /// values: numbers, strings, arrays, dictionaries.
    public func evaluate(_ expression: String) throws -> Any? {
        let result = try command("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true], inSession: true)
        if let exception = result["exceptionDetails"] as? [String: Any] {
            let text = ((exception["exception"] as? [String: Any])?["description"] as? String) ?? "\(exception)"
            throw Failure("evaluating \(expression.prefix(80)): \(text)")
        }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Waits until `expression` is true in the page.
    public func wait(until expression: String, timeout: Double = 30) throws {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while (try evaluate("Boolean(\(expression))") as? Bool) != true {
            guard Date() < deadline else { throw Failure("\(expression) did not become true within \(timeout) s; errors: \(errors)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// The mouse's actions, as the protocol names them.
    public enum MouseAction: String { case moved = "mouseMoved", pressed = "mousePressed", released = "mouseReleased" }

    /// A real mouse event at (x, y) CSS pixels; `button` held for presses, releases and drags.
    public func mouse(_ action: MouseAction, x: Double, y: Double, pressed: Bool = false, shift: Bool = false) throws {
        var parameters: [String: Any] = ["type": action.rawValue, "x": x, "y": y, "modifiers": shift ? 8 : 0]
        if action != .moved || pressed {
            parameters["button"] = "left"
            parameters["buttons"] = action == .released ? 0 : 1
            parameters["clickCount"] = 1
        }
        try command("Input.dispatchMouseEvent", parameters, inSession: true)
    }

    /// Turns the mouse wheel at (x, y) by `deltaY` (positive: towards the user, zooming out).
    public func wheel(x: Double, y: Double, deltaY: Double) throws {
        try command("Input.dispatchMouseEvent", ["type": "mouseWheel", "x": x, "y": y, "deltaX": 0, "deltaY": deltaY], inSession: true)
    }

    /// The page as a PNG.
    public func screenshot() throws -> Data {
        let result = try command("Page.captureScreenshot", ["format": "png"], inSession: true)
        guard let text = result["data"] as? String, let data = Data(base64Encoded: text) else { throw Failure("the screenshot came back empty") }
        return data
    }

    /// Console errors, uncaught exceptions and failed loads the page reported, in order.
    public var errors: [String] {
        lock.lock()
        defer { lock.unlock() }
        return events.compactMap { event -> String? in
            let parameters = event["params"] as? [String: Any] ?? [:]
            switch event["method"] as? String {
            case "Runtime.exceptionThrown":
                let details = parameters["exceptionDetails"] as? [String: Any] ?? [:]
                return "exception: " + (((details["exception"] as? [String: Any])?["description"] as? String) ?? "\(details["text"] ?? "")")
            case "Runtime.consoleAPICalled" where parameters["type"] as? String == "error":
                return "console.error: \((parameters["args"] as? [[String: Any]])?.map { "\($0["value"] ?? $0["description"] ?? "")" } ?? [])"
            case "Log.entryAdded":
                let entry = parameters["entry"] as? [String: Any] ?? [:]
                return entry["level"] as? String == "error" ? "log: \(entry["text"] ?? "") \(entry["url"] ?? "")" : nil
            default:
                return nil
            }
        }
    }
}

/// close(2), by a name that a class with a `close()` of its own can call.
private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}
