import DataFormats
import Foundation
import Tensors

/// What a model that scales its inputs can say: the scaling, and the model inside it.
public protocol ScaledModel {
    /// The per-feature map applied before ENCODE and undone after DECODE.
    var scaling: FeatureScaling { get }
    /// The method's own model, which sees scaled samples.
    var unscaled: any Autoencoder { get }
}

/// A fitted method together with the scaling its training data got: ENCODE scales the samples
/// (x ↦ (x − offset) / scale, per feature, in Double) before the method's ENCODE, and DECODE
/// undoes it after the method's DECODE, so codes come from the user's data as they are and
/// reconstructions are in the user's units. (DESIGN: preprocessing belongs to the model.)
///
/// Samples are measured from `scaling.origin` (zero unless a reader subtracted one to keep the
/// precision of data far from zero; read later files with the same origin).
public struct Scaled<Base: Autoencoder>: Autoencoder, ScaledModel {
    public typealias Configuration = Base.Configuration
    public static var methodName: String { Base.methodName }

    public let base: Base
    public let scaling: FeatureScaling

    /// `base` fitted to `scaling.apply(samples)`.
    public init(_ base: Base, scaling: FeatureScaling) throws {
        guard scaling.features == base.inputSize else {
            throw AutoencoderError("a scaling of \(scaling.features) features cannot feed \(Base.methodName) of \(base.inputSize) inputs")
        }
        (self.base, self.scaling) = (base, scaling)
    }

    public var unscaled: any Autoencoder { base }
    public var configuration: Configuration { base.configuration }
    public var inputSize: Int { base.inputSize }
    public var codeSize: Int { base.codeSize }
    /// The method's history, each loss labelled with the scaling its inputs had.
    public var trainingHistory: TrainingHistory? {
        guard var history = base.trainingHistory, scaling.kind != .none else { return base.trainingHistory }
        for index in history.stages.indices { history.stages[index].loss += " (inputs scaled: \(scaling.kind.rawValue))" }
        return history
    }
    public var stateTensors: [(name: String, tensor: Tensor)] { base.stateTensors }

    public func encodeUnchecked(_ samples: Tensor) -> Tensor {
        // The shape was checked by `encode`, so applying the scaling cannot fail.
        base.encodeUnchecked(try! scaling.apply(samples))
    }

    public func decodeUnchecked(_ codes: Tensor) throws -> Tensor {
        try scaling.invert(try base.decodeUnchecked(codes))
    }

    public init(configuration: Configuration, state: SafeTensorsFile, file: String) throws {
        guard let scaling = try state.scaling(file: file) else {
            throw DataFormatError(file, .entry("__metadata__"), "holds no \(ModelFileSchema.scaling.key) for a scaled model")
        }
        try self.init(try Base(configuration: configuration, state: state, file: file), scaling: scaling)
    }

    public func modelFile() throws -> SafeTensorsFile {
        var file = try base.modelFile()
        try file.setScaling(scaling)
        return file
    }
}

/// `model` with `scaling` in front, or `model` itself when the scaling does nothing.
public func scaled(_ model: any Autoencoder, by scaling: FeatureScaling) throws -> any Autoencoder {
    func wrap<M: Autoencoder>(_ model: M) throws -> any Autoencoder { try Scaled(model, scaling: scaling) }
    return scaling.isIdentity ? model : try wrap(model)
}
