import DataFormats
import Foundation
import Testing
import TestSupport
import Tensors

/// The bytes of an `.npy` file: a version 1.0 header for `descr` and `shape`, then `payload`.
func npyBytes(descr: String, shape: [Int], payload: [UInt8]) -> [UInt8] {
    let shapeText = shape.isEmpty ? "()" : shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    let length = UInt16(header.utf8.count)
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8) + payload
}

func int32Bytes(_ values: [Int]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: Int32($0).littleEndian, Array.init) } }
func int64Bytes(_ values: [Int]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: Int64($0).littleEndian, Array.init) } }
func float32Bytes(_ values: [Float]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }

@Suite struct SparseNPZFiles {
    /// The 3 × 4 matrix [[1, 0, 2, 0], [0, 0, 0, 0], [0, 3, 0, 4]] as SciPy's CSR arrays, with
    /// one array replaced or dropped by `change`.
    func csr(format: String = "csr", _ change: (inout [String: [UInt8]]) -> Void = { _ in }) throws -> String {
        var arrays: [String: [UInt8]] = [
            "indices": npyBytes(descr: "<i4", shape: [4], payload: int32Bytes([0, 2, 1, 3])),
            "indptr": npyBytes(descr: "<i4", shape: [4], payload: int32Bytes([0, 2, 2, 4])),
            "format": npyBytes(descr: "|S\(format.utf8.count)", shape: [], payload: Array(format.utf8)),
            "shape": npyBytes(descr: "<i8", shape: [2], payload: int64Bytes([3, 4])),
            "data": npyBytes(descr: "<f4", shape: [4], payload: float32Bytes([1, 2, 3, 4])),
        ]
        change(&arrays)
        let path = temporaryFolder() + "/m.npz"
        try NPZ.write(entries: arrays.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, to: path)
        return path
    }

    @Test func readsCSRWithAnEmptyRowAndTransposes() throws {
        let path = try csr()
        let matrix = try SparseNPZ.read(path)
        #expect(matrix == (try Tensor(shape: [3, 4], scalars: [1, 0, 2, 0, 0, 0, 0, 0, 0, 3, 0, 4])))
        #expect(try SparseNPZ.read(path, transpose: true) == matrix.transposed())
        var loader = DatasetLoader()
        #expect(try loader.load(path).samples == matrix)
        loader.transpose = true
        #expect(try loader.load(path).samples.shape == [4, 3])
    }

    /// Each defect is an error naming the array and what is wrong; none reads as a matrix.
    @Test(arguments: [
        ("bsr", "indptr", [UInt8]?.none, "unsupported sparse format 'bsr'"),
        ("csr", "indptr", nil, "needs an array 'indptr'"),
        ("csr", "indptr", npyBytes(descr: "<i4", shape: [3], payload: int32Bytes([0, 2, 4])), "must have 4 entries for 3 rows"),
        ("csr", "indptr", npyBytes(descr: "<i4", shape: [4], payload: int32Bytes([0, 3, 2, 4])), "decreases at entry 2"),
        // Found by the sparse-npz fuzz harness: a run past the end of data before the decrease.
        ("csr", "indptr", npyBytes(descr: "<i4", shape: [4], payload: int32Bytes([0, 9, 2, 4])), "decreases at entry 2"),
        ("csr", "indptr", npyBytes(descr: "<i4", shape: [4], payload: int32Bytes([0, 2, 2, 3])), "must run from 0 to the number of values (4)"),
        ("csr", "indices", npyBytes(descr: "<i4", shape: [4], payload: int32Bytes([0, 2, 1, 4])), "value 3 lies at (2, 4), outside the 3 × 4 matrix"),
        ("csr", "indices", npyBytes(descr: "<i4", shape: [4], payload: int32Bytes([0, -1, 1, 3])), "outside the 3 × 4 matrix"),
        ("csr", "indices", npyBytes(descr: "<f4", shape: [4], payload: float32Bytes([0, 2, 1, 3])), "must be a vector of integers"),
        ("csr", "data", npyBytes(descr: "<f4", shape: [3], payload: float32Bytes([1, 2, 3])), "one entry per value of data: 4 against 3"),
        ("csr", "data", npyBytes(descr: "<f4", shape: [4], payload: float32Bytes([1, .nan, 3, 4])), "element [1]: non-finite value nan"),
        ("csr", "shape", npyBytes(descr: "<i8", shape: [2], payload: int64Bytes([3, -4])), "two sizes ≥ 0"),
        ("csr", "shape", npyBytes(descr: "<i8", shape: [2], payload: int64Bytes([1 << 40, 4])), "too large to read densely"),
        ("csr", "format", npyBytes(descr: "<i4", shape: [1], payload: int32Bytes([0])), "expected a bytes scalar"),
    ] as [(String, String, [UInt8]?, String)])
    func malformedMatricesAreClearErrors(format: String, array: String, replacement: [UInt8]?, message: String) throws {
        let path = try csr(format: format) { $0[array] = replacement ?? (format == "csr" ? nil : $0[array]) }
        #expect { _ = try SparseNPZ.read(path) } throws: { "\($0)".contains(message) && "\($0)".contains("m.npz") }
    }

    /// What SciPy's `save_npz` writes (CSR, CSC and COO; compressed or not; int64 counts, int32
    /// indices; empty rows and columns; duplicate COO entries, summed) reads as SciPy's
    /// `toarray()`, and transposed as its transpose.
    @Test(.enabled(if: pythonWith("scipy") != nil, "needs python3 with scipy"))
    func readsWhatSciPyWrites() throws {
        let folder = temporaryFolder()
        _ = try runPython(pythonWith("scipy")!, """
            import numpy as np, scipy.sparse as sp
            rng = np.random.default_rng(0)
            dense = (rng.random((30, 17)) < 0.2) * rng.integers(1, 50, (30, 17))
            dense[4, :] = 0; dense[:, 9] = 0
            np.save('\(folder)/dense.npy', dense.astype(np.float32))
            m = sp.csr_matrix(dense.astype(np.int64))
            sp.save_npz('\(folder)/csr.npz', m)
            sp.save_npz('\(folder)/csc.npz', m.tocsc(), compressed=False)
            sp.save_npz('\(folder)/float.npz', sp.csr_matrix(dense * 0.25))
            coo = sp.coo_matrix((np.array([1.0, 2.0, 5.0]), (np.array([0, 0, 2]), np.array([1, 1, 3]))), shape=(3, 4))
            sp.save_npz('\(folder)/coo.npz', coo)
            """)
        let dense = try NPY.read(folder + "/dense.npy").matrix(file: "dense.npy")
        for name in ["csr", "csc"] {
            #expect(try SparseNPZ.read("\(folder)/\(name).npz") == dense, "\(name)")
            #expect(try SparseNPZ.read("\(folder)/\(name).npz", transpose: true) == dense.transposed(), "\(name)")
        }
        #expect(try SparseNPZ.read("\(folder)/float.npz") == dense * 0.25)
        #expect(try SparseNPZ.read("\(folder)/coo.npz") == (try Tensor(shape: [3, 4], scalars: [0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5])))
    }
}
