import DataFormats
import Foundation
import Testing
import Tensors

@Suite struct NPZFiles {
    @Test func readsNumPyArchives() throws {
        let stored = try NPZ.read(fixture("stored.npz"))
        #expect(stored.map(\.name).sorted() == ["labels", "samples"])
        let loaded = try DatasetLoader().load(fixture("stored.npz"))
        #expect(loaded.samples == fixtureBase && loaded.labels == [0, 1])
        let deflated = try DatasetLoader().load(fixture("deflated.npz"))
        #expect(deflated.samples == fixtureBase && deflated.labels == [1, 0])
    }

    @Test(arguments: [false, true])
    func roundTrips(compressed: Bool) throws {
        let path = temporaryFolder() + "/t.npz"
        try NPZ.write([("x", fixtureBase), ("y", Tensor([0, 1]))], to: path, compressed: compressed)
        let arrays = try NPZ.read(path)
        #expect(arrays.first { $0.name == "x" }?.array.tensor == fixtureBase)
        if let python = pythonWith("numpy") {
            let output = try runPython(python, "import numpy as np; z = np.load('\(path)'); print(sorted(z.files), z['x'].tolist())")
            #expect(output.contains("['x', 'y'] [[1.5, -2.25, 3.0]"), "\(output)")
        }
    }

    @Test func notAnArchive() throws {
        let path = temporaryFolder() + "/bad.npz"
        try FileIO.writeAtomically(Array("not a zip".utf8), to: path)
        #expect(errorText { _ = try NPZ.read(path) }.contains("bad.npz"))
    }
}

@Suite struct SafeTensorsFiles {
    let model = SafeTensorsFile(tensors: [("encoder.0.weight", fixtureBase), ("encoder.0.bias", Tensor([0.5, -0.5])),
                                          ("scalar", Tensor(3))],
                                metadata: ["format_version": "1", "method": "pca", "configuration": "{\"components\":2}"])

    @Test func roundTrips() throws {
        let path = temporaryFolder() + "/m.safetensors"
        try model.write(to: path)
        let back = try SafeTensorsFile.read(path)
        #expect(back == model)
        let bytes = try FileIO.read(path)
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
        #expect((8 + headerLength) % 8 == 0)
    }

    @Test func readsWhatPythonWrote() throws {
        let file = try SafeTensorsFile.read(fixture("python.safetensors"))
        #expect(file["encoder.0.weight"] == fixtureBase && file["encoder.0.bias"] == Tensor([0.5, -0.5]))
        #expect(file["count"] == Tensor([7]) && file.metadata == ["format_version": "1", "method": "test"])
    }

    @Test(.enabled(if: pythonWith("safetensors") != nil, "needs python3 with safetensors"))
    func pythonReadsWhatWeWrite() throws {
        let python = pythonWith("safetensors")!
        let path = temporaryFolder() + "/m.safetensors"
        try model.write(to: path)
        let output = try runPython(python, """
            from safetensors import safe_open
            with safe_open('\(path)', framework='numpy') as f:
                print(f.metadata()['method'], sorted(f.keys()), f.get_tensor('encoder.0.weight').tolist(), f.get_tensor('scalar').shape)
            """)
        #expect(output.contains("pca ['encoder.0.bias', 'encoder.0.weight', 'scalar'] [[1.5, -2.25, 3.0], [0.125, 0.0010000000474974513, -7.0]] ()"), "\(output)")
    }

    @Test func headerClaimingGigabytes() {
        var bytes = try! model.encode()
        bytes.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(5_000_000_000).littleEndian, Array.init))
        #expect(errorText { _ = try SafeTensorsFile.parse(bytes, file: "m.safetensors") }.contains("m.safetensors: byte 0: header claims 5000000000 bytes"))
    }

    @Test func offsetsAndShapesAreChecked() {
        func file(_ header: String, data: Int) -> [UInt8] {
            let json = Array(header.utf8)
            return withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init) + json + [UInt8](repeating: 0, count: data)
        }
        let outside = file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,80]}}"#, data: 8)
        #expect(errorText { _ = try SafeTensorsFile.parse(outside, file: "m") }.contains("tensor 'a': data offsets"))
        let wrongSize = file(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: 8)
        #expect(errorText { _ = try SafeTensorsFile.parse(wrongSize, file: "m") }.contains("needs 12 bytes"))
        let gap = file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8)
        #expect(errorText { _ = try SafeTensorsFile.parse(gap, file: "m") }.contains("gap"))
        let badType = file(#"{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, data: 8)
        #expect(errorText { _ = try SafeTensorsFile.parse(badType, file: "m") }.contains("unsupported dtype C64"))
        #expect(errorText { _ = try SafeTensorsFile.parse(file("{not json", data: 0), file: "m") }.contains("not valid JSON"))
        #expect(errorText { _ = try SafeTensorsFile.parse([1, 2, 3], file: "m") }.contains("file ends early"))
    }
}

@Suite struct ModelFiles {
    struct Configuration: Codable, Equatable { var components = 2; var whiten = false }

    @Test func methodAndConfigurationRoundTrip() throws {
        let path = temporaryFolder() + "/pca.safetensors"
        try SafeTensorsFile(method: "pca", configuration: Configuration(), tensors: [("components", fixtureBase)]).write(to: path)
        let file = try SafeTensorsFile.read(path)
        #expect(try file.method(file: path, expected: "pca") == "pca")
        #expect(try file.configuration(Configuration.self, file: path) == Configuration())
        #expect(try file.tensor("components", shape: [2, 3], file: path) == fixtureBase)
        #expect(file.metadata["format_version"] == "1")
    }

    @Test func wrongMethodVersionOrShapeAreClearErrors() throws {
        let file = try SafeTensorsFile(method: "kmeans", configuration: Configuration(), tensors: [("centroids", fixtureBase)])
        #expect(errorText { _ = try file.method(file: "m.safetensors", expected: "pca") } == "m.safetensors: __metadata__: holds a kmeans model, not pca")
        #expect(errorText { _ = try file.tensor("centroids", shape: [3, 3], file: "m") }.contains("has shape [2, 3], expected [3, 3]"))
        #expect(errorText { _ = try file.tensor("means", file: "m") }.contains("tensor 'means': missing"))
        var newer = file
        newer.metadata["format_version"] = "99"
        #expect(errorText { _ = try newer.method(file: "m") }.contains("newer than this build reads"))
        #expect(errorText { _ = try SafeTensorsFile().method(file: "m") }.contains("not a Latent model file"))
    }
}

@Suite struct AtomicWrites {
    @Test func replacesWithoutLeavingTemporaryFiles() throws {
        let folder = temporaryFolder()
        try FileIO.writeAtomically(Array("one".utf8), to: folder + "/f")
        try FileIO.writeAtomically(Array("two".utf8), to: folder + "/f")
        #expect(try FileIO.read(folder + "/f") == Array("two".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["f"])
    }

    @Test func missingFolderIsAClearError() {
        #expect(errorText { try FileIO.writeAtomically([1], to: "/nonexistent/dir/f") }.contains("folder /nonexistent/dir does not exist"))
        #expect(errorText { _ = try FileIO.read("/nonexistent/f") } == "/nonexistent/f: no such file")
    }
}
