import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain HTTP/1.1 client for servers on this machine (127.0.0.1 only): raw requests, so tests
/// can send what a browser would not (an over-long target, `..` in a path, a POST), and many
/// requests in flight at once from one thread.
public enum LoopbackHTTP {
    /// A response: status, headers (names lowercased) and body.
    public struct Answer: Sendable {
        public let status: Int
        public let headers: [String: String]
        public let body: Data
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// `method target` on 127.0.0.1:`port`, the connection closed after the answer.
    public static func request(port: Int, _ target: String, method: String = "GET", timeout: Double = 30) throws -> Answer {
        try requests(port: port, [target], method: method, timeout: timeout)[0]
    }

    /// All of `targets` sent on connections of their own before any answer is read: the server
    /// has them all in flight at once. Answers in the order of `targets`.
    public static func requests(port: Int, _ targets: [String], method: String = "GET", timeout: Double = 30) throws -> [Answer] {
        var sockets: [Int32] = []
        defer { for socket in sockets { _ = close(socket) } }
        for target in targets {
            let socket = try connect(port: port, timeout: timeout)
            sockets.append(socket)
            let request = Array("\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
            var sent = 0
            while sent < request.count {
                let count = request[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { throw Failure(description: "sending \(target.prefix(80)): \(String(cString: strerror(errno)))") }
                sent += count
            }
        }
        return try sockets.map { try readAnswer($0) }
    }

    private static func connect(port: Int, timeout: Double) throws -> Int32 {
        #if canImport(Glibc)
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let socket = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard socket >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                #if canImport(Glibc)
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                #else
                Darwin.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                #endif
            }
        }
        guard connected == 0 else {
            let message = String(cString: strerror(errno))
            _ = close(socket)
            throw Failure(description: "connect to 127.0.0.1:\(port): \(message)")
        }
        return socket
    }

    /// Reads until the server closes the connection, then splits head and body.
    private static func readAnswer(_ socket: Int32) throws -> Answer {
        var bytes = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = recv(socket, &chunk, chunk.count, 0)
            if count == 0 { break }
            guard count > 0 else {
                // A reset after a complete answer (the server closed first) still leaves the answer.
                if errno == ECONNRESET, !bytes.isEmpty { break }
                throw Failure(description: "reading an answer: \(String(cString: strerror(errno)))")
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<($0 + 4)]) == separator }) else {
            throw Failure(description: "no complete HTTP head in \(bytes.count) bytes")
        }
        let head = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure(description: "bad status line '\(head[0])'") }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(bytes[(end + 4)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = try dechunk(body) }
        return Answer(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ data: Data) throws -> Data {
        var result = Data()
        var rest = data[...]
        while let lineEnd = rest.range(of: Data("\r\n".utf8)) {
            guard let size = Int(String(decoding: rest[rest.startIndex..<lineEnd.lowerBound], as: UTF8.self), radix: 16) else {
                throw Failure(description: "bad chunk size")
            }
            if size == 0 { break }
            let start = lineEnd.upperBound
            result.append(rest[start..<(start + size)])
            rest = rest[(start + size + 2)...]
        }
        return result
    }
}
