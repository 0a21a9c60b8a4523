import ArgumentParser
import Foundation
import Latent

/// What a trained method's options may depend on: the data's width and range, the classes of
/// a conditional fit, and whether the data are streamed (then unscaled by the command).
struct FitData {
    let features: Int
    /// Whether every value lies in [0, 1].
    let unitInterval: Bool
    /// The classes whose one-hot the rows end in (0: none).
    let classes: Int
    /// Whether the rows stream from NPY shards (no `--scale`, no labels).
    let streamed: Bool
    /// The samples' image shape, when the data keep one (never for shards, which hold rows).
    var sampleShape: [Int]? = nil
}

/// A `latent fit` command of a trained method (``TrainedMethod``): its options give the
/// method's configuration for the data; the shared code fits it, in memory or streamed from NPY
/// shards, with checkpoints, parts and progress.
protocol TrainedFitCommand: FitMethod {
    associatedtype Method: TrainedMethod
    var trainingOptions: TrainingOptions { get }
    var stream: StreamOptions { get }
    /// The option that needs labels when given (refused for shards, which hold none); nil: none.
    var labelledOption: String? { get }
    /// The configuration these options ask for on `data`.
    func configuration(for data: FitData) throws -> Method.Configuration
    /// The rows to train on in memory and the classes whose one-hot they end in: the samples,
    /// or with labels the samples and their label one-hot.
    func rows(_ inputs: FitInputs) throws -> (rows: Tensor, classes: Int)
    /// What the method reports beyond the shared results (printed and said by the leading process only).
    func results(of model: Method, data: FitData) -> any MethodReport
}

extension TrainedFitCommand {
    static var trained: Bool { true }
    var labelledOption: String? { nil }
    func rows(_ inputs: FitInputs) throws -> (rows: Tensor, classes: Int) { (inputs.samples, 0) }
    func results(of model: Method, data: FitData) -> any MethodReport { NoReport() }

    /// Data in NPY shards are streamed (``fitStreamed(_:trainingOptions:stream:fit:results:)``);
    /// anything else is fitted in memory.
    func run() throws {
        try checkHyperparameters()
        guard case .file(let folder, .npyShards) = try DatasetSpec(parsing: common.data) else { return try fitInMemory() }
        if let labelledOption {
            throw ValidationErrorText("\(labelledOption) needs labels, which shards do not hold: give the data as a file with --labels")
        }
        var data: FitData?
        try fitStreamed(folder, trainingOptions: trainingOptions, stream: stream) { shards, range, context, generator in
            let described = FitData(features: shards.columns, unitInterval: range.low >= 0 && range.high <= 1, classes: 0, streamed: true)
            data = described
            return try Method.fit(StreamedShards(shards, bufferRows: stream.bufferRows), configuration: try configuration(for: described),
                                  using: &generator, context: context)
        } results: { model in results(of: model, data: data!) }
    }

    /// The options' hyperparameters against the ranges the library declares, before any data
    /// are read (the fit checks them again, with the data).
    func checkHyperparameters() throws {
        let configuration = try configuration(for: FitData(features: 1, unitInterval: true, classes: 0, streamed: false))
        if let declaring = configuration as? any HyperparameterDeclaring { try checkDeclaredRanges(declaring, method: Method.methodName) }
    }

    func fit(_ inputs: FitInputs, using generator: inout RandomGenerator) throws -> (model: any Autoencoder, extra: any MethodReport) {
        let (rows, classes) = try self.rows(inputs)
        let data = FitData(features: inputs.samples.columns, unitInterval: liesInUnitInterval(inputs.samples), classes: classes, streamed: false,
                           sampleShape: inputs.sampleShape)
        let configuration = try self.configuration(for: data)
        let (model, extra) = try fitWithCheckpoints(trainingOptions, inputs) { context in
            try Method.fit(rows, configuration: configuration, using: &generator, context: context)
        }
        guard inputs.writes else { return (model, extra) }
        return (model, Reports(parts: [extra, results(of: model, data: data)]))
    }
}
