import Foundation
import Latent

extension FitMethod {
    /// A closed-form method's fit of a folder of NPY shards (PCA, k-means): the rows read block
    /// by block, never all in memory, each process its parts; then the training error from one
    /// more pass, the model written and the result printed by rank 0. Options that need the
    /// data in memory are refused, with those in `refusing` that the method cannot take there.
    ///
    /// `fit` gets the shards, the run's parts, the display and the generator; it returns the
    /// model and what the method reports of it.
    func fitShards(_ folder: String, refusing: [(given: Bool, option: String)] = [],
                   _ fit: (_ shards: NPYShards, _ parts: PartTree, _ display: ProgressDisplay, _ generator: inout RandomGenerator) throws
                       -> (model: any Autoencoder, extra: any MethodReport)) throws {
        let common = self.common
        let (group, parts, display, shards) = try openShards(folder, refusing: refusing, reading: "\(Self.methodName) reads block by block",
                                                             scaling: "scale the shards beforehand", announce: "reading \(folder) block by block")
        var generator = RandomGenerator(seed: common.seed)
        let start = Date()
        let (model, extra) = try fit(shards, parts, display, &generator)
        let seconds = Date().timeIntervalSince(start)
        // The training error, one more pass, each process over its parts' rows.
        let sse = try model.distortion(of: shards, parts: parts)
        guard group.isLeader else { return }
        var file = try model.modelFile()
        file.metadata[SafeTensorsFile.commandKey] = invocation()
        try file.write(to: common.output)
        display.finish("fitted \(Self.methodName) from shards in \(formatDuration(seconds)); model written to \(common.output)")
        var result = FitResult.streamed(method: Self.methodName, model: common.output, shards: shards, codeSize: model.codeSize, seconds: seconds, sse: sse)
        result.record(parts, of: group)
        try printResult(Merged(result, extra), json: common.outputOptions.json)
    }

    /// The run's compute settings, processes and parts, and the shards in `folder`, announced
    /// (`announce`: how they are read) on a display that rank 0 alone shows. Options that need
    /// the data in memory are refused (with those in `refusing`), saying what reads the shards
    /// (`reading`) and what to do instead (`scaling`).
    func openShards(_ folder: String, refusing: [(given: Bool, option: String)] = [], reading: String, scaling: String,
                    announce: String) throws -> (group: ProcessGroup, parts: PartTree, display: ProgressDisplay, shards: NPYShards) {
        let common = self.common
        let inMemory = [(common.scale.map { $0 != .none } ?? false, "--scale"), (common.test != nil, "--test"), (common.dataOptions.labels != nil, "--labels")]
        for (given, option) in inMemory + refusing where given {
            throw ValidationErrorText("\(option) is not available for data in shards (\(folder)), which \(reading); \(scaling), or evaluate a test set with `latent evaluate`")
        }
        let group = ProcessGroup.current
        let parts = try self.parts(group)
        // Every process reads its parts' rows; rank 0 alone reports, writes and prints.
        let display = ProgressDisplay(quiet: common.outputOptions.quiet || !group.isLeader)
        let shards = try NPYShards(opening: folder)
        display.finish("\(announce): \(shards.rows) samples × \(shards.columns) features in \(shards.shards.count) shards")
        return (group, parts, display, shards)
    }
}
