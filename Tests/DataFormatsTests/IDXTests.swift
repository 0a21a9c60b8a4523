import DataFormats
import Foundation
import Tensors
import Testing

@Suite struct IDXFiles {
    @Test(arguments: IDX.ElementType.allCases)
    func roundTripsEveryElementType(type: IDX.ElementType) throws {
        let values = Tensor([[0, 1, 2], [100, 7, 42]])
        for name in ["t.idx", "t.idx.gz"] {
            let path = temporaryFolder() + "/" + name
            try IDX.write(values, as: type, to: path)
            let (array, readType) = try IDX.read(path)
            #expect(readType == type && array.shape == [2, 3] && array.tensor == values, "\(type) \(name)")
        }
    }

    @Test func imagesAreScaledToTheUnitInterval() throws {
        let path = temporaryFolder() + "/images-idx3-ubyte.gz"
        var generator = RandomGenerator(seed: 1)
        let pixels = Tensor(shape: [4, 3, 2]) { _ in Float(generator.nextInt(below: 256)) }
        try IDX.write(pixels, as: .uint8, to: path)
        let (samples, shape) = try IDX.readImages(path)
        #expect(shape == [3, 2] && samples.shape == [4, 6])
        #expect(samples == pixels.reshaped([4, 6]) / 255)
        #expect(samples.min() >= 0 && samples.max() <= 1)
    }

    @Test func labelsAreIntegers() throws {
        let path = temporaryFolder() + "/labels-idx1-ubyte"
        try IDX.write(Tensor([3, 1, 4, 1, 5]), as: .uint8, to: path)
        #expect(try IDX.readLabels(path) == [3, 1, 4, 1, 5])
    }

    @Test func bundledMiniSetIsStratified() throws {
        let train = try DatasetLoader().load("fashion-mnist-mini:train")
        let test = try DatasetLoader().load("fashion-mnist-mini:test")
        #expect(train.samples.shape == [5000, 784] && test.samples.shape == [1000, 784])
        #expect(train.sampleShape == [28, 28] && train.classNames?.count == 10)
        for label in 0..<10 {
            #expect(train.labels!.filter { $0 == label }.count == 500)
            #expect(test.labels!.filter { $0 == label }.count == 100)
        }
        #expect(train.samples.min() >= 0 && train.samples.max() <= 1)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")))
    func fullFashionMNISTTestSplit() throws {
        let test = try DatasetLoader().load("fashion-mnist:test")
        #expect(test.samples.shape == [10000, 784] && test.labels?.count == 10000)
    }

    @Test func missingFullSetSaysHowToInstall() {
        let loader = DatasetLoader(fashionMNISTDirectory: "/nonexistent")
        #expect(errorText { _ = try loader.load("fashion-mnist:train") }.contains("apt-get install dataset-fashion-mnist"))
    }
}

@Suite struct IDXMalformed {
    let good = IDX.encode(Tensor([[1, 2, 3], [4, 5, 6]]), as: .uint8)

    @Test func truncated() {
        #expect(errorText { _ = try IDX.parse(Array(good.dropLast(2)), file: "x.idx") }.contains("x.idx: byte 12: file ends early"))
        #expect(errorText { _ = try IDX.parse(Array(good.prefix(6)), file: "x.idx") }.contains("dimension 0"))
    }

    @Test func wrongMagic() {
        var bytes = good
        bytes[0] = 1
        #expect(errorText { _ = try IDX.parse(bytes, file: "x.idx") }.contains("byte 0: not an IDX file"))
    }

    @Test func unknownType() {
        var bytes = good
        bytes[2] = 0x07
        #expect(errorText { _ = try IDX.parse(bytes, file: "x.idx") }.contains("unknown IDX element type 0x07"))
    }

    @Test func dimensionsLargerThanTheFile() {
        // Claims 4 294 967 295 × 4 294 967 295 × 255 values: overflow, checked before any allocation.
        let bytes: [UInt8] = [0, 0, 0x08, 3, 255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 255, 1, 2]
        let text = errorText { _ = try IDX.parse(bytes, file: "x.idx") }
        #expect(text.contains("ends early") || text.contains("overflow"), "\(text)")
        let overflow: [UInt8] = [0, 0, 0x0E, 4] + [UInt8](repeating: 255, count: 16)
        #expect(errorText { _ = try IDX.parse(overflow, file: "x.idx") }.contains("overflow"))
    }

    @Test func gzipStreamThatEndsEarly() {
        let compressed = gzipped(good)
        let text = errorText { _ = try IDX.parse(Array(compressed.dropLast(12)), file: "x.idx.gz") }
        #expect(text.contains("x.idx.gz") && text.contains("gzip stream ends early"), "\(text)")
        var corrupt = compressed
        corrupt[12] ^= 0xFF
        #expect(errorText { _ = try IDX.parse(corrupt, file: "x.idx.gz") }.contains("x.idx.gz"))
    }

    @Test func nonFiniteFloats() throws {
        let bytes = IDX.encode(Tensor([1, .infinity]), as: .float32)
        #expect(errorText { _ = try IDX.parse(bytes, file: "x.idx") }.contains("element [1]"))
        #expect(try IDX.parse(bytes, file: "x.idx", options: ReadOptions(allowNonFinite: true)).array.scalars[1] == .infinity)
    }

    private func gzipped(_ bytes: [UInt8]) -> [UInt8] {
        let path = temporaryFolder() + "/x.idx.gz"
        try! IDX.write(Tensor([[1, 2, 3], [4, 5, 6]]), as: .uint8, to: path)
        return try! FileIO.read(path)
    }
}
