import Foundation
import Latent

/// A fitted autoencoder's latent space, ready to look around in: the data's codes, the plane
/// they are drawn in, and DECODE of any point of it.
///
/// ENCODE maps the data once (`codes: n × d`); the page draws the codes in a plane (``PlaneAxes``)
/// and asks for DECODE(z) of codes `z` (`m × d`) it builds from points of that plane, and for the
/// real samples nearest to them. Every answer is in the user's units: the model's scaling is
/// undone after DECODE, as `latent decode` undoes it. The lecture's "any decoder is a generator",
/// made something to touch.
public struct ExplorationSpace: Sendable {
    /// The model explored.
    public let model: any Autoencoder
    /// The samples whose codes are drawn, as read (`n × D`, labels and names with them).
    public let data: Dataset
    /// ENCODE of `data` (`n × d`).
    public let codes: Tensor
    /// The samples drawn on the page: all of them up to ``maximumShown``, else a seeded draw of
    /// that many (data indices, ascending).
    public let shown: [Int]
    /// The plane of the page's scatter: of the codes, or of the data for a principal graph.
    public let axes: PlaneAxes
    /// Which space ``axes`` lie in.
    public let plane: ExplorationPlane
    /// The domains DECODE can write into: one for most models, a translator's each (its own
    /// width, image shape and feature names).
    public let domains: [ExplorationDomain]
    /// The domain the data belong to (and their codes come from).
    public let dataDomain: Int
    /// The values that map to black and white in images (the model's recorded range; nil: [0, 1]).
    public let valueRange: (low: Double, high: Double)?
    /// Where the model came from (a file name), for the page's title.
    public let modelName: String
    /// The values drawn black and white in images of the data's domain: the model's recorded
    /// range, else the data's own.
    public let displayRange: (low: Double, high: Double)

    /// [height, width] or [height, width, 3] when the data's samples are images, else nil (tables).
    public var imageShape: [Int]? { domains[dataDomain].imageShape }
    /// One name per feature of the data (a table's header), when known.
    public var featureNames: [String]? { domains[dataDomain].featureNames }

    /// The most points a page draws: 100 000 (the whole of Fashion-MNIST's 70 000, and a canvas
    /// still pans at 60 frames a second).
    public static let maximumShown = 100_000

    /// Encodes `data` with `model` and lays out the plane.
    ///
    /// - Parameters:
    ///   - imageShape: the shape one sample is drawn in (from the model file or the data).
    ///   - seed: seeds the draw of ``maximumShown`` points when there are more samples.
    /// - Throws: when the model's codes are cluster indices or conditioned on labels (there is
    ///   nothing continuous to walk through), when the data's width is not the model's, or when a
    ///   code is not finite.
    public init(model: any Autoencoder, data: Dataset, imageShape: [Int]?, valueRange: (low: Double, high: Double)?,
                featureNames: [String]?, modelName: String, seed: UInt64 = 0) throws {
        let domain = ExplorationDomain(name: "data", features: model.inputSize, imageShape: imageShape,
                                       featureNames: featureNames.flatMap { $0.count == data.features ? $0 : nil })
        try self.init(model: model, data: data, domains: [domain], dataDomain: 0, valueRange: valueRange, modelName: modelName, seed: seed)
    }

    /// Encodes `data`, samples of domain `dataDomain` of `domains`, and lays out the plane. With
    /// several domains the model must be a multi-domain model (the translator) of those domains,
    /// in that order; its codes live in the space the domains share, and DECODE writes into any.
    /// - Throws: as ``init(model:data:imageShape:valueRange:featureNames:modelName:seed:)``, and
    ///   when the domains are not the model's.
    public init(model: any Autoencoder, data: Dataset, domains: [ExplorationDomain], dataDomain: Int, valueRange: (low: Double, high: Double)?,
                modelName: String, seed: UInt64 = 0) throws {
        guard !(model is any DiscreteCodes) else {
            throw ExplorationError(.unprocessable, "\(modelName) holds a \(type(of: model).methodName) model: its codes are cluster indices, with no space between them to explore")
        }
        guard model.conditionColumns == 0 else {
            throw ExplorationError(.unprocessable, "\(modelName) is a conditional VAE, whose codes mean something only with a class: explore unconditional models")
        }
        guard data.count >= 1 else { throw ExplorationError(.unprocessable, "\(data.name) has no samples to encode") }
        guard domains.indices.contains(dataDomain) else {
            throw ExplorationError(.unprocessable, "the data's domain \(dataDomain) is not one of the \(domains.count) domains")
        }
        let codes: Tensor
        if domains.count > 1 {
            guard let translator = model as? any MultiDomainModel, translator.domainNames == domains.map(\.name) else {
                throw ExplorationError(.unprocessable, "\(modelName) does not have the domains \(domains.map(\.name).joined(separator: ", "))")
            }
            for (index, domain) in domains.enumerated() where domain.features != translator.inputSize(domain: index) {
                throw ExplorationError(.unprocessable, "domain \(domain.name) of \(modelName) takes \(translator.inputSize(domain: index)) features, not \(domain.features)")
            }
            guard data.features == domains[dataDomain].features else {
                throw ExplorationError(.unprocessable, "domain \(domains[dataDomain].name) of \(modelName) takes samples of \(domains[dataDomain].features) features; \(data.name) has \(data.features)")
            }
            codes = try translator.encode(data.samples, domain: dataDomain)
        } else {
            guard data.features == model.inputSize else {
                throw ExplorationError(.unprocessable, "\(modelName) takes samples of \(model.inputSize) features; \(data.name) has \(data.features)")
            }
            codes = try model.encode(data.samples)
        }
        try codes.checkFinite("the codes of \(data.name) by \(modelName)")
        self.model = model
        self.data = data
        self.codes = codes
        self.shown = Self.shownIndices(count: data.count, seed: seed)
        let plane = domains.count > 1 ? ExplorationPlane.codes : Self.plane(of: model)
        self.plane = plane
        self.axes = plane == .data ? try PlaneAxes(codes: data.samples, of: "data") : try PlaneAxes(codes: codes)
        self.domains = domains
        self.dataDomain = dataDomain
        self.valueRange = valueRange
        self.modelName = modelName
        self.displayRange = valueRange ?? Self.range(of: data)
    }

