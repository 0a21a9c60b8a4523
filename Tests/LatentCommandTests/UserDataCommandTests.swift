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
        #expect(refused.status != 0 && refused.errors.contains("t.csv: line 3, column 2: missing value"), "\(refused.errors)")
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
}
