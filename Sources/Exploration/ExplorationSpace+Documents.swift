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

    /// `GET /api/item/N?format=json`: one sample in the user's units.
    public struct Item: Codable, Sendable {
        public var index: Int
        public var label: Int?
        public var className: String?
        public var code: [Float]
        public var values: [Double]
        public var featureNames: [String]?
    }

    /// `GET /api/decode?z=…&format=json`: DECODE(z) in the user's units.
    public struct Decoded: Codable, Sendable {
        public var code: [Float]
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
        return .init(model: modelName, method: type(of: model).methodName, samples: data.count, codeSize: d, indices: shown, codes: flat,
                     labels: data.labels.map { labels in shown.map { labels[$0] } }, classNames: data.classNames, axes: axes,
                     image: imageShape.map { .init(height: $0[0], width: $0[1], channels: $0.count == 3 ? $0[2] : 1) },
                     features: data.features, featureNames: featureNames, prior: prior)
    }

    /// The body of `GET /api/item/N?format=json`.
    public func itemDocument(_ index: Int) throws -> ExplorationDocuments.Item {
        let values = try sample(index)
        let label = data.labels?[index]
        return .init(index: index, label: label, className: label.flatMap { className($0) }, code: Array(codes.rows(index..<(index + 1)).scalars),
                     values: values, featureNames: featureNames)
    }

    /// The body of `GET /api/neighbours`.
    public func neighboursDocument(of z: [Float], count: Int) throws -> ExplorationDocuments.Neighbours {
        let found = try neighbours(of: z, count: count)
        return .init(code: z, neighbours: found.map { neighbour in
            let label = data.labels?[neighbour.index]
            return .init(index: neighbour.index, distance: neighbour.distance, label: label, className: label.flatMap { className($0) })
        })
    }

    func className(_ label: Int) -> String? {
        guard let names = data.classNames, names.indices.contains(label) else { return nil }
        return names[label]
    }

    /// `values` (D, in the user's units) as a PNG of ``imageShape`` at its own size, one image
    /// pixel per PNG pixel, grey levels as `latent sample` and the reports draw them.
    public func png(_ values: [Float]) throws -> [UInt8] {
        guard let imageShape else {
            throw ExplorationError(.badRequest, "samples of \(modelName) are not images (\(data.features) features, no image shape): ask for format=json")
        }
        let row = try Tensor(shape: [1, values.count], scalars: values)
        let grid = try ImageGrid(title: "", rows: [.init(label: "", images: row)], imageShape: imageShape, range: displayRange)
        return try grid.png(scale: 1).encoded(compression: .standard)
    }
}
