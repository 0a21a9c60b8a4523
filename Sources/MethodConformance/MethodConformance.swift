import Foundation
import Latent
import Testing
import TestSupport

/// The conformance suite every method passes, as checks a test target calls on its own
/// methods: the library's tests run them on every built-in method and its variants, and a
/// method written outside the library runs the same checks on itself.
///
/// A check records its failures as the test's issues (`#expect`) and throws what the fit throws.
public struct MethodCase: CustomTestStringConvertible, Sendable {
    public let name: String
    /// Fits the method to samples (`n × D`) with the generator given.
    public let fit: @Sendable (Tensor, inout RandomGenerator) throws -> any Autoencoder
    public var testDescription: String { name }

    public init(name: String, fit: @escaping @Sendable (Tensor, inout RandomGenerator) throws -> any Autoencoder) {
        (self.name, self.fit) = (name, fit)
    }

    /// The method's own example fit (``ExampleFit``), behind a standardisation of the samples.
    public init<M: ExampleFit>(example method: M.Type) {
        self.init(name: "\(method.methodName) (registry example)") { x, g in
            let scaling = try FeatureScaling(fitting: x, kind: .standardize)
            return try scaled(try M.exampleFit(try scaling.apply(x), using: &g), by: scaling)
        }
    }
}

/// Gaussian blobs in 6-D, 120 samples: structure for every method.
public let conformanceData = try! SyntheticManifold.blobs.generate(["n": 120, "centers": 4, "dimension": 6, "seed": 3]).dataset.samples

public enum ConformanceChecks {
    /// Every check, in turn.
    public static func all(_ method: MethodCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try shapes(method, sourceLocation: sourceLocation)
        try distortionIsTheExplicitSum(method, sourceLocation: sourceLocation)
        try sameSeedSameModel(method, sourceLocation: sourceLocation)
        try saveAndLoadGiveIdenticalCodes(method, sourceLocation: sourceLocation)
        try nonFiniteWeightsAreRefusedOnLoading(method, sourceLocation: sourceLocation)
        try batchEncodingEqualsRowByRow(method, sourceLocation: sourceLocation)
        try badSamplesAreClearErrors(method, sourceLocation: sourceLocation)
        try learnsBeyondTheMean(method, sourceLocation: sourceLocation)
        try wrongWidthsAreClearErrors(method, sourceLocation: sourceLocation)
    }

    /// ENCODE gives `n × d`, DECODE `n × D`, and the reconstruction the samples' shape.
    public static func shapes(_ method: MethodCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var generator = RandomGenerator(seed: 1)
        let model = try method.fit(conformanceData, &generator)
        let codes = try model.encode(conformanceData)
        #expect(codes.shape == [120, model.codeSize] && model.inputSize == 6, "\(method.name)", sourceLocation: sourceLocation)
        #expect(try model.decode(codes).shape == [120, 6], "\(method.name)", sourceLocation: sourceLocation)
        #expect(try model.reconstruct(conformanceData).shape == conformanceData.shape, "\(method.name)", sourceLocation: sourceLocation)
    }

