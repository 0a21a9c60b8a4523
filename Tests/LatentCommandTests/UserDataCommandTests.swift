import Foundation
import Latent
import Testing

/// The command line on tables users bring: labels that mean the same in every file, pandas'
/// defaults, missing values, outputs that keep labels and names, models that cannot be used.
@Suite struct UserDataCommands {
    /// Three well-separated classes with string labels, written as a training table and a
    /// test table that lacks one class and lists the others in another order.
    func writeTables(in folder: String) throws {
        let blobs = try SyntheticManifold.blobs.generate(["n": 300, "centers": 3, "dimension": 4, "seed": 2, "noise": 0.5]).dataset
        let names = ["setosa", "versicolor", "virginica"]
        let train = blobs.prefix(200)
        try CSV.write(train.samples, to: folder + "/train.csv", columnNames: ["a", "b", "c", "d"], labels: train.labels, classNames: names)
        let rest = blobs.subset(Array(200..<300)).subset((200..<300).filter { blobs.labels![$0] != 0 }.map { $0 - 200 }.reversed())
        try CSV.write(rest.samples, to: folder + "/test.csv", columnNames: ["a", "b", "c", "d"], labels: rest.labels, classNames: names)
    }

    func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    @Test func stringLabelsMeanTheSameInEveryFile() throws {
        let folder = scratchFolder()
        try writeTables(in: folder)
        let fit = try latent("fit", "pca", "--data", "train.csv", "--label-column", "label", "--code-size", "2", "--output", "m.safetensors", "--quiet", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let result = try latent("evaluate", "m.safetensors", "--data", "test.csv", "--reference", "train.csv", "--label-column", "label", "--json", in: folder)
        #expect(result.status == 0, "\(result.errors)")
        let accuracy = try json(result.output)["knn_accuracy"] as! Double
        #expect(accuracy > 0.95, "kNN accuracy \(accuracy): the test file's classes were numbered by themselves")
        // Evaluated against itself, each sample leaves itself out.
        let same = try json(try latent("evaluate", "m.safetensors", "--data", "train.csv", "--reference", "train.csv", "--label-column", "label", "--json", in: folder).output)
        #expect(same["knn_leave_one_out"] as? Bool == true)
        // A class the model never saw is an error that names it.
        try Data("a,b,c,d,label\n0,0,0,0,daisy\n".utf8).write(to: URL(fileURLWithPath: folder + "/odd.csv"))
        let odd = try latent("encode", "m.safetensors", "--data", "odd.csv", "--label-column", "label", "--output", "c.npy", in: folder)
        #expect(odd.status != 0 && odd.errors.contains("class 'daisy' was not among the classes the model was fitted with"), "\(odd.errors)")
    }

    @Test func kmeansGetsClusteringScores() throws {
        let folder = scratchFolder()
        try writeTables(in: folder)
        _ = try latent("fit", "kmeans", "--data", "train.csv", "--label-column", "label", "--clusters", "3", "--output", "k.safetensors", "--quiet", in: folder)
        let result = try json(try latent("evaluate", "k.safetensors", "--data", "train.csv", "--reference", "train.csv", "--label-column", "label", "--json", in: folder).output)
        #expect((result["adjusted_rand_index"] as! Double) > 0.9 && (result["purity"] as! Double) > 0.95)
        #expect(result["normalized_mutual_information"] != nil && result["knn_accuracy"] == nil)
    }

    /// What pandas writes by default (a header of column numbers and an index column) is read
    /// as names and an index, and stderr says so.
    @Test func pandasDefaultsAreRecognisedAndReported() throws {
        let folder = scratchFolder()
        let rows = (0..<40).map { i in "\(i),\(Double(i) * 0.5),\(sin(Double(i))),\(Double(i % 7))" }
        try Data(([",0,1,2"] + rows).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: folder + "/frame.csv"))
        let fit = try latent("fit", "pca", "--data", "frame.csv", "--code-size", "2", "--output", "p.safetensors", "--json", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        #expect(try json(fit.output)["features"] as? Int == 3 && json(fit.output)["samples"] as? Int == 40)
        #expect(fit.errors.contains("note: frame.csv: column 0 (no name; values 0, 1, …, 39) is pandas' index"), "\(fit.errors)")
        // Decoded tables keep the training table's column names.
        _ = try latent("encode", "p.safetensors", "--data", "frame.csv", "--output", "codes.npy", "--quiet", in: folder)
        _ = try latent("decode", "p.safetensors", "--codes", "codes.npy", "--output", "back.csv", "--quiet", in: folder)
        let back = try String(contentsOfFile: folder + "/back.csv", encoding: .utf8)
        #expect(back.hasPrefix("0,1,2\n"))
    }

    @Test func missingValuesAndOutputs() throws {
        let folder = scratchFolder()
        let text = "id;x;y;label\nr1;1;2;a\nr2;;4;b\nr3;3;NA;a\nr4;5;6;b\nr5;7;8;a\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/t.csv"))
        let refused = try latent("fit", "pca", "--data", "t.csv", "--index-column", "id", "--label-column", "label", "--code-size", "1", "--output", "m.safetensors", in: folder)
        #expect(refused.status != 0 && refused.errors.contains("t.csv: line 3, column 1 ('x'): missing value"), "\(refused.errors)")
        let fitted = try latent("fit", "pca", "--data", "t.csv", "--index-column", "id", "--label-column", "label", "--missing", "median",
                                "--code-size", "1", "--output", "m.safetensors", "--quiet", in: folder)
        #expect(fitted.status == 0 && fitted.errors.contains("filled 2 missing values in 2 columns"), "\(fitted.errors)")
        let encoded = try latent("encode", "m.safetensors", "--data", "t.csv", "--index-column", "id", "--label-column", "label", "--missing", "drop-rows",
                                 "--with-labels", "--output", "codes.csv", "--json", in: folder)
        #expect(encoded.status == 0, "\(encoded.errors)")
        #expect(try json(encoded.output)["samples"] as? Int == 3)
        let codes = try String(contentsOfFile: folder + "/codes.csv", encoding: .utf8).split(separator: "\n")
        #expect(codes.first == "id,z0,label" && codes[1].hasPrefix("r1,") && codes[1].hasSuffix(",a") && codes[2].hasPrefix("r4,"))
        // Writing over an input is refused.
        let overwrite = try latent("encode", "m.safetensors", "--data", "t.csv", "--index-column", "id", "--label-column", "label",
                                   "--missing", "mean", "--output", "./t.csv", in: folder)
        #expect(overwrite.status != 0 && overwrite.errors.contains("refusing to overwrite"))
        #expect(try String(contentsOfFile: folder + "/t.csv", encoding: .utf8) == text)
    }

    /// A model whose weights hold NaN is refused by every command, naming the tensor.
    @Test func modelsWithNonFiniteWeightsAreRefused() throws {
        let folder = scratchFolder()
        _ = try latent("fit", "pca", "--data", "circle?n=50", "--code-size", "1", "--output", "m.safetensors", "--quiet", in: folder)
        var file = try SafeTensorsFile.read(folder + "/m.safetensors")
        let name = file.tensors[0].name
        file.tensors[0].tensor = file.tensors[0].tensor * Float.nan
        try file.write(to: folder + "/m.safetensors")
        for command in [["evaluate", "m.safetensors", "--data", "circle?n=50"], ["encode", "m.safetensors", "--data", "circle?n=50", "--output", "c.npy"]] {
            let result = try runLatent(command, in: folder)
            #expect(result.status != 0 && result.errors.contains("tensor '\(name)'") && result.errors.contains("non-finite"), "\(command): \(result.errors)")
        }
    }

    /// A column offset by 10⁸ keeps its signal: PCA's codes match those computed in Double from
    /// the file's values (they correlated 0.33–0.72 when values became Float32 before centring).
    @Test(arguments: ["table.csv", "table.npy"])
    func dataFarFromZeroKeepTheirPrecision(name: String) throws {
        let folder = scratchFolder()
        var generator = RandomGenerator(seed: 4)
        let rows: [[Double]] = (0..<200).map { _ in
            let t = generator.nextNormal(), e = 0.3 * generator.nextNormal()
            return [(1e8 + 3 * t + e) * 1e6, (2 * t - e) * 1e6].map { $0.rounded() / 1e6 }
        }
        if name.hasSuffix(".csv") {
            let text = "a,b\n" + rows.map { String(format: "%.6f,%.6f", $0[0], $0[1]) }.joined(separator: "\n") + "\n"
            try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/" + name))
        } else {
            try Data(float64NPY(rows)).write(to: URL(fileURLWithPath: folder + "/" + name))
        }
        let fit = try latent("fit", "pca", "--data", name, "--code-size", "1", "--output", "p.safetensors", "--quiet", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        #expect(try latent("encode", "p.safetensors", "--data", name, "--output", "codes.csv", "--quiet", in: folder).status == 0)
        let codes = try String(contentsOfFile: folder + "/codes.csv", encoding: .utf8).split(separator: "\n").dropFirst().map { Double($0)! }
        // PCA-1 in Double: the leading eigenvector of the 2 × 2 covariance.
        let mean = [0, 1].map { j in rows.map { $0[j] }.reduce(0, +) / 200 }
        let centred = rows.map { [$0[0] - mean[0], $0[1] - mean[1]] }
        let (saa, sab, sbb) = (centred.map { $0[0] * $0[0] }.reduce(0, +), centred.map { $0[0] * $0[1] }.reduce(0, +), centred.map { $0[1] * $0[1] }.reduce(0, +))
        let angle = 0.5 * atan2(2 * sab, saa - sbb)
        let exact = centred.map { $0[0] * cos(angle) + $0[1] * sin(angle) }
        let correlation = pearson(codes, exact)
        #expect(abs(correlation) > 0.9999, "codes correlate \(correlation) with PCA in Double")
        // Decoding returns the file's units, offset included.
        #expect(try latent("decode", "p.safetensors", "--codes", "codes.csv", "--output", "back.npy", "--quiet", in: folder).status == 0)
        let back = try NPY.read(folder + "/back.npy").scalars
        #expect(abs(Double(back[0]) - rows[0][0]) < 64 && abs(Double(back[1]) - rows[0][1]) < 5)
    }

    /// --scale is stored in the model: ENCODE scales, DECODE returns the original units, and
    /// PCA on columns of very different spread says so when no scaling was chosen.
    @Test(arguments: [FeatureScaling.Kind.standardize, .minMax, .robust])
    func scalingIsStoredAndUndone(kind: FeatureScaling.Kind) throws {
        let folder = scratchFolder()
        var generator = RandomGenerator(seed: 5)
        let rows = (0..<100).map { _ in [1000 * generator.nextNormal(), 0.01 * generator.nextNormal(), generator.nextNormal()] }
        let text = "wide,narrow,unit\n" + rows.map { $0.map { String(format: "%.9g", $0) }.joined(separator: ",") }.joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/t.csv"))
        let unscaled = try latent("fit", "pca", "--data", "t.csv", "--code-size", "1", "--output", "u.safetensors", in: folder)
        #expect(unscaled.errors.contains("hint: column variances range from") && unscaled.errors.contains("'wide'"), "\(unscaled.errors)")
        let fit = try latent("fit", "pca", "--data", "t.csv", "--scale", kind.rawValue, "--code-size", "3", "--output", "s.safetensors", "--json", in: folder)
        #expect(fit.status == 0 && !fit.errors.contains("hint"), "\(fit.errors)")
        #expect(try json(fit.output)["scale"] as? String == kind.rawValue)
        let file = try SafeTensorsFile.read(folder + "/s.safetensors")
        #expect(try file.scaling(file: "s")?.kind == kind)
        // All three components: reconstruction is exact up to Float32, in the original units.
        let evaluation = try json(try latent("evaluate", "s.safetensors", "--data", "t.csv", "--json", in: folder).output)
        #expect((evaluation["sse_per_sample"] as! Double) < 1e-6 * 1e6)
        _ = try latent("encode", "s.safetensors", "--data", "t.csv", "--output", "z.npy", "--quiet", in: folder)
        _ = try latent("decode", "s.safetensors", "--codes", "z.npy", "--output", "x.csv", "--quiet", in: folder)
        let back = try CSV.read(folder + "/x.csv")
        #expect(back.featureNames == ["wide", "narrow", "unit"])
        for i in [0, 50, 99] { for j in 0..<3 { #expect(abs(Double(back.samples[i, j]) - rows[i][j]) <= 1e-4 * max(1, abs(rows[i][j]))) } }
        // The scaled model's codes are the PCA of the scaled columns: the narrow column counts.
        let library = try Methods.load(from: folder + "/s.safetensors")
        #expect(library is any ScaledModel)
    }
}

/// Pearson's correlation of two equally long series.
func pearson(_ x: [Double], _ y: [Double]) -> Double {
    let (mx, my) = (x.reduce(0, +) / Double(x.count), y.reduce(0, +) / Double(y.count))
    let sxy = zip(x, y).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
    let sxx = x.map { ($0 - mx) * ($0 - mx) }.reduce(0, +), syy = y.map { ($0 - my) * ($0 - my) }.reduce(0, +)
    return sxy / (sxx * syy).squareRoot()
}

/// A float64 `.npy` file of `rows` (as `np.save` writes it).
func float64NPY(_ rows: [[Double]]) -> [UInt8] {
    var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(rows.count), \(rows[0].count)), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)] + Array(header.utf8)
    for value in rows.joined() { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
    return bytes
}

