import DataFormats
import Foundation
import Testing
import Tensors

@Suite struct Synthetic {
    @Test(arguments: SyntheticManifold.allCases)
    func shapesAndSeededDeterminism(manifold: SyntheticManifold) throws {
        let (a, latentA) = try manifold.generate(["n": 200, "seed": 4, "noise": 0.1])
        let (b, _) = try manifold.generate(["n": 200, "seed": 4, "noise": 0.1])
        let (c, _) = try manifold.generate(["n": 200, "seed": 5, "noise": 0.1])
        #expect(a.count == 200 && latentA.shape[0] == 200)
        #expect(a.samples == b.samples && a.samples != c.samples)
    }

    @Test func latentCoordinatesGenerateTheSamples() throws {
        let (roll, t) = try SyntheticManifold.swissRoll.generate(["n": 50])
        for i in 0..<50 {
            #expect(abs(roll.samples[i, 0] - t[i, 0] * cos(t[i, 0])) < 1e-4 && roll.samples[i, 1] == t[i, 1])
        }
        let (circle, theta) = try SyntheticManifold.circle.generate(["n": 50, "radius": 2])
        for i in 0..<50 { #expect(abs(circle.samples[i, 1] - 2 * sin(theta[i, 0])) < 1e-5) }
        let (curve, s) = try SyntheticManifold.kramerCurve.generate(["n": 20, "noise": 0, "dimension": 3])
        #expect(curve.features == 3 && curve.samples.columns(0..<1) == s)
        let (blobs, _) = try SyntheticManifold.blobs.generate(["n": 30, "centers": 3, "dimension": 5])
        #expect(blobs.features == 5 && Set(blobs.labels!) == [0, 1, 2])
        // The star: point i on branch i mod 3, at distance t along (cos 2πb/3, sin 2πb/3, 0, …).
        let (star, distance) = try SyntheticManifold.star.generate(["n": 30, "noise": 0, "dimension": 4, "length": 2])
        #expect(star.features == 4 && star.labels == (0..<30).map { $0 % 3 })
        for i in 0..<30 {
            let angle = 2 * Float.pi * Float(i % 3) / 3
            #expect(abs(star.samples[i, 0] - distance[i, 0] * cos(angle)) < 1e-5 && abs(star.samples[i, 1] - distance[i, 0] * sin(angle)) < 1e-5)
            #expect(star.samples[i, 2] == 0 && distance[i, 0] >= 0 && distance[i, 0] <= 2)
        }
    }

    @Test func badParameters() {
        #expect(errorText { _ = try SyntheticManifold.circle.generate(["turns": 2]) }.contains("unknown parameter 'turns'"))
        #expect(errorText { _ = try SyntheticManifold.circle.generate(["n": 0]) }.contains("n must be"))
        #expect(errorText { _ = try SyntheticManifold.helix.generate(["noise": -1]) }.contains("noise must be non-negative"))
        #expect(errorText { _ = try SyntheticManifold.star.generate(["dimension": 1]) }.contains("dimension must be a whole number ≥ 2"))
        // Numbers past Int's or UInt64's range are errors, not traps in the conversion (the
        // spec fuzz harness found seed=77777777777777777777771, about 7.7·10²²).
        #expect(errorText { _ = try SyntheticManifold.blobs.generate(["n": 5, "seed": 7.7e22]) }
            .contains("seed must be a whole number in 0…18446744073709549568"))
        #expect(errorText { _ = try SyntheticManifold.circle.generate(["n": 1e30]) }.contains("n must be a whole number in 1…10000000"))
        #expect(errorText { _ = try SyntheticManifold.blobs.generate(["dimension": 1e30]) }.contains("dimension must be a whole number in 1…100000"))
        #expect(errorText { _ = try SyntheticManifold.blobs.generate(["centers": -1e300]) }.contains("centers must be a whole number"))
        #expect(errorText { _ = try SyntheticManifold.circle.generate(["radius": .infinity]) }.contains("radius must be positive and at most 10³⁰"))
        #expect(errorText { _ = try SyntheticManifold.helix.generate(["noise": .nan]) }.contains("noise must be non-negative"))
        // What a SPEC asks for is checked against the memory limit before anything is drawn.
        MemoryBudget.$scoped.withValue(1 << 20) {
            #expect(errorText { _ = try SyntheticManifold.blobs.generate(["n": 10_000, "dimension": 100]) }
                .contains("10000 samples of 100 features needs 3.8 MiB, more than the memory limit of 1.0 MiB"))
        }
    }
}

