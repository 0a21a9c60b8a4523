import DataFormats
import Foundation
import Tensors

/// The one idea of the library: a method is an autoencoder, ENCODE maps a sample to a code,
/// DECODE maps the code back, and the distortion Σᵢ ‖xᵢ − DECODE(ENCODE(xᵢ))‖² says what was
/// lost (the lecture's "general principle of autoencoding").
///
/// Shapes: `samples: n × D` in, `codes: n × d` out (k-means' code is the cluster index, one
/// column). A fitted model is immutable; its hyperparameters are a Codable configuration stored
/// with it, and its learned state is a list of named tensors (PyTorch state-dict names).
public protocol Autoencoder: Sendable {
    associatedtype Configuration: Codable, Sendable, Equatable

    /// The name used on the command line and in model files (`pca`, `kmeans`, …).
    static var methodName: String { get }
    /// The hyperparameters the model was fitted with.
    var configuration: Configuration { get }
    /// D, the width of a sample.
    var inputSize: Int { get }
    /// d, the width of a code.
    var codeSize: Int { get }

    /// ENCODE: `samples: n × D` → `codes: n × d`.
    func encodeUnchecked(_ samples: Tensor) -> Tensor
    /// DECODE: `codes: n × d` → `reconstructions: n × D`.
    func decodeUnchecked(_ codes: Tensor) throws -> Tensor

    /// The learned state as named tensors.
    var stateTensors: [(name: String, tensor: Tensor)] { get }
    /// Rebuilds a fitted model from its configuration and state (a loaded model file).
    init(configuration: Configuration, state: SafeTensorsFile, file: String) throws

    /// Per-epoch losses of each training stage, for methods trained by epochs (nil for the
    /// closed-form ones); saved with the model.
    var trainingHistory: TrainingHistory? { get }

    /// The model file: configuration, state, training history (and what wrappers add).
    func modelFile() throws -> SafeTensorsFile
}

/// Errors of the methods: each names what does not fit.
public struct AutoencoderError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Autoencoder {
    /// ENCODE, checking that `samples` is `n × D`.
    public func encode(_ samples: Tensor) throws -> Tensor {
        guard samples.rank == 2, samples.shape[1] == inputSize else {
            throw AutoencoderError("\(Self.methodName) encodes samples of \(inputSize) features; got shape \(samples.shape)")
        }
        return encodeUnchecked(samples)
    }

    /// DECODE, checking that `codes` is `n × d`.
    public func decode(_ codes: Tensor) throws -> Tensor {
        guard codes.rank == 2, codes.shape[1] == codeSize else {
            throw AutoencoderError("\(Self.methodName) decodes codes of width \(codeSize); got shape \(codes.shape)")
        }
        return try decodeUnchecked(codes)
    }

    /// DECODE(ENCODE(x)).
    public func reconstruct(_ samples: Tensor) throws -> Tensor { try decode(try encode(samples)) }

    /// Σᵢ ‖xᵢ − DECODE(ENCODE(xᵢ))‖², accumulated in Double.
    public func distortion(_ samples: Tensor) throws -> Double {
        squaredErrors(samples, try reconstruct(samples)).reduce(0, +)
    }

    /// Closed-form methods have no training history.
    public var trainingHistory: TrainingHistory? { nil }

    /// The model file: configuration, state and training history in one safetensors file.
    public func modelFile() throws -> SafeTensorsFile {
        var file = try SafeTensorsFile(method: Self.methodName, configuration: configuration, tensors: stateTensors)
        try file.set(ModelFileSchema.trainingHistory, to: trainingHistory)
        return file
    }

    /// Writes the model to `path` (atomically).
    public func save(to path: String) throws { try modelFile().write(to: path) }

    /// Writes the model to `path` (atomically) with what it needs to read and show data like
    /// `data`, its training data, again (`SafeTensorsFile.describe(_:)`): class and feature
    /// names, sample shape, missing-value fill and value range, as `latent fit` writes it.
    public func save(to path: String, trainedOn data: Dataset) throws {
        var file = try modelFile()
        try file.describe(data)
        try file.write(to: path)
    }