    /// The smallest and largest value of `data` in the user's units.
    static func range(of data: Dataset) -> (low: Double, high: Double) {
        var (low, high) = (Double.infinity, -Double.infinity)
        let d = data.features
        data.samples.withUnsafeBufferPointer { scalars in
            for (i, x) in scalars.enumerated() {
                let value = Double(x) + (data.origin?[i % d] ?? 0)
                (low, high) = (min(low, value), max(high, value))
            }
        }
        return low <= high ? (low, high) : (0, 1)
    }

    /// d
    public var codeSize: Int { codes.columns }

    /// 0 ..< n when n ≤ ``maximumShown``, else that many indices drawn without replacement.
    public static func shownIndices(count: Int, seed: UInt64) -> [Int] {
        guard count > maximumShown else { return Array(0..<count) }
        var generator = RandomGenerator(seed: seed)
        var indices = Array(0..<count)
        // A partial Fisher–Yates shuffle: the first `maximumShown` places are a uniform draw.
        for i in 0..<maximumShown {
            indices.swapAt(i, i + generator.nextInt(below: count - i))
        }
        return indices.prefix(maximumShown).sorted()
    }

    /// DECODE of `codes` (`m × d`) into `domain` (by default the data's) in the user's units
    /// (`m × D` of that domain).
    public func decode(_ codes: Tensor, domain: Int? = nil) throws -> Tensor {
        guard codes.rank == 2, codes.columns == codeSize else {
            throw ExplorationError(.badRequest, "codes to decode must be m × \(codeSize); got shape \(codes.shape)")
        }
        if domains.count > 1, let translator = model as? any MultiDomainModel {
            return try translator.decode(codes, domain: domain ?? dataDomain)
        }
        var decoded = try model.decode(codes)
        if let scaling = (model as? any ScaledModel)?.scaling { decoded = try scaling.addingOrigin(decoded) }
        return decoded
    }

    /// Sample `index` in the user's units (`D` values: the data's origin added back).
    public func sample(_ index: Int) throws -> [Double] {
        guard index >= 0, index < data.count else {
            throw ExplorationError(.notFound, "sample \(index) does not exist: \(data.name) has samples 0 … \(data.count - 1)")
        }
        let row = data.samples.rows(index..<(index + 1)).scalars
        // Float's shortest text read as Double: 0.1 stays 0.1 in JSON, not 0.10000000149011612.
        guard let origin = data.origin else { return row.map { Double($0.description) ?? Double($0) } }
        return zip(row, origin).map { Double($0) + $1 }
    }

    /// The `count` samples whose codes are nearest to `z` (Euclidean, in the code space), nearest
    /// first; ties go to the lower index, so the answer does not depend on threads.
    public func neighbours(of z: [Float], count: Int) throws -> [(index: Int, distance: Double)] {
        guard z.count == codeSize else { throw ExplorationError(.badRequest, "a code has \(codeSize) values; got \(z.count)") }
        return nearest(in: codes, to: z, count: count)
    }

    /// The `count` rows of `rows` (`n × w`) nearest to `point` (w values).
    func nearest(in rows: Tensor, to point: [Float], count: Int) -> [(index: Int, distance: Double)] {
        let k = min(max(count, 0), rows.rows)
        guard k > 0 else { return [] }
        let width = rows.columns
        var nearest: [(index: Int, squared: Double)] = []
        nearest.reserveCapacity(k + 1)
        rows.withUnsafeBufferPointer { scalars in
            for i in 0..<rows.rows {
                var squared = 0.0
                for j in 0..<width {
                    let difference = Double(scalars[i * width + j]) - Double(point[j])
                    squared += difference * difference
                }
                guard nearest.count < k || squared < nearest[k - 1].squared else { continue }
                // Insertion into the sorted list of the k best: k is small (a page asks for ≤ 100).
                let place = nearest.firstIndex { squared < $0.squared } ?? nearest.count
                nearest.insert((i, squared), at: place)
                if nearest.count > k { nearest.removeLast() }
            }
        }
        return nearest.map { ($0.index, $0.squared.squareRoot()) }
    }
}

/// One domain a space decodes into: its name, width, and how its samples are shown.
public struct ExplorationDomain: Sendable, Equatable, Codable {
    public var name: String
    /// D of the domain.
    public var features: Int
    /// [height, width] or [height, width, 3] when its samples are images, else nil.
    public var imageShape: [Int]?
    /// One name per feature, when known.
    public var featureNames: [String]?

    public init(name: String, features: Int, imageShape: [Int]?, featureNames: [String]?) {
        (self.name, self.features, self.imageShape, self.featureNames) = (name, features, imageShape, featureNames)
    }
}