@Suite struct Specs {
    /// A SPEC names files exactly when it parses to a file: what names a built-in or synthetic
    /// set, with its split or parameters, is not a path to resolve.
    @Test(arguments: DatasetSpec.builtInNames + ["swiss-roll?n=20&seed=3", "fashion-mnist-mini:test?half=top", "fashion-mnist",
                                                 "table.csv", "data/part-*.npy", "/abs/x.npy", "x/train-images-idx3-ubyte.gz", "a:b.csv"])
    func namesFilesWhenItParsesToAFile(_ text: String) throws {
        let isFile = if case .file = try DatasetSpec(parsing: text) { true } else { false }
        #expect(DatasetSpec.namesFiles(text) == isFile, "\(text)")
    }

    @Test func parsesEveryKind() throws {
        #expect(try DatasetSpec(parsing: "fashion-mnist:test") == .fashionMNIST(.test))
        #expect(try DatasetSpec(parsing: "fashion-mnist-mini") == .fashionMNISTMini(.train))
        #expect(try DatasetSpec(parsing: "swiss-roll?n=2000&noise=0.05&seed=1") == .synthetic(.swissRoll, parameters: ["n": 2000, "noise": 0.05, "seed": 1]))
        #expect(try DatasetSpec(parsing: "data/table.CSV") == .file(path: "data/table.CSV", format: .csv))
        #expect(try DatasetSpec(parsing: "x/train-images-idx3-ubyte.gz") == .file(path: "x/train-images-idx3-ubyte.gz", format: .idx))
        let loaded = try DatasetLoader().load("two-moons?n=10")
        #expect(loaded.count == 10 && loaded.classNames == ["upper", "lower"])
    }

    /// sci-car: both modalities of the same 1 874 cells in the same order (ids agree), log(1 +
    /// counts) of the bundled sparse counts, the three treatment times as classes (473 / 694 /
    /// 707 cells) and the paper's 340 test cells.
    @Test func sciCARIsTwoAlignedModalities() throws {
        let (rna, atac) = (try DatasetLoader().load("sci-car:rna"), try DatasetLoader().load("sci-car:atac"))
        #expect(rna.samples.shape == [1874, 2613] && atac.samples.shape == [1874, 815])
        #expect(rna.ids == atac.ids && rna.labels == atac.labels && rna.split == atac.split)
        #expect(rna.classNames == ["0 h", "1 h", "3 h"])
        #expect((0..<3).map { k in rna.labels!.filter { $0 == k }.count } == [473, 694, 707])
        #expect(rna.split!.filter { $0 == .test }.count == 340)
        let counts = try SparseNPZ.read(SciCAR.directory! + "/atac.npz", transpose: true)
        #expect(atac.samples == counts.log1p() && counts.min() >= 0)
        #expect(errorText { _ = try DatasetSpec(parsing: "sci-car") }.contains("sci-car:rna and sci-car:atac"))
        #expect(errorText { _ = try DatasetSpec(parsing: "sci-car:rna?n=3") }.contains("takes no parameters"))
    }

    /// `?half=top|bottom`: the upper and lower 14 rows of each image, which together are the image.
    @Test func imageHalvesSplitEachImage() throws {
        let whole = try DatasetLoader().load("fashion-mnist-mini:test")
        let (top, bottom) = (try DatasetLoader().load("fashion-mnist-mini:test?half=top"), try DatasetLoader().load("fashion-mnist-mini:test?half=bottom"))
        #expect(top.sampleShape == [14, 28] && bottom.sampleShape == [14, 28] && top.labels == whole.labels)
        #expect(Tensor.concatenate([top.samples, bottom.samples], alongAxis: 1) == whole.samples)
        #expect(errorText { _ = try DatasetSpec(parsing: "fashion-mnist:test?half=left") }.contains("half=top or half=bottom"))
        #expect(errorText { _ = try DatasetLoader().load("circle?n=4").sampleShape == nil ? try DatasetLoader().load(.half(.synthetic(.circle, parameters: ["n": 4]), .top)) : whole }.contains("even number of rows"))
    }

