import Foundation
import Latent
import Testing
import TestSupport

/// Tables as users bring them, where a reader that guesses gives a wrong answer without a word:
/// columns in another order, headers of numbers, gaps in the first row, duplicate names, fill
/// values, labels that are not 0 … k − 1, and tables wider than they are long.
@Suite struct UsersDataRoundTwo {
    func write(_ text: String, _ path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    /// Rows of four columns of very different scales (the order of the columns matters).
    func rows(_ n: Int, seed: UInt64 = 3) -> [[Double]] {
        var generator = RandomGenerator(seed: seed)
        return (0..<n).map { _ in
            let t = Double(generator.nextNormal())
            return [t, 10 * t + Double(generator.nextNormal()), 100 + 50 * Double(generator.nextNormal()), 5000 + 1000 * t]
        }
    }

    func table(_ rows: [[Double]], header: [String]?, order: [Int], extra: (String, (Int) -> String)? = nil) -> String {
        var lines: [String] = []
        if let header { lines.append((order.map { header[$0] } + (extra.map { [$0.0] } ?? [])).joined(separator: ",")) }
        for (i, row) in rows.enumerated() { lines.append((order.map { "\(row[$0])" } + (extra.map { [$0.1(i)] } ?? [])).joined(separator: ",")) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// 1. A table with a header is matched to the model by name: the same rows with their
    /// columns in another order, and a text column the model never saw, give the same error.
    @Test func columnsAreMatchedByName() throws {
        let folder = scratchFolder()
        let data = rows(60), names = ["a", "b", "c", "d"]
        try write(table(data, header: names, order: [0, 1, 2, 3]), folder + "/train.csv")
        try write(table(data, header: names, order: [3, 1, 0, 2], extra: ("species", { $0 % 2 == 0 ? "Adelie" : "Gentoo" })), folder + "/shuffled.csv")
        try write(table(data, header: nil, order: [0, 1, 2, 3]), folder + "/headerless.csv")
        try write(table(data, header: names, order: [0, 1, 3]), folder + "/lacking.csv")
        let fit = try latent("fit", "pca", "--data", "train.csv", "--code-size", "2", "--output", "m.safetensors", "--quiet", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let reference = try json(try latent("evaluate", "m.safetensors", "--data", "train.csv", "--json", in: folder).output)["sse_per_sample"] as! Double
        let shuffled = try latent("evaluate", "m.safetensors", "--data", "shuffled.csv", "--json", in: folder)
        #expect(shuffled.status == 0, "\(shuffled.errors)")
        #expect(try json(shuffled.output)["sse_per_sample"] as! Double == reference)
        #expect(shuffled.errors.contains("columns matched to the model's 4 features by name"), "\(shuffled.errors)")
        #expect(shuffled.errors.contains("ignored 1 column the model was not fitted on: 'species' (4)"), "\(shuffled.errors)")
        // Codes are the same whatever the order.
        _ = try latent("encode", "m.safetensors", "--data", "train.csv", "--output", "a.npy", "--quiet", in: folder)
        _ = try latent("encode", "m.safetensors", "--data", "shuffled.csv", "--output", "b.npy", "--quiet", in: folder)
        #expect(try NPY.read(folder + "/a.npy").matrix(file: "a") == NPY.read(folder + "/b.npy").matrix(file: "b"))
        // Without a header: by position, and said.
        let headerless = try latent("evaluate", "m.safetensors", "--data", "headerless.csv", "--json", in: folder)
        #expect(try json(headerless.output)["sse_per_sample"] as! Double == reference)
        #expect(headerless.errors.contains("no column names: its 4 columns are taken by position"), "\(headerless.errors)")
        // A feature the table lacks, and --columns naming another column than fitted: errors.
        let lacking = try latent("encode", "m.safetensors", "--data", "lacking.csv", "--output", "c.npy", in: folder)
        #expect(lacking.status != 0 && lacking.errors.contains("1 of the model's 4 features is not among the table's columns: 'c'"), "\(lacking.errors)")
        let chosen = try latent("encode", "m.safetensors", "--data", "shuffled.csv", "--columns", "a,b,d,species", "--output", "c.npy", in: folder)
        #expect(chosen.status != 0 && chosen.errors.contains("'species' (4) is chosen by --columns but is not among the features the model was fitted on"), "\(chosen.errors)")
    }

    /// 2. Spectra whose header is the wavelengths: read as a header, with a note; a first row
    /// of data that only lies far outside is kept, with a note.
    @Test func aHeaderOfNumbersIsAHeader() throws {
        let folder = scratchFolder()
        var generator = RandomGenerator(seed: 5)
        let wavelengths = Array(stride(from: 400, to: 500, by: 2))
        let spectra = (0..<30).map { _ in wavelengths.map { _ in String(format: "%.4f", abs(generator.nextNormal())) }.joined(separator: ",") }
        try write(([wavelengths.map(String.init).joined(separator: ",")] + spectra).joined(separator: "\n"), folder + "/spectra.csv")
        let fit = try latent("fit", "pca", "--data", "spectra.csv", "--code-size", "2", "--output", "s.safetensors", "--json", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        #expect(try json(fit.output)["samples"] as? Int == 30)
        #expect(fit.errors.contains("line 1 (400, 402, 404, …) reads unlike the rows below"), "\(fit.errors)")
        let ratio = try json(fit.output)["explained_variance_ratio"] as! Double
        #expect(ratio < 0.5, "the header became an outlier sample: \(ratio)")
        // Decoded tables carry the wavelengths as column names.
        _ = try latent("encode", "s.safetensors", "--data", "spectra.csv", "--output", "z.npy", "--quiet", in: folder)
        _ = try latent("decode", "s.safetensors", "--codes", "z.npy", "--output", "back.csv", "--quiet", in: folder)
        #expect(try String(contentsOfFile: folder + "/back.csv", encoding: .utf8).hasPrefix("400,402,404,"))
        // --header no keeps it as data.
        let kept = try latent("fit", "pca", "--data", "spectra.csv", "--header", "no", "--code-size", "2", "--output", "k.safetensors", "--json", in: folder)
        #expect(try json(kept.output)["samples"] as? Int == 31)
        // A first row of decimals far outside the columns: data, said.
        let outlier = ["100.5,200.25,300.5"] + spectra.map { $0.split(separator: ",").prefix(3).joined(separator: ",") }
        try write(outlier.joined(separator: "\n"), folder + "/outlier.csv")
        let data = try latent("fit", "pca", "--data", "outlier.csv", "--code-size", "1", "--output", "o.safetensors", "--json", in: folder)
        #expect(try json(data.output)["samples"] as? Int == 31)
        #expect(data.errors.contains("looks unlike the rows below (values far outside 3 of the 3 columns' ranges), but was kept as data"), "\(data.errors)")
    }

    /// 4. A gap is a missing value, never evidence of a header.
    @Test func aGapInTheFirstRowIsData() throws {
        let folder = scratchFolder()
        let lines = ["1.5,NA,3.25", "2.5,1.0,4.0"] + (0..<20).map { "\(Double($0) * 0.1),\(Double($0) * 0.2 + 1),\(Double($0 % 3))" }
        try write(lines.joined(separator: "\n"), folder + "/gaps.csv")
        let fit = try latent("fit", "pca", "--data", "gaps.csv", "--missing", "mean", "--code-size", "1", "--output", "g.safetensors", "--json", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        #expect(try json(fit.output)["samples"] as? Int == 22)
        #expect(fit.errors.contains("filled 1 missing values"), "\(fit.errors)")
    }

    /// 5. A name held by two columns is refused with both positions.
    @Test func duplicateNamesAreRefused() throws {
        let folder = scratchFolder()
        try write("x,y,x,label\n" + (0..<20).map { "\($0),\($0 * 2),\($0 % 3),\($0 % 2)" }.joined(separator: "\n"), folder + "/dup.csv")
        for option in ["--columns", "--drop-columns", "--label-column"] {
            let result = try latent("fit", "pca", "--data", "dup.csv", option, "x", "--code-size", "1", "--output", "d.safetensors", in: folder)
            #expect(result.status != 0 && result.errors.contains("'x' names 2 columns, at 0-based positions 0 and 2"), "\(option): \(result.errors)")
        }
        // By position it is clear.
        let fit = try latent("fit", "pca", "--data", "dup.csv", "--drop-columns", "2", "--label-column", "label", "--code-size", "1", "--output", "d.safetensors", "--quiet", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let encode = try latent("encode", "d.safetensors", "--data", "dup.csv", "--label-column", "label", "--output", "c.npy", in: folder)
        #expect(encode.status != 0 && encode.errors.contains("the model's feature 'x' names columns 0 and 2"), "\(encode.errors)")
    }

    /// 6. Fill values are the training data's, stored in the model: a one-row file encodes,
    /// and a row's code does not depend on the rows beside it.
    @Test func fillValuesBelongToTheModel() throws {
        let folder = scratchFolder()
        try write("a,b,c\n1,2,3\n2,,5\n3,4,NA\n4,8,9\n5,10,11\n", folder + "/train.csv")
        try write("a,b,c\n1,,3\n", folder + "/one.csv")
        try write("a,b,c\n1,,3\n100,1000,1000\n", folder + "/two.csv")
        try write("a,b,c\n1,6,3\n", folder + "/filled.csv")
        let fit = try latent("fit", "pca", "--data", "train.csv", "--missing", "mean", "--code-size", "1", "--output", "m.safetensors", "--quiet", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let metadata = try SafeTensorsFile.read(folder + "/m.safetensors").missingFill(file: "m")
        #expect(metadata == MissingValueFill(policy: .mean, values: [3, 6, 7]))
        for file in ["one", "two", "filled"] {
            let result = try latent("encode", "m.safetensors", "--data", "\(file).csv", "--output", "\(file).npy", in: folder)
            #expect(result.status == 0, "\(file): \(result.errors)")
        }
        let one = try NPY.read(folder + "/one.npy").matrix(file: "one"), two = try NPY.read(folder + "/two.npy").matrix(file: "two")
        let filled = try NPY.read(folder + "/filled.npy").matrix(file: "filled")
        #expect(one.scalars == filled.scalars && two.scalars[0] == filled.scalars[0])
        // A model without fill values does not fill from the file at hand.
        _ = try latent("fit", "pca", "--data", "filled.csv", "--header", "yes", "--code-size", "1", "--output", "plain.safetensors", "--quiet", in: folder)
        try write("a,b,c\n1,2,3\n4,5,6\n7,8,10\n", folder + "/full.csv")
        _ = try latent("fit", "pca", "--data", "full.csv", "--code-size", "1", "--output", "plain.safetensors", "--quiet", in: folder)
        let refused = try latent("encode", "plain.safetensors", "--data", "two.csv", "--missing", "mean", "--output", "x.npy", in: folder)
        #expect(refused.status != 0 && refused.errors.contains("the model was fitted without fill values"), "\(refused.errors)")
    }

    /// 8. Classes are the distinct values seen: labels 10/20/30 are three classes, named by
    /// their values; a labels file with one line more than samples has a header.
    @Test func integerLabelsAreTheValuesSeen() throws {
        let folder = scratchFolder()
        var generator = RandomGenerator(seed: 8)
        let labels = (0..<60).map { [10, 20, 30][$0 % 3] }
        let lines = labels.map { label in (0..<3).map { _ in "\(Double(label) / 10 + Double(generator.nextNormal()) * 0.3)" }.joined(separator: ",") + ",\(label)" }
        try write((["a,b,c,y"] + lines).joined(separator: "\n"), folder + "/t.csv")
        let fit = try latent("fit", "vae", "--data", "t.csv", "--label-column", "y", "--condition-on-labels", "--code-size", "2", "--epochs", "2",
                             "--output", "v.safetensors", "--quiet", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        #expect(try SafeTensorsFile.read(folder + "/v.safetensors").classNames(file: "v") == ["10", "20", "30"])
        #expect(try latent("sample", "v.safetensors", "--count", "2", "--class", "20", "--output", "s.npy", "--quiet", in: folder).status == 0)
        for absent in ["15", "1"] {
            let refused = try latent("sample", "v.safetensors", "--count", "2", "--class", absent, "--output", "s.npy", in: folder)
            #expect(refused.status != 0 && refused.errors.contains("no such class"), "\(absent): \(refused.errors)")
        }
        // A test file holding two of the classes is numbered as the training file.
        let test = (["a,b,c,y"] + lines.enumerated().filter { labels[$0.offset] != 30 }.map(\.element)).joined(separator: "\n")
        try write(test, folder + "/test.csv")
        _ = try latent("fit", "pca", "--data", "t.csv", "--label-column", "y", "--code-size", "2", "--output", "p.safetensors", "--quiet", in: folder)
        let evaluated = try latent("evaluate", "p.safetensors", "--data", "test.csv", "--reference", "t.csv", "--label-column", "y", "--json", in: folder)
        #expect(evaluated.status == 0, "\(evaluated.errors)")
        #expect(try json(evaluated.output)["knn_accuracy"] as! Double > 0.8)
        // pandas' Series.to_csv writes a header `0` above unnamed labels: one line more than samples.
        try write(table(rows(60), header: ["a", "b", "c", "d"], order: [0, 1, 2, 3]), folder + "/x.csv")
        try write((["0"] + labels.map(String.init)).joined(separator: "\n") + "\n", folder + "/labels.csv")
        let headed = try latent("fit", "kmeans", "--data", "x.csv", "--labels", "labels.csv", "--clusters", "3", "--output", "k.safetensors", "--json", in: folder)
        #expect(headed.status == 0, "\(headed.errors)")
        #expect(headed.errors.contains("labels.csv holds one line more than the 60 samples: its first line was read as a header"), "\(headed.errors)")
    }

    /// 3. Exact PCA of a table far wider than long takes the n × n Gram matrix (dual PCA), under
    /// a 2 GB limit, and equals NumPy's SVD; a D × D matrix beyond the limit is refused with its size.
    @Test(.enabled(if: pythonCanImport("numpy"), "needs python3 with numpy (CI installs it)"))
    func exactPCAOfAWideTable() throws {
        let folder = scratchFolder()
        var generator = RandomGenerator(seed: 11)
        let (n, d) = (5, 40_000)
        let header = (0..<d).map { "g\($0)" }.joined(separator: ",")
        let lines = (0..<n).map { _ in (0..<d).map { j in String(format: "%.5f", generator.nextNormal() * (0.1 + 3 * Double(j) / Double(d))) }.joined(separator: ",") }
        try write(([header] + lines).joined(separator: "\n") + "\n", folder + "/wide.csv")
        let fit = try latent("fit", "pca", "--data", "wide.csv", "--code-size", "3", "--memory-limit", "2G", "--output", "w.safetensors", "--json", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let script = """
            import json, struct, numpy as np
            x = np.loadtxt('wide.csv', delimiter=',', skiprows=1)
            f = open('w.safetensors', 'rb'); size = struct.unpack('<Q', f.read(8))[0]; header = json.loads(f.read(size)); base = 8 + size
            def tensor(name):
                a, b = header[name]['data_offsets']; f.seek(base + a)
                return np.frombuffer(f.read(b - a), dtype=np.float32).reshape(header[name]['shape']).astype(np.float64)
            centred = x - x.mean(0)
            _, s, vt = np.linalg.svd(centred, full_matrices=False)
            variance = s ** 2 / (len(x) - 1)
            print(json.dumps({'variance': float(np.max(np.abs(tensor('explained_variance') - variance[:3]) / variance[:3])),
                              'ratio': float(np.max(np.abs(tensor('explained_variance_ratio') - variance[:3] / variance.sum()))),
                              'axes': float(np.max(np.abs(np.abs(np.sum(tensor('components') * vt[:3], axis=1)) - 1)))}))
            """
        let result = try runProcess("python3", ["-c", script], in: folder)
        #expect(result.status == 0, "\(result.errors)")
        let errors = try json(result.output).mapValues { $0 as! Double }
        #expect(errors["variance"]! < 1e-5 && errors["ratio"]! < 1e-6 && errors["axes"]! < 1e-5, "\(errors)")

        // 2 000 features, 2 500 samples: the D × D matrices need about 96 MB.
        try NPY.write(randomTensor([2_500, 2_000], seed: 2), to: folder + "/square.npy")
        let refused = try latent("fit", "pca", "--data", "square.npy", "--code-size", "2", "--memory-limit", "60M", "--output", "q.safetensors", in: folder)
        #expect(refused.status != 0 && refused.errors.contains("the exact solver's 2000 × 2000 matrix needs 91.6 MiB, more than the memory limit of 60.0 MiB"), "\(refused.errors)")
        let randomized = try latent("fit", "pca", "--data", "square.npy", "--code-size", "2", "--solver", "randomized", "--memory-limit", "60M", "--output", "q.safetensors", "--quiet", in: folder)
        #expect(randomized.status == 0, "\(randomized.errors)")

        // Transport's cost matrices are checked against the same limit: 1 000 × 1 000 floats need 3.8 MiB.
        try NPY.write(randomTensor([1_000, 3], seed: 3), to: folder + "/a.npy")
        try NPY.write(randomTensor([1_000, 3], seed: 4), to: folder + "/b.npy")
        for metric in ["sinkhorn", "emd"] {
            let transport = try latent("distance", "a.npy", "b.npy", "--metric", metric, "--memory-limit", "2M", in: folder)
            #expect(transport.status != 0 && transport.errors.contains("more than the memory limit of 2.0 MiB"), "\(metric): \(transport.errors)")
        }
    }

    /// 7. Neighbourhood metrics of a standardised model are measured where the model was
    /// fitted; every number says which space it is in.
    @Test func metricsSayTheirSpace() throws {
        let folder = scratchFolder()
        // One column a thousand times wider than the others: raw distances follow it alone.
        var generator = RandomGenerator(seed: 4)
        let lines = (0..<120).map { i -> String in
            let cluster = Double(i % 3)
            return [cluster + 0.1 * generator.nextNormal(), -cluster + 0.1 * generator.nextNormal(), 1000 * generator.nextNormal()]
                .map { String(format: "%.5f", $0) }.joined(separator: ",")
        }
        try write((["a,b,noise"] + lines).joined(separator: "\n"), folder + "/t.csv")
        #expect(try latent("fit", "pca", "--data", "t.csv", "--scale", "standardize", "--code-size", "2", "--output", "m.safetensors", "--quiet", in: folder).status == 0)
        func evaluate(_ extra: String...) throws -> [String: Any] {
            let result = try runLatent(["evaluate", "m.safetensors", "--data", "t.csv", "--reference", "t.csv", "--json"] + extra, in: folder)
            #expect(result.status == 0, "\(result.errors)")
            return try json(result.output)
        }
        let model = try evaluate(), data = try evaluate("--metric-space", "data")
        let spaces = model["metric_spaces"] as! [String: String]
        #expect(spaces["trustworthiness"] == "model (standardize)" && spaces["sse_per_sample"] == "data", "\(spaces)")
        #expect((data["metric_spaces"] as! [String: String])["trustworthiness"] == "data")
        #expect(model["trustworthiness"] as! Double != data["trustworthiness"] as! Double)
        let (scaledError, rawError) = (model["sse_per_sample_model_space"] as! Double, model["sse_per_sample"] as! Double)
        #expect(scaledError > 0 && scaledError < rawError, "\(model)")
        let fit = try latent("fit", "pca", "--data", "t.csv", "--scale", "standardize", "--code-size", "2", "--output", "n.safetensors", "--json", in: folder)
        #expect((try json(fit.output)["metric_spaces"] as! [String: String])["explained_variance_ratio"] == "model (standardize)")
    }

    /// 12. Text columns are listed at once, with the options that help; positions are 0-based.
    @Test func textColumnsAreListedAtOnce() throws {
        let folder = scratchFolder()
        try write("index,species,island,bill,flipper,sex\ncell1,Adelie,Torgersen,39.1,181,male\ncell2,Gentoo,Biscoe,46.1,211,female\n", folder + "/p.csv")
        let result = try latent("fit", "pca", "--data", "p.csv", "--code-size", "1", "--output", "p.safetensors", in: folder)
        #expect(result.status != 0)
        #expect(result.errors.contains("p.csv: line 2: 4 columns of text, not numbers: 'index' (0) holds 'cell1', 'species' (1) holds 'Adelie', 'island' (2) holds 'Torgersen', 'sex' (5) holds 'male'"), "\(result.errors)")
        #expect(result.errors.contains("--index-column 0") && result.errors.contains("--drop-columns index,species,island,sex"), "\(result.errors)")
        // Following the advice works, and a later error names the column as the options do.
        try write("index,species,bill,flipper\ncell1,Adelie,39.1,181\ncell2,Gentoo,,211\ncell3,Adelie,40,190\n", folder + "/q.csv")
        let gap = try latent("fit", "pca", "--data", "q.csv", "--index-column", "0", "--drop-columns", "species", "--code-size", "1", "--output", "q.safetensors", in: folder)
        #expect(gap.errors.contains("q.csv: line 3, column 2 ('bill'): missing value"), "\(gap.errors)")
    }

    /// 13. In a log (stderr not a terminal), progress is a line at most every 10 s or 5 % of the work.
    @Test func progressInALogIsBounded() throws {
        let folder = scratchFolder()
        try write(table(rows(40), header: ["a", "b", "c", "d"], order: [0, 1, 2, 3]), folder + "/t.csv")
        let fit = try latent("fit", "linear-autoencoder", "--data", "t.csv", "--scale", "standardize", "--code-size", "2", "--epochs", "400",
                             "--batch-size", "40", "--output", "l.safetensors", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let lines = fit.errors.split(separator: "\n")
        #expect(lines.count <= 30, "\(lines.count) lines of progress for 400 epochs:\n\(fit.errors.prefix(2000))")
        #expect(lines.contains { $0.contains("epoch 400") || $0.contains("400/400") }, "\(fit.errors.suffix(1000))")
    }

    /// 15. Images are not told to standardise (their constant borders would blow up).
    @Test func noScalingHintForImages() throws {
        let folder = scratchFolder()
        var generator = RandomGenerator(seed: 6)
        // 8 × 8 digits-like images: border pixels almost always 0, centre ones vary.
        let images = (0..<60).map { _ in (0..<64).map { p in (p % 8 == 0 || p < 8) ? (generator.nextUniform() < 0.02 ? 1 : 0) : Double(generator.nextInt(below: 17)) } }
        try write(images.map { $0.map { String(Int($0)) }.joined(separator: ",") }.joined(separator: "\n"), folder + "/digits.csv")
        let fit = try latent("fit", "pca", "--data", "digits.csv", "--code-size", "2", "--output", "d.safetensors", in: folder)
        #expect(fit.status == 0 && !fit.errors.contains("hint: column variances"), "\(fit.errors)")
        // A table of measurements still gets the hint.
        try write(table(rows(60), header: ["a", "b", "c", "d"], order: [0, 1, 2, 3]), folder + "/t.csv")
        #expect(try latent("fit", "pca", "--data", "t.csv", "--code-size", "2", "--output", "t.safetensors", in: folder).errors.contains("hint: column variances"))
    }

    /// 16. Samplers compared against one test set are measured with one kernel.
    @Test func oneBandwidthPerReference() throws {
        let folder = scratchFolder()
        try NPY.write(randomTensor([200, 6], seed: 1), to: folder + "/real.npy")
        try NPY.write(randomTensor([200, 6], seed: 2), to: folder + "/a.npy")
        try NPY.write(randomTensor([200, 6], lower: -3, upper: 3, seed: 3), to: folder + "/b.npy")
        let bandwidths = try ["a.npy", "b.npy"].map { samples in
            let result = try latent("evaluate-samples", samples, "--data", "real.npy", "--features", "6", "--json", in: folder)
            #expect(result.status == 0, "\(result.errors)")
            return try json(result.output)["mmd_bandwidth"] as! Double
        }
        #expect(bandwidths[0] == bandwidths[1], "\(bandwidths)")
    }

    /// 17. A VAE whose KL falls below 1 nat per sample says so, with the measured KL.
    @Test func posteriorCollapseIsReported() throws {
        let folder = scratchFolder()
        // Pure noise: nothing for the code to carry, and a large β pushes the KL to zero.
        try NPY.write(randomTensor([200, 8], seed: 5), to: folder + "/noise.npy")
        let fit = try latent("fit", "vae", "--data", "noise.npy", "--code-size", "4", "--hidden", "16", "--beta", "20", "--epochs", "20",
                             "--output", "v.safetensors", "--json", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let kl = try json(fit.output)["kl_per_sample"] as! Double
        #expect(kl < 1 && fit.errors.contains("posterior has collapsed onto the prior"), "KL \(kl): \(fit.errors)")
    }

    /// 9 and 10. A user's (n, h, w) images keep their shape: every image-writing command draws
    /// 8 × 4 halves, at least 64 pixels wide, and values on the training data's [0, 1] are drawn
    /// as they are (clipped), not stretched over the grid's own range.
    @Test func imagesOfAnyShapeAreDrawnOnTheirOwnScale() throws {
        let folder = scratchFolder()
        var generator = RandomGenerator(seed: 9)
        // 8 × 4 halves of digits-like images in [0, 1]: a bright bar whose column varies.
        let images = (0..<120).map { i -> [Float] in
            let bar = i % 4
            return (0..<32).map { p in p % 4 == bar ? 0.9 : 0.05 + 0.05 * Float(generator.nextUniform()) }
        }
        try Data(npyBytes(descr: "<f4", shape: [120, 8, 4], payload: images.flatMap { $0 }.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }))
            .write(to: URL(fileURLWithPath: folder + "/halves.npy"))
        #expect(try latent("fit", "pca", "--data", "halves.npy", "--code-size", "2", "--output", "h.safetensors", "--quiet", in: folder).status == 0)
        #expect(try SafeTensorsFile.read(folder + "/h.safetensors").sampleShape(file: "h") == [8, 4])
        for arguments in [["interpolate", "h.safetensors", "--data", "halves.npy", "--from", "0", "--to", "1", "--steps", "5"],
                          ["traverse", "h.safetensors", "--data", "halves.npy", "--steps", "3"]] {
            let png = try runLatent(arguments + ["--output", "x.png"], in: folder)
            #expect(png.status == 0, "\(arguments[0]): \(png.errors)")
            let npy = try runLatent(arguments + ["--output", "x.npy"], in: folder)
            #expect(npy.status == 0, "\(arguments[0]): \(npy.errors)")
            let decoded = try NPY.read(folder + "/x.npy").matrix(file: "x")
            let image = try Data(contentsOf: URL(fileURLWithPath: folder + "/x.png"))
            let width: Int = image[16..<20].reduce(0) { $0 << 8 | Int($1) }
            // 8 × 4 images drawn 16 screen pixels a pixel: 64 wide.
            #expect(width >= 64 && width % 4 == 0, "\(arguments[0]): \(width) pixels wide")
            // Values in [0, 1] map to grey levels as they are: the first decoded value, clipped.
            let expected = UInt8((min(max(decoded.scalars[0], 0), 1) * 255).rounded())
            #expect(try firstPixel(ofPNG: folder + "/x.png") == expected, "\(arguments[0])")
        }
        let report = try latent("report", "h.safetensors", "--data", "halves.npy", "--output", "r", "--quiet", in: folder)
        #expect(report.status == 0 && FileManager.default.fileExists(atPath: folder + "/r/reconstructions.svg"), "\(report.errors)")
    }

    /// The grey level of the top-left pixel of a grey PNG that Latent wrote (zlib via `python3`,
    /// an independent decoder).
    func firstPixel(ofPNG path: String) throws -> UInt8 {
        let script = "import zlib,struct,sys; d=open(sys.argv[1],'rb').read(); i=8; z=b''\n"
            + "while i < len(d):\n n=struct.unpack('>I',d[i:i+4])[0]; t=d[i+4:i+8]\n if t==b'IDAT': z+=d[i+8:i+8+n]\n i+=12+n\n"
            + "print(zlib.decompress(z)[1])"
        let result = try runProcess("python3", ["-c", script, path])
        return UInt8(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// 11. A principal tree's codes are drawn as pseudotime and branch.
    @Test func treeCodesAreBranchAndPseudotime() throws {
        let folder = scratchFolder()
        #expect(try latent("fit", "principal-graph", "--data", "star?n=300&seed=1", "--topology", "tree", "--nodes", "12", "--output", "t.safetensors", "--quiet", in: folder).status == 0)
        #expect(try latent("report", "t.safetensors", "--data", "star?n=300&seed=1", "--output", "r", "--quiet", in: folder).status == 0)
        let codes = try String(contentsOfFile: folder + "/r/codes.svg", encoding: .utf8)
        #expect(codes.contains(">pseudotime (distance along the tree)</text>") && codes.contains(">branch</text>"))
    }

    /// 1, for a translator: each domain's table is matched to that domain's columns by name.
    @Test func translatorDomainsAreMatchedByName() throws {
        let folder = scratchFolder()
        let data = rows(80)
        try write(table(data, header: ["a", "b", "c", "d"], order: [0, 1, 2, 3]), folder + "/x.csv")
        try write(table(data, header: ["p", "q", "r", "s"], order: [3, 2, 1, 0]), folder + "/y.csv")
        try write(table(data, header: ["p", "q", "r", "s"], order: [1, 3, 0, 2]), folder + "/y-shuffled.csv")
        let fit = try latent("fit", "translator", "--domain", "x=x.csv", "--domain", "y=y.csv", "--scale", "standardize", "--code-size", "2",
                             "--hidden", "8", "--epochs", "2", "--test-split", "none", "--output", "t.safetensors", "--quiet", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        // y-shuffled.csv holds y.csv's columns in another order: the same translations.
        _ = try latent("translate", "t.safetensors", "--data", "y.csv", "--from", "y", "--to", "x", "--output", "a.npy", "--quiet", in: folder)
        let shuffled = try latent("translate", "t.safetensors", "--data", "y-shuffled.csv", "--from", "y", "--to", "x", "--output", "b.npy", in: folder)
        #expect(shuffled.status == 0 && shuffled.errors.contains("columns matched to the model's 4 features by name"), "\(shuffled.errors)")
        #expect(try NPY.read(folder + "/a.npy").matrix(file: "a") == NPY.read(folder + "/b.npy").matrix(file: "b"))
        let missing = try latent("translate", "t.safetensors", "--data", "x.csv", "--from", "y", "--to", "x", "--output", "c.npy", in: folder)
        #expect(missing.status != 0 && missing.errors.contains("4 of the model's 4 features are not among the table's columns"), "\(missing.errors)")
    }
}
