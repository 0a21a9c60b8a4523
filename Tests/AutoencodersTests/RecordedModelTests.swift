import Autoencoders
import DataFormats
import Foundation
import MethodConformance
import Testing
import TestSupport
import Tensors

/// Every method fitted to the conformance data with a fixed seed gives the model recorded in
/// `RecordedModels/` (written by an earlier build), and those files still load: the safety net
/// for restructuring the methods. Same CPU level as the recording: equal bit for bit; another
/// (a different GEMM micro-kernel sums in another order): equal to Float32 rounding.
///
/// After an intended change of a method's numbers, move the file it replaces to `Earlier/` (it
/// must still load, and give the new model to Float32 rounding), record anew with
/// `LATENT_RECORD_MODELS=1 swift test -c release --filter RecordedModels` and commit the files.
@Suite struct RecordedModels {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("RecordedModels")
    static let cpuKey = "recorded_cpu_level"

    static func path(_ method: MethodCase) -> String {
        folder.appendingPathComponent(method.name.map { $0.isLetter || $0.isNumber ? $0 : "-" } + ".safetensors").path
    }

    @Test(arguments: methodCases)
    func fitGivesTheRecordedModel(_ method: MethodCase) throws {
        var generator = RandomGenerator(seed: 21)
        let model = try method.fit(conformanceData, &generator)
        let path = Self.path(method)
        // Recording rewrites a file only when its tensors changed (a file also holds timings).
        let unchanged = (try? SafeTensorsFile.read(path)).map { $0.tensors.map(\.tensor) == model.stateTensors.map(\.tensor) } ?? false
        if ProcessInfo.processInfo.environment["LATENT_RECORD_MODELS"] == "1", !unchanged {
            try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
            var file = try model.modelFile()
            file.metadata[Self.cpuKey] = CPULevel.detected.description
            try file.write(to: path)
        }
        let file = try SafeTensorsFile.read(path)
        let recorded = try Methods.load(file, path: path)
        #expect(type(of: recorded).methodName == type(of: model).methodName)
        let sameCPU = file.metadata[Self.cpuKey] == CPULevel.detected.description
        for ((name, now), (_, then)) in zip(model.stateTensors, recorded.stateTensors) {
            if sameCPU {
                #expect(now == then, "\(method.name): tensor \(name) differs from the recorded model")
            } else {
                #expect(now.isApproximatelyEqual(to: then, relativeTolerance: 1e-3, absoluteTolerance: 1e-4), "\(method.name): tensor \(name)")
            }
        }
        #expect(model.stateTensors.map(\.name) == recorded.stateTensors.map(\.name))
        let codes = try model.encode(conformanceData), recordedCodes = try recorded.encode(conformanceData)
        #expect(sameCPU ? codes == recordedCodes : codes.isApproximatelyEqual(to: recordedCodes, relativeTolerance: 1e-3, absoluteTolerance: 1e-4))
    }

    /// Files recorded before an intended change of the numbers (in `Earlier/`: the one fit's
    /// standardisation in Double, for nonlinear PCA and standardising deep autoencoders; t-SNE,
    /// MDS and Isomap without a learned decoder, which load as `decoder.kind` `.none`) still
    /// load, and their codes are the refitted model's to Float32 rounding.
    @Test(arguments: methodCases)
    func earlierRecordingsLoadAndAgree(_ method: MethodCase) throws {
        let path = Self.folder.appendingPathComponent("Earlier").appendingPathComponent(URL(fileURLWithPath: Self.path(method)).lastPathComponent).path
        guard FileManager.default.fileExists(atPath: path) else { return }
        var generator = RandomGenerator(seed: 21)
        let model = try method.fit(conformanceData, &generator)
        let earlier = try Methods.load(from: path)
        #expect(type(of: earlier).methodName == type(of: model).methodName)
        #expect(try earlier.encode(conformanceData).isApproximatelyEqual(to: try model.encode(conformanceData), relativeTolerance: 1e-3, absoluteTolerance: 1e-4),
                "\(method.name): the earlier recording's codes differ from the refitted model's")
    }

    /// Some recordings predate an intended change: the test above is not empty.
    @Test func earlierRecordingsExist() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.appendingPathComponent("Earlier").path)
        #expect(files.filter { $0.hasSuffix(".safetensors") }.count == 6)
    }
}