    @Test func rejectsNonsense() {
        #expect(errorText { _ = try DatasetSpec(parsing: "fashion-mnist:validation") }.contains("unknown split 'validation'"))
        #expect(errorText { _ = try DatasetSpec(parsing: "circle?n") }.contains("not NAME=NUMBER"))
        #expect(errorText { _ = try DatasetSpec(parsing: "mystery") }.contains("unknown data"))
        #expect(errorText { _ = try DatasetSpec(parsing: "circle:train") }.contains("no splits"))
    }

    @Test func externalLabelsMustMatchTheSamples() throws {
        let folder = temporaryFolder()
        try NPY.write(fixtureBase, to: folder + "/x.npy")
        try IDX.write(Tensor([1, 0]), as: .uint8, to: folder + "/y.idx")
        let loaded = try DatasetLoader(labelsPath: folder + "/y.idx").load(folder + "/x.npy")
        #expect(loaded.labels == [1, 0])
        try IDX.write(Tensor([1, 0, 1]), as: .uint8, to: folder + "/z.idx")
        #expect(errorText { _ = try DatasetLoader(labelsPath: folder + "/z.idx").load(folder + "/x.npy") }.contains("3 labels for the 2 samples"))
    }

    @Test func catalogListsEveryBuiltInName() {
        let names = DatasetLoader().catalog().map(\.name)
        #expect(names == DatasetSpec.builtInNames)
    }
}

@Suite struct DatasetOperations {
    let data = try! Dataset(samples: Tensor((0..<10).map { [Float($0), Float($0 * $0)] }), labels: (0..<10).map { $0 % 2 },
                            classNames: ["even", "odd"], name: "toy")