    /// The distortion is Σᵢ ‖xᵢ − DECODE(ENCODE(xᵢ))‖², summed explicitly.
    public static func distortionIsTheExplicitSum(_ method: MethodCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var generator = RandomGenerator(seed: 2)
        let model = try method.fit(conformanceData, &generator)
        let reconstructions = try model.reconstruct(conformanceData)
        var explicit = 0.0
        for i in 0..<120 { for j in 0..<6 { let e = Double(conformanceData[i, j]) - Double(reconstructions[i, j]); explicit += e * e } }
        let distortion = try model.distortion(conformanceData)
        #expect(abs(distortion - explicit) <= 1e-9 * max(explicit, 1), "\(method.name)", sourceLocation: sourceLocation)
        let metrics = try ReconstructionMetrics(model, samples: conformanceData)
        #expect(abs(metrics.ssePerSample - explicit / 120) <= 1e-9 * max(explicit, 1) && abs(metrics.msePerFeature * 6 - metrics.ssePerSample) < 1e-9,
                "\(method.name)", sourceLocation: sourceLocation)
    }

    /// The same seed gives the same model.
    public static func sameSeedSameModel(_ method: MethodCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var a = RandomGenerator(seed: 3), b = RandomGenerator(seed: 3)
        let first = try method.fit(conformanceData, &a), second = try method.fit(conformanceData, &b)
        #expect(try first.encode(conformanceData) == second.encode(conformanceData), "\(method.name)", sourceLocation: sourceLocation)
    }

    /// A saved model loads through ``Methods/load(from:)`` (the method must be registered)
    /// with identical codes, reconstructions, training history and scaling.
    public static func saveAndLoadGiveIdenticalCodes(_ method: MethodCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var generator = RandomGenerator(seed: 4)
        let model = try method.fit(conformanceData, &generator)
        let path = temporaryPath("model.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.modelFile().write(to: path)
        let loaded = try Methods.load(from: path)
        #expect(type(of: loaded).methodName == type(of: model).methodName, "\(method.name)", sourceLocation: sourceLocation)
        #expect(try loaded.encode(conformanceData) == model.encode(conformanceData), "\(method.name)", sourceLocation: sourceLocation)
        #expect(try loaded.decode(model.encode(conformanceData)) == model.decode(model.encode(conformanceData)), "\(method.name)", sourceLocation: sourceLocation)
        // Methods trained by epochs keep their per-epoch losses in the file; closed forms have none.
        #expect(loaded.trainingHistory == model.trainingHistory, "\(method.name)", sourceLocation: sourceLocation)
        let unscaled = (model as? any ScaledModel)?.unscaled ?? model
        if unscaled is any TrainedMethod { #expect(model.trainingHistory != nil, "\(method.name): no training history", sourceLocation: sourceLocation) }
        if unscaled is KMeans || unscaled is PCA || unscaled is PrincipalGraph { #expect(model.trainingHistory == nil, sourceLocation: sourceLocation) }
        #expect((loaded as? any ScaledModel)?.scaling == (model as? any ScaledModel)?.scaling, "\(method.name)", sourceLocation: sourceLocation)
    }

    /// A model file whose weights hold NaN or infinity is refused on loading, naming the
    /// tensor, instead of encoding everything to NaN.
    public static func nonFiniteWeightsAreRefusedOnLoading(_ method: MethodCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var generator = RandomGenerator(seed: 8)
        var file = try method.fit(conformanceData, &generator).modelFile()
        let victim = file.tensors.count - 1
        let name = file.tensors[victim].name
        file.tensors[victim].tensor.withUnsafeMutableBufferPointer { $0[$0.count - 1] = .infinity }
        let path = temporaryPath("poisoned.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try file.write(to: path)
        for load in [{ _ = try Methods.load(from: path) }, { _ = try SafeTensorsFile.read(path).checkFinite(file: path) }] {
            do { try load(); Issue.record("\(method.name): a model holding infinity loaded", sourceLocation: sourceLocation) } catch {
                #expect("\(error)".contains("tensor '\(name)'") && "\(error)".contains("inf"), "\(method.name): \(error)", sourceLocation: sourceLocation)
            }
        }
    }

    /// ENCODE of a batch equals ENCODE of its rows one by one (to Float32 rounding).
    public static func batchEncodingEqualsRowByRow(_ method: MethodCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var generator = RandomGenerator(seed: 5)
        let model = try method.fit(conformanceData, &generator)
        let batch = try model.encode(conformanceData)
        for i in stride(from: 0, to: 120, by: 17) {
            let single = try model.encode(conformanceData.rows(i..<(i + 1)))
            #expect(single.isApproximatelyEqual(to: batch.rows(i..<(i + 1)), relativeTolerance: 1e-5, absoluteTolerance: 1e-5), "\(method.name): row \(i)",
                    sourceLocation: sourceLocation)
        }
    }

    /// Samples that are no matrix, hold no rows, hold NaN or a value too large to square are
    /// refused with a message that shows the shape, or says what and where the value is.
    public static func badSamplesAreClearErrors(_ method: MethodCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var generator = RandomGenerator(seed: 7)
        for (samples, expected) in [(Tensor.zeros([6]), "[6]"), (Tensor.zeros([0, 6]), "[0, 6]")] {
            do {
                _ = try method.fit(samples, &generator)
                Issue.record("\(method.name) fitted samples of shape \(samples.shape)", sourceLocation: sourceLocation)
            } catch {
                #expect("\(error)".contains(expected), "\(method.name): \(error)", sourceLocation: sourceLocation)
            }
        }
        var poisoned = conformanceData
        poisoned.withUnsafeMutableBufferPointer { $0[7] = .nan }
        do { _ = try method.fit(poisoned, &generator); Issue.record("\(method.name) fitted samples holding NaN", sourceLocation: sourceLocation) } catch {
            #expect("\(error)".contains("input") && "\(error)".lowercased().contains("nan"), "\(method.name): \(error)", sourceLocation: sourceLocation)
        }
        // A value whose square overflows Float is refused by position, or (a method that scales
        // its input first, in Double) fitted into a finite model: never into NaN.
        var huge = conformanceData
        huge.withUnsafeMutableBufferPointer { $0[7] = 1e30 }
        do {
            let model = try method.fit(huge, &generator)
            #expect(model.stateTensors.allSatisfy { $0.tensor.scalars.allSatisfy(\.isFinite) }, "\(method.name)", sourceLocation: sourceLocation)
            #expect(try model.distortion(huge).isFinite, "\(method.name)", sourceLocation: sourceLocation)
        } catch {
            #expect("\(error)".contains("at row 1, column 1 is too large to train on"), "\(method.name): \(error)", sourceLocation: sourceLocation)
        }
    }

    /// The method learns the blobs' structure: its distortion is clearly below the mean
    /// predictor's (Σ ‖xᵢ − x̄‖², what a model that learned nothing reaches).
    public static func learnsBeyondTheMean(_ method: MethodCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var generator = RandomGenerator(seed: 9)
        let model = try method.fit(conformanceData, &generator)
        let meanPredictor = FeatureScaling.columnVariances(conformanceData).reduce(0, +) * Double(conformanceData.shape[0])
        let distortion = try model.distortion(conformanceData)
        #expect(distortion < 0.7 * meanPredictor, "\(method.name): distortion \(distortion), mean predictor \(meanPredictor)", sourceLocation: sourceLocation)
    }

    /// Samples or codes of the wrong width are clear errors, not crashes.
    public static func wrongWidthsAreClearErrors(_ method: MethodCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var generator = RandomGenerator(seed: 6)
        let model = try method.fit(conformanceData, &generator)
        #expect(throws: AutoencoderError.self, "\(method.name)", sourceLocation: sourceLocation) { try model.encode(Tensor.zeros([3, 5])) }
        #expect(throws: AutoencoderError.self, "\(method.name)", sourceLocation: sourceLocation) { try model.decode(Tensor.zeros([3, model.codeSize + 1])) }
    }
}