/// Trained methods with their defaults on small tables of very different column scales, as
/// users bring them (178 rows of 13 columns, like wine): they learn.
@Suite struct DefaultsThatLearn {
    /// 178 samples of 13 correlated columns with spreads from 0.01 to 300 and offsets up to 750.
    func wineLikeTable(in folder: String) throws -> (path: String, totalVariance: Double) {
        var generator = RandomGenerator(seed: 9)
        let spreads = [300.0, 20, 12, 5, 3, 2, 1, 0.8, 0.5, 0.3, 0.1, 0.05, 0.01]
        let offsets = [750.0, 100, 20, 13, 2, 2.4, 2, 0.36, 1.6, 5, 1, 2.6, 0.3]
        let rows = (0..<178).map { _ -> [Double] in
            let factors = (0..<3).map { _ in generator.nextNormal() }
            return (0..<13).map { j in offsets[j] + spreads[j] * (0.8 * factors[j % 3] + 0.6 * generator.nextNormal()) }
        }
        let text = (0..<13).map { "c\($0)" }.joined(separator: ",") + "\n"
            + rows.map { $0.map { String(format: "%.6g", $0) }.joined(separator: ",") }.joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/wine.csv"))
        let parsed = try CSV.read(folder + "/wine.csv")
        return (folder + "/wine.csv", FeatureScaling.columnVariances(parsed.samples).reduce(0, +))
    }