    @Test func splitsAreDisjointAndComplete() throws {
        var generator = RandomGenerator(seed: 1)
        let (train, test) = try data.split(trainingFraction: 0.7, using: &generator)
        #expect(train.count == 7 && test.count == 3)
        let rows = Set((train.samples.scalars + test.samples.scalars).enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
        #expect(rows.count == 10)
        #expect(train.labels!.enumerated().allSatisfy { Int(train.samples[$0.offset, 0]) % 2 == $0.element })
    }

    @Test func stratifiedSubset() throws {
        #expect(try data.stratifiedIndices(perClass: 2) == [0, 1, 2, 3])
        #expect(errorText { _ = try Dataset(samples: Tensor([[1]]), labels: [0, 1]) }.contains("2 labels for 1 samples"))
        #expect(errorText { _ = try Dataset(samples: Tensor([[1]]), labels: [2], classNames: ["a"]) }.contains("label 2 has no class name"))
    }

    @Test(arguments: FeatureScaling.Kind.allCases)
    func scalingFitsOneSetAndAppliesToAnother(kind: FeatureScaling.Kind) throws {
        var generator = RandomGenerator(seed: 2)
        let train = Tensor.randomNormal([500, 3], mean: 5, standardDeviation: 3, using: &generator)
        let constant = Tensor.concatenate([train, Tensor(repeating: 4, shape: [500, 1])], alongAxis: 1)
        let scaling = try FeatureScaling(fitting: constant, kind: kind)
        let scaled = try scaling.apply(constant)
        switch kind {
        case .none:
            #expect(scaled == constant && scaling.isIdentity)
        case .standardize:
            #expect(scaled.mean(alongAxis: 0).scalars.allSatisfy { abs($0) < 1e-4 })
            let variance = scaled.squared().mean(alongAxis: 0).scalars
            #expect(variance[0..<3].allSatisfy { abs($0 - 1) < 1e-3 } && variance[3] == 0)
        case .minMax:
            #expect(scaled.min() == 0 && abs(scaled.max() - 1) < 1e-6)
        case .robust:
            // The median maps to 0 and the quartiles 1 apart (NumPy's linear interpolation,
            // written here again); the constant column to 0.
            func quantile(_ sorted: [Double], _ q: Double) -> Double {
                let position = q * Double(sorted.count - 1), low = Int(position)
                return sorted[low] + (sorted[min(low + 1, sorted.count - 1)] - sorted[low]) * (position - Double(low))
            }
            for j in 0..<3 {
                let column = (0..<500).map { Double(scaled[$0, j]) }.sorted()
                #expect(abs(quantile(column, 0.5)) < 1e-6)
                #expect(abs(quantile(column, 0.75) - quantile(column, 0.25) - 1) < 1e-5)
            }
            #expect(scaled.columns(3..<4).scalars.allSatisfy { $0 == 0 })
        }
        #expect(try scaling.invert(scaled).isApproximatelyEqual(to: constant, relativeTolerance: 1e-5, absoluteTolerance: 1e-4))
        let decoded = try JSONDecoder().decode(FeatureScaling.self, from: JSONEncoder().encode(scaling))
        #expect(decoded == scaling)
        #expect(errorText { _ = try scaling.apply(Tensor([[1, 2]])) }.contains("do not match"))
    }

    /// A stored scaling whose arrays disagree in length, or hold a non-finite value or a zero
    /// scale, is refused when decoded (a model file like that trapped: the model fuzz harness,
    /// `Fuzz/Corpus/model/regression-scaling-lengths.safetensors`).
    @Test(arguments: [
        (#"{"kind":"standardize","origin":[0,0,0],"offset":[1,2],"scale":[1,1,1]}"#, "hold 3, 2 and 3 values"),
        (#"{"kind":"standardize","origin":[0],"offset":[1],"scale":[0]}"#, "zero scale"),
        (#"{"kind":"none","origin":[0,0],"offset":[0,0],"scale":[1]}"#, "hold 2, 2 and 1 values"),
    ])
    func malformedStoredScalingsAreRefused(_ json: String, _ message: String) {
        #expect { _ = try JSONDecoder().decode(FeatureScaling.self, from: Data(json.utf8)) } throws: { "\($0)".contains(message) }
    }

    /// NumPy's quantiles (linear interpolation): np.quantile([1, 2, 4, 8, 16], [.25, .5, .75]) = 2, 4, 8;
    /// np.quantile([1, 2, 3, 10], [.25, .75]) = 1.75, 4.75.
    @Test func robustScalingUsesNumPyQuantiles() throws {
        let scaling = try FeatureScaling(fitting: Tensor([[1], [2], [4], [8], [16]]), kind: .robust)
        #expect(scaling.offset == [4] && scaling.scale == [6])
        let even = try FeatureScaling(fitting: Tensor([[1], [2], [3], [10]]), kind: .robust)
        #expect(even.offset == [2.5] && even.scale == [3])
    }

    /// Values far from zero keep their signal: read relative to their first value in Double.
    @Test func originKeepsThePrecisionOfLargeOffsets() throws {
        let rows = (0..<50).map { i in (100_000_000.0 + Double(i) * 0.01, Double(i) * 0.01) }
        let text = "a,b\n" + rows.map { String(format: "%.6f,%.6f", $0.0, $0.1) }.joined(separator: "\n")
        let plain = try CSV.parse(Array(text.utf8), file: "t.csv")
        let measured = try CSV.parse(Array(text.utf8), file: "t.csv", options: CSVOptions(origin: .automatic))
        #expect(plain.origin == nil && measured.origin == [100_000_000, 0])
        // In Float32, 10⁸ + 0.01·i rounds to multiples of 8: the column's signal is gone.
        #expect(Set(plain.samples.columns(0..<1).scalars).count <= 2)
        for i in 0..<50 { #expect(abs(Double(measured.samples[i, 0]) - Double(i) * 0.01) < 1e-6) }
        // A later file read from the same origin, and a Dataset moved to another.
        let again = try CSV.parse(Array(text.utf8), file: "t.csv", options: CSVOptions(origin: .given([100_000_000, 0])))
        #expect(again.samples == measured.samples)
        let moved = try measured.measured(from: [99_999_999, 0])
        #expect(abs(moved.samples[3, 0] - 1.03) < 1e-6)
    }
}
