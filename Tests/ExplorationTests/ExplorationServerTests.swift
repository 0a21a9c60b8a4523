import Exploration
import Foundation
import Latent
import Testing
import TestSupport

/// The API over real HTTP on 127.0.0.1 (docs/explore.md).
@Suite struct ExplorationServerTests {
    static let zero4 = "0,0,0,0"

    /// Every path answers what the documentation says, with the documented types.
    @Test func theAPIAnswers() async throws {
        let space = ExplorationFixture.vae
        try await withServer(space) { port in
            let page = try LoopbackHTTP.request(port: port, "/")
            #expect(page.status == 200 && page.headers["content-type"]?.hasPrefix("text/html") == true && page.text.contains("/explore.js"))
            #expect(page.headers["content-security-policy"]?.contains("default-src 'self'") == true)
            for asset in ["/explore.js", "/explore.css"] { #expect(try LoopbackHTTP.request(port: port, asset).status == 200) }

            let codes = try LoopbackHTTP.request(port: port, "/api/codes")
            let document = try ExplorationDocuments.decode(ExplorationDocuments.Codes.self, from: codes.body)
            #expect(codes.headers["content-type"] == "application/json" && document.codes == space.codes.scalars && document.codeSize == 4)

            let item = try LoopbackHTTP.request(port: port, "/api/item/7")
            #expect(item.status == 200 && item.headers["content-type"] == "image/png")
            #expect(Array(item.body.prefix(8)) == [137, 80, 78, 71, 13, 10, 26, 10])
            #expect(item.body == Data(try space.png(try space.sample(7).map(Float.init))))
            let itemJSON = try ExplorationDocuments.decode(ExplorationDocuments.Item.self, from: try LoopbackHTTP.request(port: port, "/api/item/7?format=json").body)
            #expect(itemJSON.index == 7 && itemJSON.label == space.data.labels?[7] && itemJSON.values.count == 784)
            #expect(itemJSON.code == space.codes.rows(7..<8).scalars && itemJSON.className == space.data.classNames?[space.data.labels![7]])

            let z = "0.5,-1.25,2,0.125"
            let decoded = try ExplorationDocuments.decode(ExplorationDocuments.Decoded.self, from: try LoopbackHTTP.request(port: port, "/api/decode?z=\(z)&format=json").body)
            let expected = try space.decode(try Tensor(shape: [1, 4], scalars: [0.5, -1.25, 2, 0.125]))
            #expect(decoded.values == expected.scalars && decoded.code == [0.5, -1.25, 2, 0.125])
            let png = try LoopbackHTTP.request(port: port, "/api/decode?z=\(z)")
            let expectedPNG = Data(try space.png(expected.scalars))
            #expect(png.headers["content-type"] == "image/png" && png.body == expectedPNG)

            let neighbours = try ExplorationDocuments.decode(ExplorationDocuments.Neighbours.self, from: try LoopbackHTTP.request(port: port, "/api/neighbours?z=\(z)&k=5").body)
            #expect(neighbours.neighbours.map(\.index) == (try space.neighbours(of: [0.5, -1.25, 2, 0.125], count: 5)).map(\.index))
            #expect(try LoopbackHTTP.request(port: port, "/api/neighbours?z=\(z)").status == 200)
        }
    }

    /// A table's samples are JSON rows with their names; an image of them is refused.
    @Test func tablesAreRowsOfNamedValues() async throws {
        let space = ExplorationFixture.table
        try await withServer(space) { port in
            let item = try ExplorationDocuments.decode(ExplorationDocuments.Item.self, from: try LoopbackHTTP.request(port: port, "/api/item/3").body)
            let sample = try space.sample(3)
            #expect(item.featureNames == ["p", "q", "r", "s", "t"] && item.values == sample && item.className == "a")
            let decoded = try LoopbackHTTP.request(port: port, "/api/decode?z=1,2")
            #expect(decoded.headers["content-type"] == "application/json" && decoded.text.contains("\"feature_names\":[\"p\""))
            let refused = try LoopbackHTTP.request(port: port, "/api/decode?z=1,2&format=png")
            #expect(refused.status == 400 && refused.text.contains("not images"))
        }
    }

    /// A translator's space decodes into either domain: the data's (the tops) by default, the
    /// partner's with `domain=`; an item asked for in the partner's domain is the sample's
    /// translation DECODE_bottom(ENCODE_top(x)).
    @Test func aTranslatorDecodesIntoEachDomain() async throws {
        let space = ExplorationFixture.halves
        let translator = try #require(space.model as? Translator)
        try await withServer(space) { port in
            let document = try ExplorationDocuments.decode(ExplorationDocuments.Codes.self, from: try LoopbackHTTP.request(port: port, "/api/codes").body)
            #expect(document.domains.map(\.name) == ["top", "bottom"] && document.dataDomain == 0 && document.codeSize == 3)
            let z: [Float] = [0.25, -0.5, 1]
            let query = z.map { "\($0)" }.joined(separator: ",")
            let code = try Tensor(shape: [1, 3], scalars: z)
            for (name, index) in [("top", 0), ("bottom", 1)] {
                let decoded = try ExplorationDocuments.decode(ExplorationDocuments.Decoded.self,
                                                              from: try LoopbackHTTP.request(port: port, "/api/decode?z=\(query)&format=json&domain=\(name)").body)
                let expected = try translator.decode(code, domain: index).scalars
                #expect(decoded.domain == name && decoded.values == expected)
            }
            let own = try ExplorationDocuments.decode(ExplorationDocuments.Decoded.self, from: try LoopbackHTTP.request(port: port, "/api/decode?z=\(query)&format=json").body)
            #expect(own.domain == "top")
            let translated = try ExplorationDocuments.decode(ExplorationDocuments.Item.self, from: try LoopbackHTTP.request(port: port, "/api/item/5?format=json&domain=bottom").body)
            let expected = try translator.translate(space.data.samples.rows(5..<6), from: 0, to: 1).scalars
            #expect(translated.domain == "bottom" && translated.values.count == 392)
            #expect(zip(translated.values, expected).allSatisfy { abs($0 - Double($1)) <= 1e-6 * max(1, abs(Double($1))) })
            let image = try LoopbackHTTP.request(port: port, "/api/item/5?domain=bottom")
            #expect(image.headers["content-type"] == "image/png")
            let unknown = try LoopbackHTTP.request(port: port, "/api/decode?z=\(query)&domain=left")
            #expect(unknown.status == 400 && unknown.text.contains("no domain 'left' (domains: top, bottom)"))
        }
    }

    /// A principal graph's page lies in the data's plane: the points are the samples' places, the
    /// graph's nodes and edges come with them, and a point u,v of the plane decodes to the
    /// graph's point nearest to the sample there, DECODE(ENCODE(o + u·a₁ + v·a₂)), beside the
    /// samples nearest to that point.
    @Test func aPrincipalGraphIsDrawnInTheDataPlane() async throws {
        let space = ExplorationFixture.tree
        let model = try #require(space.model as? PrincipalGraph)
        #expect(space.plane == .data && space.axes.firstLabel == "principal component 1 of the data" && space.axes.first.count == 5)
        try await withServer(space) { port in
            let document = try ExplorationDocuments.decode(ExplorationDocuments.Codes.self, from: try LoopbackHTTP.request(port: port, "/api/codes").body)
            #expect(document.plane == .data && document.codeSize == 2 && document.points.count == 600)
            let sample = space.data.samples.rows(17..<18).scalars
            let (u, v) = space.axes.point(of: sample)
            #expect(abs(Double(document.points[34]) - u) < 1e-4 && abs(Double(document.points[35]) - v) < 1e-4)
            let graph = try #require(document.graph)
            #expect(graph.nodes.count == 8 && graph.edges.count == 7)
            let node = model.nodes.rows(3..<4).scalars
            let place = space.axes.point(of: node)
            #expect(abs(graph.nodes[3][0] - place.u) < 1e-9 && abs(graph.nodes[3][1] - place.v) < 1e-9)

            let answer = try LoopbackHTTP.request(port: port, "/api/decode?plane=0.5,-0.25&format=json")
            let decoded = try ExplorationDocuments.decode(ExplorationDocuments.Decoded.self, from: answer.body)
            let x = try Tensor(shape: [1, 5], scalars: space.axes.code(u: 0.5, v: -0.25))
            let code = try model.encode(x)
            let projected = try model.decode(code)
            #expect(decoded.values == projected.scalars && decoded.code == code.scalars)
            let neighbours = try ExplorationDocuments.decode(ExplorationDocuments.Neighbours.self,
                                                             from: try LoopbackHTTP.request(port: port, "/api/neighbours?plane=0.5,-0.25&k=4").body)
            let nearest = try space.nearestSamples(to: projected.scalars, count: 4).map { $0.index }
            #expect(neighbours.neighbours.map { $0.index } == nearest)
            let both = try LoopbackHTTP.request(port: port, "/api/decode?plane=0,0&z=0,0")
            #expect(both.status == 400 && both.text.contains("not both"))
            let three = try LoopbackHTTP.request(port: port, "/api/decode?plane=0,0,0")
            #expect(three.status == 400 && three.text.contains("plane has 3 values; it takes 2"))
            let neither = try LoopbackHTTP.request(port: port, "/api/decode")
            #expect(neither.status == 400 && neither.text.contains("z or plane is required"))
        }
    }

    /// Each bad request of the issue's list gets its 4xx status and a JSON error that says what
    /// was wrong; none crashes the server, which answers normally after all of them.
    @Test(arguments: [
        ("/api/decode?z=1,2", 400, "z has 2 values; this model's codes have 4"),
        ("/api/decode?z=1,2,3,4,5", 400, "z has 5 values"),
        ("/api/decode", 400, "z is required"),
        ("/api/decode?z=nan,0,0,0", 400, "value 1 of z is nan"),
        ("/api/decode?z=0,inf,0,0", 400, "value 2 of z is inf"),
        ("/api/decode?z=0,0,-infinity,0", 400, "value 3 of z is -inf"),
        ("/api/decode?z=0,0,0,1e11", 400, "value 4 of z, 1e11, is beyond ±1e10"),
        ("/api/decode?z=0,0,0,-2e10", 400, "beyond ±1e10"),
        ("/api/decode?z=0,0,zero,0", 400, "value 3 of z, 'zero', is not a number"),
        ("/api/decode?z=0,0,,0", 400, "value 3 of z, '', is not a number"),
        ("/api/decode?z=0,0,0,0&format=gif", 400, "format must be png or json"),
        ("/api/decode?z=0,0,0,0&z=1,1,1,1", 400, "z is given twice"),
        ("/api/decode?z=0,0,0,0&zoom=2", 400, "unknown parameter 'zoom'"),
        ("/api/neighbours?z=0,0,0,0&k=0", 400, "k must be a whole number from 1 to 100"),
        ("/api/neighbours?z=0,0,0,0&k=1000", 400, "k must be"),
        ("/api/item/600", 404, "sample 600 does not exist: samples are numbered 0 … 599"),
        ("/api/item/-1", 404, "sample -1 does not exist"),
        ("/api/item/99999999999999999999999", 400, "is not an index"),
        ("/api/item/seven", 400, "item 'seven' is not an index"),
        ("/api/items", 404, "no such path: /api/items"),
        ("/nowhere", 404, "no such path"),
        ("/../../../../etc/passwd", 404, "no such path"),
        ("/api/item/..%2F..%2F..%2Fetc%2Fpasswd", 404, "no such path: /api/item/../../../etc/passwd"),
        ("/%2e%2e/%2e%2e/etc/passwd", 404, "no such path"),
        ("/explore.js/../../etc/passwd", 404, "no such path"),
        ("/api/decode?z=" + String(repeating: "1,", count: 5000) + "1", 414, "the request target is"),
    ] as [(String, Int, String)])
    func aBadRequestIsAClearClientError(target: String, status: Int, message: String) async throws {
        try await withServer(ExplorationFixture.vae) { port in
            let answer = try LoopbackHTTP.request(port: port, target)
            #expect(answer.status == status, "\(target.prefix(80)) → \(answer.status) \(answer.text.prefix(200))")
            #expect(answer.headers["content-type"] == "application/json")
            let failure = try ExplorationDocuments.decode(ExplorationDocuments.Failure.self, from: answer.body)
            #expect(failure.error.message.contains(message), "\(failure.error.message)")
            #expect(!answer.text.contains("root:"))
            #expect(try LoopbackHTTP.request(port: port, "/api/decode?z=\(Self.zero4)&format=json").status == 200)
        }
    }

    /// Methods other than GET are refused; a request line beyond what SwiftNIO's HTTP parser
    /// reads (80 KiB) is refused by the parser itself (400, connection closed), and the server
    /// goes on answering.
    @Test func otherMethodsAndHugeRequestsAreRefused() async throws {
        try await withServer(ExplorationFixture.vae) { port in
            let post = try LoopbackHTTP.request(port: port, "/api/codes", method: "POST")
            #expect(post.status == 405 && post.text.contains("answers GET only"))
            let huge = try LoopbackHTTP.request(port: port, "/api/decode?z=" + String(repeating: "1", count: 200_000))
            #expect((400..<500).contains(huge.status))
            #expect(try LoopbackHTTP.request(port: port, "/api/codes").status == 200)
        }
    }

    /// 400 decode requests in flight at once are all answered, each with its own code's DECODE
    /// (batched across requests on the server, bit for bit what decoding it alone gives).
    @Test func fourHundredConcurrentDecodesAreAllAnswered() async throws {
        let space = ExplorationFixture.vae
        let codes: [[Float]] = (0..<400).map { i in
            let (a, b, c) = (Float(i % 7), Float(i % 5), Float(i % 3))
            return [a * 0.25 - 0.75, b * 0.5 - 1, c - 1, Float(i) / 400]
        }
        let answers = try await withServer(space) { port in
            try LoopbackHTTP.requests(port: port, codes.map { "/api/decode?z=\($0.map { "\($0)" }.joined(separator: ","))&format=json" })
        }
        #expect(answers.count == 400 && answers.allSatisfy { $0.status == 200 })
        let expected = try space.decode(try Tensor(shape: [400, 4], scalars: codes.flatMap { $0 }))
        for (row, answer) in answers.enumerated() {
            let decoded = try ExplorationDocuments.decode(ExplorationDocuments.Decoded.self, from: answer.body)
            #expect(decoded.code == codes[row] && decoded.values == expected.rows(row..<(row + 1)).scalars, "request \(row)")
        }
    }
}
