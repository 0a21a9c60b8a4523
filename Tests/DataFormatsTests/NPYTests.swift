import DataFormats
import Foundation
import Testing
import Tensors

@Suite struct NPYFiles {
    @Test(arguments: ["float32_c.npy", "float64_fortran.npy", "float32_bigendian.npy", "version2.npy", "version3.npy"])
    func readsNumPyFloats(name: String) throws {
        let array = try NPY.read(fixture(name))
        #expect(array.shape == [2, 3])
        #expect(array.tensor == fixtureBase, "\(name): \(array.scalars)")
        #expect(array.integers == nil)
    }

    @Test func readsHalfPrecision() throws {
        // 1e-3 is not exact in float16.
        #expect(try NPY.read(fixture("float16.npy")).tensor.isApproximatelyEqual(to: fixtureBase, relativeTolerance: 1e-3))
    }

    @Test(arguments: ["int_i1.npy", "int_i2.npy", "int_i4_be.npy", "int_i8.npy"])
    func readsIntegers(name: String) throws {
        let array = try NPY.read(fixture(name))
        #expect(array.tensor == Tensor([[0, 1, -2], [127, -128, 5]]), "\(name)")
    }

    @Test func readsUnsignedBooleanAndLabels() throws {
        #expect(try NPY.read(fixture("uint8.npy")).tensor == Tensor([[0, 255, 7], [1, 2, 3]]))
        #expect(try NPY.read(fixture("uint64.npy")).scalars.last == Float(1 << 40))
        #expect(try NPY.read(fixture("bool.npy")).tensor == Tensor([[1, 0, 1], [0, 0, 1]]))
        #expect(try NPY.read(fixture("labels_int64.npy")).integers == [3, 1, 4, 1, 5, 9, 2, 6])
    }

    @Test func readsHigherRanksInBothOrders() throws {
        let c = try NPY.read(fixture("rank3.npy")), f = try NPY.read(fixture("rank3_fortran.npy"))
        #expect(c.shape == [2, 3, 4] && f.shape == [2, 3, 4])
        #expect(c.scalars == (0..<24).map(Float.init) && f.scalars == c.scalars)
        #expect(try c.matrix(file: "rank3").shape == [2, 12])
    }

    @Test(arguments: [[0, 3], [1], [5], [3, 4], [2, 3, 4]])
    func roundTrips(shape: [Int]) throws {
        var generator = RandomGenerator(seed: 3)
        let tensor = Tensor.randomNormal(shape, using: &generator)
        let path = temporaryFolder() + "/t.npy"
        try NPY.write(tensor, to: path)
        #expect(try NPY.read(path).tensor == tensor)
        // The data start on a 64-byte boundary, as NumPy writes them.
        let bytes = try FileIO.read(path)
        #expect((bytes.count - tensor.count * 4) % 64 == 0)
    }

    @Test(.enabled(if: pythonWith("numpy") != nil, "needs python3 with numpy"))
    func numpyReadsWhatWeWrite() throws {
        let python = pythonWith("numpy")!
        let path = temporaryFolder() + "/t.npy"
        try NPY.write(fixtureBase, to: path)
        let output = try runPython(python, "import numpy as np; a = np.load('\(path)'); print(a.dtype, a.shape, a.tolist())")
        #expect(output.contains("float32 (2, 3) [[1.5, -2.25, 3.0], [0.125, 0.0010000000474974513, -7.0]]"), "\(output)")
    }
}

@Suite struct NPYMalformed {
    let good = NPY.encode(fixtureBase)

    @Test func truncatedData() {
        let text = errorText { _ = try NPY.parse(Array(good.dropLast(5)), file: "t.npy") }
        #expect(text.contains("t.npy") && text.contains("ends early"), "\(text)")
    }

    @Test func trailingData() {
        #expect(errorText { _ = try NPY.parse(good + [0, 0, 0, 0], file: "t.npy") }.contains("bytes after"))
    }

    @Test func wrongMagic() {
        var bytes = good
        bytes[1] = UInt8(ascii: "X")
        #expect(errorText { _ = try NPY.parse(bytes, file: "t.npy") }.contains("t.npy: byte 0: not a NumPy"))
    }

    /// The file reader's fast path for float32 must check the magic as exactly as `parse` does.
    @Test(arguments: [(5, UInt8(ascii: "X")), (0, 0x92), (1, UInt8(ascii: "n"))])
    func wrongMagicInAFile(position: Int, byte: UInt8) throws {
        var bytes = good
        bytes[position] = byte
        let path = temporaryFolder() + "/t.npy"
        try FileIO.writeAtomically(bytes, to: path)
        #expect(errorText { _ = try NPY.read(path) }.contains("byte 0: not a NumPy .npy file"))
    }

    @Test func headerLongerThanTheFile() {
        var bytes = good
        bytes[8] = 0xFF
        bytes[9] = 0xFF
        #expect(errorText { _ = try NPY.parse(Array(bytes.prefix(200)), file: "t.npy") }.contains("header claims 65535 bytes"))
    }

    @Test func overflowingShapeAllocatesNothing() {
        let bytes = header("{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775807, 9223372036854775807), }")
        #expect(errorText { _ = try NPY.parse(bytes, file: "t.npy") }.contains("overflows"))
        let huge = header("{'descr': '<f4', 'fortran_order': False, 'shape': (100000000000,), }")
        #expect(errorText { _ = try NPY.parse(huge, file: "t.npy") }.contains("ends early"))
    }

    @Test func unknownDtypes() {
        for descr in ["<c8", "<U5", "O", "<f3"] {
            let bytes = header("{'descr': '\(descr)', 'fortran_order': False, 'shape': (1,), }") + [0, 0, 0, 0]
            #expect(errorText { _ = try NPY.parse(bytes, file: "t.npy") }.contains("unsupported dtype '\(descr)'"), "\(descr)")
        }
        let structured = header("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }")
        #expect(!errorText { _ = try NPY.parse(structured, file: "t.npy") }.isEmpty)
    }

    @Test func malformedHeaders() {
        for text in ["no dict", "{'descr': '<f4', 'shape': (1,), }", "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
                     "{'descr': '<f4', 'fortran_order': False, 'shape': (1,"] {
            #expect(errorText { _ = try NPY.parse(header(text), file: "t.npy") }.contains("header"), "\(text)")
        }
    }

    @Test func nonFiniteValuesAreRejectedWithTheirPosition() throws {
        let bytes = NPY.encode(Tensor([[1, 2], [3, .nan]]))
        let text = errorText { _ = try NPY.parse(bytes, file: "t.npy") }
        #expect(text.contains("element [1, 1]") && text.contains("nan"), "\(text)")
        let allowed = try NPY.parse(bytes, file: "t.npy", options: ReadOptions(allowNonFinite: true))
        #expect(allowed.scalars[3].isNaN)
    }

    private func header(_ dict: String) -> [UInt8] {
        let text = dict + "\n"
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(text.utf8.count & 0xFF), UInt8(text.utf8.count >> 8)] + Array(text.utf8)
    }
}

/// The python3 launcher when it can import `module`, or nil (the test then checks nothing more).
func pythonWith(_ module: String) -> String? { pythonCanImport(module) ? "python3" : nil }

/// Runs a Python snippet and returns its standard output; throws when it fails.
func runPython(_ launcher: String, _ code: String) throws -> String {
    let result = try runProcess(launcher, ["-c", code])
    guard result.status == 0 else { throw DataFormatError("python3", nil, "exit \(result.status): \(result.errors)") }
    return result.output
}
