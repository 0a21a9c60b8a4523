import Foundation
import Hummingbird
import Latent
import Logging

/// An HTTP server for one ``ExplorationSpace``: the page and the API it uses (docs/explore.md).
///
/// Hummingbird (on SwiftNIO) holds the connections; every request is answered here, from
/// memory: the page's three files are read once at start and no path ever reaches the file
/// system, so no path can leave it. Every failure is a JSON body `{"error": {"message": …}}`
/// with a 4xx status that says what was wrong; DECODE runs off the event loops, batched across
/// concurrent requests: the codes that arrive while a batch decodes go together as the next.
public struct ExplorationServer: Sendable {
    public let space: ExplorationSpace
    /// The address to bind: 127.0.0.1 unless asked otherwise.
    public let host: String
    /// The port (0: any free one; the bound one is passed to `onListening`).
    public let port: Int
    private let batcher: DecodeBatcher
    private let page: [String: (type: String, body: ByteBuffer)]
    private let codes: ByteBuffer

    /// The address a server binds unless told otherwise: this machine only.
    public static let defaultHost = "127.0.0.1"

    /// A server for `space`, decoding with `context`'s settings.
    /// - Throws: when the page's files are missing from the build.
    public init(space: ExplorationSpace, host: String = defaultHost, port: Int, context: ComputeContext = ComputeContext(settings: .current)) throws {
        (self.space, self.host, self.port) = (space, host, port)
        self.batcher = DecodeBatcher(space: space, context: context)
        var page: [String: (type: String, body: ByteBuffer)] = [:]
        for (path, file, type) in [("/", "index.html", "text/html; charset=utf-8"), ("/explore.js", "explore.js", "text/javascript; charset=utf-8"),
                                   ("/explore.css", "explore.css", "text/css; charset=utf-8")] {
            guard let url = Bundle.module.url(forResource: file, withExtension: nil, subdirectory: "Page"),
                  let data = try? Data(contentsOf: url) else {
                throw ExplorationError(.notFound, "the explorer's page file \(file) is missing from this build (\(Bundle.module.bundlePath))")
            }
            page[path] = (type, ByteBuffer(bytes: data))
        }
        self.page = page
        self.codes = ByteBuffer(bytes: try ExplorationDocuments.encode(space.codesDocument()))
    }