    /// Reads a model of this method from `path`.
    public static func load(from path: String) throws -> Self {
        let file = try SafeTensorsFile.read(path)
        _ = try file.method(file: path, expected: methodName)
        try file.checkFinite(file: path)
        if file.metadata[ModelFileSchema.scaling.key] != nil, !(Self.self is any ScaledModel.Type) {
            throw DataFormatError(path, .entry("__metadata__"), "holds a \(methodName) model that scales its inputs: load it with Methods.load(from:) or Scaled<\(Self.self)>.load(from:)")
        }
        return try Self(configuration: file.configuration(Configuration.self, file: path), state: file, file: path)
    }
}

/// Checks what every `fit` needs of its samples: a matrix n × D with at least `minimumCount`
/// rows and one column, all values finite and within ``largestTrainableMagnitude(samples:)``;
/// the error names `method`, the shape and, for a bad value, its row and column.
func checkTrainingSamples(_ samples: Tensor, method: String, minimumCount: Int = 1) throws {
    guard samples.rank == 2, samples.shape[0] >= minimumCount, samples.shape[1] >= 1 else {
        let count = minimumCount == 1 ? "samples" : "at least \(minimumCount) samples"
        throw AutoencoderError("\(method) needs \(count) n × D; got shape \(samples.shape)")
    }
    try samples.checkFinite("\(method) input")
    try checkTrainableMagnitude(samples, method: method)
}

/// Refuses samples holding a value beyond ``largestTrainableMagnitude(samples:)``, naming its
/// row and column.
/// `samples` may be a block of rows from `firstRow` of larger data of shape `whole`.
func checkTrainableMagnitude(_ samples: Tensor, method: String, firstRow: Int = 0, whole: [Int]? = nil) throws {
    let shape = whole ?? samples.shape
    let limit = largestTrainableMagnitude(samples: shape[0] * shape[1])
    let largest = samples.withUnsafeBufferPointer { values in values.indices.max { abs(values[$0]) < abs(values[$1]) } }
    if let index = largest, case let value = samples.scalars[index], Double(abs(value)) > limit {
        var (row, column) = index.quotientAndRemainder(dividingBy: samples.shape[1])
        row += firstRow
        throw AutoencoderError("\(method) input of shape \(shape): \(value) at row \(row), column \(column) is too large to train on "
                               + "(beyond ±\(Float(limit)), squared errors summed over the data overflow 32-bit floats); "
                               + "scale the data first (`scaling: .standardize`, a FeatureScaling)")
    }
}

/// The largest magnitude a training sample may hold: sums of squared differences over all
/// `samples` values (each up to (2M)²) stay below Float's largest finite value, 3.4 × 10³⁸.
/// For Fashion-MNIST's 60 000 × 784 values that is 1.9 × 10¹³, far beyond any measured
/// quantity in its own units; 10³⁰ used to give a NaN loss, an infinite eigenvalue or,
/// worse, a k-means model fitted on infinite distances without an error.
func largestTrainableMagnitude(samples count: Int) -> Double {
    (Double(Float.greatestFiniteMagnitude) / (4 * Double(max(count, 1)))).squareRoot()
}

/// ‖xᵢ − x̂ᵢ‖² for each row, in Double.
func squaredErrors(_ x: Tensor, _ y: Tensor) -> [Double] {
    precondition(x.shape == y.shape, "squaredErrors: shapes \(x.shape) and \(y.shape) differ")
    let d = x.columns
    return x.withUnsafeBufferPointer { a in
        y.withUnsafeBufferPointer { b in
            (0..<x.rows).map { row in
                var total = 0.0
                for j in 0..<d {
                    let e = Double(a[row * d + j]) - Double(b[row * d + j])
                    total += e * e
                }
                return total
            }
        }
    }
}

/// Whether every value lies in [0, 1] (pixels; what Bernoulli units and likelihoods need).
public func liesInUnitInterval(_ samples: Tensor) -> Bool { samples.min() >= 0 && samples.max() <= 1 }
