import Foundation
import Latent

/// The JSON bodies of the explorer's API (docs/explore.md), snake_case on the wire.
public enum ExplorationDocuments {
    /// `GET /api/codes`: what the page draws.
    public struct Codes: Codable, Sendable {
        public var model: String
        public var method: String
        /// n, the data's samples.
        public var samples: Int
        /// d
        public var codeSize: Int
        /// The data indices of the points drawn (all of 0 ..< n up to 100 000).
        public var indices: [Int]
        /// The drawn points' codes, row after row (`indices.count × d`).
        public var codes: [Float]
        /// A class index per drawn point, when the data are labelled.
        public var labels: [Int]?
        public var classNames: [String]?
        public var axes: PlaneAxes
        /// The image shape, when samples are images.
        public var image: ImageShape?
        /// D, and the features' names when known.
        public var features: Int
        public var featureNames: [String]?
        /// The prior the model's codes were made to follow, for the density behind the points.
        public var prior: Prior?
        /// The domains DECODE writes into (a translator's; one otherwise), and the data's.
        public var domains: [Domain]
        public var dataDomain: Int
        /// The space the plane lies in ("codes", or "data" for a principal graph), where each
        /// drawn point is (`indices.count × 2`, row after row), and a principal graph's nodes
        /// and edges in the plane.
        public var plane: ExplorationPlane
        public var points: [Float]
        public var graph: ExplorationGraph?
    }

    /// One domain: its name, width, image shape (or null) and feature names.
    public struct Domain: Codable, Sendable, Equatable {
        public var name: String
        public var features: Int
        public var image: ImageShape?
        public var featureNames: [String]?
    }

    /// An image's size.
    public struct ImageShape: Codable, Sendable, Equatable {
        public var height: Int, width: Int, channels: Int
        public init(height: Int, width: Int, channels: Int) { (self.height, self.width, self.channels) = (height, width, channels) }
    }

    /// p(z): N(0, σ²I), or equal-weight isotropic Gaussians of one deviation around `means`.
    public struct Prior: Codable, Sendable, Equatable {
        public var description: String
        public var means: [[Float]]
        public var deviation: Float
    }

    /// `GET /api/item/N?format=json`: one sample in the user's units (or, with `domain=`, its
    /// translation into that domain).
    public struct Item: Codable, Sendable {
        public var index: Int
        public var domain: String
        public var label: Int?
        public var className: String?
        public var code: [Float]
        public var values: [Double]
        public var featureNames: [String]?
    }

    /// `GET /api/decode?z=…&format=json`: DECODE(z) into a domain, in the user's units.
    public struct Decoded: Codable, Sendable {
        public var code: [Float]
        public var domain: String
        public var values: [Float]
        public var featureNames: [String]?
    }

    /// `GET /api/neighbours?z=…&k=…`: the nearest samples' codes, nearest first.
    public struct Neighbours: Codable, Sendable {
        public struct Neighbour: Codable, Sendable {
            public var index: Int
            public var distance: Double
            public var label: Int?
            public var className: String?
        }
        public var code: [Float]
        public var neighbours: [Neighbour]
    }

    /// An error's body: `{"error": {"message": …}}`, as Hummingbird writes its errors.
    public struct Failure: Codable, Sendable {
        public struct Message: Codable, Sendable { public var message: String }
        public var error: Message
    }

    /// JSON as the API writes it: snake_case keys, sorted, so equal documents are equal bytes.
    public static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// The reading side of ``encode(_:)``.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: data)
    }
}

