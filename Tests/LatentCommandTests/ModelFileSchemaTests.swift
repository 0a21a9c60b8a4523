import Foundation
import Latent
import Testing
import TestSupport

/// Every metadata key a model file holds is declared in one place: the format's core keys, or
/// an entry of ``ModelFileSchema``.
@Suite struct ModelFileSchemaEntries {
    static let core: Set<String> = [SafeTensorsFile.formatVersionKey, SafeTensorsFile.methodKey, SafeTensorsFile.configurationKey]

    @Test func everyKeyAFitWritesIsDeclared() throws {
        let folder = scratchFolder()
        let fits: [[String]] = [
            ["fit", "pca", "--data", "blobs", "--code-size", "2", "--scale", "standardize", "--output", "pca.safetensors"],
            ["fit", "vae", "--data", "fashion-mnist-mini:train", "--epochs", "1", "--code-size", "2", "--output", "vae.safetensors"],
            ["fit", "principal-graph", "--data", "circle", "--topology", "circle", "--nodes", "6", "--output", "graph.safetensors"],
            ["fit", "translator", "--domain", "a=circle", "--domain", "b=circle", "--epochs", "1", "--scale", "standardize", "--output", "t.safetensors"],
        ]
        var seen = Set<String>()
        for arguments in fits {
            let result = try runLatent(arguments + ["--quiet"], in: folder)
            #expect(result.status == 0, "\(arguments): \(result.errors)")
            let file = try SafeTensorsFile.read(folder + "/" + arguments[arguments.firstIndex(of: "--output")! + 1])
            seen.formUnion(file.metadata.keys)
        }
        let density = try runLatent(["fit-density", "pca.safetensors", "--data", "blobs", "--quiet"], in: folder)
        #expect(density.status == 0, "\(density.errors)")
        seen.formUnion(try SafeTensorsFile.read(folder + "/pca.safetensors").metadata.keys)
        let declared = Self.core.union(ModelFileSchema.keys)
        #expect(seen.isSubset(of: declared), "undeclared keys: \(seen.subtracting(declared).sorted())")
        // The fits above write most of the schema: the test is not empty.
        #expect(seen.intersection(ModelFileSchema.keys).count >= 8, "\(seen.sorted())")
    }

    /// A model saved by the library with its training data holds what `latent fit` writes, the
    /// command line aside: names, sample shape and value range come back alike.
    @Test func theLibrarySavesWhatFitWrites() throws {
        let folder = scratchFolder()
        let fit = try runLatent(["fit", "pca", "--data", "fashion-mnist-mini:train", "--code-size", "2", "--output", "cli.safetensors", "--quiet"], in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let data = try DatasetLoader().load("fashion-mnist-mini:train")
        var generator = RandomGenerator(seed: 0)
        let pca = try PCA.fit(data.samples, configuration: .init(components: .count(2)), using: &generator)
        try pca.save(to: folder + "/library.safetensors", trainedOn: data)
        var written = try SafeTensorsFile.read(folder + "/cli.safetensors").metadata
        written[SafeTensorsFile.commandKey] = nil
        let saved = try SafeTensorsFile.read(folder + "/library.safetensors")
        #expect(saved.metadata == written)
        #expect(try saved.classNames(file: "library") == data.classNames && saved.sampleShape(file: "library") == [28, 28])
    }

    /// An entry whose value is not what the schema says is an error naming the entry.
    @Test func anInvalidEntryIsAClearError() throws {
        var file = SafeTensorsFile(tensors: [])
        file.metadata[ModelFileSchema.sampleShape.key] = "[28, 0]"
        #expect { _ = try file.sampleShape(file: "m.safetensors") } throws: {
            "\($0)".contains("__metadata__.sample_shape") && "\($0)".contains("is not a JSON array of positive integers")
        }
        file.metadata[ModelFileSchema.trainingHistory.key] = "{"
        #expect { _ = try file.trainingHistory(file: "m.safetensors") } throws: { "\($0)".contains("__metadata__.training_history") && "\($0)".contains("cannot be read") }
        try file.setSampleShape([28, 28])
        #expect(try file.sampleShape(file: "m.safetensors") == [28, 28])
        try file.setSampleShape(nil)
        #expect(file.metadata[ModelFileSchema.sampleShape.key] == nil)
    }
}
