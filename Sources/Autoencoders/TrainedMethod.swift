import Collectives
import NeuralNetworks
import Tensors

/// A method trained by gradient steps on batches of rows: what it needs of its data and how it
/// trains. The one ``fit(_:configuration:using:context:)`` does the rest for every such method
/// and every ``RowSource``: checking the rows and the configuration against them, the loss's
/// data range, resuming, the held-out rows, and the parts and processes.
///
/// A new method states its requirements and its ``train(_:configuration:run:using:)``; see
/// docs/architecture.md.
public protocol TrainedMethod: Autoencoder where Configuration: Equatable & TrainedConfiguration {
    /// What the method needs of the data under `configuration`.
    static func requirements(_ configuration: Configuration) -> DataRequirements
    /// Checks `configuration` against data of `features` columns before any row is read.
    static func validate(_ configuration: Configuration, features: Int) throws
    /// Trains on checked rows: builds the networks (drawing from `generator`), runs the trainer
    /// with `run`'s hooks, and returns the fitted model.
    static func train<Rows: TrainingRows>(_ data: TrainingData<Rows>, configuration: Configuration, run: TrainingRun,
                                          using generator: inout RandomGenerator) throws -> Self
}

/// What a trained method needs of its data.
public struct DataRequirements: Sendable {
    /// The fewest rows it trains on.
    public var minimumRows: Int
    /// Label one-hots appended to each row (a conditional model's classes): the last
    /// `labelColumns` columns, checked to be one-hot; the others are features.
    public var labelColumns: Int
    /// What needs every feature in [0, 1] (a Bernoulli likelihood, the bce loss), and the
    /// configuration's alternative; nil when any range will do.
    public var unitInterval: (what: String, otherwise: String)?
    /// Whether the features' means and variances are needed (a standardisation).
    public var moments: Bool

    public init(minimumRows: Int = 2, labelColumns: Int = 0, unitInterval: (what: String, otherwise: String)? = nil, moments: Bool = false) {
        self.minimumRows = minimumRows
        self.labelColumns = labelColumns
        self.unitInterval = unitInterval
        self.moments = moments
    }
}

/// Checked rows to train on: the rows batches are drawn from, the held-out rows, and the
/// summary of all of them.
public struct TrainingData<Rows: TrainingRows> {
    public let training: Rows
    /// Held out of training for the held-out loss and early stopping (in memory); nil: none.
    public let heldOut: Tensor?
    public let summary: DataSummary
    /// The label columns at the end of each row (``DataRequirements/labelColumns``).
    public let labelColumns: Int

    /// D, the feature columns.
    public var features: Int { summary.features }

    /// The same rows with `transform` (rows of `columns` values, row by row) applied to the
    /// training batches and the held-out rows: a standardisation.
    public func mapped(columns: Int, _ transform: @escaping (Tensor) -> Tensor) -> TrainingData<Rows> {
        TrainingData(training: training.mapped(columns: columns, transform), heldOut: heldOut.map(transform), summary: summary, labelColumns: labelColumns)
    }
}

extension TrainedMethod where Configuration: HyperparameterDeclaring {
    /// The declared ranges, then the training's: all a method checks whose hyperparameters do
    /// not constrain each other or the data.
    public static func validate(_ configuration: Configuration, features: Int) throws {
        try configuration.checkRanges(methodName)
        do { try configuration.training.validate() } catch { throw AutoencoderError("\(methodName): \(error)") }
    }
}

extension TrainedMethod {
    /// Fits the method to `rows` (`n × D`; in memory, or streamed from NPY shards) under
    /// `context`: the rows are checked in one pass (finite, small enough to train on, label
    /// columns one-hot, the range the loss needs), the configuration against them, a checkpoint
    /// to resume from against the configuration; then ⌊f·n⌋ rows are held out (drawn at random
    /// in memory, the last ones of shards) and the method trains.
    public static func fit(_ rows: some RowSource, configuration: Configuration, using generator: inout RandomGenerator,
                           context: FitContext = FitContext()) throws -> Self {
        let needs = requirements(configuration)
        let (n, width, labels) = (rows.rows, rows.columns, needs.labelColumns)
        guard rows.shape.count == 2, n >= needs.minimumRows, width > labels else {
            let count = needs.minimumRows == 1 ? "samples" : "at least \(needs.minimumRows) samples"
            let columns = labels > 0 ? " (the features, then a label one-hot of \(labels) columns)" : ""
            let source = rows.sourceName.isEmpty ? "" : " (\(rows.sourceName))"
            throw AutoencoderError("\(methodName) needs \(count) n × D\(columns); got shape \(rows.shape)\(source)")
        }
        try validate(configuration, features: width - labels)
        let check = TrainingDataCheck(method: methodName, shape: [n, width], labelColumns: labels, moments: needs.moments)
        let summary = try rows.compute(check, parts: context.parts)
        if let unit = needs.unitInterval, !summary.liesInUnitInterval {
            throw AutoencoderError("\(methodName): \(unit.what) needs data in [0, 1] (found \(summary.low)…\(summary.high)); "
                                   + "scale the data to [0, 1] (`scaling: .minMax`) or use `\(unit.otherwise)`")
        }
        let run = try TrainingRun(context, method: methodName, configuration: configuration)
        let (training, heldOut) = try rows.split(holdingOut: configuration.training, parts: context.parts, using: &generator)
        return try train(TrainingData(training: training, heldOut: heldOut, summary: summary, labelColumns: labels),
                         configuration: configuration, run: run, using: &generator)
    }
}

/// The configuration of a method trained by the `Trainer`: its epochs, batches, optimizer,
/// schedule and held-out fraction among the rest.
public protocol TrainedConfiguration {
    var training: TrainingConfiguration { get }
}

extension HyperparameterDeclaring {
    /// Throws, led by the `method`'s name, the message for the first declared hyperparameter
    /// out of its range.
    func checkRanges(_ method: String) throws {
        if let violation = firstViolation { throw AutoencoderError("\(method): \(violation)") }
    }
}