extension ExplorationSpace {
    /// The body of `GET /api/codes`.
    public func codesDocument() -> ExplorationDocuments.Codes {
        let d = codeSize
        var flat = [Float]()
        flat.reserveCapacity(shown.count * d)
        codes.withUnsafeBufferPointer { scalars in
            for index in shown { flat.append(contentsOf: scalars[(index * d)..<((index + 1) * d)]) }
        }
        let prior = (model as? any PriorModel).map { model -> ExplorationDocuments.Prior in
            let p = model.prior
            return .init(description: p.description, means: (0..<p.components).map { p.mean(component: $0, dimension: d) }, deviation: p.componentDeviation)
        }
        let image = { (shape: [Int]?) in shape.map { ExplorationDocuments.ImageShape(height: $0[0], width: $0[1], channels: $0.count == 3 ? $0[2] : 1) } }
        return .init(model: modelName, method: type(of: model).methodName, samples: data.count, codeSize: d, indices: shown, codes: flat,
                     labels: data.labels.map { labels in shown.map { labels[$0] } }, classNames: data.classNames, axes: axes,
                     image: image(imageShape), features: data.features, featureNames: featureNames, prior: prior,
                     domains: domains.map { .init(name: $0.name, features: $0.features, image: image($0.imageShape), featureNames: $0.featureNames) },
                     dataDomain: dataDomain, plane: plane, points: shown.flatMap { index -> [Float] in
                         let point = planePoint(index)
                         return [Float(point.u), Float(point.v)]
                     }, graph: graph)
    }

    /// Sample `index` in `domain`: the sample itself in the data's domain (the data's origin
    /// added back), else its translation DECODE_domain(ENCODE_data(x)).
    public func item(_ index: Int, domain: Int) throws -> [Double] {
        guard domain != dataDomain else { return try sample(index) }
        _ = try sample(index)
        let translated = try decode(codes.rows(index..<(index + 1)), domain: domain)
        return translated.scalars.map { Double($0.description) ?? Double($0) }
    }

    /// The body of `GET /api/item/N?format=json`.
    public func itemDocument(_ index: Int, domain: Int? = nil) throws -> ExplorationDocuments.Item {
        let domain = domain ?? dataDomain
        let values = try item(index, domain: domain)
        let label = data.labels?[index]
        return .init(index: index, domain: domains[domain].name, label: label, className: label.flatMap { className($0) },
                     code: Array(codes.rows(index..<(index + 1)).scalars), values: values, featureNames: domains[domain].featureNames)
    }

    /// The body of `GET /api/neighbours`: the samples whose codes are nearest to `z`, or in the
    /// data's plane (a principal graph) the samples nearest to DECODE(z), the graph's point.
    public func neighboursDocument(of z: [Float], count: Int) throws -> ExplorationDocuments.Neighbours {
        let found: [(index: Int, distance: Double)]
        if plane == .data {
            let decoded = try model.decode(try Tensor(shape: [1, z.count], scalars: z))
            found = try nearestSamples(to: decoded.scalars, count: count)
        } else {
            found = try neighbours(of: z, count: count)
        }
        return .init(code: z, neighbours: found.map { neighbour in
            let label = data.labels?[neighbour.index]
            return .init(index: neighbour.index, distance: neighbour.distance, label: label, className: label.flatMap { className($0) })
        })
    }

    func className(_ label: Int) -> String? {
        guard let names = data.classNames, names.indices.contains(label) else { return nil }
        return names[label]
    }

    /// `values` (D of `domain`, in the user's units) as a PNG of the domain's image shape at its
    /// own size, one image pixel per PNG pixel, grey levels as `latent sample` and the reports
    /// draw them: on the data's range in the data's domain, on [0, 1] (widened to the image's
    /// own range) in a translator's other domains.
    public func png(_ values: [Float], domain: Int? = nil) throws -> [UInt8] {
        let domain = domain ?? dataDomain
        guard let imageShape = domains[domain].imageShape else {
            throw ExplorationError(.badRequest, "samples of \(domains.count > 1 ? "domain " + domains[domain].name : modelName) are not images (\(domains[domain].features) features, no image shape): ask for format=json")
        }
        let row = try Tensor(shape: [1, values.count], scalars: values)
        let grid = try ImageGrid(title: "", rows: [.init(label: "", images: row)], imageShape: imageShape, range: domain == dataDomain ? displayRange : nil)
        return try grid.png(scale: 1).encoded(compression: .standard)
    }
}