    /// Serves until the task is cancelled, or until SIGINT or SIGTERM when `stopsOnSignals`
    /// (then it finishes the requests under way and returns). `onListening` gets the bound port.
    public func run(stopsOnSignals: Bool, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let responder = CallbackResponder<BasicRequestContext> { request, _ in await self.respond(to: request) }
        // The library never prints: the server's own log goes nowhere; the command reports.
        let logger = Logger(label: "latent.explore") { _ in SwiftLogNoOpLogHandler() }
        let application = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: port), serverName: "latent explore"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger)
        if stopsOnSignals { try await application.runService() } else { try await application.run() }
    }

    /// The answer to `request`: never a thrown error, always a response.
    func respond(to request: Request) async -> Response {
        do {
            guard request.uri.string.utf8.count <= ExplorationLimits.requestLine else {
                throw ExplorationError(.uriTooLong, "the request target is \(request.uri.string.utf8.count) bytes; at most \(ExplorationLimits.requestLine) are read")
            }
            guard request.method == .get || request.method == .head else {
                throw ExplorationError(.methodNotAllowed, "\(request.method) \(request.uri.path): the explorer answers GET only")
            }
            return try await route(request)
        } catch let error as ExplorationError {
            return Self.failure(error)
        } catch {
            return Self.failure(ExplorationError(.badRequest, "\(error)"))
        }
    }

    private func route(_ request: Request) async throws -> Response {
        guard let path = request.uri.path.removingPercentEncoding else {
            throw ExplorationError(.badRequest, "the path is not valid percent-encoded UTF-8")
        }
        let query = try ExplorationQueryItems(request.uri.query)
        if let file = page[path] {
            try query.allow([])
            return Self.response(file.body, type: file.type)
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch (parts.count, parts.dropFirst().first) {
        case (3, "api") where parts[2] == "codes":
            try query.allow([])
            return Self.response(codes, type: Self.json)
        case (4, "api") where parts[2] == "item":
            try query.allow(["format", "domain"])
            let index = try ExplorationQuery.index(parts[3], count: space.data.count)
            let domain = try ExplorationQuery.domain(query["domain"], domains: space.domains, fallback: space.dataDomain)
            switch try ExplorationQuery.format(query["format"], images: space.domains[domain].imageShape != nil) {
            case .png: return Self.response(ByteBuffer(bytes: try space.png(try space.item(index, domain: domain).map(Float.init), domain: domain)), type: "image/png")
            case .json: return try Self.json(space.itemDocument(index, domain: domain))
            }
        case (3, "api") where parts[2] == "decode":
            try query.allow(["z", "plane", "format", "domain"])
            let z = try ExplorationQuery.code(z: query["z"], plane: query["plane"], space: space)
            let domain = try ExplorationQuery.domain(query["domain"], domains: space.domains, fallback: space.dataDomain)
            let format = try ExplorationQuery.format(query["format"], images: space.domains[domain].imageShape != nil)
            let values = try await batcher.decode(z, domain: domain)
            try Tensor(values).checkFinite("DECODE of z = \(query["z"] ?? "")")
            switch format {
            case .png: return Self.response(ByteBuffer(bytes: try space.png(values, domain: domain)), type: "image/png")
            case .json: return try Self.json(ExplorationDocuments.Decoded(code: z, domain: space.domains[domain].name, values: values,
                                                                           featureNames: space.domains[domain].featureNames))
            }
        case (3, "api") where parts[2] == "neighbours":
            try query.allow(["z", "plane", "k"])
            let z = try ExplorationQuery.code(z: query["z"], plane: query["plane"], space: space)
            return try Self.json(space.neighboursDocument(of: z, count: try ExplorationQuery.neighbourCount(query["k"])))
        default:
            throw ExplorationError(.notFound, "no such path: \(path.prefix(200)) (the page is at /, the API under /api: codes, item/N, decode, neighbours)")
        }
    }

    static let json = "application/json"

    static func response(_ body: ByteBuffer, type: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers: HTTPFields = [.contentType: type, .cacheControl: "no-store"]
        // Everything the page uses comes from this server: no script, style or image from elsewhere.
        headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    static func json(_ document: some Encodable) throws -> Response {
        response(ByteBuffer(bytes: try ExplorationDocuments.encode(document)), type: json)
    }

    static func failure(_ error: ExplorationError) -> Response {
        let body = (try? ExplorationDocuments.encode(ExplorationDocuments.Failure(error: .init(message: error.message)))) ?? Data("{}".utf8)
        return response(ByteBuffer(bytes: body), type: json, status: HTTPResponse.Status(code: error.status.rawValue))
    }
}

/// A request's query: `name=value` pairs separated by `&`, percent-decoded, each name at most once.
struct ExplorationQueryItems {
    private var items: [String: String] = [:]

    init(_ query: String?) throws {
        guard let query, !query.isEmpty else { return }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = String(parts[0]).removingPercentEncoding, let value = (parts.count > 1 ? String(parts[1]) : "").removingPercentEncoding else {
                throw ExplorationError(.badRequest, "the query is not valid percent-encoded UTF-8")
            }
            guard items[name] == nil else { throw ExplorationError(.badRequest, "\(name.prefix(40)) is given twice") }
            items[name] = value
        }
    }

    subscript(name: String) -> String? { items[name] }

    /// Throws for a parameter the path does not take, naming those it does.
    func allow(_ names: Set<String>) throws {
        if let unknown = items.keys.sorted().first(where: { !names.contains($0) }) {
            let taken = names.isEmpty ? "takes none" : "takes \(names.sorted().joined(separator: ", "))"
            throw ExplorationError(.badRequest, "unknown parameter '\(unknown.prefix(40))' (this path \(taken))")
        }
    }
}