    func sse(_ output: String) throws -> Double {
        (try JSONSerialization.jsonObject(with: Data(output.utf8)) as! [String: Any])["sse_per_sample"] as! Double
    }

    @Test func everyTrainedMethodBeatsTheMeanAndTheLinearAutoencoderMatchesPCA() throws {
        let folder = scratchFolder()
        let (path, meanPredictor) = try wineLikeTable(in: folder)
        let pca = try sse(try latent("fit", "pca", "--data", path, "--code-size", "2", "--output", "p.safetensors", "--json", "--quiet", in: folder).output)
        for method in ["linear-autoencoder", "nonlinear-pca", "deep-autoencoder"] {
            let fit = try latent("fit", method, "--data", path, "--code-size", "2", "--output", "m.safetensors", "--json", "--quiet", in: folder)
            #expect(fit.status == 0, "\(method): \(fit.errors)")
            let error = try sse(fit.output)
            // Nonlinear PCA and the deep autoencoder standardise (every column weighs alike), so
            // in raw units they need not reach PCA-2, which follows the widest column.
            #expect(error < 0.5 * meanPredictor, "\(method): \(error) against the mean predictor's \(meanPredictor)")
            if method == "linear-autoencoder" { #expect(error <= 1.02 * pca, "linear autoencoder \(error) against PCA-2 \(pca)") }
        }
    }

    /// fit --json names what the loss measures, the epoch whose weights the model keeps and its
    /// held-out loss; a run that ends while the loss still falls says so on stderr.
    @Test func lossesSayWhatTheyMeasureAndWhichEpochWasKept() throws {
        let folder = scratchFolder()
        let (path, _) = try wineLikeTable(in: folder)
        let early = try latent("fit", "nonlinear-pca", "--data", path, "--code-size", "1", "--hidden", "4", "--epochs", "400",
                               "--learning-rate", "0.05", "--held-out", "0.3", "--early-stopping", "5", "--output", "m.safetensors", "--json", "--quiet", in: folder)
        let result = try JSONSerialization.jsonObject(with: Data(early.output.utf8)) as! [String: Any]
        #expect((result["training_loss"] as? String)?.contains("standardised") == true)
        let best = result["best_epoch"] as! Int, epochs = result["epochs"] as! Int
        #expect(result["stopped_early"] as? Bool == true && best == epochs - 5, "\(result)")
        #expect((result["best_held_out_loss"] as! Double) <= (result["final_held_out_loss"] as! Double))
        let short = try latent("fit", "linear-autoencoder", "--data", path, "--code-size", "2", "--epochs", "8", "--output", "l.safetensors", "--quiet", in: folder)
        #expect(short.errors.contains("hint: the training loss still fell"), "\(short.errors)")
    }
}

/// Reports on tables whose labels are large integers or many values: nothing drawn grows with
/// a label's value.
@Suite struct ReportsOfUserTables {
    @Test(arguments: [(25, 371, "colour bar"), (3_000_000_000, 3_000_000_002, "class")])
    func reportOfLargeIntegerLabels(low: Int, high: Int, expected: String) throws {
        let folder = scratchFolder()
        var generator = RandomGenerator(seed: 3)
        let labels = (0..<400).map { low + $0 % (high - low + 1) }
        let rows = labels.map { label in (0..<4).map { _ in String(format: "%.4f", generator.nextNormal()) }.joined(separator: ",") + ",\(label)" }
        try (["a,b,c,d,target"] + rows).joined(separator: "\n").write(toFile: folder + "/t.csv", atomically: true, encoding: .utf8)
        _ = try latent("fit", "pca", "--data", "t.csv", "--label-column", "target", "--code-size", "2", "--output", "p.safetensors", "--quiet", in: folder)
        let report = try latent("report", "p.safetensors", "--data", "t.csv", "--label-column", "target", "--output", "r", "--quiet", in: folder)
        #expect(report.status == 0, "\(report.errors)")
        let page = try String(contentsOfFile: folder + "/r/index.html", encoding: .utf8)
        let codes = try String(contentsOfFile: folder + "/r/codes.svg", encoding: .utf8)
        #expect(codes.utf8.count < 200_000 && codes.contains(">\(high)</text>"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/r/codes-prior.svg"), "PCA has no prior to draw its codes over")
        #expect(expected == "class" ? page.contains("coloured by class") : page.contains("colour bar"), "\(page.prefix(2000))")
    }
}
