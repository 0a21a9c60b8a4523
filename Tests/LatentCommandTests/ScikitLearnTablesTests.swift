import Foundation
import Latent
import Testing
import TestSupport

/// scikit-learn's bundled tables, written by pandas as users write them (a header, an index
/// column, string labels), through the command line; the numbers are checked against
/// scikit-learn's own. Runs where python3 has scikit-learn and pandas (CI installs both).
@Suite(.enabled(if: pythonCanImport("sklearn") && pythonCanImport("pandas"), "needs python3 with scikit-learn and pandas"))
struct ScikitLearnTables {
    /// Writes the tables into `folder` and returns what scikit-learn computes on them.
    func prepare(_ folder: String) throws -> [String: Any] {
        let script = """
            import json, numpy as np, pandas as pd
            from sklearn import datasets
            from sklearn.decomposition import PCA
            from sklearn.neighbors import KNeighborsClassifier
            out = {}
            for name in ["digits", "wine", "breast_cancer", "iris", "diabetes"]:
                b = getattr(datasets, "load_" + name)()
                frame = pd.DataFrame(b.data)
                frame["target"] = b.target
                frame.to_csv("\(folder)/" + name + ".csv")           # pandas' defaults: ,0,1,… and an index
                out[name] = {"pca2": float(np.sum((b.data - PCA(2).fit(b.data).inverse_transform(PCA(2).fit_transform(b.data))) ** 2) / len(b.data)),
                             "mean": float(np.var(b.data, axis=0).sum())}
            iris = datasets.load_iris()
            species = np.array(iris.target_names)[iris.target]
            rng = np.random.default_rng(0)
            order = rng.permutation(150)
            train, test = order[:100], order[100:]
            test = test[species[test] != "setosa"]                  # the test file lacks a class
            for part, rows in [("train", train), ("test", test)]:
                frame = pd.DataFrame(iris.data[rows], columns=["sepal length", "sepal width", "petal length", "petal width"])
                frame["species"] = species[rows]
                frame.to_csv("\(folder)/iris-" + part + ".csv", sep=";", index=False)
            pca = PCA(2).fit(iris.data[train])
            knn = KNeighborsClassifier(5).fit(pca.transform(iris.data[train]), species[train])
            out["iris_knn"] = float(knn.score(pca.transform(iris.data[test]), species[test]))
            np.save("\(folder)/iris.npy", iris.data)
            pd.Series(species, name="species").to_csv("\(folder)/iris-labels.csv", index=False)
            print(json.dumps(out))
            """
        let result = try runProcess("python3", ["-c", script])
        guard result.status == 0 else { throw ValidationFailure(result.errors) }
        return try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as! [String: Any]
    }

    struct ValidationFailure: Error { let text: String; init(_ text: String) { self.text = text } }

    func json(_ output: String) throws -> [String: Any] { try JSONSerialization.jsonObject(with: Data(output.utf8)) as! [String: Any] }

    @Test func tablesReadAsScikitLearnSeesThem() throws {
        let folder = scratchFolder()
        let reference = try prepare(folder)
        for name in ["digits", "wine", "breast_cancer", "iris", "diabetes"] {
            let expected = reference[name] as! [String: Double]
            let pca = try latent("fit", "pca", "--data", name + ".csv", "--label-column", "target", "--code-size", "2", "--output", "p.safetensors", "--json", in: folder)
            #expect(pca.status == 0, "\(name): \(pca.errors)")
            // The index column is dropped (with a note), so PCA sees scikit-learn's columns.
            #expect(pca.errors.contains("pandas' index"), "\(name): \(pca.errors)")
            let error = try json(pca.output)["sse_per_sample"] as! Double
            #expect(abs(error - expected["pca2"]!) <= 1e-4 * expected["pca2"]!, "\(name): PCA-2 \(error), scikit-learn \(expected["pca2"]!)")
            let linear = try latent("fit", "linear-autoencoder", "--data", name + ".csv", "--label-column", "target", "--code-size", "2",
                                    "--output", "l.safetensors", "--json", "--quiet", in: folder)
            let linearError = try json(linear.output)["sse_per_sample"] as! Double
            #expect(linearError <= 1.02 * expected["pca2"]!, "\(name): linear autoencoder \(linearError), PCA-2 \(expected["pca2"]!)")
        }
        // Semicolons, string labels, a test file that lacks a class: scikit-learn's kNN accuracy.
        _ = try latent("fit", "pca", "--data", "iris-train.csv", "--label-column", "species", "--code-size", "2", "--output", "iris.safetensors", "--quiet", in: folder)
        let evaluation = try latent("evaluate", "iris.safetensors", "--data", "iris-test.csv", "--reference", "iris-train.csv",
                                    "--label-column", "species", "--json", in: folder)
        #expect(evaluation.status == 0, "\(evaluation.errors)")
        let accuracy = try json(evaluation.output)["knn_accuracy"] as! Double
        #expect(abs(accuracy - (reference["iris_knn"] as! Double)) < 1e-9, "kNN accuracy \(accuracy), scikit-learn \(reference["iris_knn"]!)")
        // An NPY with a separate labels file whose header pandas wrote.
        let clusters = try latent("fit", "kmeans", "--data", "iris.npy", "--labels", "iris-labels.csv", "--clusters", "3", "--output", "k.safetensors", "--quiet", in: folder)
        #expect(clusters.status == 0, "\(clusters.errors)")
        let scores = try json(try latent("evaluate", "k.safetensors", "--data", "iris.npy", "--labels", "iris-labels.csv", "--json", in: folder).output)
        #expect((scores["adjusted_rand_index"] as! Double) > 0.6 && (scores["purity"] as! Double) > 0.85, "\(scores)")
    }
}
