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
    /// The plane of the page's scatter.
    public let axes: PlaneAxes
    /// [height, width] or [height, width, 3] when samples are images, else nil (tables).
    public let imageShape: [Int]?
    /// The values that map to black and white in images (the model's recorded range; nil: [0, 1]).
    public let valueRange: (low: Double, high: Double)?
    /// One name per feature (a table's header), when known.
    public let featureNames: [String]?
    /// Where the model came from (a file name), for the page's title.
    public let modelName: String
    /// The values drawn black and white in images: the model's recorded range, else the data's own.
    public let displayRange: (low: Double, high: Double)

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
        guard !(model is any DiscreteCodes) else {
            throw ExplorationError(.unprocessable, "\(modelName) holds a \(type(of: model).methodName) model: its codes are cluster indices, with no space between them to explore")
        }
        guard model.conditionColumns == 0 else {
            throw ExplorationError(.unprocessable, "\(modelName) is a conditional VAE, whose codes mean something only with a class: explore unconditional models")
        }
        guard data.count >= 1 else { throw ExplorationError(.unprocessable, "\(data.name) has no samples to encode") }
        guard data.features == model.inputSize else {
            throw ExplorationError(.unprocessable, "\(modelName) takes samples of \(model.inputSize) features; \(data.name) has \(data.features)")
        }
        let codes = try model.encode(data.samples)
        try codes.checkFinite("the codes of \(data.name) by \(modelName)")
        self.model = model
        self.data = data
        self.codes = codes
        self.shown = Self.shownIndices(count: data.count, seed: seed)
        self.axes = try PlaneAxes(codes: codes)
        self.imageShape = imageShape
        self.valueRange = valueRange
        self.featureNames = featureNames.flatMap { $0.count == data.features ? $0 : nil }
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

    /// DECODE of `codes` (`m × d`) in the user's units (`m × D`).
    public func decode(_ codes: Tensor) throws -> Tensor {
        guard codes.rank == 2, codes.columns == codeSize else {
            throw ExplorationError(.badRequest, "codes to decode must be m × \(codeSize); got shape \(codes.shape)")
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
        let k = min(max(count, 0), data.count)
        guard k > 0 else { return [] }
        let d = codeSize
        var nearest: [(index: Int, squared: Double)] = []
        nearest.reserveCapacity(k + 1)
        codes.withUnsafeBufferPointer { scalars in
            for i in 0..<data.count {
                var squared = 0.0
                for j in 0..<d {
                    let difference = Double(scalars[i * d + j]) - Double(z[j])
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
